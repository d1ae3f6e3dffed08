import { planRepository, type PlanInput } from '../../../lambda/core/planner';
import type { ImageRecord, ImageUse, RepositoryPlan, RepositoryPolicy, RetentionPolicy, UseSource } from '../../../lambda/core/types';
import { NOW, digestOf, image, use } from './builders';

const POLICY: RetentionPolicy = { keepMinImageCount: 3, keepImagesNewerThanDays: 7, keepImagesPulledWithinDays: 0 };

interface Scenario {
  readonly images: readonly ImageRecord[];
  /** Index name → the names its manifest lists. */
  readonly children?: Readonly<Record<string, readonly string[]>>;
  /** Image name → the sources that use it. */
  readonly uses?: Readonly<Record<string, readonly UseSource[]>>;
  readonly inUseComplete?: boolean;
  readonly policy?: Partial<RepositoryPolicy>;
}

function plan(scenario: Scenario): RepositoryPlan {
  const uses = new Map<string, ImageUse[]>();
  for (const [name, sources] of Object.entries(scenario.uses ?? {})) {
    uses.set(digestOf(name), sources.map((source) => use(`app:${name}`, { source })));
  }
  const input: PlanInput = {
    repository: 'app',
    images: scenario.images,
    indexChildren: new Map(Object.entries(scenario.children ?? {}).map(([index, children]) => [digestOf(index), children.map(digestOf)])),
    uses,
    inUseComplete: scenario.inUseComplete ?? true,
  };
  return planRepository(input, { ...POLICY, ...scenario.policy }, NOW);
}

/** Readable decisions: name → "keep: recent, min-count" or "delete: unused". */
function verdicts(result: RepositoryPlan, names: readonly string[]): Record<string, string> {
  const nameOf = new Map(names.map((name) => [digestOf(name), name]));
  const readable = (text: string): string => text.replace(/sha256:[0-9a-f]{64}/g, (digest) => nameOf.get(digest) ?? digest);
  return Object.fromEntries(
    result.decisions
      .filter((decision) => nameOf.has(decision.image.digest))
      .map((decision) => [nameOf.get(decision.image.digest), readable(`${decision.action}: ${decision.reasons.join(', ')}`)]),
  );
}

function names(images: readonly ImageRecord[], all: readonly string[]): string[] {
  return all.filter((name) => images.some((candidate) => candidate.digest === digestOf(name)));
}

