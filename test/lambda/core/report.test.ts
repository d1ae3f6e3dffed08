import { planRepository } from '../../../lambda/core/planner';
import { buildRunReport, monthlyCost, listArtifacts, planLines, type ArtifactListing, type RunFacts, type RunReport } from '../../../lambda/core/report';
import { formatBytes, formatMonthly } from '../../../lambda/core/words';
import { csvLines, renderCsv } from '../../../lambda/render/csv';
import { decisionChunks } from '../../../lambda/render/explain';
import { renderSummary } from '../../../lambda/render/summary';
import { parseRules, policyOf } from '../../../lambda/core/rules';
import type { ImageRecord, ImageResult, RepositoryPlan, RepositoryPolicy } from '../../../lambda/core/types';
import { NOW, digestOf, image } from './builders';

const POLICY = { keepMinImageCount: 1, keepImagesNewerThanDays: 7, keepImagesPulledWithinDays: 0 };

/** How the cleaner hands a repository's plan to the report: a function that plans it (again). */
function planOf(repository: string, images: ImageRecord[], children: Record<string, string[]> = {}, policy: RepositoryPolicy = POLICY): () => RepositoryPlan {
  return () =>
    planRepository(
      {
        repository,
        images: images.map((record) => ({ ...record, repository })),
        indexChildren: new Map(Object.entries(children).map(([index, names]) => [digestOf(index), names.map(digestOf)])),
        uses: new Map(),
        inUseComplete: true,
      },
      policy,
      NOW,
    );
}

function facts(overrides: Partial<RunFacts> = {}): RunFacts {
  return {
    deleteEnabled: false,
    region: 'eu-west-2',
    account: '123456789012',
    now: NOW,
    startedAt: NOW,
    finishedAt: new Date(NOW.getTime() + 1500),
    policy: POLICY,
    // A price that shows in cents at these test sizes (ECR's own is $0.10).
    storagePricePerGbMonth: 100,
    keepServiceDeploymentImages: true,
    scope: { repositories: 'all', clusters: 'all' },
    repositories: [
      { name: 'web', plan: planOf('web', [image('idx', { index: true, pushedDaysAgo: 40, tags: ['2026.1', 'old'] }), image('amd', { pushedDaysAgo: 40, sizeBytes: 1000 }), image('arm', { pushedDaysAgo: 40, sizeBytes: 2000 }), image('new', { pushedDaysAgo: 1, tags: ['2026.2'] })], { idx: ['amd', 'arm'] }) },
      { name: 'api', plan: planOf('api', [image('a1', { pushedDaysAgo: 10, tags: ['v1'], sizeBytes: 5_000_000 }), image('a2', { pushedDaysAgo: 3, tags: ['v2'] })]) },
      { name: 'locked', error: 'could not list repository locked, so nothing in it is deleted: AccessDeniedException' },
    ],
    resolutions: [],
    discoveryProblems: [],
    sources: ['ECS tasks', 'ECS services'],
    results: new Map(),
    errors: [{ kind: 'repository', repository: 'locked', message: 'could not list repository locked, so nothing in it is deleted: AccessDeniedException' }],
    apiCalls: { total: 7, retries: 1, byOperation: { 'ECR.DescribeImages': 3, 'ECR.DescribeRepositories': 1, 'ECS.ListClusters': 1, 'ECR.BatchGetImage': 1, 'ECS.DescribeTasks': 1 } },
    ...overrides,
  };
}

/** The report of `runFacts`, and its plan in detail, as the cleaner gives them to the shells. */
function detail(runFacts: RunFacts): { report: RunReport; artifacts: ArtifactListing } {
  const report = buildRunReport(runFacts);
  return { report, artifacts: () => listArtifacts(runFacts, report) };
}

function explain(runFacts: RunFacts): string {
  const { report, artifacts } = detail(runFacts);
  return [...decisionChunks(report, artifacts)].join('');
}

