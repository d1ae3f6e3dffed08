import { discoverImageUses, type DiscoveryOptions } from '../../../lambda/aws/ecs';
import { TaskDefinitionReader } from '../../../lambda/aws/task-definitions';
import { clusterName } from '../../../lambda/core/names';
import type { InUseDiscovery } from '../../../lambda/core/types';
import { registryHost, type Fixture, type FixtureCluster, type FixtureTask } from '../../emulator/fixture';
import { destroy, restoreEnv, startWith } from '../../support/aws';
import type { Emulator } from '../../emulator/server';

afterAll(restoreEnv);

const HOST = registryHost({});
const DIGEST = `sha256:${'d'.repeat(64)}`;

function tasks(cluster: string, count: number, status: 'RUNNING' | 'STOPPED' = 'RUNNING'): FixtureTask[] {
  return Array.from({ length: count }, (_, n) => ({
    id: `${cluster}-${status.toLowerCase()}-${n}`,
    desiredStatus: status,
    containers: [{ name: 'app', image: `${HOST}/${cluster}:v${n}`, ...(n % 2 === 0 && { imageDigest: DIGEST }) }],
  }));
}

async function discover(fixture: Fixture, options: Omit<DiscoveryOptions, 'taskDefinitions'> = { includeServices: true }, maxAttempts = 8): Promise<{ result: InUseDiscovery; emulator: Emulator }> {
  const { emulator, aws, calls } = await startWith(fixture, { maxAttempts });
  try {
    return { result: await discoverImageUses(aws.ecs, calls, { ...options, taskDefinitions: new TaskDefinitionReader(aws.ecs, calls) }), emulator };
  } finally {
    destroy(aws);
    await emulator.stop();
  }
}

describe('discoverImageUses: tasks', () => {
  it('finds every container of 250 running tasks over three clusters, with pages and describes of 100', async () => {
    const clusters: FixtureCluster[] = [
      { name: 'a', tasks: tasks('a', 120) },
      { name: 'b', tasks: tasks('b', 100) },
      { name: 'c', tasks: tasks('c', 30) },
    ];

    const { result, emulator } = await discover({ repositories: [], clusters }, { includeServices: false });

    expect(result.problems).toEqual([]);
    expect(result.uses).toHaveLength(250);
    expect(result.uses.filter((use) => use.digest === DIGEST)).toHaveLength(60 + 50 + 15);
    expect(result.uses.find((use) => use.task?.endsWith('/a-running-1'))).toEqual({
      source: 'running',
      reference: `${HOST}/a:v1`,
      cluster: 'a',
      container: 'app',
      task: 'arn:aws:ecs:eu-west-2:123456789012:task/a/a-running-1',
      taskDefinition: 'arn:aws:ecs:eu-west-2:123456789012:task-definition/a-running-1:1',
    });
    const listTasks = emulator.callsOf('ECS.ListTasks');
    expect(listTasks.every((call) => call.params.maxResults === 100)).toBe(true);
    expect(listTasks.filter((call) => call.params.desiredStatus === 'RUNNING')).toHaveLength(2 + 1 + 1);
    expect(emulator.callsOf('ECS.DescribeTasks').map((call) => (call.params.tasks as string[]).length).sort((x, y) => x - y)).toEqual([20, 30, 100, 100]);
    expect(emulator.callsOf('ECS.ListServices')).toHaveLength(0);
  });

  it('pages through 150 clusters 100 at a time', async () => {
    const clusters = Array.from({ length: 150 }, (_, n) => ({ name: `c${n}` }));

    const { result, emulator } = await discover({ repositories: [], clusters }, { includeServices: false });

    expect(result.problems).toEqual([]);
    expect(emulator.callsOf('ECS.ListClusters').map((call) => call.params.maxResults)).toEqual([100, 100]);
    expect(emulator.callsOf('ECS.ListTasks')).toHaveLength(300);
  });

  it('finds recently stopped tasks too, as stopped-recently', async () => {
    const { result } = await discover({ repositories: [], clusters: [{ name: 'a', tasks: [...tasks('a', 1), ...tasks('a', 2, 'STOPPED')] }] }, { includeServices: false });

    expect(result.uses.map((use) => use.source).sort()).toEqual(['running', 'stopped-recently', 'stopped-recently']);
  });

  it('searches only the clusters it is given', async () => {
    const { result, emulator } = await discover(
      { repositories: [], clusters: [{ name: 'a', tasks: tasks('a', 1) }, { name: 'b', tasks: tasks('b', 1) }] },
      { includeServices: false, clusters: ['arn:aws:ecs:eu-west-2:123456789012:cluster/b'] },
    );

    expect(result.uses.map((use) => use.cluster)).toEqual(['b']);
    expect(emulator.callsOf('ECS.ListClusters')).toHaveLength(0);
  });

  it('still finds everything when 20% of calls are throttled', async () => {
    const fixture: Fixture = { repositories: [], clusters: [{ name: 'a', tasks: tasks('a', 120) }, { name: 'b', tasks: tasks('b', 80) }], faults: { throttle: { rate: 0.2, seed: 3 } } };

    const { result, emulator } = await discover(fixture, { includeServices: false });

    expect(result.problems).toEqual([]);
    expect(result.uses).toHaveLength(200);
    expect(emulator.calls.some((call) => call.outcome === 'ThrottlingException')).toBe(true);
  });
});