describe('planRepository: the keep rules', () => {
  it.each<[string, Scenario, Record<string, string>]>([
    ['plans nothing for an empty repository', { images: [] }, {}],
    [
      'keeps every image of a repository smaller than the minimum, however old',
      { images: [image('a', { pushedDaysAgo: 400 }), image('b', { pushedDaysAgo: 300 })] },
      { a: 'keep: min-count', b: 'keep: min-count' },
    ],
    [
      'keeps images pushed within the window and deletes the older ones beyond the minimum',
      {
        images: [1, 3, 6.9, 7.1, 30, 90].map((days, position) => image(`i${position}`, { pushedDaysAgo: days })),
        policy: { keepMinImageCount: 1 },
      },
      { i0: 'keep: recent, min-count', i1: 'keep: recent', i2: 'keep: recent', i3: 'delete: unused', i4: 'delete: unused', i5: 'delete: unused' },
    ],
    [
      'treats a window of 0 days as keeping nothing for its age',
      { images: [image('new', { pushedDaysAgo: 0.01 }), image('old', { pushedDaysAgo: 9 })], policy: { keepMinImageCount: 1, keepImagesNewerThanDays: 0, keepImagesPulledWithinDays: 0 } },
      { new: 'keep: min-count', old: 'delete: unused' },
    ],
    [
      'keeps images that ECR recorded a pull of within the pull window, and only when the rule is on',
      {
        images: [image('pulled', { pushedDaysAgo: 200, pulledDaysAgo: 2 }), image('stale', { pushedDaysAgo: 200, pulledDaysAgo: 40 }), image('never', { pushedDaysAgo: 200 }), image('new', { pushedDaysAgo: 1 })],
        policy: { keepMinImageCount: 1, keepImagesPulledWithinDays: 30 },
      },
      { pulled: 'keep: recently-pulled', stale: 'delete: unused', never: 'delete: unused', new: 'keep: recent, min-count' },
    ],
    [
      'ignores pull times when the pull window is 0',
      { images: [image('pulled', { pushedDaysAgo: 200, pulledDaysAgo: 0.1 }), image('new', { pushedDaysAgo: 1 })], policy: { keepMinImageCount: 1 } },
      { pulled: 'delete: unused', new: 'keep: recent, min-count' },
    ],
    [
      'keeps a multi-architecture image whose platform child was pulled recently, index and all',
      {
        images: [image('index', { index: true, pushedDaysAgo: 100 }), image('amd64', { pushedDaysAgo: 100, pulledDaysAgo: 3 }), image('arm64', { pushedDaysAgo: 100 }), image('new', { pushedDaysAgo: 1 })],
        children: { index: ['amd64', 'arm64'] },
        policy: { keepMinImageCount: 1, keepImagesPulledWithinDays: 7 },
      },
      { index: 'keep: recently-pulled', amd64: 'keep: child-of:index', arm64: 'keep: child-of:index', new: 'keep: recent, min-count' },
    ],
    [
      'keeps the most recently pushed images, whatever their age',
      { images: [40, 10, 20, 50, 30].map((days) => image(`d${days}`, { pushedDaysAgo: days })) },
      { d10: 'keep: min-count', d20: 'keep: min-count', d30: 'keep: min-count', d40: 'delete: unused', d50: 'delete: unused' },
    ],
    [
      'keeps every image that a workload uses, with each kind of use named',
      {
        images: [image('run', { pushedDaysAgo: 100 }), image('stop', { pushedDaysAgo: 100 }), image('svc', { pushedDaysAgo: 100 }), image('none', { pushedDaysAgo: 100 })],
        uses: { run: ['running'], stop: ['stopped-recently'], svc: ['service-deployment'] },
        policy: { keepMinImageCount: 1 },
      },
      { run: 'keep: in-use:running', stop: 'keep: in-use:stopped-recently', svc: 'keep: in-use:service-deployment', none: 'keep: min-count' },
    ],
    [
      'keeps the images of every new source, each with its own reason, in a fixed order',
      {
        images: ['rev', 'sched', 'family', 'fn', 'listed', 'all', 'none', 'newest'].map((name) => image(name, { pushedDaysAgo: name === 'newest' ? 50 : 100 })),
        uses: {
          rev: ['service-revision'],
          sched: ['scheduled-task'],
          family: ['task-definition'],
          fn: ['lambda-function'],
          listed: ['in-use-list'],
          all: ['in-use-list', 'lambda-function', 'task-definition', 'scheduled-task', 'service-revision', 'running'],
        },
        policy: { keepMinImageCount: 1 },
      },
      {
        rev: 'keep: in-use:service-revision',
        sched: 'keep: in-use:scheduled-task',
        family: 'keep: in-use:task-definition',
        fn: 'keep: in-use:lambda-function',
        listed: 'keep: in-use:in-use-list',
        all: 'keep: in-use:running, in-use:service-revision, in-use:scheduled-task, in-use:task-definition, in-use:lambda-function, in-use:in-use-list',
        none: 'delete: unused',
        newest: 'keep: min-count',
      },
    ],
    [
      'gives an image every reason that applies, not just the first',
      { images: [image('all', { pushedDaysAgo: 1 })], uses: { all: ['service-deployment', 'running'] } },
      { all: 'keep: in-use:running, in-use:service-deployment, recent, min-count' },
    ],
    [
      'keeps everything that no rule keeps when in-use discovery was incomplete',
      {
        images: [image('new', { pushedDaysAgo: 1 }), image('old', { pushedDaysAgo: 100 })],
        policy: { keepMinImageCount: 1 },
        inUseComplete: false,
      },
      { new: 'keep: recent, min-count', old: 'keep: in-use-unknown' },
    ],
  ])('%s', (_title, scenario, expected) => {
    const result = plan(scenario);

    expect(verdicts(result, Object.keys(expected))).toEqual(expected);
    expect(result.decisions).toHaveLength(scenario.images.length);
  });

  it('breaks ties in push time by digest, so the same listing always gives the same plan', () => {
    const tied = ['t1', 't2', 't3', 't4', 't5'].map((name) => image(name, { pushedDaysAgo: 30 }));
    const byDigest = [...tied].sort((a, b) => a.digest.localeCompare(b.digest));

    const forward = plan({ images: tied, policy: { keepMinImageCount: 2 } });
    const backward = plan({ images: [...tied].reverse(), policy: { keepMinImageCount: 2 } });

    const kept = (result: RepositoryPlan): string[] => result.decisions.filter((d) => d.action === 'keep').map((d) => d.image.digest);
    expect(kept(forward)).toEqual([byDigest[0].digest, byDigest[1].digest]);
    expect(kept(backward)).toEqual(kept(forward));
  });

  it('ranks artifacts from the most recently pushed, starting at 1', () => {
    const result = plan({ images: [image('old', { pushedDaysAgo: 50 }), image('new', { pushedDaysAgo: 10 })] });

    expect(result.artifacts.map((artifact) => [artifact.root.digest, artifact.rank])).toEqual([
      [digestOf('new'), 1],
      [digestOf('old'), 2],
    ]);
  });

  it('deletes plain images in a single wave', () => {
    const result = plan({ images: [10, 20, 30, 40, 50].map((days) => image(`d${days}`, { pushedDaysAgo: days })) });

    expect(result.deletionWaves).toEqual([[digestOf('d40'), digestOf('d50')].sort()]);
  });
});