describe('renderCsv', () => {
  it('lists each artifact to delete once, with its children counted and their bytes included', () => {
    const { report, artifacts } = detail(facts());
    const csv = renderCsv(report, artifacts);

    expect(csv).toBe(
      [
        'account,region,repository,digest,tags,pushed_at,size_bytes,child_manifests,reason,result',
        `123456789012,eu-west-2,api,${digestOf('a1')},v1,2026-11-15T12:00:00.000Z,5000000,0,"unused: no workload uses it, pushed 10 days ago, newest #2",dry run`,
        `123456789012,eu-west-2,web,${digestOf('idx')},2026.1 old,2026-10-16T12:00:00.000Z,3100,2,"unused: no workload uses it, pushed 40 days ago, newest #2",dry run`,
        '',
      ].join('\n'),
    );
  });

  it('shows what became of each artifact when deletion was on', () => {
    const results = new Map<string, Map<string, ImageResult>>([
      ['api', new Map([[digestOf('a1'), { status: 'deleted' }]])],
      ['web', new Map<string, ImageResult>([[digestOf('idx'), { status: 'deleted' }], [digestOf('amd'), { status: 'deleted' }], [digestOf('arm'), { status: 'failed', code: 'KmsError', message: 'key disabled' }]])],
    ]);

    const { report, artifacts } = detail(facts({ deleteEnabled: true, results }));
    const csv = renderCsv(report, artifacts);

    expect(csv.split('\n').map((line) => line.split(',').at(-1))).toEqual(['result', 'deleted', 'failed: KmsError', '']);
  });
});

describe('csvLines', () => {
  it('yields the header, then a line per artifact to delete, which joined are the CSV', () => {
    const { report, artifacts } = detail(facts());

    const lines = [...csvLines(report, artifacts)];

    expect(lines).toHaveLength(1 + report.totals.toDelete);
    expect(lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1)).toBe(true);
    expect(lines.join('')).toBe(renderCsv(report, artifacts));
  });
});

/** A report of `repositories` repositories of 10 artifacts each, every one with many long tags. */
function wideReport(repositories: number): RunFacts {
  const tags = (name: string): string[] => Array.from({ length: 20 }, (_, tag) => `${name}-release-candidate-${String(tag).padStart(2, '0')}`.padEnd(60, 'x'));
  return facts({
    repositories: Array.from({ length: repositories }, (_, index) => {
      const name = `repo-${String(index).padStart(4, '0')}`;
      return { name, plan: planOf(name, Array.from({ length: 10 }, (_, position) => image(`${name}-${position}`, { pushedDaysAgo: 20 + position, tags: tags(`${name}-${position}`) }))) };
    }),
    errors: [],
  });
}

