/**
 * Every source of images in use, end to end: the cleaner over the real AWS SDK against the emulator, in
 * one account where each source alone keeps one image. Each source keeps its image, fails closed when it
 * cannot be read, and makes no call when it is switched off; and the bugs of issue #9 stay fixed.
 */
import { runCleanup, type RunOutcome } from '../../lambda/cleaner';
import { parseConfig } from '../../lambda/config';
import { createAwsClients } from '../../lambda/aws/clients';
import type { ArtifactReport } from '../../lambda/core/report';
import type { FaultRule, Fixture } from '../emulator/fixture';
import { EVERY_SOURCE_SETTINGS, ROLES, everySourceAccount, type Role } from '../e2e/accounts';
import { Emulator } from '../emulator/server';
import { destroy, restoreEnv, useEmulatorEnv } from '../support/aws';
import { artifactsOf } from '../support/report';

afterAll(restoreEnv);

async function run(fixture: Fixture, env: Record<string, string> = {}): Promise<{ outcome: RunOutcome; emulator: Emulator }> {
  const emulator = await Emulator.start(fixture);
  useEmulatorEnv(emulator);
  const config = parseConfig({ ...emulator.env(), ...EVERY_SOURCE_SETTINGS, ...env });
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
  const artifacts: readonly ArtifactReport[] = artifactsOf(outcome, 'app');
  return Object.fromEntries(artifacts.map((artifact) => [artifact.tags.find((tag) => (ROLES as readonly string[]).includes(tag)), artifact.action === 'keep' ? `keep: ${artifact.reasons.join(' ')}` : 'delete']));
}

describe('every source of images in use, end to end', () => {
  it('keeps each image that some workload can start, with the source as its reason, and deletes the rest', async () => {
    const { outcome, emulator } = await run(everySourceAccount(), { DELETE_ENABLED: 'true' });

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

  it('names the workload behind each kept image in the plan, and records every source setting', async () => {
    const { outcome } = await run(everySourceAccount());
    expect(outcome.report.policy).toEqual({
      keepMinImageCount: 1,
      keepImagesNewerThanDays: 7,
      keepImagesPulledWithinDays: 30,
      keepServiceDeploymentImages: true,
      keepScheduledTaskImages: true,
      keepTaskDefinitionRevisions: 1,
      keepLambdaImages: true,
      keepLambdaVersions: 1,
      inUseImagesUri: 's3://platform-lists/ecr/in-use.txt',
    });
    const usedBy = Object.fromEntries(
      artifactsOf(outcome, outcome.report.repositories[0]?.name ?? '').filter((artifact) => artifact.usedBy).map((artifact) => [artifact.tags[0], artifact.usedBy]),
    );

    expect(usedBy).toMatchObject({
      'web-pinned': ['service revision prod/web (web)'],
      'pay-rollback': ['service revision prod/pay (pay)'],
      'rule-pinned': ['scheduled rule default/nightly (nightly:3)'],
      'report-latest': expect.arrayContaining(['scheduled rule default/report (report:2)', 'task definition report:2 (job)']),
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
    ['a local in-use list that is missing', undefined, { IN_USE_IMAGES_URI: '/nonexistent/in-use.txt' }],
    ['an in-use list with a line it cannot read', undefined, { IN_USE_IMAGES_URI: 's3://platform-lists/ecr/bad-line.txt' }],
  ])('deletes nothing anywhere when it meets %s', async (_title, fault, env) => {
    const { outcome, emulator } = await run(everySourceAccount(fault ? [fault] : []), { DELETE_ENABLED: 'true', ...env });

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
    const { outcome, emulator } = await run(everySourceAccount(), env);

    expect(outcome.report.errors).toEqual([]);
    const plan = verdicts(outcome);
    for (const role of freed) expect(`${role}: ${plan[role]}`).toBe(`${role}: delete`);
    for (const operation of operations) expect(emulator.callsOf(operation)).toEqual([]);
  });
});
