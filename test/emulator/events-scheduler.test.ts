/**
 * The emulated EventBridge, Scheduler, STS and S3, checked over the real SDK clients: the models' page
 * limits, the errors (names, HTTP statuses) of unknown names, ARNs, and the wire details that the
 * cleaner relies on.
 */
import { request } from 'node:http';
import { ListEventBusesCommand, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, ListScheduleGroupsCommand, ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import type { AwsClients } from '../../lambda/aws/clients';
import { clientsFor, destroy, restoreEnv } from '../support/aws';
import type { Fixture } from './fixture';
import { Emulator } from './server';

afterAll(restoreEnv);

const FIXTURE: Fixture = {
  repositories: [],
  eventBuses: [{ name: 'ops', rules: [{ name: 'backup', state: 'DISABLED', targets: [{ id: 'run', arn: 'batch', taskDefinition: 'backup:7' }] }] }],
  scheduleGroups: [{ name: 'ops', schedules: [{ name: 'nightly', target: { arn: 'batch', taskDefinition: 'backup' } }] }, { name: 'default', schedules: [{ name: 'hourly', target: { arn: 'arn:aws:sqs:eu-west-2:123456789012:q' } }] }],
  objects: [{ bucket: 'ops-config', key: 'list.txt', body: 'hello' }],
};

let emulator: Emulator;
let aws: AwsClients;

beforeAll(async () => {
  emulator = await Emulator.start(FIXTURE);
  aws = clientsFor(emulator);
});

afterAll(async () => {
  destroy(aws);
  await emulator.stop();
});

const failure = (promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> =>
  promise.then(
    () => ({ name: 'no error', message: '' }),
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => ({ name: error.name, message: error.message, status: error.$metadata?.httpStatusCode }),
  );

describe('the emulated EventBridge', () => {
  it('lists the default bus even when the fixture names only others, with ARNs as EventBridge makes them', async () => {
    const { EventBuses } = await aws.events.send(new ListEventBusesCommand({}));

    expect(EventBuses).toEqual([
      { Name: 'default', Arn: 'arn:aws:events:eu-west-2:123456789012:event-bus/default' },
      { Name: 'ops', Arn: 'arn:aws:events:eu-west-2:123456789012:event-bus/ops' },
    ]);
  });

  it('names a custom bus in its rules’ ARNs, takes the bus by ARN, and reports a disabled rule as DISABLED', async () => {
    const { Rules } = await aws.events.send(new ListRulesCommand({ EventBusName: 'arn:aws:events:eu-west-2:123456789012:event-bus/ops' }));

    expect(Rules).toEqual([expect.objectContaining({ Name: 'backup', Arn: 'arn:aws:events:eu-west-2:123456789012:rule/ops/backup', State: 'DISABLED', EventBusName: 'ops' })]);
    // EventBridge runs schedule expressions only on the default bus; rules on other buses match events.
    expect(Rules?.[0]).toEqual(expect.objectContaining({ EventPattern: expect.any(String) }));
    expect(Rules?.[0].ScheduleExpression).toBeUndefined();
  });

  it('refuses a fixture with a schedule expression on a custom bus, as EventBridge refuses such a rule', async () => {
    await expect(Emulator.start({ repositories: [], eventBuses: [{ name: 'ops', rules: [{ name: 'tick', scheduleExpression: 'rate(1 hour)' }] }] })).rejects.toThrow(
      'ScheduleExpression is supported only on the default event bus.',
    );
  });

  it('answers an ECS target with the cluster ARN and EcsParameters.TaskDefinitionArn', async () => {
    const { Targets } = await aws.events.send(new ListTargetsByRuleCommand({ Rule: 'backup', EventBusName: 'ops' }));

    expect(Targets).toEqual([
      expect.objectContaining({
        Id: 'run',
        Arn: 'arn:aws:ecs:eu-west-2:123456789012:cluster/batch',
        EcsParameters: expect.objectContaining({ TaskDefinitionArn: 'arn:aws:ecs:eu-west-2:123456789012:task-definition/backup:7' }),
      }),
    ]);
  });

  it.each([
    ['a bus that does not exist', new ListRulesCommand({ EventBusName: 'nope' }), 'ResourceNotFoundException', 'Event bus nope does not exist.'],
    ['a rule that does not exist', new ListTargetsByRuleCommand({ Rule: 'nope', EventBusName: 'ops' }), 'ResourceNotFoundException', 'Rule nope does not exist on EventBus ops.'],
    ['a rule on the default bus that lives on another', new ListTargetsByRuleCommand({ Rule: 'backup' }), 'ResourceNotFoundException', 'Rule backup does not exist on EventBus default.'],
    ['a Limit over 100', new ListRulesCommand({ Limit: 101 }), 'ValidationException', "Value '101' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100"],
    ['a Limit of 0', new ListEventBusesCommand({ Limit: 0 }), 'ValidationException', 'greater than or equal to 1'],
    ['a NextToken of another listing', new ListRulesCommand({ NextToken: Buffer.from('{"key":"ListEventBuses:","offset":1}').toString('base64url') }), 'ValidationException', 'The NextToken provided is invalid.'],
  ])('refuses %s as EventBridge does', async (_, command, name, message) => {
    const error = await failure(aws.events.send(command as ListRulesCommand));

    expect(error).toEqual({ name, message: expect.stringContaining(message), status: 400 });
  });
});

describe('the emulated Scheduler', () => {
  it('lists every group’s schedules when no group is given, with only the target’s ARN and dates as dates', async () => {
    const { Schedules } = await aws.scheduler.send(new ListSchedulesCommand({}));

    expect(Schedules?.map((schedule) => [schedule.GroupName, schedule.Name, schedule.Target?.Arn])).toEqual([
      ['ops', 'nightly', 'arn:aws:ecs:eu-west-2:123456789012:cluster/batch'],
      ['default', 'hourly', 'arn:aws:sqs:eu-west-2:123456789012:q'],
    ]);
    expect(Schedules?.[0].CreationDate).toBeInstanceOf(Date);
    expect(Schedules?.[0].Target).toEqual({ Arn: 'arn:aws:ecs:eu-west-2:123456789012:cluster/batch' });
  });

  it('filters by group, sent as the ScheduleGroup query parameter', async () => {
    const { Schedules } = await aws.scheduler.send(new ListSchedulesCommand({ GroupName: 'default' }));

    expect(Schedules?.map((schedule) => schedule.Name)).toEqual(['hourly']);
    expect(emulator.calls.at(-1)?.params).toEqual({ ScheduleGroup: 'default' });
  });

  it('gets a schedule in its group, and in the default group when none is given', async () => {
    const nightly = await aws.scheduler.send(new GetScheduleCommand({ Name: 'nightly', GroupName: 'ops' }));
    const hourly = await aws.scheduler.send(new GetScheduleCommand({ Name: 'hourly' }));

    expect(nightly.Arn).toBe('arn:aws:scheduler:eu-west-2:123456789012:schedule/ops/nightly');
    expect(nightly.Target).toEqual(expect.objectContaining({ EcsParameters: expect.objectContaining({ TaskDefinitionArn: 'arn:aws:ecs:eu-west-2:123456789012:task-definition/backup' }) }));
    expect(hourly.GroupName).toBe('default');
  });

  it('lists the default group even when the fixture does not name it', async () => {
    const { ScheduleGroups } = await aws.scheduler.send(new ListScheduleGroupsCommand({}));

    expect(ScheduleGroups?.map((group) => group.Name).sort()).toEqual(['default', 'ops']);
  });

  it.each([
    ['a schedule that does not exist', new GetScheduleCommand({ Name: 'nope', GroupName: 'ops' }), 'ResourceNotFoundException', 404, 'Schedule nope does not exist.'],
    ['a schedule in the wrong group', new GetScheduleCommand({ Name: 'nightly' }), 'ResourceNotFoundException', 404, 'Schedule nightly does not exist.'],
    ['a group that does not exist', new ListSchedulesCommand({ GroupName: 'nope' }), 'ResourceNotFoundException', 404, 'Schedule group nope does not exist.'],
    ['MaxResults over 100', new ListSchedulesCommand({ MaxResults: 101 }), 'ValidationException', 400, "Value '101' at 'maxResults'"],
  ])('refuses %s as Scheduler does', async (_, command, name, status, message) => {
    const error = await failure(aws.scheduler.send(command as ListSchedulesCommand));

    expect(error).toEqual({ name, status, message: expect.stringContaining(message) });
  });

  it('answers an injected AccessDeniedException with HTTP 403 and the x-amzn-errortype header the SDK reads', async () => {
    emulator.setFaults({ errors: [{ operation: 'Scheduler.ListSchedules', times: 1 }] });
    try {
      const error = await failure(aws.scheduler.send(new ListSchedulesCommand({})));

      expect(error).toEqual({ name: 'AccessDeniedException', status: 403, message: expect.stringContaining('scheduler:ListSchedules') });
    } finally {
      emulator.setFaults({});
    }
  });
});

describe('the emulated STS and S3', () => {
  const raw = (path: string, headers: Record<string, string>, body = ''): Promise<{ status: number; text: string }> =>
    new Promise((resolve, reject) => {
      const url = new URL(emulator.url);
      const call = request({ host: url.hostname, port: url.port, path, method: body ? 'POST' : 'GET', headers }, (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      });
      call.on('error', reject);
      call.end(body);
    });

  it('answers an action STS does not have with InvalidAction, in the query protocol’s XML', async () => {
    const answer = await raw('/', { 'content-type': 'application/x-www-form-urlencoded' }, 'Action=GetSessionTokenX&Version=2011-06-15');

    expect(answer.status).toBe(400);
    expect(answer.text).toContain('<Error><Type>Sender</Type><Code>InvalidAction</Code>');
  });

  it('serves a virtual-hosted request, with the bucket in the host', async () => {
    const answer = await raw('/list.txt', { host: 'ops-config.localhost', authorization: 'AWS4-HMAC-SHA256 Credential=x/20261126/eu-west-2/s3/aws4_request' });

    expect(answer).toEqual({ status: 200, text: 'hello' });
  });

  it('answers a missing key with the S3 error document, code NoSuchKey and the key', async () => {
    const answer = await raw('/ops-config/nope.txt', { authorization: 'AWS4-HMAC-SHA256 Credential=x/20261126/eu-west-2/s3/aws4_request' });

    expect(answer.status).toBe(404);
    expect(answer.text).toContain('<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>nope.txt</Key>');
  });

  it('routes S3 by its signing scope, so a bucket named like another service’s path is still S3', async () => {
    const answer = await raw('/schedules/x', { authorization: 'AWS4-HMAC-SHA256 Credential=x/20261126/eu-west-2/s3/aws4_request' });

    expect(answer.status).toBe(404);
    expect(answer.text).toContain('<Code>NoSuchBucket</Code>');
  });
});
