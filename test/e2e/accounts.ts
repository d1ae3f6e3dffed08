/**
 * The accounts that the end-to-end tests run against: one small and varied, one large for paging. Their
 * images' ages count back from the emulator's start, so that the CLI runs at the real time: `--now` is
 * for previews only, and never goes with deletion.
 */
import { image, multiArchImage, registryHost, type FaultRule, type Fixture, type FixtureCluster, type FixtureImage } from '../emulator/fixture';

export const HOST = registryHost({});
export const SLACK_TOKEN = 'xoxb-e2e-0000-never-print-this';

/** Images of `repository` named by tag, pushed `days` ago. */
function tagged(repository: string, days: Record<string, number>): Record<string, FixtureImage> {
  return Object.fromEntries(Object.entries(days).map(([tag, pushedDaysAgo]) => [tag, image(`${repository}:${tag}`, { tags: [tag], pushedDaysAgo, sizeBytes: 1_000_000 })]));
}

/**
 * `app` has ten releases, a week apart. With the defaults (3 newest, 7 days) the rules keep:
 * - r9 (recent, min-count), r8 and r7 (min-count);
 * - r2, run by digest; r3, run by tag; r4, run as `repo:tag@sha256:`; r5, run through one of its two tags.
 * r0, r1 and r6 are deleted. `web` has an old multi-architecture release to delete, and three new ones.
 */
export function smallAccount(): Fixture & { app: Record<string, FixtureImage>; oldWeb: ReturnType<typeof multiArchImage> } {
  const app = tagged('app', Object.fromEntries(Array.from({ length: 10 }, (_, n) => [`r${n}`, 90 - n * 10])));
  const r5 = { ...app.r5, tags: ['r5', 'blue'] };
  const oldWeb = multiArchImage('web:old', { tags: ['w0'], pushedDaysAgo: 60, attestations: true });
  const newWeb = [3, 2, 1].map((days) => multiArchImage(`web:${days}`, { tags: [`w${4 - days}`], pushedDaysAgo: days + 10 }));
  return {
    app,
    oldWeb,
    repositories: [
      { name: 'app', images: [...Object.values(app).filter((i) => i !== app.r5), r5] },
      { name: 'web', images: [...oldWeb.all, ...newWeb.flatMap((release) => release.all)] },
    ],
    clusters: [
      {
        name: 'prod',
        tasks: [
          { id: 'by-digest', containers: [{ name: 'app', image: `${HOST}/app:latest`, imageDigest: app.r2.digest }] },
          { id: 'by-tag', containers: [{ name: 'app', image: `${HOST}/app:r3` }] },
        ],
      },
      {
        name: 'batch',
        tasks: [
          { id: 'tag-and-digest', containers: [{ name: 'job', image: `${HOST}/app:r4@${app.r4.digest}` }] },
          { id: 'second-tag', containers: [{ name: 'job', image: `${HOST}/app:blue` }, { name: 'redis', image: 'redis:7' }] },
        ],
      },
    ],
    secrets: { 'ecr-maintainer/slack': JSON.stringify({ token: SLACK_TOKEN }) },
    slack: { token: SLACK_TOKEN, channels: [{ id: 'C0ECRMAINT', name: 'platform-alerts' }] },
  };
}

/**
 * 40 repositories, one of them with 2,500 images; 250 running tasks over three clusters, each running an
 * old image of `big`.
 */
export function largeAccount(): Fixture & { inUse: readonly string[] } {
  const big = Array.from({ length: 2500 }, (_, n) => image(`big:${n}`, { tags: [`b${n}`], pushedDaysAgo: 400 - n * 0.15, sizeBytes: 10_000_000 }));
  const others = Array.from({ length: 39 }, (_, r) => ({
    name: `team-${String(r).padStart(2, '0')}/service`,
    images: Array.from({ length: 12 }, (_, n) => image(`team-${r}:${n}`, { tags: [`v${n}`], pushedDaysAgo: 120 - n * 10, sizeBytes: 5_000_000 })),
  }));
  const clusterSizes = [120, 100, 30];
  let used = 0;
  const inUse: string[] = [];
  const clusters: FixtureCluster[] = clusterSizes.map((size, c) => ({
    name: `cluster-${c}`,
    tasks: Array.from({ length: size }, (_, t) => {
      const target = big[used * 7];
      used += 1;
      inUse.push(target.digest);
      return { id: `c${c}-t${t}`, containers: [{ name: 'app', image: `${HOST}/big:${target.tags[0]}`, ...(t % 2 === 0 && { imageDigest: target.digest }) }] };
    }),
  }));
  return { repositories: [{ name: 'big', images: big }, ...others], clusters, inUse };
}

