/**
 * Where the cleaner's role may call ecr:BatchDeleteImage, given the rules and the repositories in scope:
 * as data, for `grantCleanerPermissions` to write as statements and for the construct to report. Pure.
 *
 * - Repositories in scope (`repositories`): the Allow names those that the rules leave cleanable (the
 *   first matching rule does not exclude them). Names are exact in IAM, so nothing more is needed.
 * - A catch-all exclusion (an excluding rule with `**`): only what the rules before it clean is cleanable,
 *   so the Allow is on the IAM forms of their globs (which may be broader: the cleaner itself never
 *   deletes in an excluded repository).
 * - Otherwise every repository may be cleaned: the Allow is on `repository/*`, and a Deny covers each
 *   excluded glob that IAM expresses exactly and that no earlier cleaning rule may also match (the first
 *   matching rule wins, so such repositories are cleaned).
 *
 * An exclusion that IAM cannot enforce is reported, with the reason: the cleaner keeps out of those
 * repositories, but the role could still delete there.
 */
import { Token } from 'aws-cdk-lib';
import { type RepositoryRule, ruleFor } from '../lambda/core/rules';
import { globsMayOverlap, iamPatternsOf, patternsMayOverlap } from './repository-arn-patterns';

/** One resource pattern of the Allow: a repository name in IAM's syntax. */
export interface AllowedPattern {
  /** The name or pattern after `repository/`, such as `ci/*`. */
  readonly pattern: string;
  /** The rules' globs it comes from, such as `"ci/*" (rules[0])`; empty when it is not from a rule. */
  readonly from: readonly string[];
}

export interface DeletePermission {
  /** Where ecr:BatchDeleteImage is allowed; empty: nowhere, the role gets no such statement. */
  readonly allow: readonly AllowedPattern[];
  /** Repository name patterns, in IAM's syntax, where ecr:BatchDeleteImage is denied. */
  readonly deny: readonly string[];
  /** One message for each exclusion that IAM cannot enforce, saying why. */
  readonly unenforced: readonly string[];
  /** Set when the rules leave no repository to clean: what to tell the user. */
  readonly nothingToClean?: string;
}

/** The most names a message lists before it says how many more. */
const LISTED = 5;

/**
 * Plans the delete permission.
 *
 * @param rules the checked rules (`parseRules`), in order; empty: none
 * @param repositories the repositories in scope, or undefined for every repository
 */
export function planDeletePermission(rules: readonly RepositoryRule[], repositories?: readonly string[]): DeletePermission {
  if (repositories) return planForRepositories(rules, repositories);
  const ref = (rule: RepositoryRule): string => `rules[${rule.index}]`;
  const catchAll = rules.find((rule) => rule.exclude && rule.repositories.some(matchesEverything));
  // Rules after a catch-all exclusion never apply.
  const applying = catchAll ? rules.slice(0, rules.indexOf(catchAll)) : rules;
  const cleaning = applying.filter((rule) => !rule.exclude);

  let allow: AllowedPattern[] = [{ pattern: '*', from: [] }];
  const unenforced: string[] = [];
  if (catchAll) {
    const from = new Map<string, string[]>();
    const broader: string[] = [];
    for (const rule of cleaning) {
      for (const glob of rule.repositories) {
        const translation = iamPatternsOf(glob);
        for (const pattern of translation.patterns) from.set(pattern, [...(from.get(pattern) ?? []), `${JSON.stringify(glob)} (${ref(rule)})`]);
        if (!translation.exact) broader.push(`${JSON.stringify(glob)} (${ref(rule)}): ${translation.broaderBecause.join(', and ')}`);
      }
    }
    if (from.size === 0) {
      const glob = catchAll.repositories.find(matchesEverything) as string;
      return {
        allow: [],
        deny: [],
        unenforced: [],
        nothingToClean:
          `the rules exclude every repository: ${ref(catchAll)} excludes every repository that no earlier rule matches (${JSON.stringify(glob)}), and no rule before it cleans any. ` +
          `The cleaner deletes nothing, and its role gets no ecr:BatchDeleteImage. Put the rules for the repositories to clean before ${ref(catchAll)}, or remove it.`,
      };
    }
    allow = from.has('*') ? [{ pattern: '*', from: from.get('*') as string[] }] : [...from].map(([pattern, globs]) => ({ pattern, from: globs }));
    if (broader.length > 0) {
      unenforced.push(
        `${ref(catchAll)} excludes every repository that no earlier rule matches: the cleaner itself keeps out of them, but its role could still delete in some, ` +
          `because the Allow is broader than the globs of the rules that clean: ${broader.join('; ')}.`,
      );
    }
  }

  const deny: string[] = [];
  for (const rule of applying.filter((candidate) => candidate.exclude)) {
    for (const glob of rule.repositories) {
      const { patterns, exact, broaderBecause } = iamPatternsOf(glob);
      // With a catch-all exclusion, the Allow names only what the rules clean: an exclusion it cannot reach needs nothing.
      if (catchAll && !patterns.some((pattern) => allow.some((allowed) => patternsMayOverlap(pattern, allowed.pattern)))) continue;
      const earlier = cleaning
        .filter((candidate) => candidate.index < rule.index)
        .flatMap((candidate) => candidate.repositories.filter((other) => globsMayOverlap(other, glob)).map((other) => `${ref(candidate)} (${JSON.stringify(other)})`));
      if (exact && earlier.length === 0) {
        deny.push(...patterns.filter((pattern) => !deny.includes(pattern)));
        continue;
      }
      const reasons = [
        ...earlier.map((other) => `${other} comes first and may match some of the same repositories, which it then cleans (the first matching rule wins), so a Deny would cover those too`),
        ...broaderBecause.map((because) => `${because}, so a Deny on ${patterns.map((pattern) => `repository/${pattern}`).join(' and ')} would also cover repositories that the glob does not match`),
      ];
      unenforced.push(`${ref(rule)} excludes ${JSON.stringify(glob)}: the cleaner itself keeps out of those repositories, but its role could still delete there: ${reasons.join('; and ')}.`);
    }
  }
  return { allow, deny, unenforced };
}

/** With repositories in scope, the Allow names those that the rules leave cleanable. */
function planForRepositories(rules: readonly RepositoryRule[], repositories: readonly string[]): DeletePermission {
  // A name known only at deploy time cannot be matched: it stays in the Allow, which may be broader.
  const excludedBy = (name: string): RepositoryRule | undefined => {
    if (Token.isUnresolved(name)) return undefined;
    const rule = ruleFor(name, rules);
    return rule?.exclude ? rule : undefined;
  };
  const cleanable = repositories.filter((name) => excludedBy(name) === undefined);
  if (cleanable.length > 0) return { allow: cleanable.map((pattern) => ({ pattern, from: [] })), deny: [], unenforced: [] };
  const listed = repositories.slice(0, LISTED).map((name) => `${name} (rules[${(excludedBy(name) as RepositoryRule).index}])`);
  const more = repositories.length > LISTED ? ` and ${repositories.length - LISTED} more` : '';
  return {
    allow: [],
    deny: [],
    unenforced: [],
    nothingToClean:
      `the rules exclude every repository in repositories: ${listed.join(', ')}${more}. ` +
      'The cleaner deletes nothing, and its role gets no ecr:BatchDeleteImage. Change the rules, or the repositories.',
  };
}

/** Whether a glob matches every repository name, such as `**`. */
function matchesEverything(glob: string): boolean {
  const { patterns, exact } = iamPatternsOf(glob);
  return exact && patterns.includes('*');
}
