/**
 * Rules per repository (issue 12): which rule applies to a repository, and the rule list read and checked
 * at the edge. The first rule whose `repositories` pattern matches a repository applies; a repository
 * that no rule matches takes the global settings. Pure: the shells hand in the parsed JSON and say where
 * it came from, for the messages.
 */
import { closestName } from './did-you-mean';
import type { RepositoryPolicy, RetentionPolicy } from './types';

/**
 * One rule as a person writes it: in `RULES` (JSON), a `--rules` file (JSON or YAML), the construct's
 * `rules` prop or the `rules` context key. `parseRules` checks it.
 */
export interface RuleSpec {
  /** A glob or several over repository names, such as `shop/*` or `team/**`: `*` stays within a path segment, `**` crosses segments. */
  readonly repositories: string | readonly string[];
  /**
   * The repositories it matches are neither cleaned nor counted, and the report lists them as excluded.
   * @default false
   */
  readonly exclude?: boolean;
  /** @default the global `keepMinImageCount` */
  readonly keepMinImageCount?: number;
  /** @default the global `keepImagesNewerThanDays` */
  readonly keepImagesNewerThanDays?: number;
  /** @default the global `keepImagesPulledWithinDays` */
  readonly keepImagesPulledWithinDays?: number;
  /**
   * Tags that keep their image always, with the reason `protected-tag:<pattern>`: globs (`prod-*`) or
   * regular expressions between slashes (`/^v\d+\.\d+\.\d+$/`).
   * @default none
   */
  readonly keepTags?: readonly string[];
  /**
   * A separate age for untagged artifacts: they are kept only while younger than this (or in use, or
   * recently pulled), and they do not use up the `keepMinImageCount` newest, which then counts tagged
   * artifacts only.
   * @default untagged artifacts are judged as tagged ones are
   */
  readonly untagged?: { readonly olderThanDays: number };
}

/** One rule, as checked. */
export interface RepositoryRule {
  /** Its place in the list, from 0: how messages and the plan name it. */
  readonly index: number;
  /** Globs over repository names: `*` within a path segment, `**` across segments, `?` one character. */
  readonly repositories: readonly string[];
  /** The repositories it matches are neither cleaned nor counted. */
  readonly exclude: boolean;
  readonly keepMinImageCount?: number;
  readonly keepImagesNewerThanDays?: number;
  readonly keepImagesPulledWithinDays?: number;
  /** Tags that keep their image always: globs (`prod-*`) or regular expressions (`/^v\d+$/`). */
  readonly keepTags: readonly string[];
  /** A separate age for untagged artifacts. */
  readonly untagged?: { readonly olderThanDays: number };
}

