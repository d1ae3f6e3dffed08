import { discoverImageUses, type DiscoveryOptions } from '../../../lambda/aws/ecs';
import { TaskDefinitionReader } from '../../../lambda/aws/task-definitions';
import { resolveUses } from '../../../lambda/core/in-use';
import { ImageTable } from '../../../lambda/core/image-table';
import { clusterName } from '../../../lambda/core/names';
import type { InUseDiscovery } from '../../../lambda/core/types';
import { registryHost, type Fixture, type FixtureCluster, type FixtureService, type FixtureServiceDeployment, type FixtureServiceRevision, type FixtureTask } from '../../emulator/fixture';
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

describe('discoverImageUses: expired stopped tasks', () => {
  it.each([
    ['a stopped task that expired before DescribeTasks is no longer recent: no problem', 'STOPPED' as const, []],
    [
      'a running task that DescribeTasks cannot find is a problem',
      'RUNNING' as const,
      ['DescribeTasks could not read arn:aws:ecs:eu-west-2:123456789012:task/a/gone in cluster a: MISSING'],
    ],
  ])('%s', async (_title, desiredStatus, problems) => {
    const { result } = await discover({ repositories: [], clusters: [{ name: 'a', tasks: [...tasks('a', 2), { id: 'gone', desiredStatus, containers: [], missing: true }] }] }, { includeServices: false });

    expect(result.problems).toEqual(problems);
    expect(result.uses).toHaveLength(2);
  });
});

