/**
 * The ECS adapter: finds every image reference that ECS may run, in every cluster (or the clusters in
 * scope). It never throws for an AWS failure: each one becomes a problem in the result, and any problem
 * makes the discovery incomplete, which stops all deletion.
 */
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  type Failure,
} from '@aws-sdk/client-ecs';
import { errorMessage } from '../errors';
import { clusterName } from '../core/names';
import type { ImageUse, InUseDiscovery } from '../core/types';
import { chunk, type ApiCalls } from './api-calls';
import type { ContainerImage, TaskDefinitionReader } from './task-definitions';

/** The largest page of `ListClusters`, `ListTasks` and `ListServices`, and the most tasks `DescribeTasks` takes. */
const PAGE_SIZE = 100;
/** The most services that `DescribeServices` takes. */
const SERVICES_PER_DESCRIBE = 10;
/** Service deployments and task sets whose task definitions ECS may start again. */
const LIVE_DEPLOYMENT_STATUSES: ReadonlySet<string> = new Set(['PRIMARY', 'ACTIVE']);

export interface DiscoveryOptions {
  /** Search only these clusters (names or ARNs); every cluster when undefined. */
  readonly clusters?: readonly string[];
  /** Also read the task definitions of services' deployments and task sets. */
  readonly includeServices: boolean;
  /** Called as each cluster is done. */
  readonly onClusterDone?: (done: number, total: number) => void;
  /** Reads each task definition once per run, shared with the other sources. */
  readonly taskDefinitions: TaskDefinitionReader;
}

/**
 * Finds the images that ECS runs or may start again:
 * 1. list the clusters (unless they are given);
 * 2. in each cluster, list the tasks whose desired status is RUNNING, and those stopped recently, and
 *    describe them 100 at a time;
 * 3. when `includeServices`, list the services, describe them 10 at a time, and read the task
 *    definition of each PRIMARY or ACTIVE deployment and task set, once each.
 */
export async function discoverImageUses(
  ecs: ECSClient,
  calls: ApiCalls,
  options: DiscoveryOptions,
): Promise<InUseDiscovery> {
  const uses: ImageUse[] = [];
  const problems: string[] = [];
  const attempt = async (work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      problems.push(errorMessage(error));
    }
  };

  let clusters: readonly string[] = options.clusters ?? [];
  if (options.clusters === undefined) {
    await attempt(async () => {
      clusters = await listAll(async (nextToken) => {
        const page = await calls.send('ECS.ListClusters', 'the account', () =>
          ecs.send(new ListClustersCommand({ maxResults: PAGE_SIZE, nextToken })),
        );
        return { items: page.clusterArns ?? [], nextToken: page.nextToken };
      });
    });
    if (problems.length > 0) return { uses, problems };
  }

  const readTaskDefinition = async (arn: string): Promise<readonly ContainerImage[]> => (await options.taskDefinitions.read(arn)).containers;

  let done = 0;
  await Promise.all(
    clusters.map(async (cluster) => {
      const name = clusterName(cluster);
      await Promise.all([
        attempt(async () => {
          uses.push(...(await findTaskImages(ecs, calls, cluster, name, problems)));
        }),
        options.includeServices
          ? attempt(async () => {
              uses.push(...(await findServiceImages(ecs, calls, cluster, name, readTaskDefinition, problems)));
            })
          : Promise.resolve(),
      ]);
      done += 1;
      options.onClusterDone?.(done, clusters.length);
    }),
  );
  return { uses, problems };
}

