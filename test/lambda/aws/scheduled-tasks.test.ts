import { discoverScheduledTaskImages } from '../../../lambda/aws/scheduled-tasks';
import { TaskDefinitionReader } from '../../../lambda/aws/task-definitions';
import type { InUseDiscovery } from '../../../lambda/core/types';
import { registryHost, type FaultRule, type Fixture, type FixtureRule, type FixtureSchedule } from '../../emulator/fixture';
import type { Emulator } from '../../emulator/server';
import { destroy, restoreEnv, startWith } from '../../support/aws';

afterAll(restoreEnv);

const HOST = registryHost({});
const TD = 'arn:aws:ecs:eu-west-2:123456789012:task-definition';
const UNIVERSAL = 'arn:aws:scheduler:::aws-sdk:ecs:runTask';

const TASK_DEFINITIONS: Fixture['taskDefinitions'] = [
  { name: 'report:1', containers: [{ name: 'report', image: `${HOST}/report:old` }] },
  { name: 'report:2', containers: [{ name: 'report', image: `${HOST}/report:v2` }, { name: 'sidecar', image: 'public.ecr.aws/xray/aws-xray-daemon:3' }] },
  { name: 'report:3', containers: [{ name: 'report', image: `${HOST}/report:v3` }] },
  { name: 'backup:7', containers: [{ name: 'backup', image: `${HOST}/backup:7` }] },
  { name: 'nightly:4', containers: [{ name: 'nightly', image: `${HOST}/nightly:4` }] },
];

function fixture(parts: Partial<Fixture>): Fixture {
  return { repositories: [], taskDefinitions: TASK_DEFINITIONS, ...parts };
}

function ecsRule(name: string, taskDefinition: string, cluster = 'batch', state: 'ENABLED' | 'DISABLED' = 'ENABLED'): FixtureRule {
  return { name, state, targets: [{ id: 'run', arn: cluster, taskDefinition }] };
}

async function discover(input: Fixture, maxAttempts = 8): Promise<{ result: InUseDiscovery; emulator: Emulator }> {
  const { emulator, aws, calls } = await startWith(input, { maxAttempts });
  try {
    const result = await discoverScheduledTaskImages({ events: aws.events, scheduler: aws.scheduler }, calls, { taskDefinitions: new TaskDefinitionReader(aws.ecs, calls) });
    return { result, emulator };
  } finally {
    destroy(aws);
    await emulator.stop();
  }
}

const refs = (result: InUseDiscovery): string[] => result.uses.map((use) => use.reference).sort();

