/**
 * Rules per repository through the real CLI, against the emulator over HTTP: a rules file in YAML or
 * JSON, `RULES`, and every kind of rule (ages, the minimum, protected tags, untagged ages, exclusion).
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Emulator } from '../emulator/server';
import { runCli, workFolder } from '../support/cli';
import { emulatorPerTest } from '../support/emulators';
import { readPlanFile } from '../support/report';
import { RULES_JSON, RULES_YAML, rulesAccount } from './accounts';

jest.setTimeout(60_000);

const start = emulatorPerTest();

/** A working folder holding `rules.yaml` (or another file) with the given text. */
function folderWith(file: string, text: string): string {
  const folder = workFolder();
  writeFileSync(path.join(folder, file), text);
  return folder;
}

const tagsIn = (emulator: Emulator, repository: string): string[] =>
  [...(emulator.ecr.repositories.get(repository)?.images.values() ?? [])].map((stored) => (stored.tags.size > 0 ? [...stored.tags].join('+') : `untagged:${stored.digest.slice(7, 13)}`)).sort();

describe('rules per repository, through the CLI', () => {
  it('plans each repository by its rule, names the rule everywhere, and never lists an excluded repository', async () => {
    const account = rulesAccount();
    const emulator = await start(account);
    const cwd = folderWith('rules.yaml', RULES_YAML);

    const result = await runCli(['--rules', 'rules.yaml', '--explain', '--json', 'plan.jsonl'], emulator.env(), cwd);

    expect(result.status).toBe(0);
    // Said before the run, with the idle rule as a warning.
    expect(result.stderr).toContain('RULES=4 rules');
    expect(result.stderr).toContain('(from --rules rules.yaml)');
    expect(result.stderr).toMatch(/\nRules {5}rule 0 {2}ci\/\*, \*\*\/cache {2}pushed within 1 day, the newest 1 tagged; untagged: none for its age\n/);
    expect(result.stderr).toContain('          rule 2  team-b/**       excluded: neither cleaned nor counted\n');
    expect(result.stdout).toContain('WARNING: rules.yaml[3] ("nothing/*") matches none of the 4 repositories in scope, so it has no effect: check the pattern.');
    // The excluded repository is not even listed.
    expect(emulator.callsOf('ECR.DescribeImages').map((call) => call.params.repositoryName).sort()).toEqual(['base/node', 'ci/cache', 'shop/api']);

    const plan = readPlanFile(path.join(cwd, 'plan.jsonl'));
    expect(plan.rules.map((rule) => rule.repositories)).toEqual([['ci/*', '**/cache'], ['shop/*'], ['team-b/**'], ['nothing/*']]);
    const verdicts = Object.fromEntries(
      plan.repositories.map((repository) => [
        `${repository.name} (${repository.status}, rule ${repository.rule ?? '-'})`,
        repository.artifacts.map((artifact) => `${artifact.tags.join('+') || 'untagged'}: ${artifact.action} ${artifact.reasons.join(' ')}`),
      ]),
    );
    expect(verdicts).toEqual({
      'base/node (ok, rule -)': ['n0: keep min-count', 'n1: keep min-count', 'n2: keep min-count', 'n3: delete unused', 'n4: delete unused'],
      'ci/cache (ok, rule 0)': ['untagged: delete unused', 'c1: keep recent min-count', 'c2: delete unused', 'untagged: delete unused', 'c3: delete unused', 'untagged: keep in-use:running'],
      'shop/api (ok, rule 1)': [
        'main-3: keep min-count',
        'main-2: keep min-count',
        'main-1: keep min-count',
        'feature-x: delete unused',
        'v1.2.3: keep protected-tag:/^v\\d+\\.\\d+\\.\\d+$/',
        'prod-2025: keep protected-tag:prod-*',
      ],
      'team-b/api (excluded, rule 2)': [],
    });
    expect(plan.totals).toMatchObject({ repositories: 3, repositoriesExcluded: 1, images: 17, toDelete: 7 });

    // The terminal: the rule of each repository, in --explain and in the summary's RULE column.
    expect(result.stdout).toContain('ci/cache  · rule 0 (ci/*, **/cache): pushed within 1 day, the newest 1 tagged; untagged: none for its age\n');
    expect(result.stdout).toMatch(/KEEP {4}<untagged> +sha256:\w+ {2}in-use:running \(running task ci\/runner \(runner\)\)\n/);
    expect(result.stdout).toMatch(/KEEP {4}prod-2025 +sha256:\w+ {2}protected-tag:prod-\*\n/);
    expect(result.stdout).toMatch(/\nteam-b\/api +2 +- +- +- +- +- +- +- +EXCLUDED +-\n/);
    expect(result.stdout).toContain('in 3 repositories (1 more excluded by the rules).');
  });

  it('deletes by the rules, and leaves an excluded repository and every image in use untouched', async () => {
    const account = rulesAccount();
    const emulator = await start(account);
    const cwd = folderWith('rules.json', RULES_JSON);

    const result = await runCli(['--rules', 'rules.json', '--delete'], emulator.env(), cwd);

    expect(result.status).toBe(0);
    expect(tagsIn(emulator, 'ci/cache')).toEqual(['c1', `untagged:${account.images.used.digest.slice(7, 13)}`]);
    expect(tagsIn(emulator, 'shop/api')).toEqual(['main-1', 'main-2', 'main-3', 'prod-2025', 'v1.2.3']);
    expect(tagsIn(emulator, 'team-b/api')).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    expect(tagsIn(emulator, 'base/node')).toEqual(['n0', 'n1', 'n2']);
    expect(emulator.callsOf('ECR.BatchDeleteImage').map((call) => call.params.repositoryName).sort()).toEqual(['base/node', 'ci/cache', 'shop/api']);
  });

  it('takes RULES as JSON, as the Lambda does, with the same plan as the file', async () => {
    const emulator = await start(rulesAccount());
    const cwd = workFolder();

    const result = await runCli(['--json', 'plan.jsonl'], { ...emulator.env(), RULES: RULES_JSON }, cwd);

    expect(result.status).toBe(0);
    expect(result.stderr).toContain('(from RULES)');
    expect(readPlanFile(path.join(cwd, 'plan.jsonl')).totals).toMatchObject({ repositoriesExcluded: 1, toDelete: 7, keptByReason: { protectedTag: 2 } });
  });

  it.each([
    [
      'a rule with a mistake in each of its keys',
      'rules.yaml',
      '- repositories: "shop/[a]"\n  keepTag: [prod-*]\n  keepMinImageCount: 0\n  untagged: { olderThanDays: -1 }\n- repositories: ci/*\n  exclude: true\n  keepTags: ["/(/"]\n',
      [
        'rules.yaml[0] has an unknown key "keepTag": did you mean "keepTags"?',
        'rules.yaml[0].repositories has "shop/[a]", which is not a glob over repository names: use lower-case letters, digits, . _ - /, and * ** ? (such as "shop/*")',
        'rules.yaml[0].keepMinImageCount must be a whole number of at least 1, got 0',
        'rules.yaml[0].untagged must be {"olderThanDays": N} with N a whole number of at least 0, got {"olderThanDays":-1}',
        'rules.yaml[1] excludes its repositories, which are then neither cleaned nor counted, so keepTags would have no effect: remove it, or "exclude"',
        'rules.yaml[1].keepTags has "/(/", which is not a regular expression: Invalid regular expression: /(/: Unterminated group',
      ],
    ],
    ['a file that is not YAML', 'rules.yaml', '- repositories: [ci/*\n', ['--rules rules.yaml is not valid YAML: ']],
    ['a file that is not JSON', 'rules.json', '[{"repositories": "ci/*",}]', ['--rules rules.json is not valid JSON: ']],
    ['a file that is not there', 'missing.yaml', undefined, ['--rules missing.yaml cannot be read: no such file; give a JSON or YAML file with a list of rules']],
  ])('refuses %s with exit 2, every problem named, before any AWS call', async (_, file, text, expected) => {
    const emulator = await start(rulesAccount());
    const cwd = text === undefined ? workFolder() : folderWith(file, text);

    const result = await runCli(['--rules', file], emulator.env(), cwd);

    expect(result.status).toBe(2);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim());
    expect(lines).toHaveLength(expected.length);
    expected.forEach((problem, position) => expect(lines[position].startsWith(problem)).toBe(true));
    expect(emulator.callsOf('STS.GetCallerIdentity')).toEqual([]);
  });

  it('refuses RULES that is not JSON with exit 2, naming the variable and the fix', async () => {
    const emulator = await start(rulesAccount());

    const result = await runCli([], { ...emulator.env(), RULES: RULES_YAML });

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^invalid configuration:\n {2}RULES must be a JSON list of rules such as \[\{"repositories": "ci\/\*", "keepImagesNewerThanDays": 1\}\], got "# Rules for the end-to-end tests/);
    expect(emulator.callsOf('STS.GetCallerIdentity')).toEqual([]);
  });
});
