import { type RuleSpec, parseRules, ruleFor } from '../../lambda/core/rules';
import { planDeletePermission } from '../../lib/delete-permission';
import { iamPatternMatches } from '../../lib/repository-arn-patterns';

const plan = (rules: RuleSpec[], repositories?: string[]): ReturnType<typeof planDeletePermission> => planDeletePermission(parseRules(rules, 'rules'), repositories);
const patternsOf = (permission: ReturnType<typeof planDeletePermission>): string[] => permission.allow.map(({ pattern }) => pattern);

describe('planDeletePermission: without rules', () => {
  it('allows every repository, and denies none', () => {
    expect(plan([])).toEqual({ allow: [{ pattern: '*', from: [] }], deny: [], unenforced: [] });
  });

  it('allows the repositories in scope, by name', () => {
    expect(plan([], ['app', 'team/api'])).toEqual({ allow: [{ pattern: 'app', from: [] }, { pattern: 'team/api', from: [] }], deny: [], unenforced: [] });
  });
});

describe('planDeletePermission: a catch-all exclusion', () => {
  const RULES: RuleSpec[] = [
    { repositories: 'legacy/**', exclude: true },
    { repositories: 'ci/**', keepImagesNewerThanDays: 1 },
    { repositories: ['team/**', '**/cache'], keepTags: ['v*'] },
    { repositories: '**', exclude: true },
  ];

  it('allows only the IAM forms of the globs of the rules before it that clean, naming where each comes from', () => {
    expect(plan(RULES).allow).toEqual([
      { pattern: 'ci/*', from: ['"ci/**" (rules[1])'] },
      { pattern: 'team/*', from: ['"team/**" (rules[2])'] },
      { pattern: 'cache', from: ['"**/cache" (rules[2])'] },
      { pattern: '*/cache', from: ['"**/cache" (rules[2])'] },
    ]);
  });

  it('denies an earlier exclusion that the Allow reaches, when IAM names it exactly and no earlier rule cleans there', () => {
    // repository/*/cache reaches legacy/cache, which rules[0] excludes.
    expect(plan(RULES)).toMatchObject({ deny: ['legacy/*'], unenforced: [] });
  });

  it('needs nothing for an exclusion that the Allow cannot reach', () => {
    expect(plan([{ repositories: 'ci/**' }, { repositories: 'legacy/*', exclude: true }, { repositories: '**', exclude: true }])).toEqual({
      allow: [{ pattern: 'ci/*', from: ['"ci/**" (rules[0])'] }],
      deny: [],
      unenforced: [],
    });
  });

  it('says when the Allow is broader than the globs that clean, because IAM’s * crosses "/"', () => {
    const permission = plan([{ repositories: 'ci/*' }, { repositories: 'app-?' }, { repositories: '**', exclude: true }]);

    expect(patternsOf(permission)).toEqual(['ci/*', 'app-?']);
    expect(permission.unenforced).toEqual([
      'rules[2] excludes every repository that no earlier rule matches: the cleaner itself keeps out of them, but its role could still delete in some, ' +
        'because the Allow is broader than the globs of the rules that clean: "ci/*" (rules[0]): IAM\'s * crosses "/"; "app-?" (rules[1]): IAM\'s ? also matches "/".',
    ]);
  });

  it('takes any glob that matches every repository as a catch-all, such as **/**', () => {
    expect(patternsOf(plan([{ repositories: 'ci/**' }, { repositories: '**/**', exclude: true }]))).toEqual(['ci/*']);
  });

  it.each<[string, RuleSpec[], string]>([
    ['alone', [{ repositories: '**', exclude: true }], 'rules[0]'],
    ['after exclusions only', [{ repositories: 'legacy/**', exclude: true }, { repositories: ['**'], exclude: true }], 'rules[1]'],
  ])('allows nothing and says so when it comes %s', (_where, rules, catchAll) => {
    const permission = plan(rules);

    expect(permission).toMatchObject({ allow: [], deny: [], unenforced: [] });
    expect(permission.nothingToClean).toBe(
      `the rules exclude every repository: ${catchAll} excludes every repository that no earlier rule matches ("**"), and no rule before it cleans any. ` +
        `The cleaner deletes nothing, and its role gets no ecr:BatchDeleteImage. Put the rules for the repositories to clean before ${catchAll}, or remove it.`,
    );
  });
});