describe('discoverScheduledTaskImages: EventBridge rules', () => {
  it('finds the images of ECS targets on the default bus and on a custom bus, disabled rules included', async () => {
    const { result, emulator } = await discover(
      fixture({
        eventBuses: [
          { name: 'default', rules: [ecsRule('nightly-report', 'report:2', 'batch', 'DISABLED')] },
          { name: 'ops', rules: [ecsRule('backup', `${TD}/backup:7`, 'ops')] },
        ],
      }),
    );

    expect(result.problems).toEqual([]);
    expect(result.uses).toContainEqual({
      source: 'scheduled-task',
      reference: `${HOST}/report:v2`,
      taskDefinition: `${TD}/report:2`,
      container: 'report',
      schedule: 'rule default/nightly-report',
      cluster: 'batch',
    });
    expect(result.uses).toContainEqual(expect.objectContaining({ reference: 'public.ecr.aws/xray/aws-xray-daemon:3', container: 'sidecar' }));
    expect(result.uses).toContainEqual(expect.objectContaining({ reference: `${HOST}/backup:7`, schedule: 'rule ops/backup', cluster: 'ops' }));
    expect(emulator.callsOf('Events.ListRules').map((call) => call.params.EventBusName).sort()).toEqual(['default', 'ops']);
    expect(emulator.callsOf('Events.ListTargetsByRule').map((call) => [call.params.EventBusName, call.params.Rule]).sort()).toEqual([
      ['default', 'nightly-report'],
      ['ops', 'backup'],
    ]);
  });

  it('reads the latest ACTIVE revision for a target that names a family without a revision', async () => {
    const { result, emulator } = await discover(
      fixture({
        taskDefinitions: [...(TASK_DEFINITIONS ?? []), { name: 'report:4', status: 'INACTIVE', containers: [{ name: 'report', image: `${HOST}/report:v4` }] }],
        eventBuses: [{ name: 'default', rules: [ecsRule('report', `${TD}/report`)] }],
      }),
    );

    expect(result.problems).toEqual([]);
    expect(result.uses).toEqual([expect.objectContaining({ reference: `${HOST}/report:v3`, taskDefinition: `${TD}/report:3` })]);
    expect(emulator.callsOf('ECS.DescribeTaskDefinition').map((call) => call.params.taskDefinition)).toEqual([`${TD}/report`]);
  });

  it('ignores targets that are not ECS tasks, and makes no ECS call for them', async () => {
    const { result, emulator } = await discover(
      fixture({
        eventBuses: [
          {
            name: 'default',
            rules: [
              { name: 'to-lambda', targets: [{ id: 'fn', arn: 'arn:aws:lambda:eu-west-2:123456789012:function:resize' }] },
              { name: 'to-queue', targets: [{ id: 'q', arn: 'arn:aws:sqs:eu-west-2:123456789012:jobs' }] },
              { name: 'no-targets' },
            ],
          },
        ],
      }),
    );

    expect(result).toEqual({ uses: [], problems: [] });
    expect(emulator.callsOf('Events.ListTargetsByRule')).toHaveLength(3);
    expect(emulator.callsOf('ECS.DescribeTaskDefinition')).toHaveLength(0);
  });

  it('pages through 101 buses, 201 rules and 120 targets of one rule, 100 at a time, and reads each task definition once', async () => {
    const buses = Array.from({ length: 100 }, (_, n) => ({ name: `bus-${n}` }));
    const rules = Array.from({ length: 200 }, (_, n) => ecsRule(`rule-${n}`, 'report:2'));
    const manyTargets: FixtureRule = {
      name: 'fan-out',
      targets: Array.from({ length: 120 }, (_, n) => ({ id: `t${n}`, arn: `cluster-${n}`, taskDefinition: n === 119 ? 'backup:7' : 'report:3' })),
    };

    const { result, emulator } = await discover(fixture({ eventBuses: [{ name: 'default', rules: [...rules, manyTargets] }, ...buses] }));

    expect(result.problems).toEqual([]);
    expect(result.uses.filter((use) => use.schedule === 'rule default/fan-out' && use.reference === `${HOST}/backup:7`)).toEqual([
      expect.objectContaining({ cluster: 'cluster-119' }),
    ]);
    expect(emulator.callsOf('Events.ListEventBuses').map((call) => call.params.Limit)).toEqual([100, 100]);
    expect(emulator.callsOf('Events.ListRules').filter((call) => call.params.EventBusName === 'default')).toHaveLength(3);
    expect(emulator.callsOf('Events.ListRules')).toHaveLength(3 + 100);
    expect(emulator.callsOf('Events.ListTargetsByRule').filter((call) => call.params.Rule === 'fan-out')).toHaveLength(2);
    expect(emulator.callsOf('Events.ListTargetsByRule')).toHaveLength(201 + 1);
    expect(emulator.callsOf('ECS.DescribeTaskDefinition').map((call) => call.params.taskDefinition).sort()).toEqual([`${TD}/backup:7`, `${TD}/report:2`, `${TD}/report:3`]);
  });
});