async function findTaskImages(
  ecs: ECSClient,
  calls: ApiCalls,
  cluster: string,
  name: string,
  problems: string[],
): Promise<ImageUse[]> {
  const listTasks = (desiredStatus: 'RUNNING' | 'STOPPED'): Promise<string[]> =>
    listAll(async (nextToken) => {
      const page = await calls.send('ECS.ListTasks', `cluster ${name}`, () =>
        ecs.send(new ListTasksCommand({ cluster, desiredStatus, maxResults: PAGE_SIZE, nextToken })),
      );
      return { items: page.taskArns ?? [], nextToken: page.nextToken };
    });
  const [running, stopped] = await Promise.all([listTasks('RUNNING'), listTasks('STOPPED')]);
  const arns = [...new Set([...running, ...stopped])];

  const uses: ImageUse[] = [];
  await Promise.all(
    chunk(arns, PAGE_SIZE).map(async (batch) => {
      const output = await calls.send('ECS.DescribeTasks', `cluster ${name}`, () =>
        ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })),
      );
      problems.push(...(output.failures ?? []).map((failure) => describeFailure('DescribeTasks', name, failure)));
      for (const task of output.tasks ?? []) {
        const source = task.desiredStatus === 'RUNNING' ? 'running' : 'stopped-recently';
        for (const container of task.containers ?? []) {
          if (!container.image) {
            problems.push(`DescribeTasks reported no image for container ${container.name ?? '?'} of task ${task.taskArn ?? '?'} in cluster ${name}`);
            continue;
          }
          uses.push({
            source,
            reference: container.image,
            ...(container.imageDigest && { digest: container.imageDigest }),
            cluster: name,
            container: container.name ?? '?',
            ...(task.taskArn && { task: task.taskArn }),
            ...(task.taskDefinitionArn && { taskDefinition: task.taskDefinitionArn }),
          });
        }
      }
    }),
  );
  return uses;
}

async function findServiceImages(
  ecs: ECSClient,
  calls: ApiCalls,
  cluster: string,
  name: string,
  readTaskDefinition: (arn: string) => Promise<readonly ContainerImage[]>,
  problems: string[],
): Promise<ImageUse[]> {
  const serviceArns = await listAll(async (nextToken) => {
    const page = await calls.send('ECS.ListServices', `cluster ${name}`, () =>
      ecs.send(new ListServicesCommand({ cluster, maxResults: PAGE_SIZE, nextToken })),
    );
    return { items: page.serviceArns ?? [], nextToken: page.nextToken };
  });

  const deployed: { service: string; taskDefinition: string }[] = [];
  await Promise.all(
    chunk(serviceArns, SERVICES_PER_DESCRIBE).map(async (batch) => {
      const output = await calls.send('ECS.DescribeServices', `cluster ${name}`, () =>
        ecs.send(new DescribeServicesCommand({ cluster, services: batch })),
      );
      problems.push(...(output.failures ?? []).map((failure) => describeFailure('DescribeServices', name, failure)));
      for (const service of output.services ?? []) {
        const live = [...(service.deployments ?? []), ...(service.taskSets ?? [])].filter(
          (deployment) => deployment.taskDefinition && LIVE_DEPLOYMENT_STATUSES.has(deployment.status ?? ''),
        );
        for (const taskDefinition of new Set(live.map((deployment) => deployment.taskDefinition as string))) {
          deployed.push({ service: service.serviceName ?? service.serviceArn ?? '?', taskDefinition });
        }
      }
    }),
  );

  const uses: ImageUse[] = [];
  await Promise.all(
    deployed.map(async ({ service, taskDefinition }) => {
      for (const container of await readTaskDefinition(taskDefinition)) {
        if (!container.image) {
          problems.push(`task definition ${taskDefinition} has no image for container ${container.name}`);
          continue;
        }
        uses.push({ source: 'service-deployment', reference: container.image, cluster: name, container: container.name, service, taskDefinition });
      }
    }),
  );
  return uses;
}

async function listAll(page: (nextToken?: string) => Promise<{ items: string[]; nextToken?: string }>): Promise<string[]> {
  const items: string[] = [];
  let nextToken: string | undefined;
  do {
    const result = await page(nextToken);
    items.push(...result.items);
    nextToken = result.nextToken;
  } while (nextToken);
  return items;
}

function describeFailure(operation: string, cluster: string, failure: Failure): string {
  return `${operation} could not read ${failure.arn ?? '?'} in cluster ${cluster}: ${failure.reason ?? 'unknown reason'}${failure.detail ? ` (${failure.detail})` : ''}`;
}
