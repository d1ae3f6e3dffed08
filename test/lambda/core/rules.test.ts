import { RulesError, globMatches, idleRules, parseRules, policyOf, ruleFor, tagProtector } from '../../../lambda/core/rules';

/** The problems that a rule list has, as the error names them. */
function problemsOf(value: unknown): readonly string[] {
  try {
    parseRules(value, 'RULES');
  } catch (error) {
    if (error instanceof RulesError) return error.problems;
    throw error;
  }
  return [];
}

describe('globMatches', () => {
  it.each([
    ['shop/*', 'shop/api', true],
    ['shop/*', 'shop/api/v2', false],
    ['shop/*', 'shop', false],
    ['shop/**', 'shop/api/v2', true],
    ['**/cache', 'cache', true],
    ['**/cache', 'ci/cache', true],
    ['**/cache', 'ci/build/cache', true],
    ['**/cache', 'ci/cache-old', false],
    ['base-?', 'base-1', true],
    ['base-?', 'base-10', false],
    ['app.v1', 'appxv1', false],
    ['*', 'a/b', false],
  ])('%s over the repository %s: %p', (pattern, name, expected) => {
    expect(globMatches(pattern, name, 'repository')).toBe(expected);
  });

  it('lets * in a tag pattern match any characters', () => {
    expect(globMatches('prod-*', 'prod-2026.11.1', 'tag')).toBe(true);
    expect(globMatches('prod-*', 'staging-prod-1', 'tag')).toBe(false);
  });
});

describe('ruleFor', () => {
  const rules = parseRules(
    [
      { repositories: 'team-b/*', exclude: true },
      { repositories: ['**/cache', 'ci/*'], keepImagesNewerThanDays: 1 },
      { repositories: 'base/*', keepImagesNewerThanDays: 365, keepTags: ['prod-*'] },
      { repositories: '**', keepMinImageCount: 5 },
    ],
    'RULES',
  );

  it('takes the first rule that matches, in order, and falls through to later ones', () => {
    expect(ruleFor('team-b/api', rules)?.index).toBe(0);
    expect(ruleFor('ci/cache', rules)?.index).toBe(1);
    expect(ruleFor('base/node', rules)?.index).toBe(2);
    expect(ruleFor('shop/api', rules)?.index).toBe(3);
  });

  it('leaves a repository that no rule names to the global settings', () => {
    expect(ruleFor('shop/api', rules.slice(0, 3))).toBeUndefined();
  });

  it('reads a rule with its defaults: not excluded, no protected tags', () => {
    expect(rules[1]).toEqual({ index: 1, repositories: ['**/cache', 'ci/*'], exclude: false, keepImagesNewerThanDays: 1, keepTags: [] });
    expect(rules[0]).toEqual({ index: 0, repositories: ['team-b/*'], exclude: true, keepTags: [] });
  });
});

describe('tagProtector', () => {
  const [rule] = parseRules([{ repositories: 'shop/*', keepTags: ['prod-*', '/^v\\d+\\.\\d+$/'], untagged: { olderThanDays: 1 } }], 'RULES');

  it('names the first pattern that one of the tags matches, glob or regular expression', () => {
    expect(tagProtector(rule.keepTags)(['latest', 'prod-eu'])).toBe('prod-*');
    expect(tagProtector(rule.keepTags)(['v1.2'])).toBe('/^v\\d+\\.\\d+$/');
    expect(tagProtector(rule.keepTags)(['v1.2.3', 'staging'])).toBeUndefined();
    expect(tagProtector(rule.keepTags)([])).toBeUndefined();
  });

  it('reads the separate age of untagged artifacts', () => {
    expect(rule.untagged).toEqual({ olderThanDays: 1 });
  });
});

describe('parseRules', () => {
  it('accepts an empty list: every repository takes the global settings', () => {
    expect(parseRules([], 'RULES')).toEqual([]);
  });

  it('names the rule, the key, the value and the fix of every problem, all at once', () => {
    expect(
      problemsOf([
        { repositories: 'Shop/*', keepMinImageCount: -1, keepTag: ['x'] },
        { repositories: [], exclude: 'yes' },
        { repositories: 'ci/***', keepImagesNewerThanDays: 1.5, untagged: { olderThanDays: -2 } },
        { repositories: 'a/*', keepTags: ['/(/', 'bad tag'] },
        { repositories: 'b/*', exclude: true, keepMinImageCount: 2 },
        'shop/*',
      ]),
    ).toEqual([
      'RULES[0] has an unknown key "keepTag": did you mean "keepTags"?',
      'RULES[0].repositories has "Shop/*", which is not a glob over repository names: use lower-case letters, digits, . _ - /, and * ** ? (such as "shop/*")',
      'RULES[0].keepMinImageCount must be a whole number of at least 1, got -1',
      'RULES[1].repositories must be a glob or a list of globs over repository names, such as "shop/*" or ["**/cache"], got []',
      'RULES[1].exclude must be true or false, got "yes"',
      'RULES[2].repositories has "ci/***": write * within a path segment or ** across segments, not ***',
      'RULES[2].keepImagesNewerThanDays must be a whole number of at least 0, got 1.5',
      'RULES[2].untagged must be {"olderThanDays": N} with N a whole number of at least 0, got {"olderThanDays":-2}',
      `RULES[3].keepTags has "/(/", which is not a regular expression: ${regexError('(')}`,
      'RULES[3].keepTags has "bad tag", which is neither a tag glob (letters, digits, _ . -, and * ?) nor a /regular expression/',
      'RULES[4] excludes its repositories, which are then neither cleaned nor counted, so keepMinImageCount would have no effect: remove it, or "exclude"',
      'RULES[5] must be an object such as {"repositories": "ci/*", "keepImagesNewerThanDays": 1}, got "shop/*"',
    ]);
  });

  it('refuses a value that is not a list', () => {
    expect(problemsOf({ repositories: 'shop/*' })).toEqual([
      'RULES must be a list of rules, such as [{"repositories": "ci/*", "keepImagesNewerThanDays": 1}], got {"repositories":"shop/*"}',
    ]);
  });
});

