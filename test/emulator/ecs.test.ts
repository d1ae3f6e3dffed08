/**
 * The emulator's ECS service revisions, service deployments and task definitions follow the API model:
 * page sizes, limits, sort orders, `failures[]`, and the errors that ECS answers.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListServiceDeploymentsCommand,
  ListTaskDefinitionsCommand,
} from '@aws-sdk/client-ecs';
import type { AwsClients } from '../../lambda/aws/clients';
import { clientsFor, destroy, restoreEnv } from '../support/aws';
import type { FixtureServiceDeployment, FixtureTaskDefinition } from './fixture';
import { Emulator } from './server';

afterAll(restoreEnv);

const PREFIX = 'arn:aws:ecs:eu-west-2:123456789012';
const DIGEST = `sha256:${'a'.repeat(64)}`;
const revisionArn = (id: string): string => `${PREFIX}:service-revision/prod/web/${id}`;
const deploymentArn = (id: string): string => `${PREFIX}:service-deployment/prod/web/${id}`;
const definition = (name: string, status?: 'INACTIVE'): FixtureTaskDefinition => ({ name, containers: [{ name: 'app', image: `app:${name}` }], ...(status && { status }) });

let emulator: Emulator;
let aws: AwsClients;

beforeAll(async () => {
  emulator = await Emulator.start({
    now: '2026-11-25T12:00:00Z',
    repositories: [],
    taskDefinitions: [
      ...Array.from({ length: 12 }, (_, n) => definition(`api:${n + 1}`, n === 11 ? 'INACTIVE' : undefined)),
      definition('api-worker:1'),
      ...Array.from({ length: 120 }, (_, n) => definition(`batch:${n + 1}`)),
    ],
    clusters: [
      {
        name: 'prod',
        services: [
          {
            name: 'web',
            deployments: [
              { status: 'PRIMARY', taskDefinition: 'api:2', rolloutState: 'IN_PROGRESS' },
              { status: 'ACTIVE', taskDefinition: 'api:1', rolloutState: 'COMPLETED' },
            ],
            currentRevisions: ['1', '2'],
            revisions: [
              { id: '1', taskDefinition: 'api:1', containerImages: [{ containerName: 'app', image: 'app:api:1', imageDigest: DIGEST }] },
              { id: '2', taskDefinition: 'api:2', containerImages: [{ containerName: 'app', image: 'app:api:2' }], missing: true },
            ],
            serviceDeployments: [
              { id: 'now', status: 'IN_PROGRESS', sourceRevisions: ['1'], targetRevision: '2' },
              ...Array.from({ length: 30 }, (_, n): FixtureServiceDeployment => ({ id: `old${n}`, status: 'SUCCESSFUL', sourceRevisions: [], targetRevision: '1' })),
            ],
          },
        ],
      },
    ],
  });
  aws = clientsFor(emulator);
});
afterAll(async () => {
  destroy(aws);
  await emulator.stop();
});

describe('the emulator: ECS service revisions and deployments', () => {
  it('describes a service with its current revisions and the rollout state of each deployment', async () => {
    const { services } = await aws.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: ['web'] }));

    expect(services?.[0].currentServiceRevisions?.map((revision) => revision.arn)).toEqual([revisionArn('1'), revisionArn('2')]);
    expect(services?.[0].deployments?.map((deployment) => [deployment.status, deployment.rolloutState])).toEqual([
      ['PRIMARY', 'IN_PROGRESS'],
      ['ACTIVE', 'COMPLETED'],
    ]);
  });

  it('lists service deployments 20 a page by default, filtered by status', async () => {
    const first = await aws.ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web' }));
    const second = await aws.ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web', nextToken: first.nextToken }));
    const unfinished = await aws.ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: `${PREFIX}:service/prod/web`, status: ['PENDING', 'IN_PROGRESS'] }));

    expect(first.serviceDeployments).toHaveLength(20);
    expect(second.serviceDeployments).toHaveLength(11);
    expect(second.nextToken).toBeUndefined();
    expect(unfinished.serviceDeployments).toEqual([
      {
        serviceDeploymentArn: deploymentArn('now'),
        serviceArn: `${PREFIX}:service/prod/web`,
        clusterArn: `${PREFIX}:cluster/prod`,
        createdAt: new Date('2026-11-25T12:00:00Z'),
        startedAt: new Date('2026-11-25T12:00:00Z'),
        targetServiceRevisionArn: revisionArn('2'),
        status: 'IN_PROGRESS',
      },
    ]);
  });

  it('describes a deployment with its source and target revisions, and an unknown one in failures[]', async () => {
    const output = await aws.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [deploymentArn('now'), deploymentArn('nope')] }));

    expect(output.serviceDeployments?.map((deployment) => [deployment.sourceServiceRevisions?.map((revision) => revision.arn), deployment.targetServiceRevision?.arn])).toEqual([
      [[revisionArn('1')], revisionArn('2')],
    ]);
    expect(output.failures).toEqual([{ arn: deploymentArn('nope'), reason: 'MISSING' }]);
  });

  it('describes a revision with its pinned digests, and answers a missing one in failures[]', async () => {
    const output = await aws.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn('1'), revisionArn('2')] }));

    expect(output.serviceRevisions?.map((revision) => [revision.serviceRevisionArn, revision.taskDefinition, revision.containerImages, revision.createdAt])).toEqual([
      [revisionArn('1'), `${PREFIX}:task-definition/api:1`, [{ containerName: 'app', image: 'app:api:1', imageDigest: DIGEST }], new Date('2026-11-25T12:00:00Z')],
    ]);
    expect(output.failures).toEqual([{ arn: revisionArn('2'), reason: 'MISSING' }]);
  });

  it('applies a fault rule for a cluster to the revisions of that cluster, found in their ARNs', async () => {
    emulator.setFaults({ errors: [{ operation: 'ECS.DescribeServiceRevisions', cluster: 'prod', times: 1 }] });
    try {
      await expect(aws.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn('1')] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    } finally {
      emulator.setFaults({});
    }
  });

  it.each([
    ['DescribeServiceRevisions with 21 ARNs', () => aws.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: Array.from({ length: 21 }, (_, n) => revisionArn(String(n))) }))],
    ['DescribeServiceRevisions with none', () => aws.ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [] }))],
    ['DescribeServiceDeployments with 21 ARNs', () => aws.ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: Array.from({ length: 21 }, (_, n) => deploymentArn(String(n))) }))],
    ['ListServiceDeployments above 100', () => aws.ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web', maxResults: 101 }))],
    ['ListServiceDeployments with an unknown status', () => aws.ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'web', status: ['RUNNING' as never] }))],
    ['ListTaskDefinitions above 100', () => aws.ecs.send(new ListTaskDefinitionsCommand({ maxResults: 101 }))],
  ])('refuses %s with InvalidParameterException', async (_title, send) => {
    await expect(send()).rejects.toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
  });

  it('answers ServiceNotFoundException for the deployments of an unknown service', async () => {
    await expect(aws.ecs.send(new ListServiceDeploymentsCommand({ cluster: 'prod', service: 'nope' }))).rejects.toMatchObject({ name: 'ServiceNotFoundException' });
  });
});

describe('the emulator: ECS task definitions', () => {
  const names = (arns: readonly string[] | undefined): string[] => (arns ?? []).map((arn) => arn.split('/')[1]);

  it('lists ACTIVE task definitions 100 a page, by family and then by revision number', async () => {
    const first = await aws.ecs.send(new ListTaskDefinitionsCommand({}));
    const second = await aws.ecs.send(new ListTaskDefinitionsCommand({ nextToken: first.nextToken }));

    expect(first.taskDefinitionArns).toHaveLength(100);
    expect(names(first.taskDefinitionArns).slice(0, 13)).toEqual([...Array.from({ length: 11 }, (_, n) => `api:${n + 1}`), 'api-worker:1', 'batch:1']);
    expect(names(second.taskDefinitionArns)).toHaveLength(11 + 1 + 120 - 100);
    expect(second.nextToken).toBeUndefined();
  });

  it('sorts DESC newest first, lists INACTIVE ones apart, and filters by the whole family name', async () => {
    const descending = await aws.ecs.send(new ListTaskDefinitionsCommand({ sort: 'DESC', maxResults: 3 }));
    const inactive = await aws.ecs.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE' }));
    const api = await aws.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'api' }));
    const prefix = await aws.ecs.send(new ListTaskDefinitionsCommand({ familyPrefix: 'ap' }));

    expect(names(descending.taskDefinitionArns)).toEqual(['batch:120', 'batch:119', 'batch:118']);
    expect(names(inactive.taskDefinitionArns)).toEqual(['api:12']);
    expect(names(api.taskDefinitionArns)).toEqual(Array.from({ length: 11 }, (_, n) => `api:${n + 1}`));
    expect(prefix.taskDefinitionArns).toEqual([]);
  });

  it('refuses a token from a listing with another status', async () => {
    const active = await aws.ecs.send(new ListTaskDefinitionsCommand({}));

    await expect(aws.ecs.send(new ListTaskDefinitionsCommand({ status: 'INACTIVE', nextToken: active.nextToken }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('describes a family by its latest ACTIVE revision, and an INACTIVE revision by its number', async () => {
    const latest = await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api' }));
    const inactive = await aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'api:12' }));

    expect([latest.taskDefinition?.taskDefinitionArn, latest.taskDefinition?.revision, latest.taskDefinition?.status]).toEqual([`${PREFIX}:task-definition/api:11`, 11, 'ACTIVE']);
    expect([inactive.taskDefinition?.revision, inactive.taskDefinition?.status]).toEqual([12, 'INACTIVE']);
    await expect(aws.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'nope' }))).rejects.toMatchObject({ name: 'ClientException', message: 'Unable to describe task definition.' });
  });
});
