/**
 * The emulator is faithful where the cleaner's safety depends on it: the API models' page sizes and
 * limits, the shapes of errors and timestamps, `failures[]`, and ECR's rules for deleting.
 */
import { BatchDeleteImageCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ListImagesCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTasksCommand, ListServicesCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { image, multiArchImage } from './fixture';
import { Emulator } from './server';
import { clientsFor, destroy, restoreEnv } from '../support/aws';
import type { AwsClients } from '../../lambda/aws/clients';

afterAll(restoreEnv);

let emulator: Emulator;
let aws: AwsClients;
const release = multiArchImage('r', { tags: ['multi'] });
const plain = Array.from({ length: 150 }, (_, n) => image(`p${n}`, { tags: [`t${n}`, `alias${n}`], pushedDaysAgo: 10 }));

beforeAll(async () => {
  emulator = await Emulator.start({
    now: '2026-11-25T12:00:00Z',
    repositories: [
      { name: 'app', images: plain },
      { name: 'web', images: release.all },
      ...Array.from({ length: 120 }, (_, n) => ({ name: `r${n}`, images: [] })),
    ],
    clusters: [{ name: 'prod', tasks: Array.from({ length: 120 }, (_, n) => ({ id: `t${n}`, containers: [{ name: 'c', image: 'x' }] })), services: Array.from({ length: 12 }, (_, n) => ({ name: `s${n}` })) }],
  });
  aws = clientsFor(emulator);
});
afterAll(async () => {
  destroy(aws);
  await emulator.stop();
});

describe('the emulator', () => {
  it('pages with the API models’ defaults: 100 for ECR lists and ECS tasks, 10 for ECS services', async () => {
    const repositories = await aws.ecr.send(new DescribeRepositoriesCommand({}));
    const images = await aws.ecr.send(new ListImagesCommand({ repositoryName: 'app' }));
    const tasks = await aws.ecs.send(new ListTasksCommand({ cluster: 'prod' }));
    const services = await aws.ecs.send(new ListServicesCommand({ cluster: 'prod' }));

    expect(repositories.repositories).toHaveLength(100);
    expect(repositories.nextToken).toEqual(expect.any(String));
    expect(images.imageIds).toHaveLength(100);
    expect(tasks.taskArns).toHaveLength(100);
    expect(services.serviceArns).toHaveLength(10);
    const next = await aws.ecs.send(new ListServicesCommand({ cluster: 'prod', nextToken: services.nextToken }));
    expect(next.serviceArns).toHaveLength(2);
    expect(next.nextToken).toBeUndefined();
  });

  it.each([
    ['DescribeImages above 1000', () => aws.ecr.send(new DescribeImagesCommand({ repositoryName: 'app', maxResults: 1001 }))],
    ['ListTasks above 100', () => aws.ecs.send(new ListTasksCommand({ cluster: 'prod', maxResults: 101 }))],
    ['BatchDeleteImage with 101 ids', () => aws.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: Array.from({ length: 101 }, (_, n) => ({ imageTag: `t${n}` })) }))],
    ['DescribeTasks with 101 tasks', () => aws.ecs.send(new DescribeTasksCommand({ cluster: 'prod', tasks: Array.from({ length: 101 }, (_, n) => `t${n}`) }))],
    ['DescribeServices with 11 services', () => aws.ecs.send(new DescribeServicesCommand({ cluster: 'prod', services: Array.from({ length: 11 }, (_, n) => `s${n}`) }))],
    ['a token from another listing', () => aws.ecr.send(new ListImagesCommand({ repositoryName: 'app', nextToken: Buffer.from(JSON.stringify({ key: 'other', offset: 1 })).toString('base64url') }))],
  ])('refuses %s with InvalidParameterException', async (_title, send) => {
    await expect(send()).rejects.toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
  });

  it('answers timestamps in epoch seconds, which the SDK reads as dates', async () => {
    const { imageDetails } = await aws.ecr.send(new DescribeImagesCommand({ repositoryName: 'app', imageIds: [{ imageDigest: plain[0].digest }] }));

    const raw = await fetch(emulator.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerRegistry_V20150921.DescribeImages' },
      body: JSON.stringify({ repositoryName: 'app', imageIds: [{ imageDigest: plain[0].digest }] }),
    });

    expect(imageDetails?.[0].imagePushedAt).toEqual(new Date('2026-11-15T12:00:00Z'));
    expect(((await raw.json()) as { imageDetails: { imagePushedAt: unknown }[] }).imageDetails[0].imagePushedAt).toBe(Date.parse('2026-11-15T12:00:00Z') / 1000);
  });

  it('deletes a digest with all its tags, and reports unknown ids in failures[]', async () => {
    const unknown = `sha256:${'f'.repeat(64)}`;

    const output = await aws.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'app', imageIds: [{ imageDigest: plain[149].digest }, { imageDigest: unknown }] }));

    expect(output.imageIds).toEqual([
      { imageDigest: plain[149].digest, imageTag: 'alias149' },
      { imageDigest: plain[149].digest, imageTag: 't149' },
    ]);
    expect(output.failures).toEqual([{ imageId: { imageDigest: unknown }, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' }]);
    expect(emulator.digestsIn('app')).not.toContain(plain[149].digest);
  });

  it('refuses to delete a child while its index exists, even in the same call, and allows it after', async () => {
    const child = release.children[0].digest;

    const together = await aws.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageDigest: release.index.digest }, { imageDigest: child }] }));
    const after = await aws.ecr.send(new BatchDeleteImageCommand({ repositoryName: 'web', imageIds: [{ imageDigest: child }] }));

    expect(together.failures).toEqual([
      { imageId: { imageDigest: child }, failureCode: 'ImageReferencedByManifestList', failureReason: `Requested image referenced by manifest list: [${release.index.digest}]` },
    ]);
    expect(after.failures).toEqual([]);
  });

  it('answers errors with the AWS __type, message and status', async () => {
    await expect(aws.ecr.send(new DescribeImagesCommand({ repositoryName: 'nope' }))).rejects.toMatchObject({
      name: 'RepositoryNotFoundException',
      message: "The repository with name 'nope' does not exist in the registry with id '123456789012'",
      $metadata: { httpStatusCode: 400 },
    });
    await expect(aws.ecs.send(new ListTasksCommand({ cluster: 'nope' }))).rejects.toMatchObject({ name: 'ClusterNotFoundException', message: 'Cluster not found.' });
  });

  it('answers server faults with their status, for the SDK to retry', async () => {
    emulator.setFaults({ errors: [{ operation: 'ECS.ListTasks', code: 'ServerException', status: 500, message: 'boom', times: 1 }] });
    try {
      await expect(aws.ecs.send(new ListTasksCommand({ cluster: 'prod' }))).rejects.toMatchObject({ name: 'ServerException', $metadata: { httpStatusCode: 500 } });
      await expect(aws.ecs.send(new ListTasksCommand({ cluster: 'prod' }))).resolves.toMatchObject({ taskArns: expect.any(Array) });
    } finally {
      emulator.setFaults({});
    }
  });
});
