/**
 * Repository globs (`globMatches` in `lambda/core/rules.ts`) in IAM's wildcard syntax, for the resource
 * of a policy statement (`repository/<pattern>`). Pure.
 *
 * The two syntaxes differ: in a glob, `*` and `?` stay within one `/`-separated segment, `**` crosses
 * segments and `**` followed by `/` may also match no segment at all; in IAM, `*` matches any characters,
 * `/` included, and `?` any one character. So `**` translates exactly, `**` followed by `/` translates
 * exactly into two patterns (with the segments and without), and a single `*` or `?` translates into a
 * broader pattern only.
 */
import { regExpLiteral } from '../lambda/core/rules';

/** A glob in IAM's syntax. */
export interface IamPatterns {
  /** Patterns whose union matches every name the glob matches. */
  readonly patterns: readonly string[];
  /** Whether the patterns match exactly the names the glob matches; otherwise they match more. */
  readonly exact: boolean;
  /** Why the patterns match more, such as `IAM's * crosses "/"`; empty when exact. */
  readonly broaderBecause: readonly string[];
}

/**
 * Translates a repository glob into IAM wildcard patterns.
 *
 * - a literal name: itself, exact;
 * - `**`: `*`, exact;
 * - `**` followed by `/`: two alternatives, without the segments and with `*` then `/`
 *   (`**` + `/cache` gives `cache` and `*` + `/cache`), exact;
 * - a single `*` or `?`: `*` or `?`, broader, because IAM's wildcards cross `/`.
 */
export function iamPatternsOf(glob: string): IamPatterns {
  let alternatives = [''];
  const broaderBecause = new Set<string>();
  const append = (...endings: string[]): void => {
    alternatives = alternatives.flatMap((start) => endings.map((ending) => start + ending));
  };
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i];
    if (char === '*' && glob[i + 1] === '*') {
      if (glob[i + 2] === '/') {
        append('', '*/');
        i += 2;
      } else {
        append('*');
        i += 1;
      }
    } else if (char === '*') {
      append('*');
      broaderBecause.add('IAM\'s * crosses "/"');
    } else if (char === '?') {
      append('?');
      broaderBecause.add('IAM\'s ? also matches "/"');
    } else append(char);
  }
  return { patterns: [...new Set(alternatives)], exact: broaderBecause.size === 0, broaderBecause: [...broaderBecause] };
}

/** Whether an IAM wildcard pattern (`*` any characters, `?` any one) matches the whole name. */
export function iamPatternMatches(pattern: string, name: string): boolean {
  const source = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : regExpLiteral(char))).join('');
  return new RegExp(`^${source}$`, 's').test(name);
}

/**
 * Whether two repository globs may match a common name. Conservative: false only when they cannot. Their
 * IAM forms match at least what they match; two forms are disjoint when one is a literal name that the
 * other does not match, or when their literal prefixes (up to the first wildcard) or their literal
 * suffixes (after the last wildcard) are incompatible, neither being a prefix (or suffix) of the other.
 */
export function globsMayOverlap(a: string, b: string): boolean {
  const formsOfB = iamPatternsOf(b).patterns;
  return iamPatternsOf(a).patterns.some((one) => formsOfB.some((other) => patternsMayOverlap(one, other)));
}

/** Whether two IAM wildcard patterns may match a common name; see `globsMayOverlap`. */
export function patternsMayOverlap(a: string, b: string): boolean {
  const literal = (pattern: string): boolean => !/[*?]/.test(pattern);
  if (literal(a)) return iamPatternMatches(b, a);
  if (literal(b)) return iamPatternMatches(a, b);
  const prefix = (pattern: string): string => pattern.slice(0, pattern.search(/[*?]/));
  const suffix = (pattern: string): string => pattern.slice(Math.max(pattern.lastIndexOf('*'), pattern.lastIndexOf('?')) + 1);
  const [prefixA, prefixB, suffixA, suffixB] = [prefix(a), prefix(b), suffix(a), suffix(b)];
  const prefixesAgree = prefixA.startsWith(prefixB) || prefixB.startsWith(prefixA);
  const suffixesAgree = suffixA.endsWith(suffixB) || suffixB.endsWith(suffixA);
  return prefixesAgree && suffixesAgree;
}