describe('planRepository: a rule\'s protected tags and untagged age', () => {
  it.each<[string, Scenario, Record<string, string>]>([
    [
      'keeps an image whose tag matches a protected pattern, however old, naming the pattern',
      {
        images: [image('prod', { tags: ['prod-2024'], pushedDaysAgo: 700 }), image('v', { tags: ['v1.2.3'], pushedDaysAgo: 600 }), image('old', { tags: ['feature-x'], pushedDaysAgo: 500 }), image('new', { tags: ['main'], pushedDaysAgo: 1 })],
        policy: { keepMinImageCount: 1, keepTags: ['prod-*', '/^v\\d+\\.\\d+\\.\\d+$/'] },
      },
      { prod: 'keep: protected-tag:prod-*', v: 'keep: protected-tag:/^v\\d+\\.\\d+\\.\\d+$/', old: 'delete: unused', new: 'keep: recent, min-count' },
    ],
    [
      'deletes untagged artifacts past their own age, though they are among the newest, and counts only tagged ones as newest',
      {
        images: [image('u1', { pushedDaysAgo: 0.5 }), image('u2', { pushedDaysAgo: 2 }), image('u3', { pushedDaysAgo: 3 }), image('t1', { tags: ['a'], pushedDaysAgo: 20 }), image('t2', { tags: ['b'], pushedDaysAgo: 30 }), image('t3', { tags: ['c'], pushedDaysAgo: 40 })],
        policy: { keepMinImageCount: 2, keepImagesNewerThanDays: 7, keepUntaggedNewerThanDays: 1 },
      },
      { u1: 'keep: recent', u2: 'delete: unused', u3: 'delete: unused', t1: 'keep: min-count', t2: 'keep: min-count', t3: 'delete: unused' },
    ],
    [
      'keeps untagged artifacts longer than tagged ones when their own age is longer',
      { images: [image('u', { pushedDaysAgo: 20 }), image('t', { tags: ['a'], pushedDaysAgo: 20 }), image('n', { tags: ['n'], pushedDaysAgo: 1 })], policy: { keepMinImageCount: 1, keepUntaggedNewerThanDays: 30 } },
      { u: 'keep: recent', t: 'delete: unused', n: 'keep: recent, min-count' },
    ],
    [
      'keeps an image in use whatever the rule says: no age, no minimum, untagged',
      { images: [image('used', { pushedDaysAgo: 900 }), image('t', { tags: ['a'], pushedDaysAgo: 1 })], uses: { used: ['running'] }, policy: { keepMinImageCount: 1, keepImagesNewerThanDays: 0, keepUntaggedNewerThanDays: 0 } },
      { used: 'keep: in-use:running', t: 'keep: min-count' },
    ],
    [
      'still keeps everything without a reason when in-use discovery was incomplete, protected tags or not',
      { images: [image('old', { tags: ['x'], pushedDaysAgo: 80 }), image('prod', { tags: ['prod-1'], pushedDaysAgo: 90 }), image('u', { pushedDaysAgo: 90 })], inUseComplete: false, policy: { keepMinImageCount: 1, keepTags: ['prod-*'], keepUntaggedNewerThanDays: 0 } },
      { old: 'keep: min-count', prod: 'keep: protected-tag:prod-*', u: 'keep: in-use-unknown' },
    ],
  ])('%s', (_, scenario, expected) => {
    expect(verdicts(plan(scenario), names(scenario.images, Object.keys(expected)))).toEqual(expected);
  });

  it('protects a multi-architecture image by its tag, with its children, and an untagged index by its own age', () => {
    const images = [
      image('release', { tags: ['prod-7'], index: true, pushedDaysAgo: 300 }),
      image('release-amd64', { pushedDaysAgo: 300 }),
      image('build', { index: true, pushedDaysAgo: 3 }),
      image('build-amd64', { pushedDaysAgo: 3 }),
      image('head', { tags: ['main'], pushedDaysAgo: 0.5 }),
    ];
    const result = plan({ images, children: { release: ['release-amd64'], build: ['build-amd64'] }, policy: { keepMinImageCount: 1, keepTags: ['prod-*'], keepUntaggedNewerThanDays: 1 } });
    expect(verdicts(result, ['release', 'release-amd64', 'build', 'build-amd64', 'head'])).toEqual({
      release: 'keep: protected-tag:prod-*',
      'release-amd64': 'keep: child-of:release',
      build: 'delete: unused',
      'build-amd64': 'delete: child-of:build',
      head: 'keep: recent, min-count',
    });
  });
});