describe('discoverImageUses: service revisions', () => {
  const OLD = `sha256:${'0'.repeat(64)}`;
  const NEW = `sha256:${'1'.repeat(64)}`;
  const digest = (n: number): string => `sha256:${n.toString(16).padStart(64, '0')}`;
  const revision = (id: string, image: string, imageDigest?: string): FixtureServiceRevision => ({
    id,
    taskDefinition: `app:${id}`,
    containerImages: [{ containerName: 'app', image, ...(imageDigest && { imageDigest }) }],
  });
  const arn = (service: string, id: string, cluster = 'prod'): string => `arn:aws:ecs:eu-west-2:123456789012:service-revision/${cluster}/${service}/${id}`;
  /** A service in the middle of a deployment from revision 7 to 8, whose history has an older, finished one. */
  const deploying: FixtureService = {
    name: 'web',
    deployments: [
      { status: 'PRIMARY', taskDefinition: 'app:8', rolloutState: 'IN_PROGRESS' },
      { status: 'ACTIVE', taskDefinition: 'app:7', rolloutState: 'COMPLETED' },
    ],
    currentRevisions: ['8'],
    revisions: ['6', '7', '8'].map((id) => revision(id, `${HOST}/web:latest`, digest(Number(id)))),
    serviceDeployments: [
      { id: 'to-8', status: 'IN_PROGRESS', sourceRevisions: ['7'], targetRevision: '8' },
      { id: 'to-7', status: 'SUCCESSFUL', sourceRevisions: ['6'], targetRevision: '7' },
    ],
  };
  const definitions = ['6', '7', '8'].map((n) => ({ name: `app:${n}`, containers: [{ name: 'app', image: `${HOST}/web:latest` }] }));
  const fixtureWith = (services: FixtureService[], faults?: Fixture['faults']): Fixture => ({ repositories: [], taskDefinitions: definitions, clusters: [{ name: 'prod', services }], ...(faults && { faults }) });

  it('keeps the digest pinned in the current revision of a service scaled to zero, not the one its tag names now', async () => {
    const scaledToZero: FixtureService = { name: 'api', deployments: [{ status: 'PRIMARY', taskDefinition: 'app:6', rolloutState: 'COMPLETED' }], currentRevisions: ['6'], revisions: [revision('6', `${HOST}/api:stable`, OLD)] };

    const { result, emulator } = await discover(fixtureWith([scaledToZero]));

    expect(result.problems).toEqual([]);
    const pinned = result.uses.filter((use) => use.source === 'service-revision');
    expect(pinned).toEqual([
      {
        source: 'service-revision',
        reference: `${HOST}/api:stable`,
        digest: OLD,
        cluster: 'prod',
        service: 'api',
        container: 'app',
        serviceRevision: arn('api', '6'),
        taskDefinition: 'arn:aws:ecs:eu-west-2:123456789012:task-definition/app:6',
      },
    ]);
    const images = ImageTable.from('api', [OLD, NEW].map((imageDigest) => ({ repository: 'api', digest: imageDigest, tags: imageDigest === NEW ? ['stable'] : [], pushedAtMs: 0, sizeBytes: 1 })));
    const resolved = resolveUses(pinned, [{ name: 'api', uri: `${HOST}/api`, registryId: '123456789012' }], new Map([['api', images]]));
    expect(resolved).toMatchObject([{ matched: true, digest: OLD, by: 'digest' }]);
    expect(emulator.callsOf('ECS.ListServiceDeployments')).toHaveLength(0);
  });

  it('keeps the source revision of a deployment in progress (the rollback target) and its target, but not a finished deployment’s', async () => {
    const { result, emulator } = await discover(fixtureWith([deploying]));

    expect(result.problems).toEqual([]);
    const pinned = result.uses.filter((use) => use.source === 'service-revision');
    expect(pinned.map((use) => [use.serviceRevision, use.digest, use.service])).toEqual(
      expect.arrayContaining([
        [arn('web', '7'), digest(7), 'web'],
        [arn('web', '8'), digest(8), 'web'],
      ]),
    );
    expect(pinned).toHaveLength(2);
    expect(emulator.callsOf('ECS.ListServiceDeployments').map((call) => call.params)).toEqual([
      {
        cluster: 'arn:aws:ecs:eu-west-2:123456789012:cluster/prod',
        service: 'arn:aws:ecs:eu-west-2:123456789012:service/prod/web',
        status: ['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'],
        maxResults: 100,
      },
    ]);
    expect(emulator.callsOf('ECS.DescribeServiceDeployments').map((call) => call.params.serviceDeploymentArns)).toEqual([
      ['arn:aws:ecs:eu-west-2:123456789012:service-deployment/prod/web/to-8'],
    ]);
    expect(emulator.callsOf('ECS.DescribeServiceRevisions').map((call) => call.params.serviceRevisionArns)).toEqual([[arn('web', '8'), arn('web', '7')]]);
  });

  it('treats two deployments without a rollout state as a deployment in progress, and a settled service as none', async () => {
    const settled: FixtureService = { name: 'settled', deployments: [{ status: 'PRIMARY', taskDefinition: 'app:7', rolloutState: 'COMPLETED' }], serviceDeployments: deploying.serviceDeployments };
    const twoDeployments: FixtureService = { ...deploying, deployments: deploying.deployments?.map(({ status, taskDefinition }) => ({ status, taskDefinition })) };

    const { result, emulator } = await discover(fixtureWith([settled, twoDeployments]));

    expect(result.problems).toEqual([]);
    expect(emulator.callsOf('ECS.ListServiceDeployments').map((call) => call.params.service)).toEqual(['arn:aws:ecs:eu-west-2:123456789012:service/prod/web']);
  });

  it('pages through 105 deployments in progress, and describes deployments and revisions 20 at a time, each revision once', async () => {
    const many: FixtureService = {
      name: 'busy',
      deployments: [{ status: 'PRIMARY', taskDefinition: 'app:8', rolloutState: 'IN_PROGRESS' }],
      currentRevisions: ['t104'],
      revisions: [revision('s0', `${HOST}/busy:a`, digest(1000)), ...Array.from({ length: 105 }, (_, n) => revision(`t${n}`, `${HOST}/busy:a`, digest(n)))],
      serviceDeployments: Array.from({ length: 105 }, (_, n): FixtureServiceDeployment => ({ id: `d${n}`, status: 'PENDING', sourceRevisions: ['s0'], targetRevision: `t${n}` })),
    };
    const others = Array.from({ length: 14 }, (_, n): FixtureService => ({ name: `other${n}`, currentRevisions: ['1'], revisions: [revision('1', `${HOST}/other:v${n}`, digest(2000 + n))] }));

    const { result, emulator } = await discover(fixtureWith([many, ...others]));

    expect(result.problems).toEqual([]);
    expect(result.uses.filter((use) => use.source === 'service-revision')).toHaveLength(106 + 14);
    expect(emulator.callsOf('ECS.ListServiceDeployments').map((call) => call.params.nextToken === undefined)).toEqual([true, false]);
    const sizes = (operation: string, field: string): number[] => emulator.callsOf(operation).map((call) => (call.params[field] as string[]).length).sort((x, y) => x - y);
    expect(sizes('ECS.DescribeServiceDeployments', 'serviceDeploymentArns')).toEqual([5, 20, 20, 20, 20, 20]);
    // 120 distinct revisions: busy's 106 (one current, found again as a target) and 14 other services' current ones.
    expect(sizes('ECS.DescribeServiceRevisions', 'serviceRevisionArns')).toEqual([20, 20, 20, 20, 20, 20]);
    expect(emulator.callsOf('ECS.DescribeTaskDefinition')).toHaveLength(1);
  });

  it.each([
    ['ECS.ListServiceDeployments', 'service web in cluster prod'],
    ['ECS.DescribeServiceDeployments', 'cluster prod'],
    ['ECS.DescribeServiceRevisions', 'cluster prod'],
  ])('records a problem when %s is denied', async (operation, target) => {
    const { result } = await discover(fixtureWith([deploying], { errors: [{ operation, cluster: 'prod' }] }));

    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(new RegExp(`^${operation} failed for ${target}: AccessDeniedException: User: .* is not authorized to perform: ecs:${operation.split('.')[1]}`));
  });

  it.each(['ECS.ListServiceDeployments', 'ECS.DescribeServiceDeployments', 'ECS.DescribeServiceRevisions'])('finds everything when the SDK retries a throttled %s', async (operation) => {
    const { result, emulator } = await discover(fixtureWith([deploying], { errors: [{ operation, code: 'ThrottlingException', message: 'Rate exceeded', times: 2 }] }));

    expect(result.problems).toEqual([]);
    expect(result.uses.filter((use) => use.source === 'service-revision')).toHaveLength(2);
    expect(emulator.callsOf(operation).map((call) => call.outcome)).toEqual(['ThrottlingException', 'ThrottlingException', 'ok']);
  });

  it('records a problem when the second page of service deployments fails', async () => {
    const paged: FixtureService = {
      ...deploying,
      serviceDeployments: Array.from({ length: 101 }, (_, n): FixtureServiceDeployment => ({ id: `d${n}`, status: 'IN_PROGRESS', sourceRevisions: ['7'], targetRevision: '8' })),
    };

    const { result, emulator } = await discover(fixtureWith([paged], { errors: [{ operation: 'ECS.ListServiceDeployments', code: 'ServerException', status: 500, message: 'boom', after: 1 }] }), { includeServices: true }, 2);

    expect(result.problems).toEqual(['ECS.ListServiceDeployments failed for service web in cluster prod: ServerException: boom']);
    expect(emulator.callsOf('ECS.ListServiceDeployments')).toHaveLength(3);
  });

  it.each([
    [
      'a revision in DescribeServiceRevisions failures[]',
      { ...deploying, revisions: deploying.revisions?.map((entry) => (entry.id === '7' ? { ...entry, missing: true } : entry)) },
      `DescribeServiceRevisions could not read ${arn('web', '7')} in cluster prod: MISSING`,
    ],
    [
      'a deployment in DescribeServiceDeployments failures[]',
      { ...deploying, serviceDeployments: deploying.serviceDeployments?.map((entry) => ({ ...entry, missing: true })) },
      'DescribeServiceDeployments could not read arn:aws:ecs:eu-west-2:123456789012:service-deployment/prod/web/to-8 in cluster prod: MISSING',
    ],
    [
      'a container image entry with neither image nor digest',
      { ...deploying, revisions: deploying.revisions?.map((entry) => (entry.id === '8' ? { ...entry, containerImages: [{ containerName: 'app' }] } : entry)) },
      `DescribeServiceRevisions reported no image for container app of service revision ${arn('web', '8')} in cluster prod`,
    ],
    [
      'a container image entry with a digest but no image, which names no repository',
      { ...deploying, revisions: deploying.revisions?.map((entry) => (entry.id === '8' ? { ...entry, containerImages: [{ containerName: 'app', imageDigest: OLD }] } : entry)) },
      `DescribeServiceRevisions reported no image for container app of service revision ${arn('web', '8')} in cluster prod`,
    ],
  ])('records a problem for %s', async (_title, service, problem) => {
    const { result } = await discover(fixtureWith([service]));

    expect(result.problems).toEqual([problem]);
  });
});

describe('clusterName', () => {
  it('takes the name from an ARN, and leaves a name alone', () => {
    expect(clusterName('arn:aws:ecs:eu-west-2:123456789012:cluster/prod')).toBe('prod');
    expect(clusterName('prod')).toBe('prod');
  });
});