describe('planLines', () => {
  it('writes the run, then each repository and its artifacts, one JSON record per line, with every decision and result', () => {
    const inUseDigest = digestOf('a2');
    const results = new Map<string, Map<string, ImageResult>>([
      ['web', new Map<string, ImageResult>([[digestOf('idx'), { status: 'deleted' }], [digestOf('amd'), { status: 'already-gone' }], [digestOf('arm'), { status: 'failed', code: 'KmsError', message: 'key "k1" disabled\nsee \u00e9' }]])],
    ]);
    const { report, artifacts } = detail(
      facts({
        deleteEnabled: true,
        results,
        warnings: ['--yes has no effect', 'tag "v1,2"'],
        resolutions: [
          { use: { source: 'running', reference: 'api:v2', cluster: 'prod', container: 'app', task: 'arn:task' }, matched: true, repository: 'api', digest: inUseDigest, by: 'tag' },
          { use: { source: 'lambda-function', reference: 'gone:v9', function: 'resize' }, matched: false, why: 'no such repository' },
        ],
      }),
    );

    const lines = [...planLines(report, artifacts)];

    expect(lines.every((line) => line.endsWith('\n') && line.indexOf('\n') === line.length - 1)).toBe(true);
    const records = lines.map((line) => JSON.parse(line) as { type: string; [key: string]: unknown });
    const { repositories, ...run } = report;
    expect(records[0]).toEqual({ type: 'run', ...run, repositories: 3 });
    expect(records.slice(1).map((record) => `${record.type} ${String(record.type === 'repository' ? record.name : `${String(record.repository)} ${(record.tags as string[]).join(' ')}`)}`)).toEqual([
      'repository api',
      'artifact api v2',
      'artifact api v1',
      'repository locked',
      'repository web',
      'artifact web 2026.2',
      'artifact web 2026.1 old',
    ]);
    expect(records.filter((record) => record.type === 'repository')).toEqual(repositories.map((repository) => ({ type: 'repository', account: report.account, region: report.region, ...repository })));
    // Every record names its target, so that the plans of many targets can share a file.
    expect(records.every((record) => record.account === '123456789012' && record.region === 'eu-west-2')).toBe(true);
    const index = records.find((record) => record.type === 'artifact' && record.digest === digestOf('idx')) as unknown as { result: unknown; decisions: { digest: string; action: string; reasons: string[]; result: unknown }[] };
    expect(index.result).toEqual({ status: 'failed', code: 'KmsError', message: 'key "k1" disabled\nsee \u00e9' });
    expect(index.decisions.map((decision) => [decision.digest, decision.action, decision.reasons, decision.result])).toEqual([
      [digestOf('idx'), 'delete', ['unused'], { status: 'deleted' }],
      [digestOf('amd'), 'delete', [`child-of:${digestOf('idx')}`], { status: 'already-gone' }],
      [digestOf('arm'), 'delete', [`child-of:${digestOf('idx')}`], { status: 'failed', code: 'KmsError', message: 'key "k1" disabled\nsee \u00e9' }],
    ]);
  });

  it('yields no longer line for 10,000 artifacts than for 10: the longest is one artifact, not a list', () => {
    const longest = (runFacts: RunFacts): number => {
      const { report, artifacts } = detail(runFacts);
      return Math.max(...[...planLines(report, artifacts)].filter((line) => line.startsWith('{"type":"artifact"')).map((line) => line.length));
    };
    const large = wideReport(1000);

    expect(buildRunReport(large).totals.images).toBe(10_000);
    expect(longest(large)).toBe(longest(wideReport(1)));
  });
});

describe('listArtifacts', () => {
  it('plans each repository when its turn comes and holds no other: the detail of a large run is never all in memory', () => {
    const planned: string[] = [];
    const runFacts = wideReport(5);
    const counted = facts({
      ...runFacts,
      repositories: runFacts.repositories.map((repository) => ({
        ...repository,
        plan: () => {
          planned.push(repository.name);
          return (repository.plan as () => RepositoryPlan)();
        },
      })),
    });
    const { report, artifacts } = detail(counted);
    expect(planned).toEqual(['repo-0000', 'repo-0001', 'repo-0002', 'repo-0003', 'repo-0004']);
    planned.length = 0;

    const listing = artifacts()[Symbol.iterator]();
    const first = listing.next();

    expect(planned).toEqual(['repo-0000']);
    expect(first.value).toMatchObject({ repository: report.repositories[0] });
    expect((first.value as { artifacts: unknown[] }).artifacts).toHaveLength(10);
    listing.next();
    expect(planned).toEqual(['repo-0000', 'repo-0001']);
  });

  it('holds counts, not records: the report of 10,000 artifacts is as large as the report of 10', () => {
    const size = (runFacts: RunFacts): number => JSON.stringify(buildRunReport({ ...runFacts, repositories: runFacts.repositories.slice(0, 1) }).repositories).length;
    const tenThousand = wideReport(1);
    const bigger = facts({
      ...tenThousand,
      repositories: [{ name: 'repo-0000', plan: planOf('repo-0000', Array.from({ length: 10_000 }, (_, position) => image(`big-${position}`, { pushedDaysAgo: 20 + position / 1000, tags: [`v${position}`] }))) }],
    });

    expect(buildRunReport(bigger).totals.images).toBe(10_000);
    expect(size(bigger)).toBeLessThanOrEqual(size(tenThousand) + 20);
  });
});