describe('planRepository: what counts as tagged', () => {
  it('counts an index whose tag moved away as tagged while its platform images carry tags, so the untagged age spares them', () => {
    // `buildx imagetools create -t app:1.0 app:1.0-amd64`: the platform images are tagged, the index only until its tag moves.
    const images = [
      image('old-index', { index: true, pushedDaysAgo: 10 }),
      image('old-amd64', { tags: ['1.0-amd64'], pushedDaysAgo: 10 }),
      image('new-index', { tags: ['1.1'], index: true, pushedDaysAgo: 2 }),
      image('new-amd64', { tags: ['1.1-amd64'], pushedDaysAgo: 2 }),
      image('build', { pushedDaysAgo: 3 }),
    ];
    const result = plan({ images, children: { 'old-index': ['old-amd64'], 'new-index': ['new-amd64'] }, policy: { keepMinImageCount: 3, keepUntaggedNewerThanDays: 1 } });

    expect(verdicts(result, ['old-index', 'old-amd64', 'new-index', 'build'])).toEqual({
      'old-index': 'keep: min-count',
      'old-amd64': 'keep: child-of:old-index',
      'new-index': 'keep: recent, min-count',
      build: 'delete: unused',
    });
    expect(result.artifacts.map((artifact) => [artifact.rank, artifact.rankedAmong])).toEqual([
      [1, 'tagged'],
      [1, 'untagged'],
      [2, 'tagged'],
    ]);
  });

  it('protects an artifact by a tag of its platform images, but never by the tag of a signature', () => {
    const subject = image('subject', { index: true, pushedDaysAgo: 90 });
    const images = [
      subject,
      image('subject-amd64', { tags: ['prod-7-amd64'], pushedDaysAgo: 90 }),
      image('signed', { pushedDaysAgo: 90 }),
      image('signature', { tags: ['prod-sig'], subject: 'signed', pushedDaysAgo: 1 }),
      image('head', { tags: ['main'], pushedDaysAgo: 0.5 }),
    ];
    const result = plan({ images, children: { subject: ['subject-amd64'] }, policy: { keepMinImageCount: 1, keepTags: ['prod-*'] } });

    expect(verdicts(result, ['subject', 'signed', 'signature'])).toEqual({ subject: 'keep: protected-tag:prod-*', signed: 'delete: unused', signature: 'delete: referrer-of:signed' });
  });

  it('ranks every artifact together when untagged ones have no age of their own', () => {
    const result = plan({ images: [image('t', { tags: ['a'], pushedDaysAgo: 2 }), image('u', { pushedDaysAgo: 1 })] });
    expect(result.artifacts.map((artifact) => [artifact.rank, artifact.rankedAmong])).toEqual([
      [1, 'all'],
      [2, 'all'],
    ]);
  });
});