function regexError(source: string): string {
  try {
    new RegExp(source);
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('policyOf', () => {
  const global = { keepMinImageCount: 3, keepImagesNewerThanDays: 7, keepImagesPulledWithinDays: 0 };

  it('takes the global settings where the rule sets none, and adds its protected tags and untagged age', () => {
    const [rule] = parseRules([{ repositories: 'ci/*', keepImagesNewerThanDays: 1, keepTags: ['prod-*'], untagged: { olderThanDays: 0 } }], 'RULES');
    expect(policyOf(rule, global)).toEqual({ keepMinImageCount: 3, keepImagesNewerThanDays: 1, keepImagesPulledWithinDays: 0, keepTags: ['prod-*'], keepUntaggedNewerThanDays: 0 });
  });

  it('is the global settings when no rule applies', () => {
    expect(policyOf(undefined, global)).toEqual(global);
  });
});

describe('idleRules', () => {
  const rules = parseRules(
    [{ repositories: 'shop/*', keepMinImageCount: 5 }, { repositories: 'shop/a*', keepMinImageCount: 9 }, { repositories: ['legacy/**', 'payment-prod'], exclude: true }, { repositories: ['shpo/*'], exclude: true }],
    'rules.yaml',
  );

  it('names a rule behind a broader one, a rule that matches no repository in scope, and a glob of a list that matches none', () => {
    expect(idleRules(rules, ['shop/api', 'legacy/app', 'payments-prod'], 'rules.yaml')).toEqual([
      'rules.yaml[1] ("shop/a*") applies to no repository: every repository it matches is taken by an earlier rule, so it has no effect',
      'rules.yaml[2].repositories has "payment-prod", which matches none of the 3 repositories in scope: check the name',
      'rules.yaml[3] ("shpo/*") matches none of the 3 repositories in scope, so it has no effect: check the pattern',
    ]);
  });

  it('names nothing when every glob of every rule matches some repository, and its rule applies', () => {
    expect(idleRules(rules.slice(0, 1), ['shop/api'])).toEqual([]);
  });
});

describe('parseRules: rules that could never apply, and globs no name can match', () => {
  it.each<[string, unknown, string[]]>([
    [
      'an exclusion of a repository that an earlier rule takes',
      [{ repositories: 'shop/*' }, { repositories: ['shop/legacy', 'old/*'], exclude: true }],
      ['RULES[1].repositories has "shop/legacy", but RULES[0] ("shop/*") comes first and matches it, so RULES[1] never applies there (the first matching rule applies): move RULES[1] before RULES[0]'],
    ],
    [
      'a shadowed exclusion beside another problem, each named by its place in the list',
      ['oops', { repositories: 'shop/*' }, { repositories: 'shop/legacy', exclude: true }],
      [
        'RULES[0] must be an object such as {"repositories": "ci/*", "keepImagesNewerThanDays": 1}, got "oops"',
        'RULES[2].repositories has "shop/legacy", but RULES[1] ("shop/*") comes first and matches it, so RULES[2] never applies there (the first matching rule applies): move RULES[2] before RULES[1]',
      ],
    ],
    [
      'a rule after one that matches every repository',
      [{ repositories: ['ci/*', '**'], keepMinImageCount: 5 }, { repositories: 'legacy/**', exclude: true }],
      ['RULES[1] never applies: RULES[0] ("**") comes first and matches every repository (the first matching rule applies): move RULES[1] before it'],
    ],
    [
      'a leading, trailing or double slash',
      [{ repositories: ['legacy/', '/shop/*', 'a//b'] }],
      [
        'RULES[0].repositories has "legacy/", which no repository name can match (a name has no leading, trailing or double "/"): for every repository under legacy/, write "legacy/**"',
        'RULES[0].repositories has "/shop/*", which no repository name can match (a name has no leading, trailing or double "/"): write "shop/*"',
        'RULES[0].repositories has "a//b", which no repository name can match (a name has no leading, trailing or double "/"): write "a/b"',
      ],
    ],
    [
      '** glued to a name',
      [{ repositories: ['foo**', '**bar/x'] }],
      [
        'RULES[0].repositories has "foo**": ** stands for whole path segments, so write it between slashes (such as "team/**" or "**/cache"), or use * within a segment',
        'RULES[0].repositories has "**bar/x": ** stands for whole path segments, so write it between slashes (such as "team/**" or "**/cache"), or use * within a segment',
      ],
    ],
    [
      'a tag that YAML read as a number, and a regular expression with flags',
      [{ repositories: 'a', keepTags: [1, '/prod/i'] }],
      [
        'RULES[0].keepTags has the number 1: write tags in quotes, such as "1" (YAML reads 1.0 as the number 1)',
        'RULES[0].keepTags has "/prod/i": flags after the closing / are not supported; write the pattern without them, such as "/^[Pp]rod-/"',
      ],
    ],
  ])('refuses %s', (_, value, expected) => {
    expect(problemsOf(value)).toEqual(expected);
  });

  it('matches a regular expression against the whole tag', () => {
    const protect = tagProtector(['/v1/', '/v\\d+/']);
    expect(protect(['dev-v10-hotfix'])).toBeUndefined();
    expect(protect(['v1'])).toBe('/v1/');
    expect(protect(['v10'])).toBe('/v\\d+/');
  });
});