describe('buildRunReport', () => {
  it('counts artifacts kept under their first reason, and bytes per manifest', () => {
    const report = buildRunReport(facts());

    expect(report.totals).toEqual({
      repositories: 3,
      repositoriesExcluded: 0,
      repositoriesWithErrors: 1,
      images: 4,
      manifests: 6,
      kept: 2,
      keptByReason: { inUse: 0, protectedTag: 0, recent: 2, recentlyPulled: 0, minCount: 0, inUseUnknown: 0 },
      toDelete: 2,
      manifestsToDelete: 4,
      deleted: 0,
      manifestsDeleted: 0,
      failed: 0,
      marked: 0,
      reclaimableBytes: 5_003_100,
      reclaimedBytes: 0,
      // 5,003,100 bytes at $100 per GB-month (2^30 bytes).
      reclaimableUsdPerMonth: 0.47,
      reclaimedUsdPerMonth: 0,
      errors: 1,
    });
    expect(report.repositories.map((repository) => [repository.name, repository.status])).toEqual([
      ['api', 'ok'],
      ['locked', 'error'],
      ['web', 'ok'],
    ]);
  });

  it('counts artifacts throughout: an index whose two platform images failed is one failed image, and names what was deleted', () => {
    const results = new Map([
      ['web', new Map<string, ImageResult>([[digestOf('idx'), { status: 'deleted' }], [digestOf('amd'), { status: 'failed', code: 'InternalError', message: '' }], [digestOf('arm'), { status: 'failed', code: 'InternalError', message: '' }]])],
      ['api', new Map<string, ImageResult>([[digestOf('a1'), { status: 'deleted' }]])],
    ]);

    const report = buildRunReport(facts({ deleteEnabled: true, results }));

    const web = report.repositories.find((repository) => repository.name === 'web');
    expect(web).toMatchObject({ toDelete: 1, deleted: 0, failed: 1, deletionNames: [] });
    expect(report.repositories.find((repository) => repository.name === 'api')).toMatchObject({ toDelete: 1, deleted: 1, failed: 0, deletionNames: ['v1'], reclaimedUsdPerMonth: 0.47 });
    expect(report.totals).toMatchObject({ toDelete: 2, deleted: 1, failed: 1 });
  });

  it('names the images to delete in a dry run, at most five, each by its first tag or short digest', () => {
    const old = Array.from({ length: 7 }, (_, n) => image(`o${n}`, { pushedDaysAgo: 30 + n, ...(n === 1 ? {} : { tags: [`r${n}`, 'also'] }) }));
    const report = buildRunReport(facts({ repositories: [{ name: 'api', plan: planOf('api', [image('new', { pushedDaysAgo: 1, tags: ['new'] }), ...old]) }] }));

    expect(report.repositories[0]).toMatchObject({ toDelete: 7, deletionNames: ['r0', digestOf('o1').slice(0, 19), 'r2', 'r3', 'r4'] });
  });

  it('says why nothing was deleted when in-use discovery was incomplete', () => {
    const report = buildRunReport(facts({ discoveryProblems: ['ListTasks failed for cluster prod: AccessDeniedException: no'] }));

    expect(report.deletionBlocked).toBe('in-use discovery was incomplete (1 problem), so no image was deleted anywhere');
    expect(report.inUse.complete).toBe(false);
  });
});

describe('monthlyCost', () => {
  it.each([
    [2 ** 30, 0.1, 0.1],
    [1_500 * 2 ** 30, 0.1, 150],
    [5 * 2 ** 30, 0.11, 0.55],
    [2 ** 29, 0.1, 0.05],
    [0, 0.1, 0],
  ])('prices %d bytes at $%d per GB-month at $%d', (bytes, price, usd) => {
    expect(monthlyCost(bytes, price)).toBe(usd);
  });

  it('reads as dollars a month', () => {
    expect([formatMonthly(0), formatMonthly(0.05), formatMonthly(1234.5)]).toEqual(['$0.00/month', '$0.05/month', '$1,234.50/month']);
  });
});

