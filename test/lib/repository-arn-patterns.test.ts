import { globMatches } from '../../lambda/core/rules';
import { globsMayOverlap, iamPatternMatches, iamPatternsOf } from '../../lib/repository-arn-patterns';

/** Every string of 1 to 5 characters over a, b, c and "/": the shapes that tell the two syntaxes apart. */
const CORPUS: readonly string[] = (() => {
  const names: string[] = [];
  let level = [''];
  for (let length = 1; length <= 5; length += 1) {
    level = level.flatMap((start) => ['a', 'b', 'c', '/'].map((char) => start + char));
    names.push(...level);
  }
  return names;
})();

const matchedByGlob = (glob: string): string[] => CORPUS.filter((name) => globMatches(glob, name, 'repository'));
const matchedByIam = (patterns: readonly string[]): string[] => CORPUS.filter((name) => patterns.some((pattern) => iamPatternMatches(pattern, name)));

/** Globs over the corpus's alphabet, with every construct: literals, *, ?, **, ** followed by "/" (once, twice, first, last). */
const EXACT_GLOBS = ['a', 'a/b', '**', 'a/**', '**/a', 'a/**/b', '**a', 'a**', 'a**b', '**/a/**/b', '**/**', 'a/**/', 'a**/b'];
const BROADER_GLOBS = ['*', 'a/*', '*/a', '?', 'a?b', 'a/*/b', 'a*', '**/a?'];

describe('iamPatternsOf: a repository glob in IAM’s wildcard syntax', () => {
  it.each<[string, string[], boolean]>([
    ['app', ['app'], true],
    ['team/api', ['team/api'], true],
    ['**', ['*'], true],
    ['team/**', ['team/*'], true],
    ['**/cache', ['cache', '*/cache'], true],
    ['team/**/cache', ['team/cache', 'team/*/cache'], true],
    ['**/team/**/cache', ['team/cache', 'team/*/cache', '*/team/cache', '*/team/*/cache'], true],
    ['ci/*', ['ci/*'], false],
    ['app-?', ['app-?'], false],
    ['**/cache-*', ['cache-*', '*/cache-*'], false],
  ])('translates %s into %j, exact: %s', (glob, patterns, exact) => {
    expect(iamPatternsOf(glob)).toMatchObject({ patterns, exact });
  });

  it('says why a translation is broader', () => {
    expect(iamPatternsOf('ci/*').broaderBecause).toEqual(['IAM\'s * crosses "/"']);
    expect(iamPatternsOf('app-?/*').broaderBecause).toEqual(['IAM\'s ? also matches "/"', 'IAM\'s * crosses "/"']);
    expect(iamPatternsOf('team/**').broaderBecause).toEqual([]);
  });

  it.each(EXACT_GLOBS)('matches exactly what the glob %s matches, over every short name', (glob) => {
    const translation = iamPatternsOf(glob);

    expect(translation.exact).toBe(true);
    expect(matchedByIam(translation.patterns)).toEqual(matchedByGlob(glob));
  });

  it.each(BROADER_GLOBS)('matches more than the glob %s matches, and everything it matches, when it is not exact', (glob) => {
    const translation = iamPatternsOf(glob);
    const byGlob = matchedByGlob(glob);
    const byIam = matchedByIam(translation.patterns);

    expect(translation.exact).toBe(false);
    expect(byGlob.filter((name) => !byIam.includes(name))).toEqual([]);
    expect(byIam.length).toBeGreaterThan(byGlob.length);
  });

  it('is conservative: it may call broader a glob that IAM happens to match exactly, never the reverse', () => {
    // `*/**` matches every name with a "/", and so does `*/*` in IAM; `**/*` matches every name.
    for (const glob of ['*/**', '**/*']) {
      const translation = iamPatternsOf(glob);

      expect(translation.exact).toBe(false);
      expect(matchedByIam(translation.patterns)).toEqual(matchedByGlob(glob));
    }
  });

  it('has a corpus in which each glob matches some name, so that the comparisons above are not empty', () => {
    expect([...EXACT_GLOBS, ...BROADER_GLOBS].filter((glob) => matchedByGlob(glob).length === 0)).toEqual([]);
  });
});

describe('globsMayOverlap: whether two globs may match a common repository', () => {
  it.each<[string, string]>([
    ['ci/*', 'prod/*'],
    ['**/cache', 'ci/build'],
    ['*-dev', '*-prod'],
    ['team/a', 'team/b'],
    ['team/secret', 'team/secrets/*'],
    ['ab', 'abab'],
  ])('says %s and %s cannot overlap', (a, b) => {
    expect(globsMayOverlap(a, b)).toBe(false);
    expect(globsMayOverlap(b, a)).toBe(false);
  });

  it.each<[string, string]>([
    ['team/**', 'team/secret'],
    ['**/cache', 'ci/cache'],
    ['**/cache', 'cache'],
    ['ci/*', 'ci/**'],
    ['*-dev', 'app-*'],
    ['**', 'anything'],
  ])('says %s and %s may overlap', (a, b) => {
    expect(globsMayOverlap(a, b)).toBe(true);
    expect(globsMayOverlap(b, a)).toBe(true);
  });

  it('never calls two globs disjoint when a name matches both, over every short name', () => {
    const globs = [...EXACT_GLOBS, ...BROADER_GLOBS, 'b', 'b/**', '**/b', 'c*', '*c', 'a/?'];
    const missed: string[] = [];

    for (const a of globs) {
      for (const b of globs) {
        const common = CORPUS.find((name) => globMatches(a, name, 'repository') && globMatches(b, name, 'repository'));
        if (common !== undefined && !globsMayOverlap(a, b)) missed.push(`${a} and ${b} both match ${common}`);
      }
    }

    expect(missed).toEqual([]);
  });
});