describe('planDeletePermission: exclusions without a catch-all', () => {
  const RULES: RuleSpec[] = [
    { repositories: ['team/secret/**', 'vendor'], exclude: true },
    { repositories: 'sandbox/*', exclude: true },
    { repositories: 'team/**', keepMinImageCount: 1 },
    { repositories: 'team/old/**', exclude: true },
    { repositories: '**/mirror', exclude: true },
  ];

  it('allows every repository, and denies the exclusions that IAM names exactly and that no earlier rule cleans', () => {
    const permission = plan(RULES);

    expect(patternsOf(permission)).toEqual(['*']);
    expect(permission.deny).toEqual(['team/secret/*', 'vendor']);
  });

  it('says why each other exclusion cannot be enforced: a broader IAM form, or an earlier rule that cleans some of the same repositories', () => {
    expect(plan(RULES).unenforced).toEqual([
      'rules[1] excludes "sandbox/*": the cleaner itself keeps out of those repositories, but its role could still delete there: ' +
        'IAM\'s * crosses "/", so a Deny on repository/sandbox/* would also cover repositories that the glob does not match.',
      'rules[3] excludes "team/old/**": the cleaner itself keeps out of those repositories, but its role could still delete there: ' +
        'rules[2] ("team/**") comes first and may match some of the same repositories, which it then cleans (the first matching rule wins), so a Deny would cover those too.',
      'rules[4] excludes "**/mirror": the cleaner itself keeps out of those repositories, but its role could still delete there: ' +
        'rules[2] ("team/**") comes first and may match some of the same repositories, which it then cleans (the first matching rule wins), so a Deny would cover those too.',
    ]);
  });

  it('denies an exclusion after a cleaning rule that cannot match the same repositories', () => {
    expect(plan([{ repositories: 'ci/**', keepImagesNewerThanDays: 1 }, { repositories: ['**/cache', 'legacy/**'], exclude: true }])).toMatchObject({
      allow: [{ pattern: '*', from: [] }],
      deny: ['legacy/*'],
      unenforced: [expect.stringMatching(/^rules\[1\] excludes "\*\*\/cache": .*rules\[0\] \("ci\/\*\*"\) comes first/)],
    });
  });
});

describe('planDeletePermission: rules and repositories in scope', () => {
  it('allows the repositories in scope that the first matching rule does not exclude', () => {
    const permission = plan([{ repositories: 'legacy/**', exclude: true }, { repositories: 'ci/**', keepImagesNewerThanDays: 1 }], ['app', 'legacy/api', 'ci/web']);

    expect(permission).toEqual({ allow: [{ pattern: 'app', from: [] }, { pattern: 'ci/web', from: [] }], deny: [], unenforced: [] });
  });

  it('follows the first match: a repository that an earlier rule cleans stays, whatever a later exclusion says', () => {
    expect(patternsOf(plan([{ repositories: 'ci/**' }, { repositories: '**', exclude: true }], ['ci/web', 'app']))).toEqual(['ci/web']);
  });

  it('allows nothing and names each repository with the rule that excludes it when the rules exclude them all', () => {
    const permission = plan([{ repositories: 'legacy/**', exclude: true }, { repositories: '**', exclude: true }], ['legacy/api', 'app']);

    expect(permission).toMatchObject({ allow: [], deny: [], unenforced: [] });
    expect(permission.nothingToClean).toBe(
      'the rules exclude every repository in repositories: legacy/api (rules[0]), app (rules[1]). The cleaner deletes nothing, and its role gets no ecr:BatchDeleteImage. Change the rules, or the repositories.',
    );
  });
});

describe('planDeletePermission: against the rules’ own first match, over many names', () => {
  /** Names of one to three segments, each one of a few words. */
  const NAMES: readonly string[] = (() => {
    const words = ['a', 'ci', 'cache', 'team', 'old', 'x-1'];
    let level = [''];
    const names: string[] = [];
    for (let depth = 1; depth <= 3; depth += 1) {
      level = level.flatMap((start) => words.map((word) => (start === '' ? word : `${start}/${word}`)));
      names.push(...level);
    }
    return names;
  })();
  const RULE_LISTS: readonly RuleSpec[][] = [
    [{ repositories: 'team/old/**', exclude: true }, { repositories: 'ci/**' }, { repositories: ['team/**', '**/cache'] }, { repositories: '**', exclude: true }],
    [{ repositories: 'ci/*' }, { repositories: 'a?', exclude: true }, { repositories: '**/cache' }, { repositories: '**', exclude: true }],
    [{ repositories: ['team/old/**', 'a'], exclude: true }, { repositories: 'ci/*', exclude: true }, { repositories: 'team/**' }, { repositories: 'team/a/**', exclude: true }, { repositories: '**/cache', exclude: true }],
    [{ repositories: 'cache', exclude: true }, { repositories: '**/old', exclude: true }, { repositories: 'ci/**', keepMinImageCount: 1 }, { repositories: 'ci/*-1', exclude: true }],
    [{ repositories: 'a/**/cache' }, { repositories: 'a/**', exclude: true }],
  ];
  const EXACT_CATCH_ALL = RULE_LISTS[0];

  it.each(RULE_LISTS.map((rules, index) => [index, rules] as const))('lets the role delete in every repository that rule list %s cleans', (_index, specs) => {
    const rules = parseRules(specs, 'rules');
    const { allow, deny } = planDeletePermission(rules);
    const allowed = (name: string): boolean => allow.some(({ pattern }) => iamPatternMatches(pattern, name)) && !deny.some((pattern) => iamPatternMatches(pattern, name));

    const cleanable = NAMES.filter((name) => ruleFor(name, rules)?.exclude !== true);

    expect(cleanable.length).toBeGreaterThan(0);
    expect(cleanable.filter((name) => !allowed(name))).toEqual([]);
  });

  it('lets the role delete nowhere else when every glob translates exactly and nothing is reported as unenforced', () => {
    const rules = parseRules(EXACT_CATCH_ALL, 'rules');
    const { allow, deny, unenforced } = planDeletePermission(rules);
    const allowed = (name: string): boolean => allow.some(({ pattern }) => iamPatternMatches(pattern, name)) && !deny.some((pattern) => iamPatternMatches(pattern, name));

    expect(unenforced).toEqual([]);
    expect(deny).toEqual(['team/old/*']);
    expect(NAMES.filter(allowed)).toEqual(NAMES.filter((name) => ruleFor(name, rules)?.exclude !== true));
  });
});