describe('renderSummary', () => {
  it('puts the dry run in plain sight, with a line per repository, the totals and the errors', () => {
    const summary = renderSummary(buildRunReport(facts()));

    expect(summary).toBe(
      [
        'ECR Maintainer · DRY RUN (nothing is deleted) · account 123456789012 · eu-west-2',
        'Keeps images in use (ECS tasks, ECS services), pushed within 7 days of 2026-11-25T12:00:00.000Z, and the newest 1 of each repository.',
        '',
        'REPOSITORY  IMAGES  IN USE  RECENT  NEWEST  UNKNOWN  TO DELETE  RECLAIMABLE  $/MONTH',
        'api              2       0       1       0        0          1       5.0 MB    $0.47',
        'locked           -       -       -       -        -          -        ERROR        -',
        'web              2       0       1       0        0          1       3.1 kB    $0.00',
        '----------  ------  ------  ------  ------  -------  ---------  -----------  -------',
        'TOTAL            4       0       2       0        0          2       5.0 MB    $0.47',
        '',
        'DRY RUN: 2 images would be deleted (4 manifests, up to 5.0 MB, about $0.47/month); 2 images kept, of 4 images in 3 repositories.',
        'To delete them, set DELETE_ENABLED=true or pass --delete.',
        '',
        'ERRORS (1):',
        '  - could not list repository locked, so nothing in it is deleted: AccessDeniedException',
        '',
        '7 AWS calls (ECR.BatchGetImage 1, ECR.DescribeImages 3, ECR.DescribeRepositories 1, ECS.DescribeTasks 1, ECS.ListClusters 1), 1 retry, 1.5 s.',
        '',
      ].join('\n'),
    );
  });

  it('shows every warning, and a column for the pull-time rule only when it is on', () => {
    const summary = renderSummary(
      buildRunReport(facts({ warnings: ['only the ECS cluster prod is searched for tasks and services (--clusters): images that tasks or services in any other cluster run are unprotected'], policy: { ...POLICY, keepImagesPulledWithinDays: 30 } })),
    );

    expect(summary).toContain('\nWARNING: only the ECS cluster prod is searched for tasks and services (--clusters): images that tasks or services in any other cluster run are unprotected.\n');
    expect(summary).toContain('REPOSITORY  IMAGES  IN USE  RECENT  PULLED  NEWEST  UNKNOWN  TO DELETE  RECLAIMABLE');
    expect(summary).toContain(', pulled within 30 days, and the newest 1');
    expect(renderSummary(buildRunReport(facts()))).not.toContain('PULLED');
  });

  it('names the workloads that keep an artifact, and when it was last pulled', () => {
    const used = image('used', { pushedDaysAgo: 50, tags: ['v1'], pulledDaysAgo: 2 });
    const plan = planRepository(
      {
        repository: 'api',
        images: [{ ...used, repository: 'api' }],
        indexChildren: new Map(),
        uses: new Map([[used.digest, [{ source: 'lambda-function', reference: 'x', function: 'resize:live (version 3)' }]]]),
        inUseComplete: true,
      },
      { ...POLICY, keepImagesPulledWithinDays: 7 },
      NOW,
    );
    const runFacts = facts({
      repositories: [{ name: 'api', plan: () => plan }],
      resolutions: [{ use: { source: 'lambda-function', reference: 'x', function: 'resize:live (version 3)' }, matched: true, repository: 'api', digest: used.digest, by: 'digest' }],
    });

    const [{ artifacts: [artifact] }] = [...detail(runFacts).artifacts()];
    expect(artifact.usedBy).toEqual(['function resize:live (version 3)']);
    expect(artifact.lastPulledAt).toBe(new Date(NOW.getTime() - 2 * 86_400_000).toISOString());
    expect(buildRunReport(runFacts).repositories[0].inUseImages).toEqual(['v1']);
    expect(explain(runFacts)).toContain('in-use:lambda-function (function resize:live (version 3)); recently-pulled: pulled 2 days ago; min-count: newest #1');
  });

  it('shows the plan of a deleting run that waits for confirmation as what is to go, with nothing deleted yet', () => {
    const summary = renderSummary(buildRunReport(facts({ deleteEnabled: true, awaitingConfirmation: true })));

    expect(summary.split('\n')[0]).toBe('ECR Maintainer · DELETE (the plan; nothing is deleted yet) · account 123456789012 · eu-west-2');
    expect(summary).toContain('TO DELETE  RECLAIMABLE');
    expect(summary).toContain('\nTO DELETE: 2 images (4 manifests, up to 5.0 MB, about $0.47/month); 2 images kept, of 4 images in 3 repositories.\n');
    expect(summary).not.toContain('DELETED');
  });

  it('says DELETE and counts what was deleted when deletion was on', () => {
    const results = new Map([['api', new Map<string, ImageResult>([[digestOf('a1'), { status: 'deleted' }]])]]);

    const summary = renderSummary(buildRunReport(facts({ deleteEnabled: true, results })));

    expect(summary.split('\n')[0]).toBe('ECR Maintainer · DELETE · account 123456789012 · eu-west-2');
    expect(summary).toContain('DELETED: 1 image of 2 planned (1 manifest, 5.0 MB, about $0.47/month)');
  });
});