/**
 * An account where each source of images in use alone keeps one image of `app`: ECS services (a service
 * scaled to zero whose tag moved, a rollback target), scheduled tasks (rules and schedules on old revisions),
 * task definition families, a Lambda image function, the pull-time rule, an in-use list in S3, and tasks
 * that pull through the dual-stack, FIPS and upper-case hosts. `EVERY_SOURCE_SETTINGS` turns the optional
 * rules on.
 */
const DUAL_STACK = '123456789012.dkr-ecr.eu-west-2.on.aws';
const FIPS = '123456789012.dkr.ecr-fips.eu-west-2.amazonaws.com';

/** The images of `app`, by role; every one is old, so only a source (or the newest) keeps it. */
export const ROLES = [
  'newest',
  'unused',
  // ECS services: a service scaled to zero whose tag moved, and the rollback target of a deployment.
  'web-pinned',
  'web-moved',
  'pay-rollback',
  'pay-target',
  // Scheduled tasks: an EventBridge rule pinned to an old revision, a rule naming only a family, a
  // Scheduler schedule (templated target) and a universal RunTask target, each on an old revision.
  'rule-pinned',
  'nightly-latest',
  'report-old',
  'report-latest',
  'schedule-pinned',
  'cron-latest',
  'universal-pinned',
  'uni-latest',
  // Task definition families: the newest revision of a family nothing runs, and an older one.
  'family-latest',
  'family-old',
  // Lambda: $LATEST, an alias's version and its weighted version, the newest version, an older one.
  'fn-latest',
  'fn-alias',
  'fn-weighted',
  'fn-newest',
  'fn-old',
  // The pull-time rule, the operator's list, and tasks that pull through other host names.
  'pulled',
  'listed',
  'dual-by-digest',
  'dual-tag-now',
  'fips-by-tag',
  'upper-by-digest',
] as const;
export type Role = (typeof ROLES)[number];

