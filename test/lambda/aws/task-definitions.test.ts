import { discoverImageUses } from '../../../lambda/aws/ecs';
import { discoverTaskDefinitionImages, parseTaskDefinitionArn, TaskDefinitionReader } from '../../../lambda/aws/task-definitions';
import type { InUseDiscovery } from '../../../lambda/core/types';
import { registryHost, type Fixture, type FixtureTaskDefinition } from '../../emulator/fixture';
import type { Emulator } from '../../emulator/server';
import { destroy, restoreEnv, startWith } from '../../support/aws';

afterAll(restoreEnv);

const HOST = registryHost({});
const ARN = 'arn:aws:ecs:eu-west-2:123456789012:task-definition';

function family(name: string, revisions: number, inactive: readonly number[] = []): FixtureTaskDefinition[] {
  return Array.from({ length: revisions }, (_, n) => ({
    name: `${name}:${n + 1}`,
    containers: [{ name: 'app', image: `${HOST}/${name}:r${n + 1}` }],
    ...(inactive.includes(n + 1) && { status: 'INACTIVE' as const }),
  }));
}

/** `api` (its newest revision deregistered), `api-worker`, whose name begins with `api`, and `batch`, with 150 revisions. */
const definitions = [...family('api', 5, [5]), ...family('api-worker', 3), ...family('batch', 150)];

async function discover(fixture: Fixture, keepRevisions: number, maxAttempts = 8): Promise<{ result: InUseDiscovery; emulator: Emulator }> {
  const { emulator, aws, calls } = await startWith(fixture, { maxAttempts });
  try {
    return { result: await discoverTaskDefinitionImages(aws.ecs, calls, { keepRevisions, taskDefinitions: new TaskDefinitionReader(aws.ecs, calls) }), emulator };
  } finally {
    destroy(aws);
    await emulator.stop();
  }
}

describe('discoverTaskDefinitionImages', () => {
  it('keeps the newest ACTIVE revisions of each family, from one listing paged 100 at a time', async () => {
    const { result, emulator } = await discover({ repositories: [], taskDefinitions: definitions }, 2);

    expect(result.problems).toEqual([]);
    expect(result.uses.map((use) => use.taskDefinition).sort()).toEqual(
      ['api-worker:2', 'api-worker:3', 'api:3', 'api:4', 'batch:149', 'batch:150'].map((name) => `${ARN}/${name}`),
    );
    expect(result.uses.find((use) => use.taskDefinition === `${ARN}/api:4`)).toEqual({
      source: 'task-definition',
      reference: `${HOST}/api:r4`,
      taskDefinition: `${ARN}/api:4`,
      container: 'app',
    });
    expect(emulator.callsOf('ECS.ListTaskDefinitions').map((call) => call.params)).toEqual([
      { status: 'ACTIVE', maxResults: 100 },
      { status: 'ACTIVE', maxResults: 100, nextToken: expect.any(String) },
    ]);
    expect(emulator.callsOf('ECS.DescribeTaskDefinition')).toHaveLength(6);
  });

  it('keeps every revision of a family that has fewer than asked, and one use per container', async () => {
    const sidecars: FixtureTaskDefinition = { name: 'web:1', containers: [{ name: 'web', image: `${HOST}/web:1` }, { name: 'proxy', image: 'public.ecr.aws/nginx/nginx:1' }] };

    const { result } = await discover({ repositories: [], taskDefinitions: [sidecars, ...family('api', 2)] }, 5);

    expect(result.problems).toEqual([]);
    expect(result.uses.map((use) => `${use.taskDefinition?.split('/')[1]} ${use.container}`).sort()).toEqual(['api:1 app', 'api:2 app', 'web:1 proxy', 'web:1 web']);
  });

  it('makes no call when keepRevisions is 0', async () => {
    const { result, emulator } = await discover({ repositories: [], taskDefinitions: definitions }, 0);

    expect(result).toEqual({ uses: [], problems: [] });
    expect(emulator.calls).toEqual([]);
  });

  it('describes a task definition once when a service also names it', async () => {
    const fixture: Fixture = {
      repositories: [],
      taskDefinitions: family('api', 4),
      clusters: [{ name: 'prod', services: [{ name: 'api', deployments: [{ status: 'PRIMARY', taskDefinition: 'api:4' }] }] }],
    };
    const { emulator, aws, calls } = await startWith(fixture);
    try {
      const reader = new TaskDefinitionReader(aws.ecs, calls);

      const [services, families] = await Promise.all([
        discoverImageUses(aws.ecs, calls, { includeServices: true, taskDefinitions: reader }),
        discoverTaskDefinitionImages(aws.ecs, calls, { keepRevisions: 2, taskDefinitions: reader }),
      ]);

      expect([...services.problems, ...families.problems]).toEqual([]);
      expect(families.uses.map((use) => use.taskDefinition)).toEqual(expect.arrayContaining([`${ARN}/api:4`, `${ARN}/api:3`]));
      expect(emulator.callsOf('ECS.DescribeTaskDefinition').map((call) => call.params.taskDefinition).sort()).toEqual([`${ARN}/api:3`, `${ARN}/api:4`]);
    } finally {
      destroy(aws);
      await emulator.stop();
    }
  });

  it.each([
    ['a family alone', 'api'],
    ['a family ARN without a revision', `${ARN}/api`],
    ['a short family:revision', 'api:4'],
  ])('describes a task definition once when another source names it by %s', async (_title, name) => {
    const { emulator, aws, calls } = await startWith({ repositories: [], taskDefinitions: family('api', 4) });
    try {
      const reader = new TaskDefinitionReader(aws.ecs, calls);

      const [families, named] = await Promise.all([discoverTaskDefinitionImages(aws.ecs, calls, { keepRevisions: 1, taskDefinitions: reader }), reader.read(name)]);

      expect(families.problems).toEqual([]);
      expect(named.arn).toBe(`${ARN}/api:4`);
      expect(emulator.callsOf('ECS.DescribeTaskDefinition')).toHaveLength(1);
    } finally {
      destroy(aws);
      await emulator.stop();
    }
  });

  it('still reads a family alone by itself when the families are not listed', async () => {
    const { emulator, aws, calls } = await startWith({ repositories: [], taskDefinitions: family('api', 4) });
    try {
      const reader = new TaskDefinitionReader(aws.ecs, calls);

      expect((await reader.read('api')).arn).toBe(`${ARN}/api:4`);
      expect((await reader.read(`${ARN}/api:4`)).arn).toBe(`${ARN}/api:4`);
      expect(emulator.callsOf('ECS.DescribeTaskDefinition').map((call) => call.params.taskDefinition)).toEqual(['api']);
    } finally {
      destroy(aws);
      await emulator.stop();
    }
  });
});