/** A rule list that cannot be used, with every problem, each naming the rule, the key, the value and the fix. */
export class RulesError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid rules:\n  ${problems.join('\n  ')}`);
    this.name = 'RulesError';
  }
}

const KEYS = ['repositories', 'exclude', 'keepMinImageCount', 'keepImagesNewerThanDays', 'keepImagesPulledWithinDays', 'keepTags', 'untagged'] as const;
const WHOLE_NUMBERS: Readonly<Record<string, number>> = { keepMinImageCount: 1, keepImagesNewerThanDays: 0, keepImagesPulledWithinDays: 0 };
/** What ECR allows in a repository name, and the glob's own characters. */
const REPOSITORY_GLOB = /^[a-z0-9._\-/*?]+$/;
/** What ECR allows in a tag, and the glob's own characters. */
const TAG_GLOB = /^[A-Za-z0-9_.\-*?]+$/;

/**
 * Checks a rule list, as parsed from JSON.
 *
 * @param source where the list came from, as messages name it: `RULES`, `--rules rules.json`, `context rules`
 * @throws RulesError with every problem found
 */
export function parseRules(value: unknown, source: string): RepositoryRule[] {
  if (!Array.isArray(value)) throw new RulesError([`${source} must be a list of rules, such as [{"repositories": "ci/*", "keepImagesNewerThanDays": 1}], got ${describe(value)}`]);
  const problems: string[] = [];
  const rules = value.map((raw, index) => parseRule(raw, `${source}[${index}]`, index, problems));
  problems.push(...shadowedRules(rules.filter((rule): rule is RepositoryRule => rule !== undefined), source));
  if (problems.length > 0) throw new RulesError(problems);
  return rules as RepositoryRule[];
}

/**
 * A rule, or a repository that a rule names, that an earlier rule always takes first: since the first
 * matching rule applies, the later one would never apply there, which is never what was meant (an
 * exclusion behind a broader rule would let the cleaner in).
 */
function shadowedRules(rules: readonly RepositoryRule[], source: string): string[] {
  const problems: string[] = [];
  for (const [position, rule] of rules.entries()) {
    const at = `${source}[${rule.index}]`;
    const earlierRules = rules.slice(0, position);
    const everything = earlierRules.find((earlier) => earlier.repositories.some(matchesEveryName));
    if (everything) {
      const glob = everything.repositories.find(matchesEveryName);
      problems.push(`${at} never applies: ${source}[${everything.index}] ("${glob}") comes first and matches every repository (the first matching rule applies): move ${at} before it`);
      continue;
    }
    for (const name of rule.repositories.filter((pattern) => !/[*?]/.test(pattern))) {
      for (const earlier of earlierRules) {
        const glob = earlier.repositories.find((pattern) => globMatches(pattern, name, 'repository'));
        if (glob === undefined) continue;
        problems.push(
          `${at}.repositories has "${name}", but ${source}[${earlier.index}] ("${glob}") comes first and matches it, so ${at} never applies there (the first matching rule applies): move ${at} before ${source}[${earlier.index}]`,
        );
        break;
      }
    }
  }
  return problems;
}

function parseRule(raw: unknown, at: string, index: number, problems: string[]): RepositoryRule | undefined {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push(`${at} must be an object such as {"repositories": "ci/*", "keepImagesNewerThanDays": 1}, got ${describe(raw)}`);
    return undefined;
  }
  const rule = raw as Record<string, unknown>;
  for (const key of Object.keys(rule)) {
    if ((KEYS as readonly string[]).includes(key)) continue;
    const near = closestName(key, KEYS);
    problems.push(`${at} has an unknown key "${key}": ${near ? `did you mean "${near}"?` : `the keys are ${KEYS.join(', ')}`}`);
  }

  const repositories = typeof rule.repositories === 'string' ? [rule.repositories] : rule.repositories;
  if (!Array.isArray(repositories) || repositories.length === 0) {
    problems.push(`${at}.repositories must be a glob or a list of globs over repository names, such as "shop/*" or ["**/cache"], got ${describe(rule.repositories)}`);
  } else {
    for (const pattern of repositories) {
      if (typeof pattern !== 'string' || !REPOSITORY_GLOB.test(pattern)) {
        problems.push(`${at}.repositories has ${describe(pattern)}, which is not a glob over repository names: use lower-case letters, digits, . _ - /, and * ** ? (such as "shop/*")`);
      } else if (/\*{3,}/.test(pattern)) {
        problems.push(`${at}.repositories has "${pattern}": write * within a path segment or ** across segments, not ***`);
      } else if (pattern.startsWith('/') || pattern.endsWith('/') || pattern.includes('//')) {
        const fix = pattern.endsWith('/') && !pattern.startsWith('/') && !pattern.includes('//') ? `for every repository under ${pattern}, write "${pattern}**"` : `write "${pattern.replace(/\/{2,}/g, '/').replace(/^\/|\/$/g, '')}"`;
        problems.push(`${at}.repositories has "${pattern}", which no repository name can match (a name has no leading, trailing or double "/"): ${fix}`);
      } else if (/[^/*]\*\*|\*\*[^/*]/.test(pattern)) {
        problems.push(`${at}.repositories has "${pattern}": ** stands for whole path segments, so write it between slashes (such as "team/**" or "**/cache"), or use * within a segment`);
      }
    }
  }

  if (rule.exclude !== undefined && typeof rule.exclude !== 'boolean') problems.push(`${at}.exclude must be true or false, got ${describe(rule.exclude)}`);
  const exclude = rule.exclude === true;
  if (exclude) {
    const keeps = KEYS.filter((key) => key !== 'repositories' && key !== 'exclude' && rule[key] !== undefined);
    if (keeps.length > 0) problems.push(`${at} excludes its repositories, which are then neither cleaned nor counted, so ${keeps.join(', ')} would have no effect: remove ${keeps.length === 1 ? 'it' : 'them'}, or "exclude"`);
  }

  const numbers: Record<string, number> = {};
  for (const [key, min] of Object.entries(WHOLE_NUMBERS)) {
    const number = rule[key];
    if (number === undefined) continue;
    if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < min) problems.push(`${at}.${key} must be a whole number of at least ${min}, got ${describe(number)}`);
    else numbers[key] = number;
  }

  const keepTags = rule.keepTags === undefined ? [] : rule.keepTags;
  if (!Array.isArray(keepTags)) problems.push(`${at}.keepTags must be a list of tag globs or /regular expressions/, such as ["prod-*", "/^v\\\\d+$/"], got ${describe(rule.keepTags)}`);
  else for (const pattern of keepTags) checkTagPattern(pattern, `${at}.keepTags`, problems);

  let untagged: { olderThanDays: number } | undefined;
  if (rule.untagged !== undefined) {
    const given: Record<string, unknown> = rule.untagged !== null && typeof rule.untagged === 'object' ? (rule.untagged as Record<string, unknown>) : {};
    const { olderThanDays } = given;
    const extra = Object.keys(given).filter((key) => key !== 'olderThanDays');
    if (typeof olderThanDays !== 'number' || !Number.isInteger(olderThanDays) || olderThanDays < 0 || extra.length > 0) {
      problems.push(`${at}.untagged must be {"olderThanDays": N} with N a whole number of at least 0, got ${describe(rule.untagged)}`);
    } else untagged = { olderThanDays };
  }

  return {
    index,
    repositories: Array.isArray(repositories) ? (repositories as string[]) : [],
    exclude,
    ...numbers,
    keepTags: Array.isArray(keepTags) ? (keepTags as string[]) : [],
    ...(untagged && { untagged }),
  };
}

function checkTagPattern(pattern: unknown, at: string, problems: string[]): void {
  if (typeof pattern === 'number') {
    problems.push(`${at} has the number ${pattern}: write tags in quotes, such as "${pattern}" (YAML reads 1.0 as the number 1)`);
    return;
  }
  if (typeof pattern === 'string' && /^\/.+\/[a-z]+$/.test(pattern)) {
    problems.push(`${at} has ${describe(pattern)}: flags after the closing / are not supported; write the pattern without them, such as "/^[Pp]rod-/"`);
    return;
  }
  if (typeof pattern === 'string' && isRegexPattern(pattern)) {
    try {
      new RegExp(pattern.slice(1, -1));
    } catch (error) {
      problems.push(`${at} has ${describe(pattern)}, which is not a regular expression: ${(error as Error).message}`);
    }
    return;
  }
  if (typeof pattern !== 'string' || !TAG_GLOB.test(pattern)) {
    problems.push(`${at} has ${describe(pattern)}, which is neither a tag glob (letters, digits, _ . -, and * ?) nor a /regular expression/`);
  }
}

/** The first rule that matches the repository, or undefined: the global settings apply. */
export function ruleFor(repository: string, rules: readonly RepositoryRule[]): RepositoryRule | undefined {
  return rules.find((rule) => rule.repositories.some((pattern) => globMatches(pattern, repository, 'repository')));
}

/** The keep rules of a repository: the rule's own settings, and the global ones where it sets none. */
export function policyOf(rule: RepositoryRule | undefined, global: RetentionPolicy): RepositoryPolicy {
  if (!rule) return global;
  return {
    keepMinImageCount: rule.keepMinImageCount ?? global.keepMinImageCount,
    keepImagesNewerThanDays: rule.keepImagesNewerThanDays ?? global.keepImagesNewerThanDays,
    keepImagesPulledWithinDays: rule.keepImagesPulledWithinDays ?? global.keepImagesPulledWithinDays,
    ...(rule.keepTags.length > 0 && { keepTags: rule.keepTags }),
    ...(rule.untagged && { keepUntaggedNewerThanDays: rule.untagged.olderThanDays }),
  };
}

/**
 * A test of tags against `keepTags` patterns, each compiled once: it gives the first pattern that one of
 * the tags matches, or undefined. A glob or a regular expression must match the whole tag: `/v1/` does
 * not protect `dev-v10`.
 */
export function tagProtector(patterns: readonly string[]): (tags: readonly string[]) => string | undefined {
  const compiled = patterns.map((pattern) => ({
    pattern,
    regex: isRegexPattern(pattern) ? new RegExp(`^(?:${pattern.slice(1, -1)})$`) : globRegex(pattern, 'tag'),
  }));
  return (tags) => (tags.length === 0 ? undefined : compiled.find(({ regex }) => tags.some((tag) => regex.test(tag)))?.pattern);
}

/**
 * Warnings for what the rules name in vain: a rule that applies to none of the repositories in scope (a
 * misspelled pattern, or every repository it matches taken by an earlier rule), and a glob of a rule that
 * matches none of them (one misspelled name in a list).
 */
export function idleRules(rules: readonly RepositoryRule[], repositories: readonly string[], source = 'RULES', scoped = false): string[] {
  const applied = new Set<number>();
  const matched = new Set<string>();
  for (const name of repositories) {
    let first: RepositoryRule | undefined;
    for (const rule of rules) {
      for (const glob of rule.repositories) {
        if (!globMatches(glob, name, 'repository')) continue;
        matched.add(`${rule.index} ${glob}`);
        first ??= rule;
      }
    }
    if (first) applied.add(first.index);
  }
  const inScope = `${repositories.length} ${repositories.length === 1 ? 'repository' : 'repositories'} in scope`;
  // With the scope narrowed (ECR_REPOSITORIES), a rule for the repositories outside it is expected to rest.
  const check = (what: string): string => (scoped ? `check the ${what}, or the scope (ECR_REPOSITORIES)` : `check the ${what}`);
  return rules.flatMap((rule) => {
    const unmatched = rule.repositories.filter((glob) => !matched.has(`${rule.index} ${glob}`));
    if (!applied.has(rule.index)) {
      const names = rule.repositories.map((glob) => JSON.stringify(glob)).join(', ');
      return unmatched.length < rule.repositories.length
        ? [`${source}[${rule.index}] (${names}) applies to no repository: every repository it matches is taken by an earlier rule, so it has no effect`]
        : [`${source}[${rule.index}] (${names}) matches none of the ${inScope}, so it has no effect: ${check('pattern')}`];
    }
    return unmatched.map((glob) => `${source}[${rule.index}].repositories has "${glob}", which matches none of the ${inScope}: ${check('name')}`);
  });
}

/** Whether a glob matches every repository name, such as `**` or `**` twice over: made of `*` and `/` only, it matches names of any depth. */
function matchesEveryName(glob: string): boolean {
  return /^[*/]+$/.test(glob) && ['a', 'a/b', 'a/b/c'].every((name) => globMatches(glob, name, 'repository'));
}

/** Whether a glob matches a whole name. In a repository name, `*` and `?` stay within a path segment. */
export function globMatches(pattern: string, name: string, kind: 'repository' | 'tag'): boolean {
  return globRegex(pattern, kind).test(name);
}

function isRegexPattern(pattern: string): boolean {
  return pattern.length > 2 && pattern.startsWith('/') && pattern.endsWith('/');
}

/** Compiled globs: the same few patterns are matched against every repository and tag of a run. */
const COMPILED = new Map<string, RegExp>();

function globRegex(pattern: string, kind: 'repository' | 'tag'): RegExp {
  const key = `${kind} ${pattern}`;
  const known = COMPILED.get(key);
  if (known) return known;
  const one = kind === 'repository' ? '[^/]' : '.';
  let source = '';
  for (let i = 0; i < pattern.length; i += 1) {
    const char = pattern[i];
    if (char === '*' && pattern[i + 1] === '*') {
      // `**/` also matches no segment at all: `**/cache` matches `cache`.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (char === '*') source += `${one}*`;
    else if (char === '?') source += one;
    else source += regExpLiteral(char);
  }
  const regex = new RegExp(`^${source}$`);
  COMPILED.set(key, regex);
  return regex;
}

/** Text as a regular expression that matches it and nothing else: its special characters escaped. */
export function regExpLiteral(text: string): string {
  return text.replace(/[.+*?^${}()|[\]\\-]/g, '\\$&');
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