export function everySourceAccount(faults: FaultRule[] = []): Fixture & { images: Record<Role, FixtureImage> } {
  const images = Object.fromEntries(
    ROLES.map((role) => [role, { ...image(`sources:${role}`, { tags: [role], pushedDaysAgo: role === 'newest' ? 50 : 100 }), ...(role === 'pulled' && { pulledDaysAgo: 3 }) }]),
  ) as Record<Role, FixtureImage>;
  // The moving tags: `web` and `pay` and `dual` now name the newer images.
  const tagged = (role: Role, ...tags: string[]): FixtureImage => ({ ...images[role], tags: [role, ...tags] });
  const ref = (tag: string): string => `${HOST}/app:${tag}`;
  const digest = (role: Role): string => images[role].digest;
  return {
    images,
    repositories: [
      {
        name: 'app',
        images: ROLES.map((role) =>
          role === 'web-moved' ? tagged(role, 'web') : role === 'pay-target' ? tagged(role, 'pay') : role === 'dual-tag-now' ? tagged(role, 'dual') : images[role],
        ),
      },
    ],
    taskDefinitions: [
      { name: 'web:1', containers: [{ name: 'web', image: ref('web') }] },
      { name: 'pay:1', containers: [{ name: 'pay', image: ref('pay') }] },
      { name: 'pay:2', containers: [{ name: 'pay', image: ref('pay') }] },
      { name: 'nightly:3', containers: [{ name: 'job', image: ref('rule-pinned') }] },
      { name: 'nightly:4', containers: [{ name: 'job', image: ref('nightly-latest') }] },
      { name: 'report:1', containers: [{ name: 'job', image: ref('report-old') }] },
      { name: 'report:2', containers: [{ name: 'job', image: ref('report-latest') }] },
      { name: 'cron:1', containers: [{ name: 'job', image: ref('schedule-pinned') }] },
      { name: 'cron:2', containers: [{ name: 'job', image: ref('cron-latest') }] },
      { name: 'uni:1', containers: [{ name: 'job', image: ref('universal-pinned') }] },
      { name: 'uni:2', containers: [{ name: 'job', image: ref('uni-latest') }] },
      { name: 'family:8', containers: [{ name: 'app', image: ref('family-old') }] },
      { name: 'family:9', containers: [{ name: 'app', image: ref('family-latest') }, { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29' }] },
    ],
    clusters: [
      {
        name: 'prod',
        tasks: [
          { id: 'dual', containers: [{ name: 'app', image: `${DUAL_STACK}/app:dual`, imageDigest: digest('dual-by-digest') }] },
          { id: 'fips', containers: [{ name: 'app', image: `${FIPS}:443/app:fips-by-tag` }] },
          { id: 'upper', containers: [{ name: 'app', image: `${HOST.toUpperCase()}/app:latest`, imageDigest: digest('upper-by-digest') }] },
          // A stopped task that expired between ListTasks and DescribeTasks: no longer recent, no problem.
          { id: 'expired', desiredStatus: 'STOPPED', missing: true, containers: [{ name: 'app', image: ref('unused') }] },
        ],
        services: [
          {
            // Scaled to zero: no task carries the digest that its revision pinned before the tag moved.
            name: 'web',
            deployments: [{ status: 'PRIMARY', taskDefinition: 'web:1', rolloutState: 'COMPLETED' }],
            revisions: [{ id: 'r-web', taskDefinition: 'web:1', containerImages: [{ containerName: 'web', image: ref('web'), imageDigest: digest('web-pinned') }] }],
            currentRevisions: ['r-web'],
          },
          {
            // A deployment in progress: its source revision is the rollback target.
            name: 'pay',
            deployments: [
              { status: 'PRIMARY', taskDefinition: 'pay:2', rolloutState: 'IN_PROGRESS' },
              { status: 'ACTIVE', taskDefinition: 'pay:1' },
            ],
            revisions: [
              { id: 'r-pay-1', taskDefinition: 'pay:1', containerImages: [{ containerName: 'pay', image: ref('pay'), imageDigest: digest('pay-rollback') }] },
              { id: 'r-pay-2', taskDefinition: 'pay:2', containerImages: [{ containerName: 'pay', image: ref('pay'), imageDigest: digest('pay-target') }] },
            ],
            currentRevisions: ['r-pay-2'],
            serviceDeployments: [{ id: 'd-pay', status: 'IN_PROGRESS', sourceRevisions: ['r-pay-1'], targetRevision: 'r-pay-2' }],
          },
        ],
      },
    ],
    eventBuses: [
      {
        name: 'default',
        rules: [
          { name: 'nightly', targets: [{ id: 'run', arn: 'prod', taskDefinition: 'nightly:3' }] },
          { name: 'report', state: 'DISABLED', targets: [{ id: 'run', arn: 'prod', taskDefinition: 'report' }] },
          { name: 'notify', targets: [{ id: 'sns', arn: 'arn:aws:sns:eu-west-2:123456789012:alerts' }] },
        ],
      },
    ],
    scheduleGroups: [
      { name: 'default', schedules: [{ name: 'cron', target: { arn: 'prod', taskDefinition: 'cron:1' } }] },
      {
        name: 'jobs',
        schedules: [
          { name: 'universal', target: { arn: 'arn:aws:scheduler:::aws-sdk:ecs:runTask', input: JSON.stringify({ Cluster: 'prod', TaskDefinition: 'uni:1' }) } },
          { name: 'lambda', target: { arn: 'arn:aws:lambda:eu-west-2:123456789012:function:other' } },
        ],
      },
    ],
    functions: [
      {
        name: 'resize',
        latest: { uri: ref('fn'), digest: digest('fn-latest') },
        versions: [{ uri: ref('fn'), digest: digest('fn-old') }, { uri: ref('fn'), digest: digest('fn-alias') }, { uri: ref('fn'), digest: digest('fn-weighted') }, { uri: ref('fn'), digest: digest('fn-newest') }],
        aliases: [{ name: 'live', version: '2', additionalVersionWeights: { '3': 0.1 } }],
      },
      { name: 'zipped', packageType: 'Zip' },
    ],
    objects: [
      { bucket: 'platform-lists', key: 'ecr/in-use.txt', body: `# from the EKS clusters\n${DUAL_STACK}/app:listed\n` },
      { bucket: 'platform-lists', key: 'ecr/bad-line.txt', body: `${DUAL_STACK}/app:listed\nthe payments api, pinned\n` },
    ],
    faults: { errors: faults },
  };
}

export const EVERY_SOURCE_SETTINGS = {
  KEEP_MIN_IMAGE_COUNT: '1',
  KEEP_IMAGES_PULLED_WITHIN_DAYS: '30',
  KEEP_LAMBDA_VERSIONS: '1',
  IN_USE_IMAGES_URI: 's3://platform-lists/ecr/in-use.txt',
  AWS_MAX_ATTEMPTS: '2',
};


/**
 * An account for rules per repository, with `RULES_YAML` (the same list as `RULES_JSON`):
 * - `ci/cache`, rule 0 (a day, the newest 1, untagged at once): c1 stays (recent, newest); c2, c3 and the
 *   untagged u1 and u2 go; the untagged `used` image, 40 days old, stays because a task runs it.
 * - `shop/api`, rule 1 (protected tags): prod-2025 and v1.2.3 stay however old; feature-x goes; the three
 *   newest stay by the global minimum.
 * - `team-b/api`, rule 2 (excluded): old images that the global settings would delete; never listed.
 * - `base/node`, no rule: the global settings delete the two oldest of five.
 * - rule 3 names no repository of the account: a warning.
 */
export function rulesAccount(): Fixture & { images: Record<string, FixtureImage> } {
  const at = (repository: string, name: string, pushedDaysAgo: number, tags: readonly string[] = [name]): FixtureImage =>
    image(`${repository}:${name}`, { tags, pushedDaysAgo, sizeBytes: 1_000_000 });
  const images = {
    c1: at('ci/cache', 'c1', 0.5),
    c2: at('ci/cache', 'c2', 3),
    c3: at('ci/cache', 'c3', 10),
    u1: at('ci/cache', 'u1', 0.2, []),
    u2: at('ci/cache', 'u2', 5, []),
    used: at('ci/cache', 'used', 40, []),
    prod: at('shop/api', 'prod-2025', 300),
    semver: at('shop/api', 'v1.2.3', 200),
    feature: at('shop/api', 'feature-x', 100),
    main1: at('shop/api', 'main-1', 50),
    main2: at('shop/api', 'main-2', 40),
    main3: at('shop/api', 'main-3', 30),
  };
  const teamB = [200, 180, 160, 140, 120].map((days, n) => at('team-b/api', `b${n}`, days));
  const base = [10, 20, 30, 40, 50].map((days, n) => at('base/node', `n${n}`, days));
  return {
    images,
    repositories: [
      { name: 'ci/cache', images: [images.c1, images.c2, images.c3, images.u1, images.u2, images.used] },
      { name: 'shop/api', images: [images.prod, images.semver, images.feature, images.main1, images.main2, images.main3] },
      { name: 'team-b/api', images: teamB },
      { name: 'base/node', images: base },
    ],
    clusters: [{ name: 'ci', tasks: [{ id: 'runner', containers: [{ name: 'runner', image: `${HOST}/ci/cache@${images.used.digest}` }] }] }],
  };
}

export const RULES_YAML = `# Rules for the end-to-end tests: the first that matches a repository applies.
- repositories: ["ci/*", "**/cache"]
  keepImagesNewerThanDays: 1
  keepMinImageCount: 1
  untagged: { olderThanDays: 0 }
- repositories: shop/*
  keepTags: [prod-*, "/^v\\\\d+\\\\.\\\\d+\\\\.\\\\d+$/"]
- repositories: team-b/**
  exclude: true
- repositories: nothing/*
  keepMinImageCount: 10
`;

export const RULES_JSON = JSON.stringify([
  { repositories: ['ci/*', '**/cache'], keepImagesNewerThanDays: 1, keepMinImageCount: 1, untagged: { olderThanDays: 0 } },
  { repositories: 'shop/*', keepTags: ['prod-*', '/^v\\d+\\.\\d+\\.\\d+$/'] },
  { repositories: 'team-b/**', exclude: true },
  { repositories: 'nothing/*', keepMinImageCount: 10 },
]);
