/**
 * The few browser APIs that the HTML report's script uses, typed here rather than through TypeScript's
 * `dom` library. That library is global: added for the page, it would change the types of the whole
 * program (Node's `fetch`, `Request` and `FormData` would take the DOM's, and the emulator's code that
 * uses Node's would stop compiling). The page reaches these through `globalThis`, so the repository's
 * one tsconfig type-checks it with everything else.
 */

/** A listener of an event that the page handles: keys, clicks, input, media queries. */
export interface PageEvent {
  /** A keyboard event's key. */
  readonly key: string;
  readonly target: PageElement | null;
  /** A media query's change. */
  readonly matches: boolean;
  preventDefault(): void;
}

/** An HTML or SVG element, or a fragment: the union of what the page uses of each. */
export interface PageElement {
  textContent: string | null;
  title: string;
  hidden: boolean;
  scrollTop: number;
  /** An input's or a select's value. */
  value: string;
  readonly offsetHeight: number;
  readonly clientHeight: number;
  readonly clientWidth: number;
  readonly dataset: Record<string, string | undefined>;
  readonly style: { height: string; setProperty(name: string, value: string): void };
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
  append(...children: (PageElement | string)[]): void;
  prepend(...children: (PageElement | string)[]): void;
  replaceChildren(...children: (PageElement | string)[]): void;
  remove(): void;
  focus(options?: { preventScroll?: boolean }): void;
  closest(selector: string): PageElement | null;
  querySelectorAll(selector: string): { forEach(each: (element: PageElement) => void): void };
  addEventListener(type: string, listener: (event: PageEvent) => void): void;
}

export interface PageDocument {
  readonly body: PageElement;
  createElement(tag: string): PageElement;
  createElementNS(namespace: string, tag: string): PageElement;
  createDocumentFragment(): PageElement;
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { forEach(each: (element: PageElement) => void): void };
}

export interface PageObserver {
  observe(target: PageElement): void;
  unobserve(target: PageElement): void;
}

/** What the page uses of `globalThis` in a browser. */
export interface PageGlobals {
  readonly document: PageDocument;
  readonly performance: {
    now(): number;
    mark(name: string): void;
    measure(name: string, options: { start: number; end: number }): void;
  };
  readonly IntersectionObserver?: new (callback: (entries: readonly { readonly isIntersecting: boolean; readonly target: PageElement }[]) => void) => PageObserver;
  setTimeout(callback: () => void, delayMs: number): number;
  clearTimeout(handle: number | undefined): void;
  requestAnimationFrame(callback: () => void): number;
  addEventListener(type: string, listener: (event: PageEvent) => void): void;
  matchMedia(query: string): { addEventListener(type: string, listener: (event: PageEvent) => void): void };
}