describe('the report of a run with rules', () => {
  const rules = parseRules(
    [
      { repositories: 'base/*', keepMinImageCount: 2, keepTags: ['prod-*'], untagged: { olderThanDays: 1 } },
      { repositories: ['team-b/**'], exclude: true },
    ],
    'RULES',
  );
  const ruled = (): RunFacts =>
    facts({
      rules,
      repositories: [
        {
          name: 'base/node',
          rule: 0,
          plan: planOf(
            'base/node',
            [image('p', { tags: ['prod-1'], pushedDaysAgo: 300 }), image('u', { pushedDaysAgo: 0.5 }), image('u2', { pushedDaysAgo: 2 }), image('t1', { tags: ['20'], pushedDaysAgo: 20 }), image('t2', { tags: ['19'], pushedDaysAgo: 30 }), image('t3', { tags: ['18'], pushedDaysAgo: 40 })],
            {},
            policyOf(rules[0], POLICY),
          ),
        },
        { name: 'api', plan: planOf('api', [image('a1', { pushedDaysAgo: 10, tags: ['v1'] })]) },
        { name: 'team-b/api', rule: 1, excluded: true },
      ],
      errors: [],
    });

  it('names the rule of each repository, counts protected artifacts, and lists excluded repositories without counting them', () => {
    const report = buildRunReport(ruled());

    expect(report.rules).toEqual(rules);
    expect(report.repositories.map(({ name, status, rule, toDelete }) => ({ name, status, rule, toDelete }))).toEqual([
      { name: 'api', status: 'ok', rule: undefined, toDelete: 0 },
      { name: 'base/node', status: 'ok', rule: 0, toDelete: 2 },
      { name: 'team-b/api', status: 'excluded', rule: 1, toDelete: 0 },
    ]);
    expect(report.totals).toMatchObject({ repositories: 2, repositoriesExcluded: 1, images: 7, kept: 5, toDelete: 2, keptByReason: { protectedTag: 1, minCount: 3, inUse: 0, recent: 1 } });
  });

  it('shows the rules, a RULE and a PROTECTED column, and the excluded repositories in the summary', () => {
    const summary = renderSummary(buildRunReport(ruled()));

    expect(summary).toContain(
      [
        'Rules (the first whose pattern matches a repository applies; the others take the settings above):',
        '  rule 0  base/*     pushed within 7 days, the newest 2 tagged, tag prod-* always; untagged: pushed within 1 day',
        '  rule 1  team-b/**  excluded: neither cleaned nor counted',
        '',
        'REPOSITORY  RULE  IMAGES  IN USE  PROTECTED  RECENT  NEWEST  UNKNOWN  TO DELETE  RECLAIMABLE  $/MONTH',
        'api            -       1       0          0       0       1        0          0          0 B    $0.00',
        'base/node      0       6       0          1       1       2        0          2        200 B    $0.00',
        'team-b/api     1       -       -          -       -       -        -          -     EXCLUDED        -',
        '----------  ----  ------  ------  ---------  ------  ------  -------  ---------  -----------  -------',
        'TOTAL                  7       0          1       1       3        0          2        200 B    $0.00',
      ].join('\n'),
    );
    expect(summary).toContain('; 5 images kept, of 7 images in 2 repositories (1 more excluded by the rules).');
  });

  it('heads each repository of --explain with its rule, and gives the reasons that rules add', () => {
    const text = explain(ruled());

    expect(text).toContain('api  · no rule: the global settings\n');
    expect(text).toContain('base/node  · rule 0 (base/*): pushed within 7 days, the newest 2 tagged, tag prod-* always; untagged: pushed within 1 day\n');
    expect(text).toMatch(/KEEP {4}prod-1 +sha256:\w+ {2}protected-tag:prod-\*\n/);
    expect(text).toMatch(/DELETE {2}<untagged> +sha256:\w+ {2}unused: no workload uses it, untagged, pushed 2 days ago, newest untagged #2\n/);
    expect(text).toMatch(/KEEP {4}<untagged> +sha256:\w+ {2}recent: untagged, pushed 0 days ago\n/);
    // Tagged artifacts are ranked among themselves: the first two count as the newest.
    expect(text).toMatch(/KEEP {4}20 +sha256:\w+ {2}min-count: newest tagged #1\n/);
    expect(text).toMatch(/DELETE {2}18 +sha256:\w+ {2}unused: no workload uses it, pushed 40 days ago, newest tagged #3\n/);
    expect(text).toContain('team-b/api  · rule 1 (team-b/**): excluded: neither cleaned nor counted\n');
  });

  it('puts the rules in the JSON plan\'s run record, and the rule in each repository record', () => {
    const { report, artifacts } = detail(ruled());
    const records = [...planLines(report, artifacts)].map((line) => JSON.parse(line) as Record<string, unknown>);

    expect(records[0]).toMatchObject({ type: 'run', rules: [{ index: 0, repositories: ['base/*'], keepTags: ['prod-*'], untagged: { olderThanDays: 1 } }, { index: 1, exclude: true }] });
    expect(records.filter((record) => record.type === 'repository').map((record) => [record.name, record.status, record.rule])).toEqual([
      ['api', 'ok', undefined],
      ['base/node', 'ok', 0],
      ['team-b/api', 'excluded', 1],
    ]);
  });
});

describe('decisionChunks', () => {
  it('lists every artifact with its reasons, and the manifests that share its fate under it', () => {
    const short = (name: string): string => digestOf(name).slice(0, 19);

    const text = explain(facts());

    expect(text).toBe(
      [
        'api',
        `  KEEP    v2      ${short('a2')}  recent: pushed 3 days ago; min-count: newest #1`,
        `  DELETE  v1      ${short('a1')}  unused: no workload uses it, pushed 10 days ago, newest #2`,
        'locked: ERROR: could not list repository locked, so nothing in it is deleted: AccessDeniedException',
        'web',
        `  KEEP    2026.2      ${short('new')}  recent: pushed 1 day ago; min-count: newest #1`,
        `  DELETE  2026.1 old  ${short('idx')}  unused: no workload uses it, pushed 40 days ago, newest #2`,
        ...[short('amd'), short('arm')].map((digest) => `            child    ${digest}  child-of:${short('idx')}`),
        '',
      ].join('\n'),
    );
  });
});

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [999, '999 B'],
    [1000, '1.0 kB'],
    [1_234_567, '1.2 MB'],
    [98_700_000_000, '98.7 GB'],
    [3e15, '3.0 PB'],
  ])('shows %d bytes as %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});