describe('discoverImageUses: failing closed', () => {
  it('records a problem for a cluster it may not read, and still reads the others', async () => {
    const fixture: Fixture = {
      repositories: [],
      clusters: [{ name: 'open', tasks: tasks('open', 2) }, { name: 'secret', tasks: tasks('secret', 2) }],
      faults: { errors: [{ operation: 'ECS.ListTasks', cluster: 'secret' }] },
    };

    const { result } = await discover(fixture, { includeServices: false });

    expect(result.uses.map((use) => use.cluster)).toEqual(['open', 'open']);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^ECS.ListTasks failed for cluster secret: AccessDeniedException: User: .* is not authorized to perform: ecs:ListTasks/);
  });

  it('records a problem for every task in DescribeTasks failures[]', async () => {
    const { result } = await discover({ repositories: [], clusters: [{ name: 'a', tasks: [...tasks('a', 1), { id: 'vanished', containers: [], missing: true }] }] }, { includeServices: false });

    expect(result.problems).toEqual(['DescribeTasks could not read arn:aws:ecs:eu-west-2:123456789012:task/a/vanished in cluster a: MISSING']);
  });

  it('records a problem when the clusters cannot be listed, and reads no tasks', async () => {
    const { result, emulator } = await discover({ repositories: [], clusters: [{ name: 'a', tasks: tasks('a', 1) }], faults: { errors: [{ operation: 'ECS.ListClusters', code: 'ServerException', status: 500, message: 'Service unavailable' }] } }, { includeServices: false }, 2);

    expect(result.problems).toEqual(['ECS.ListClusters failed for the account: ServerException: Service unavailable']);
    expect(emulator.callsOf('ECS.ListClusters')).toHaveLength(2);
    expect(emulator.callsOf('ECS.ListTasks')).toHaveLength(0);
  });

  it('records a problem for a container whose image ECS does not report', async () => {
    const { result } = await discover({ repositories: [], clusters: [{ name: 'a', tasks: [{ id: 't', containers: [{ name: 'sidecar', image: '' }] }] }] }, { includeServices: false });

    expect(result.problems).toEqual(['DescribeTasks reported no image for container sidecar of task arn:aws:ecs:eu-west-2:123456789012:task/a/t in cluster a']);
  });
});

describe('discoverImageUses: services', () => {
  const definitions = Array.from({ length: 4 }, (_, n) => ({ name: `app:${n + 1}`, containers: [{ name: 'app', image: `${HOST}/app:r${n + 1}` }] }));

  it("keeps the images of each service's PRIMARY and ACTIVE deployments and task sets, reading each task definition once", async () => {
    const services = Array.from({ length: 25 }, (_, n) => ({
      name: `svc${n}`,
      deployments: [{ status: 'PRIMARY' as const, taskDefinition: 'app:2' }, { status: 'ACTIVE' as const, taskDefinition: 'app:1' }, { status: 'INACTIVE' as const, taskDefinition: 'app:4' }],
    }));
    const fixture: Fixture = {
      repositories: [],
      taskDefinitions: definitions,
      clusters: [
        { name: 'prod', services },
        { name: 'blue-green', services: [{ name: 'bg', taskSets: [{ status: 'PRIMARY', taskDefinition: 'app:3' }, { status: 'ACTIVE', taskDefinition: 'app:2' }, { status: 'DRAINING', taskDefinition: 'app:4' }] }] },
      ],
    };

    const { result, emulator } = await discover(fixture);

    expect(result.problems).toEqual([]);
    expect([...new Set(result.uses.map((use) => use.reference))].sort()).toEqual([`${HOST}/app:r1`, `${HOST}/app:r2`, `${HOST}/app:r3`]);
    expect(result.uses.every((use) => use.source === 'service-deployment')).toBe(true);
    expect(result.uses.find((use) => use.service === 'bg')).toMatchObject({ cluster: 'blue-green', container: 'app' });
    expect(emulator.callsOf('ECS.ListServices').map((call) => call.params.maxResults)).toEqual([100, 100]);
    expect(emulator.callsOf('ECS.DescribeServices').map((call) => (call.params.services as string[]).length).sort((x, y) => x - y)).toEqual([1, 5, 10, 10]);
    expect(emulator.callsOf('ECS.DescribeTaskDefinition').map((call) => call.params.taskDefinition).sort()).toEqual(
      ['app:1', 'app:2', 'app:3'].map((name) => `arn:aws:ecs:eu-west-2:123456789012:task-definition/${name}`),
    );
  });

  it('reads no services when that protection is off', async () => {
    const { emulator } = await discover({ repositories: [], taskDefinitions: definitions, clusters: [{ name: 'prod', services: [{ name: 's', deployments: [{ status: 'PRIMARY', taskDefinition: 'app:1' }] }] }] }, { includeServices: false });

    expect(emulator.calls.filter((call) => /Service|TaskDefinition/.test(call.operation))).toEqual([]);
  });

  it('records a problem when a task definition cannot be read', async () => {
    const { result } = await discover({ repositories: [], clusters: [{ name: 'prod', services: [{ name: 's', deployments: [{ status: 'PRIMARY', taskDefinition: 'gone:1' }] }] }] });

    expect(result.problems).toEqual([
      'ECS.DescribeTaskDefinition failed for task definition arn:aws:ecs:eu-west-2:123456789012:task-definition/gone:1: ClientException: Unable to describe task definition.',
    ]);
  });
});

describe('clusterName', () => {
  it('takes the name from an ARN, and leaves a name alone', () => {
    expect(clusterName('arn:aws:ecs:eu-west-2:123456789012:cluster/prod')).toBe('prod');
    expect(clusterName('prod')).toBe('prod');
  });
});