describe('discoverScheduledTaskImages: Scheduler schedules', () => {
  const schedules = (group: string): FixtureSchedule[] => [
    { name: `${group}-templated`, state: 'DISABLED', target: { arn: 'batch', taskDefinition: 'report:2' } },
    { name: `${group}-universal`, target: { arn: UNIVERSAL, input: JSON.stringify({ Cluster: `arn:aws:ecs:eu-west-2:123456789012:cluster/${group}`, TaskDefinition: 'backup:7' }) } },
    { name: `${group}-lambda`, target: { arn: 'arn:aws:lambda:eu-west-2:123456789012:function:resize' } },
    { name: `${group}-sqs`, target: { arn: 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage', input: '{"QueueUrl":"q","MessageBody":"x"}' } },
  ];

  it('finds templated and universal ECS targets in two groups, and calls GetSchedule only for them', async () => {
    const { result, emulator } = await discover(fixture({ scheduleGroups: [{ name: 'default', schedules: schedules('default') }, { name: 'ops', schedules: schedules('ops') }] }));

    expect(result.problems).toEqual([]);
    expect(result.uses).toContainEqual({
      source: 'scheduled-task',
      reference: `${HOST}/report:v2`,
      taskDefinition: `${TD}/report:2`,
      container: 'report',
      schedule: 'schedule ops/ops-templated',
      cluster: 'batch',
    });
    expect(result.uses).toContainEqual(expect.objectContaining({ reference: `${HOST}/backup:7`, schedule: 'schedule default/default-universal', cluster: 'default' }));
    expect(result.uses).toContainEqual(expect.objectContaining({ reference: `${HOST}/backup:7`, schedule: 'schedule ops/ops-universal', cluster: 'ops' }));
    expect(result.uses).toHaveLength(2 * 3);
    expect(emulator.callsOf('Scheduler.ListSchedules').map((call) => call.params)).toEqual([{ MaxResults: 100 }]);
    expect(emulator.callsOf('Scheduler.GetSchedule').map((call) => `${String(call.params.groupName)}/${String(call.params.Name)}`).sort()).toEqual([
      'default/default-templated',
      'default/default-universal',
      'ops/ops-templated',
      'ops/ops-universal',
    ]);
  });

  it('reads a universal target whose Input spells its members in camel case', async () => {
    const { result } = await discover(
      fixture({ scheduleGroups: [{ name: 'default', schedules: [{ name: 'camel', target: { arn: UNIVERSAL, input: '{"cluster":"batch","taskDefinition":"nightly:4"}' } }] }] }),
    );

    expect(result).toEqual({ uses: [expect.objectContaining({ reference: `${HOST}/nightly:4`, cluster: 'batch', schedule: 'schedule default/camel' })], problems: [] });
  });

  it('reads the universal targets that start or deploy a task definition: StartTask, CreateService and UpdateService', async () => {
    const universal = (action: string, input: object): FixtureSchedule => ({ name: action, target: { arn: `arn:aws:scheduler:::aws-sdk:ecs:${action}`, input: JSON.stringify(input) } });

    const { result, emulator } = await discover(
      fixture({
        scheduleGroups: [
          {
            name: 'default',
            schedules: [
              universal('startTask', { Cluster: 'batch', TaskDefinition: 'report:1', ContainerInstances: ['x'] }),
              universal('createService', { Cluster: 'batch', ServiceName: 'api', TaskDefinition: 'report:2' }),
              universal('updateService', { Cluster: 'batch', Service: 'api', TaskDefinition: 'backup:7' }),
              // Scales a service: it names no task definition, so it starts no new image.
              universal('updateService', { Cluster: 'batch', Service: 'api', DesiredCount: 0 }),
              universal('listTasks', { Cluster: 'batch' }),
            ].map((schedule, n) => ({ ...schedule, name: `${schedule.name}-${n}` })),
          },
        ],
      }),
    );

    expect(result.problems).toEqual([]);
    expect(refs(result)).toEqual([`${HOST}/backup:7`, `${HOST}/report:old`, `${HOST}/report:v2`, 'public.ecr.aws/xray/aws-xray-daemon:3']);
    expect(emulator.callsOf('Scheduler.GetSchedule').map((call) => call.params.Name)).toEqual(['startTask-0', 'createService-1', 'updateService-2', 'updateService-3']);
  });

  it('pages through 230 schedules 100 at a time', async () => {
    const many = Array.from({ length: 230 }, (_, n): FixtureSchedule => ({ name: `s${n}`, target: { arn: 'arn:aws:lambda:eu-west-2:123456789012:function:f' } }));

    const { result, emulator } = await discover(fixture({ scheduleGroups: [{ name: 'default', schedules: [...many, { name: 'last', target: { arn: 'batch', taskDefinition: 'nightly:4' } }] }] }));

    expect(result.problems).toEqual([]);
    expect(refs(result)).toEqual([`${HOST}/nightly:4`]);
    expect(emulator.callsOf('Scheduler.ListSchedules')).toHaveLength(3);
    expect(emulator.callsOf('Scheduler.GetSchedule')).toHaveLength(1);
  });
});

describe('discoverScheduledTaskImages: failing closed', () => {
  const everything = fixture({
    eventBuses: [{ name: 'default', rules: [ecsRule('nightly', 'report:2')] }],
    scheduleGroups: [{ name: 'default', schedules: [{ name: 'hourly', target: { arn: 'batch', taskDefinition: 'nightly:4' } }] }],
  });

  it.each([
    ['Events.ListEventBuses', ['Events.ListEventBuses failed for the account: AccessDeniedException']],
    ['Events.ListRules', ['Events.ListRules failed for event bus default: AccessDeniedException']],
    ['Events.ListTargetsByRule', ['Events.ListTargetsByRule failed for rule default/nightly: AccessDeniedException']],
    ['Scheduler.ListSchedules', ['Scheduler.ListSchedules failed for the account: AccessDeniedException']],
    ['Scheduler.GetSchedule', ['Scheduler.GetSchedule failed for schedule default/hourly: AccessDeniedException']],
    [
      'ECS.DescribeTaskDefinition',
      [
        `rule default/nightly: ECS.DescribeTaskDefinition failed for task definition ${TD}/report:2: AccessDeniedException`,
        `schedule default/hourly: ECS.DescribeTaskDefinition failed for task definition ${TD}/nightly:4: AccessDeniedException`,
      ],
    ],
  ])('reports AccessDenied on %s as a problem that names the operation and the rule or schedule', async (operation, problems) => {
    const { result } = await discover({ ...everything, faults: { errors: [{ operation }] } });

    expect([...result.problems].sort()).toEqual(problems.map((problem) => expect.stringContaining(problem)));
  });

  it.each<[string, FaultRule, Partial<Fixture>]>([
    ['ListEventBuses', { operation: 'Events.ListEventBuses', after: 1 }, { eventBuses: Array.from({ length: 120 }, (_, n) => ({ name: `bus-${n}` })) }],
    ['ListRules', { operation: 'Events.ListRules', after: 1 }, { eventBuses: [{ name: 'default', rules: Array.from({ length: 120 }, (_, n) => ecsRule(`r${n}`, 'report:2')) }] }],
    ['ListTargetsByRule', { operation: 'Events.ListTargetsByRule', after: 1 }, { eventBuses: [{ name: 'default', rules: [{ name: 'r', targets: Array.from({ length: 120 }, (_, n) => ({ id: `t${n}`, arn: 'batch', taskDefinition: 'report:2' })) }] }] }],
    ['ListSchedules', { operation: 'Scheduler.ListSchedules', after: 1 }, { scheduleGroups: [{ name: 'default', schedules: Array.from({ length: 120 }, (_, n) => ({ name: `s${n}`, target: { arn: 'arn:aws:sqs:eu-west-2:123456789012:q' } })) }] }],
  ])('reports an error on the second page of %s as a problem', async (operation, rule, parts) => {
    const { result } = await discover(fixture({ ...parts, faults: { errors: [{ ...rule, code: 'InternalException', status: 500 }] } }), 1);

    expect(result.problems).toEqual([expect.stringContaining(`${operation} failed`)]);
  });

  it.each([
    ['is not JSON', '{"TaskDefinition": "backup:7"'],
    ['names no TaskDefinition', '{"Cluster": "batch"}'],
    ['is not a JSON object', '["backup:7"]'],
  ])('reports a universal target whose Input %s as a problem', async (why, input) => {
    const { result } = await discover(fixture({ scheduleGroups: [{ name: 'nightly', schedules: [{ name: 'bad', target: { arn: UNIVERSAL, input } }] }] }));

    expect(result.uses).toEqual([]);
    expect(result.problems).toEqual([`schedule nightly/bad: Scheduler.GetSchedule answered a universal ecs:runTask target whose Input ${why}`]);
  });

  it('reports a task definition that ECS cannot describe as a problem naming the schedule', async () => {
    const { result } = await discover(fixture({ scheduleGroups: [{ name: 'default', schedules: [{ name: 'gone', target: { arn: 'batch', taskDefinition: 'deleted:1' } }] }] }));

    expect(result.problems).toEqual([expect.stringMatching(/^schedule default\/gone: ECS\.DescribeTaskDefinition failed for task definition .*deleted:1: ClientException/)]);
  });

  it('retries throttling, which then is no problem', async () => {
    const { result, emulator } = await discover({ ...everything, faults: { throttle: { rate: 0.4, seed: 7 } } });

    expect(result.problems).toEqual([]);
    expect(refs(result)).toEqual([`${HOST}/nightly:4`, `${HOST}/report:v2`, 'public.ecr.aws/xray/aws-xray-daemon:3']);
    expect(emulator.calls.filter((call) => call.outcome === 'ThrottlingException').length).toBeGreaterThan(0);
  });
});
