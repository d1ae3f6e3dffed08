/**
 * Every source of images in use, end to end: the cleaner over the real AWS SDK against the emulator, in
 * one account where each source alone keeps one image. Each source keeps its image, fails closed when it
 * cannot be read, and makes no call when it is switched off; and the bugs of issue #9 stay fixed.
 */
import { runCleanup, type RunOutcome } from '../../lambda/cleaner';
import { parseConfig } from '../../lambda/config';
import { createAwsClients } from '../../lambda/aws/clients';
import type { ArtifactReport } from '../../lambda/core/report';
import { image, registryHost, type FaultRule, type Fixture, type FixtureImage } from '../emulator/fixture';
import { Emulator } from '../emulator/server';
import { destroy, restoreEnv, useEmulatorEnv } from '../support/aws';

afterAll(restoreEnv);

const HOST = registryHost({});
const DUAL_STACK = '123456789012.dkr-ecr.eu-west-2.on.aws';
const FIPS = '123456789012.dkr.ecr-fips.eu-west-2.amazonaws.com';

/** The images of `app`, by role; every one is old, so only a source (or the newest) keeps it. */
const ROLES = [
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
type Role = (typeof ROLES)[number];

function world(faults: FaultRule[] = []): Fixture & { images: Record<Role, FixtureImage> } {
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
    objects: [{ bucket: 'platform-lists', key: 'ecr/in-use.txt', body: `# from the EKS clusters\n${DUAL_STACK}/app:listed\n` }],
    faults: { errors: faults },
  };
}

const SETTINGS = {
  KEEP_MIN_IMAGE_COUNT: '1',
  KEEP_IMAGES_PULLED_WITHIN_DAYS: '30',
  KEEP_LAMBDA_VERSIONS: '1',
  IN_USE_IMAGES_URI: 's3://platform-lists/ecr/in-use.txt',
  AWS_MAX_ATTEMPTS: '2',
};

async function run(fixture: Fixture, env: Record<string, string> = {}): Promise<{ outcome: RunOutcome; emulator: Emulator }> {
  const emulator = await Emulator.start(fixture);
  useEmulatorEnv(emulator);
  const config = parseConfig({ ...emulator.env(), ...SETTINGS, ...env });
  const aws = createAwsClients(config);
  try {
    return { outcome: await runCleanup({ aws, slackTokens: new Map() }, config, { now: new Date() }), emulator };
  } finally {
    destroy(aws);
    await emulator.stop();
  }
}

/** Each artifact of `app` by its role (its first tag): "keep: reasons" or "delete". */
function verdicts(outcome: RunOutcome): Record<string, string> {
  const artifacts: readonly ArtifactReport[] = outcome.report.repositories.find((repository) => repository.name === 'app')?.artifacts ?? [];
  return Object.fromEntries(artifacts.map((artifact) => [artifact.tags.find((tag) => (ROLES as readonly string[]).includes(tag)), artifact.action === 'keep' ? `keep: ${artifact.reasons.join(' ')}` : 'delete']));
}