describe('planRepository: plain images', () => {
  it('plans a repository of plain images as it plans them beside an index: the same decisions, ranks and waves', () => {
    const names = Array.from({ length: 40 }, (_, n) => `p${n}`);
    const plain = names.map((name, n) => image(name, { pushedDaysAgo: (n * 37) % 90, pulledDaysAgo: n % 5 === 0 ? n : undefined, tags: n % 3 === 0 ? [] : [`v${n}`] }));
    const scenario = { images: plain, uses: { p7: ['running' as const], p21: ['lambda-function' as const] }, policy: { keepImagesPulledWithinDays: 10 } };
    // An index older than every plain image, and its child: the repository is no longer plain.
    const linked = { ...scenario, images: [...plain, image('idx', { index: true, pushedDaysAgo: 400 }), image('child', { pushedDaysAgo: 400 })], children: { idx: ['child'] } };

    const alone = plan(scenario);
    const beside = plan(linked);

    const ofPlain = (result: RepositoryPlan): unknown[] =>
      result.artifacts.filter((artifact) => names.some((name) => digestOf(name) === artifact.root.digest)).map((artifact) => [artifact.root.digest, artifact.rank, artifact.action, artifact.reasons, artifact.sizeBytes]);
    expect(ofPlain(alone)).toEqual(ofPlain(beside));
    expect(verdicts(alone, names)).toEqual(verdicts(beside, names));
    expect(alone.deletionWaves).toEqual([beside.deletionWaves.flat().filter((digest) => ![digestOf('idx'), digestOf('child')].includes(digest)).sort()]);
  });
});

