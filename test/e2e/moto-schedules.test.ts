/**
 * A cross-check against moto, an AWS emulator that nobody here wrote: scheduled ECS tasks (an
 * EventBridge rule on the default bus, a rule on a custom bus, a templated and a universal Scheduler
 * target), the caller's identity and an S3 object, created in moto_server through the SDK and read by the
 * cleaner's own adapters, with clients built as the cleaner builds them (`AWS_ENDPOINT_URL`).
 *
 * Where moto differs from our emulator: moto's STS answers a fixed user (`arn:aws:sts::123456789012:user/moto`)
 * and cannot refuse credentials; it has no fault injection, so failures are checked against our emulator
 * only.
 */
import { CreateEventBusCommand, type EventBridgeClient, PutRuleCommand, PutTargetsCommand, type Target } from '@aws-sdk/client-eventbridge';
import { CreateClusterCommand, type ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { CreateScheduleCommand, CreateScheduleGroupCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { ApiCalls } from '../../lambda/aws/api-calls';
import { readCallerIdentity } from '../../lambda/aws/identity';
import { readObjectText } from '../../lambda/aws/objects';
import { discoverScheduledTaskImages } from '../../lambda/aws/scheduled-tasks';
import { TaskDefinitionReader } from '../../lambda/aws/task-definitions';
import { MOTO_AVAILABLE, reportMotoMissing, useMotoClients } from '../support/moto';

jest.setTimeout(90_000);

const REGION = 'eu-west-2';
const ACCOUNT = '123456789012';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/scheduled-tasks`;
const TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition`;

if (!MOTO_AVAILABLE) {
  reportMotoMissing('scheduled tasks, identity and S3');
} else {
  describe('scheduled tasks, identity and S3 against moto_server', () => {
    const clients = useMotoClients(REGION, (aws) => seed(aws.ecs, aws.events, aws.scheduler, aws.s3));

    it('finds the images of every ECS target of rules and schedules, a bare family at its latest revision', async () => {
      const calls = new ApiCalls(8);

      const result = await discoverScheduledTaskImages(clients(), calls, { taskDefinitions: new TaskDefinitionReader(clients().ecs, calls) });

      expect(result.problems).toEqual([]);
      const found = result.uses.map((use) => `${use.schedule ?? '?'} ${use.cluster ?? '-'} ${use.taskDefinition ?? '?'} ${use.container ?? '?'} ${use.reference}`).sort();
      expect(found).toEqual([
        `rule default/nightly-report batch ${TD}/report:1 report ${HOST}/report:1`,
        `rule ops/on-push batch ${TD}/report:2 report ${HOST}/report:2`,
        `schedule default/universal batch ${TD}/backup:1 backup ${HOST}/backup:1`,
        `schedule ops/hourly batch ${TD}/report:2 report ${HOST}/report:2`,
      ]);
      expect(result.uses.every((use) => use.source === 'scheduled-task')).toBe(true);
      expect(calls.stats().byOperation).toEqual({
        'ECS.DescribeTaskDefinition': 3,
        'Events.ListEventBuses': 1,
        'Events.ListRules': 2,
        'Events.ListTargetsByRule': 3,
        'Scheduler.GetSchedule': 2,
        'Scheduler.ListSchedules': 1,
      });
    });

    it("reads moto's caller identity", async () => {
      await expect(readCallerIdentity(clients().sts, new ApiCalls(1))).resolves.toEqual({ account: ACCOUNT, arn: `arn:aws:sts::${ACCOUNT}:user/moto` });
    });

    it('reads an S3 object, and names NoSuchKey for a missing one', async () => {
      await expect(readObjectText(clients().s3, new ApiCalls(1), 's3://ops-config/ecr/in-use.txt')).resolves.toBe(`${HOST}/report:1\n`);
      await expect(readObjectText(clients().s3, new ApiCalls(1), 's3://ops-config/ecr/missing.txt')).rejects.toMatchObject({ name: 'AwsCallError', code: 'NoSuchKey' });
    });
  });
}

async function seed(ecs: ECSClient, events: EventBridgeClient, scheduler: SchedulerClient, s3: S3Client): Promise<void> {
  const cluster = (await ecs.send(new CreateClusterCommand({ clusterName: 'batch' }))).cluster?.clusterArn ?? '';
  for (const [family, tag] of [['report', '1'], ['report', '2'], ['backup', '1']]) {
    await ecs.send(new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ name: family, image: `${HOST}/${family}:${tag}`, memory: 128 }] }));
  }
  const ecsTarget = (taskDefinition: string): Target[] => [
    { Id: 'run', Arn: cluster, RoleArn: ROLE, EcsParameters: { TaskDefinitionArn: taskDefinition, TaskCount: 1 } },
  ];
  // A disabled scheduled rule on the default bus, pinned to a revision.
  await events.send(new PutRuleCommand({ Name: 'nightly-report', ScheduleExpression: 'cron(0 2 * * ? *)', State: 'DISABLED' }));
  await events.send(new PutTargetsCommand({ Rule: 'nightly-report', Targets: ecsTarget(`${TD}/report:1`) }));
  await events.send(new PutRuleCommand({ Name: 'to-lambda', ScheduleExpression: 'rate(1 hour)' }));
  await events.send(new PutTargetsCommand({ Rule: 'to-lambda', Targets: [{ Id: 'fn', Arn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:resize` }] }));
  // A rule on a custom bus (event patterns only there), naming the family alone.
  await events.send(new CreateEventBusCommand({ Name: 'ops' }));
  await events.send(new PutRuleCommand({ Name: 'on-push', EventBusName: 'ops', EventPattern: JSON.stringify({ source: ['aws.ecr'] }) }));
  await events.send(new PutTargetsCommand({ Rule: 'on-push', EventBusName: 'ops', Targets: ecsTarget(`${TD}/report`) }));

  await scheduler.send(new CreateScheduleGroupCommand({ Name: 'ops' }));
  const schedule = { ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' as const } };
  await scheduler.send(new CreateScheduleCommand({ ...schedule, Name: 'hourly', GroupName: 'ops', State: 'DISABLED', Target: { Arn: cluster, RoleArn: ROLE, EcsParameters: { TaskDefinitionArn: `${TD}/report` } } }));
  await scheduler.send(
    new CreateScheduleCommand({ ...schedule, Name: 'universal', Target: { Arn: 'arn:aws:scheduler:::aws-sdk:ecs:runTask', RoleArn: ROLE, Input: JSON.stringify({ Cluster: cluster, TaskDefinition: 'backup:1' }) } }),
  );
  await scheduler.send(new CreateScheduleCommand({ ...schedule, Name: 'to-queue', Target: { Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:jobs`, RoleArn: ROLE } }));

  await s3.send(new CreateBucketCommand({ Bucket: 'ops-config', CreateBucketConfiguration: { LocationConstraint: REGION } }));
  await s3.send(new PutObjectCommand({ Bucket: 'ops-config', Key: 'ecr/in-use.txt', Body: `${HOST}/report:1\n` }));
}