describe('every source of images in use, end to end', () => {
  it('keeps each image that some workload can start, with the source as its reason, and deletes the rest', async () => {
    const { outcome, emulator } = await run(world(), { DELETE_ENABLED: 'true' });

    expect(outcome.report.errors).toEqual([]);
    expect(verdicts(outcome)).toEqual({
      newest: 'keep: min-count',
      unused: 'delete',
      'web-pinned': 'keep: in-use:service-revision',
      // The tag's image now; also the newest revision of its family.
      'web-moved': 'keep: in-use:service-deployment in-use:task-definition',
      'pay-rollback': 'keep: in-use:service-revision',
      'pay-target': 'keep: in-use:service-deployment in-use:service-revision in-use:task-definition',
      'rule-pinned': 'keep: in-use:scheduled-task',
      'nightly-latest': 'keep: in-use:task-definition',
      'report-old': 'delete',
      'report-latest': 'keep: in-use:scheduled-task in-use:task-definition',
      'schedule-pinned': 'keep: in-use:scheduled-task',
      'cron-latest': 'keep: in-use:task-definition',
      'universal-pinned': 'keep: in-use:scheduled-task',
      'uni-latest': 'keep: in-use:task-definition',
      'family-latest': 'keep: in-use:task-definition',
      'family-old': 'delete',
      'fn-latest': 'keep: in-use:lambda-function',
      'fn-alias': 'keep: in-use:lambda-function',
      'fn-weighted': 'keep: in-use:lambda-function',
      'fn-newest': 'keep: in-use:lambda-function',
      'fn-old': 'delete',
      pulled: 'keep: recently-pulled',
      listed: 'keep: in-use:in-use-list',
      'dual-by-digest': 'keep: in-use:running',
      'dual-tag-now': 'delete',
      'fips-by-tag': 'keep: in-use:running',
      'upper-by-digest': 'keep: in-use:running',
    });
    expect(emulator.digestsIn('app')).toHaveLength(ROLES.length - 5);
  });

  it('names the workload behind each kept image in the plan', async () => {
    const { outcome } = await run(world());
    const usedBy = Object.fromEntries(
      (outcome.report.repositories[0]?.artifacts ?? []).filter((artifact) => artifact.usedBy).map((artifact) => [artifact.tags[0], artifact.usedBy]),
    );

    expect(usedBy).toMatchObject({
      'web-pinned': ['service revision prod/web (web)'],
      'pay-rollback': ['service revision prod/pay (pay)'],
      'rule-pinned': ['scheduled rule default/nightly (nightly:3)'],
      'report-latest': expect.arrayContaining(['scheduled rule default/report (report:2)', 'task definition report:2 (job)']) as unknown as string[],
      'schedule-pinned': ['scheduled schedule default/cron (cron:1)'],
      'universal-pinned': ['scheduled schedule jobs/universal (uni:1)'],
      'fn-weighted': ['function resize:live (version 3, 10% of traffic)'],
      listed: ['listed at s3://platform-lists/ecr/in-use.txt:2'],
      'dual-by-digest': ['running task prod/dual (app)'],
    });
  });

  it.each<[string, FaultRule | undefined, Record<string, string>]>([
    ['a service revision it may not describe', { operation: 'ECS.DescribeServiceRevisions' }, {}],
    ['service deployments it may not list', { operation: 'ECS.ListServiceDeployments' }, {}],
    ['a service deployment it may not describe', { operation: 'ECS.DescribeServiceDeployments' }, {}],
    ['EventBridge rules it may not list', { operation: 'Events.ListRules' }, {}],
    ["a rule's targets it may not list", { operation: 'Events.ListTargetsByRule' }, {}],
    ['schedules it may not list', { operation: 'Scheduler.ListSchedules' }, {}],
    ['a schedule it may not read', { operation: 'Scheduler.GetSchedule' }, {}],
    ['task definitions it may not list', { operation: 'ECS.ListTaskDefinitions' }, {}],
    ['a task definition it may not read', { operation: 'ECS.DescribeTaskDefinition', after: 3 }, {}],
    ['Lambda functions it may not list', { operation: 'Lambda.ListFunctions' }, {}],
    ['a Lambda function it may not read', { operation: 'Lambda.GetFunction', function: 'resize' }, {}],
    ['an in-use list it may not read', { operation: 'S3.GetObject' }, {}],
    ['an in-use list that is missing', undefined, { IN_USE_IMAGES_URI: 's3://platform-lists/ecr/missing.txt' }],
    ['an in-use list with a line it cannot read', undefined, { IN_USE_IMAGES_URI: '/nonexistent/in-use.txt' }],
  ])('deletes nothing anywhere when it meets %s', async (_title, fault, env) => {
    const { outcome, emulator } = await run(world(fault ? [fault] : []), { DELETE_ENABLED: 'true', ...env });

    expect(outcome.ok).toBe(false);
    expect(outcome.report.deletionBlocked).toMatch(/^in-use discovery was incomplete/);
    expect(outcome.report.errors.map((error) => error.kind)).toContain('in-use');
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(verdicts(outcome).unused).toBe('keep: in-use-unknown');
  });

  it.each<[string, Record<string, string>, readonly Role[], readonly string[]]>([
    ['KEEP_SERVICE_DEPLOYMENT_IMAGES=false', { KEEP_SERVICE_DEPLOYMENT_IMAGES: 'false' }, ['web-pinned', 'pay-rollback'], ['ECS.ListServices', 'ECS.DescribeServiceRevisions']],
    ['KEEP_SCHEDULED_TASK_IMAGES=false', { KEEP_SCHEDULED_TASK_IMAGES: 'false' }, ['rule-pinned', 'schedule-pinned', 'universal-pinned'], ['Events.ListRules', 'Scheduler.ListSchedules']],
    ['KEEP_TASK_DEFINITION_REVISIONS=0', { KEEP_TASK_DEFINITION_REVISIONS: '0' }, ['nightly-latest', 'cron-latest', 'uni-latest', 'family-latest'], ['ECS.ListTaskDefinitions']],
    ['KEEP_LAMBDA_IMAGES=false', { KEEP_LAMBDA_IMAGES: 'false', KEEP_LAMBDA_VERSIONS: '' }, ['fn-latest', 'fn-alias', 'fn-weighted', 'fn-newest'], ['Lambda.ListFunctions']],
    ['KEEP_IMAGES_PULLED_WITHIN_DAYS=0', { KEEP_IMAGES_PULLED_WITHIN_DAYS: '0' }, ['pulled'], []],
    ['no IN_USE_IMAGES_URI', { IN_USE_IMAGES_URI: '' }, ['listed'], ['S3.GetObject']],
  ])('with %s, makes no call for that source, and its images are planned for deletion', async (_title, env, freed, operations) => {
    const { outcome, emulator } = await run(world(), env);

    expect(outcome.report.errors).toEqual([]);
    const plan = verdicts(outcome);
    for (const role of freed) expect(`${role}: ${plan[role]}`).toBe(`${role}: delete`);
    for (const operation of operations) expect(emulator.callsOf(operation)).toEqual([]);
  });
});