describe('planRepository: artifacts', () => {
  const index = (name: string, days: number, tags: string[] = []): ImageRecord => image(name, { index: true, pushedDaysAgo: days, tags });

  it('deletes an unused index with its children, the index one wave before them', () => {
    const images = [index('idx', 60), image('amd64', { pushedDaysAgo: 60 }), image('arm64', { pushedDaysAgo: 60 })];

    const result = plan({ images, children: { idx: ['amd64', 'arm64'] }, policy: { keepMinImageCount: 1 }, uses: {} });
    const withNewer = plan({
      images: [...images, image('newer', { pushedDaysAgo: 1 })],
      children: { idx: ['amd64', 'arm64'] },
      policy: { keepMinImageCount: 1 },
    });

    expect(verdicts(result, ['idx', 'amd64', 'arm64'])).toEqual({ idx: 'keep: min-count', amd64: 'keep: child-of:idx', arm64: 'keep: child-of:idx' });
    expect(verdicts(withNewer, ['idx', 'amd64', 'arm64', 'newer'])).toEqual({
      newer: 'keep: recent, min-count',
      idx: 'delete: unused',
      amd64: 'delete: child-of:idx',
      arm64: 'delete: child-of:idx',
    });
    expect(withNewer.deletionWaves).toEqual([[digestOf('idx')], [digestOf('amd64'), digestOf('arm64')].sort()]);
  });

  it('keeps every child of a kept index, each naming its parent', () => {
    const result = plan({ images: [index('idx', 2), image('amd64', { pushedDaysAgo: 2 })], children: { idx: ['amd64'] } });

    expect(verdicts(result, ['idx', 'amd64'])).toEqual({ idx: 'keep: recent, min-count', amd64: 'keep: child-of:idx' });
  });

  it('counts a multi-architecture image once towards the minimum', () => {
    const platforms = Array.from({ length: 10 }, (_, position) => `p${position}`);
    const images = [index('release', 20), ...platforms.map((name) => image(name, { pushedDaysAgo: 20 })), image('older1', { pushedDaysAgo: 30 }), image('older2', { pushedDaysAgo: 40 })];

    const result = plan({ images, children: { release: platforms } });

    expect(verdicts(result, ['release', 'older1', 'older2'])).toMatchObject({ release: 'keep: min-count', older1: 'keep: min-count', older2: 'keep: min-count' });
    expect(result.artifacts).toHaveLength(3);
    expect(result.deletionWaves).toEqual([]);
  });

  it('keeps a child that two indexes share while either of them stays', () => {
    const images = [index('kept', 1), index('gone', 50), image('shared', { pushedDaysAgo: 50 }), image('own', { pushedDaysAgo: 50 }), image('pad1', { pushedDaysAgo: 40 }), image('pad2', { pushedDaysAgo: 45 })];

    const result = plan({ images, children: { kept: ['shared'], gone: ['shared', 'own'] } });

    expect(verdicts(result, ['kept', 'gone', 'shared', 'own'])).toMatchObject({
      kept: 'keep: recent, min-count',
      gone: 'delete: unused',
      shared: 'keep: child-of:kept',
      own: 'delete: child-of:gone',
    });
    const gone = result.artifacts.find((artifact) => artifact.root.digest === digestOf('gone'));
    expect(gone?.members.map((member) => member.digest)).toEqual([digestOf('own')]);
    expect(gone?.sizeBytes).toBe(200);
    expect(result.deletionWaves.flat()).not.toContain(digestOf('shared'));
  });

  it('deletes a shared child only after both of its indexes', () => {
    const images = [index('a', 50), index('b', 60), image('shared', { pushedDaysAgo: 60 }), ...[1, 2, 3].map((n) => image(`new${n}`, { pushedDaysAgo: n }))];

    const result = plan({ images, children: { a: ['shared'], b: ['shared'] } });

    const shared = result.decisions.find((decision) => decision.image.digest === digestOf('shared'));
    expect(shared?.action).toBe('delete');
    expect([...(shared?.reasons ?? [])].sort()).toEqual([`child-of:${digestOf('a')}`, `child-of:${digestOf('b')}`].sort());
    expect(result.deletionWaves).toEqual([[digestOf('a'), digestOf('b')].sort(), [digestOf('shared')]]);
  });

  it('judges an orphan, whose index is gone, as an artifact of its own', () => {
    const images = [image('orphan', { pushedDaysAgo: 80 }), ...[1, 2, 3].map((n) => image(`new${n}`, { pushedDaysAgo: n }))];

    const result = plan({ images, children: { 'deleted-index': ['orphan'] } });

    expect(verdicts(result, ['orphan'])).toEqual({ orphan: 'delete: unused' });
  });

  it('keeps the whole artifact when a task runs it through a child digest', () => {
    const images = [index('idx', 90), image('amd64', { pushedDaysAgo: 90 }), image('arm64', { pushedDaysAgo: 90 }), ...[1, 2, 3].map((n) => image(`new${n}`, { pushedDaysAgo: n }))];

    const result = plan({ images, children: { idx: ['amd64', 'arm64'] }, uses: { arm64: ['running'] } });

    expect(verdicts(result, ['idx', 'amd64', 'arm64'])).toEqual({
      idx: 'keep: in-use:running',
      amd64: 'keep: child-of:idx',
      arm64: 'keep: in-use:running, child-of:idx',
    });
  });

  it('keeps the signature of a kept image, and deletes the signature of a deleted one with it', () => {
    const images = [
      image('kept', { pushedDaysAgo: 1 }),
      image('kept-sig', { pushedDaysAgo: 1, subject: 'kept' }),
      image('gone', { pushedDaysAgo: 90 }),
      image('gone-sig', { pushedDaysAgo: 2, subject: 'gone' }),
      image('pad1', { pushedDaysAgo: 3 }),
      image('pad2', { pushedDaysAgo: 4 }),
    ];

    const result = plan({ images });

    expect(verdicts(result, ['kept', 'kept-sig', 'gone', 'gone-sig'])).toMatchObject({
      'kept-sig': 'keep: referrer-of:kept',
      gone: 'delete: unused',
      'gone-sig': 'delete: referrer-of:gone',
    });
    expect(result.deletionWaves).toEqual([[digestOf('gone')], [digestOf('gone-sig')]]);
  });

  it('ties a legacy cosign tag to the image whose digest it names', () => {
    const signed = image('signed', { pushedDaysAgo: 90 });
    const images = [signed, image('cosign', { pushedDaysAgo: 90, tags: [`${signed.digest.replace(':', '-')}.sig`] }), ...[1, 2, 3].map((n) => image(`new${n}`, { pushedDaysAgo: n }))];

    const result = plan({ images });

    expect(verdicts(result, ['signed', 'cosign'])).toEqual({ signed: 'delete: unused', cosign: 'delete: referrer-of:signed' });
    expect(result.artifacts).toHaveLength(4);
  });

  it('deletes the signature of a platform image after that image', () => {
    const images = [index('idx', 90), image('amd64', { pushedDaysAgo: 90 }), image('sig', { pushedDaysAgo: 90, subject: 'amd64' }), ...[1, 2, 3].map((n) => image(`new${n}`, { pushedDaysAgo: n }))];

    const result = plan({ images, children: { idx: ['amd64'] } });

    expect(result.deletionWaves).toEqual([[digestOf('idx')], [digestOf('amd64')], [digestOf('sig')]]);
  });

  it('dates an artifact by its root, so a fresh signature does not keep an old image', () => {
    const images = [image('old', { pushedDaysAgo: 90 }), image('fresh-sig', { pushedDaysAgo: 1, subject: 'old' }), ...[2, 3, 4].map((n) => image(`new${n}`, { pushedDaysAgo: n }))];

    const result = plan({ images });

    expect(verdicts(result, ['old', 'fresh-sig'])).toEqual({ old: 'delete: unused', 'fresh-sig': 'delete: referrer-of:old' });
  });

  it('plans images that claim to sign each other without looping', () => {
    const a = image('a', { pushedDaysAgo: 90 });
    const b = image('b', { pushedDaysAgo: 90, tags: [`${a.digest.replace(':', '-')}.sig`] });
    const aTagged: ImageRecord = { ...a, tags: [`${b.digest.replace(':', '-')}.sig`] };
    const images = [aTagged, b, ...[1, 2, 3].map((n) => image(`new${n}`, { pushedDaysAgo: n }))];

    const result = plan({ images });

    expect(result.decisions).toHaveLength(5);
    expect(names(result.decisions.filter((d) => d.action === 'delete').map((d) => d.image), ['a', 'b'])).toEqual(['a', 'b']);
  });

  it('gives every manifest exactly one decision', () => {
    const images = [index('x', 50), index('y', 50), image('c1', { pushedDaysAgo: 50 }), image('c2', { pushedDaysAgo: 50 }), image('s', { pushedDaysAgo: 50, subject: 'c1' })];

    const result = plan({ images, children: { x: ['c1', 'c2'], y: ['c2'] }, policy: { keepMinImageCount: 1 } });

    expect(result.decisions.map((d) => d.image.digest).sort()).toEqual(images.map((i) => i.digest).sort());
  });
});
