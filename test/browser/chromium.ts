/**
 * Debian's Chromium, driven by playwright-core (which downloads no browser of its own). The flags keep
 * it off the network at start (no component updates, no sync, no background connections), which this
 * machine's closed network would otherwise refuse many times over.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts headless Chromium; throws, saying how to install it, when it is missing. Never skips. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the browser tests need Chromium at ${CHROMIUM}, which is missing: install Debian's package as root (apt-get install -y chromium), or set CHROMIUM_PATH to a Chromium or Chrome binary`,
    );
  }
  // playwright-core gives each launch a fresh, empty profile of its own.
  return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** A page of the report, and what it asked of the network and what went wrong in it. */
export interface OpenedReport {
  readonly page: Page;
  /** Every request the page made, by URL: the report's own file:// URL only, if it keeps to itself. */
  readonly requests: string[];
  /** Uncaught errors and console errors in the page. */
  readonly errors: string[];
}

/**
 * Opens an HTML report in a new page and waits until it has drawn its table. Every request but the file
 * itself is recorded and made to fail, so that a report that reaches out is caught, not served.
 */
export async function openReport(browser: Browser, file: string, viewport = { width: 1280, height: 900 }): Promise<OpenedReport> {
  const page = await browser.newPage({ viewport });
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort('blockedbyclient')));
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
  return { page, requests, errors };
}

/**
 * What the tests read of a page's window inside `page.evaluate`, typed here: the repository's tsconfig
 * has no DOM library (see lambda/render/html-page/dom.ts). Reach it as `(globalThis as unknown as PageWindow)`.
 */
export interface PageWindow {
  readonly document: {
    readonly activeElement: { readonly id: string; getAttribute(name: string): string | null } | null;
    readonly scripts: { readonly length: number };
    querySelector(selector: string): { readonly textContent: string | null } | null;
    querySelectorAll(selector: string): { readonly length: number };
  };
  readonly injected?: number;
  readonly Event: new (type: string) => unknown;
  dispatchEvent(event: unknown): void;
}