describe('discoverTaskDefinitionImages: failing closed', () => {
  it('records a problem when it may not list task definitions', async () => {
    const { result } = await discover({ repositories: [], taskDefinitions: definitions, faults: { errors: [{ operation: 'ECS.ListTaskDefinitions' }] } }, 2);

    expect(result.uses).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatch(/^ECS.ListTaskDefinitions failed for the account: AccessDeniedException: User: .* is not authorized to perform: ecs:ListTaskDefinitions/);
  });

  it('records a problem when the second page fails, and describes nothing', async () => {
    const fixture: Fixture = { repositories: [], taskDefinitions: definitions, faults: { errors: [{ operation: 'ECS.ListTaskDefinitions', code: 'ServerException', status: 500, message: 'boom', after: 1 }] } };

    const { result, emulator } = await discover(fixture, 2, 2);

    expect(result.problems).toEqual(['ECS.ListTaskDefinitions failed for the account: ServerException: boom']);
    expect(emulator.callsOf('ECS.ListTaskDefinitions')).toHaveLength(3);
    expect(emulator.callsOf('ECS.DescribeTaskDefinition')).toHaveLength(0);
  });

  it('finds everything when the SDK retries throttled listings and reads', async () => {
    const fixture: Fixture = {
      repositories: [],
      taskDefinitions: definitions,
      faults: {
        errors: [
          { operation: 'ECS.ListTaskDefinitions', code: 'ThrottlingException', message: 'Rate exceeded', times: 2 },
          { operation: 'ECS.DescribeTaskDefinition', code: 'ThrottlingException', message: 'Rate exceeded', times: 2 },
        ],
      },
    };

    const { result, emulator } = await discover(fixture, 2);

    expect(result.problems).toEqual([]);
    expect(result.uses).toHaveLength(6);
    expect(emulator.calls.filter((call) => call.outcome === 'ThrottlingException')).toHaveLength(4);
  });

  it('records a problem for a task definition it cannot read', async () => {
    const fixture: Fixture = {
      repositories: [],
      taskDefinitions: family('api', 2),
      faults: { errors: [{ operation: 'ECS.DescribeTaskDefinition', code: 'ClientException', message: 'Unable to describe task definition.' }] },
    };

    const { result } = await discover(fixture, 1);

    expect(result.problems).toEqual([`ECS.DescribeTaskDefinition failed for task definition ${ARN}/api:2: ClientException: Unable to describe task definition.`]);
  });

  it('records a problem for a container without an image, and keeps the other containers', async () => {
    const fixture: Fixture = { repositories: [], taskDefinitions: [{ name: 'job:1', containers: [{ name: 'main', image: `${HOST}/job:1` }, { name: 'sidecar', image: '' }] }] };

    const { result } = await discover(fixture, 1);

    expect(result.problems).toEqual([`task definition ${ARN}/job:1 has no image for container sidecar`]);
    expect(result.uses.map((use) => use.container)).toEqual(['main']);
  });
});

describe('parseTaskDefinitionArn', () => {
  it.each([
    [`${ARN}/api:12`, { family: 'api', revision: 12 }],
    [`${ARN}/api-worker_2:1`, { family: 'api-worker_2', revision: 1 }],
    ['arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/api:3', { family: 'api', revision: 3 }],
    [`${ARN}/api`, undefined],
    ['api:3', undefined],
  ])('parses %s', (arn, expected) => {
    expect(parseTaskDefinitionArn(arn)).toEqual(expected);
  });
});
