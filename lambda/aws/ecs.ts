/**
 * The ECS adapter: finds every image reference that ECS may run, in every cluster (or the clusters in
 * scope). It never throws for an AWS failure: each one becomes a problem in the result, and any problem
 * makes the discovery incomplete, which stops all deletion.
 */
import {
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListClustersCommand,
  ListServiceDeploymentsCommand,
  ListServicesCommand,
  ListTasksCommand,
  type Failure,
  type ServiceDeploymentStatus,
} from '@aws-sdk/client-ecs';
import { errorMessage } from '../errors';
import { clusterName } from '../core/names';
import type { ImageUse, InUseDiscovery } from '../core/types';
import { chunk, listAll, type ApiCalls } from './api-calls';
import type { TaskDefinitionReader } from './task-definitions';

/**
 * The largest page of `ListClusters`, `ListTasks`, `ListServices` and `ListServiceDeployments`, and the
 * most tasks `DescribeTasks` takes.
 */
const PAGE_SIZE = 100;
/** The most services that `DescribeServices` takes. */
const SERVICES_PER_DESCRIBE = 10;
/** Service deployments and task sets whose task definitions ECS may start again. */
const LIVE_DEPLOYMENT_STATUSES: ReadonlySet<string> = new Set(['PRIMARY', 'ACTIVE']);
/** The most ARNs that `DescribeServiceDeployments` and `DescribeServiceRevisions` take. */
const SERVICE_ARNS_PER_DESCRIBE = 20;
/** The service deployment statuses (of the model's `ServiceDeploymentStatus`) of a deployment that has not finished. */
const UNFINISHED_DEPLOYMENT_STATUSES: ServiceDeploymentStatus[] = ['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'];

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
 *    definition of each PRIMARY or ACTIVE deployment and task set, once each; and read the digests that
 *    ECS pinned in each service's current revisions and, for a deployment in progress, in its source
 *    revisions (the rollback targets) and its target revision.
 */
export async function discoverImageUses(
  ecs: ECSClient,
  calls: ApiCalls,
  options: DiscoveryOptions,
): Promise<InUseDiscovery> {
  const uses: ImageUse[] = [];
  const problems: string[] = [];
  const attempt = (work: () => Promise<void>): Promise<void> => collectProblems(problems, work);

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
              uses.push(...(await findServiceImages(ecs, calls, cluster, name, options.taskDefinitions, problems)));
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
  // A stopped task that expires between ListTasks and DescribeTasks comes back MISSING: it is no longer
  // recent, so it protects nothing. A running task that goes MISSING is still a problem.
  const runningArns = new Set(running);
  const stoppedArns = new Set(stopped);
  const expired = (failure: Failure): boolean =>
    failure.reason === 'MISSING' && failure.arn !== undefined && stoppedArns.has(failure.arn) && !runningArns.has(failure.arn);

  const uses: ImageUse[] = [];
  await Promise.all(
    chunk(arns, PAGE_SIZE).map(async (batch) => {
      const output = await calls.send('ECS.DescribeTasks', `cluster ${name}`, () =>
        ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })),
      );
      problems.push(...(output.failures ?? []).filter((failure) => !expired(failure)).map((failure) => describeFailure('DescribeTasks', name, failure)));
      problems.push(...unanswered('DescribeTasks', name, batch, [...(output.failures ?? []).map((failure) => failure.arn), ...(output.tasks ?? []).map((task) => task.taskArn)]));
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

/** A service as `DescribeServices` tells it, reduced to what the service sources need. */
interface DescribedService {
  readonly arn: string;
  readonly name: string;
  /** The task definitions of its PRIMARY and ACTIVE deployments and task sets. */
  readonly taskDefinitions: readonly string[];
  readonly currentRevisions: readonly string[];
  readonly deploying: boolean;
}

async function findServiceImages(
  ecs: ECSClient,
  calls: ApiCalls,
  cluster: string,
  name: string,
  taskDefinitions: TaskDefinitionReader,
  problems: string[],
): Promise<ImageUse[]> {
  const serviceArns = await listAll(async (nextToken) => {
    const page = await calls.send('ECS.ListServices', `cluster ${name}`, () =>
      ecs.send(new ListServicesCommand({ cluster, maxResults: PAGE_SIZE, nextToken })),
    );
    return { items: page.serviceArns ?? [], nextToken: page.nextToken };
  });

  const services: DescribedService[] = [];
  await Promise.all(
    chunk(serviceArns, SERVICES_PER_DESCRIBE).map(async (batch) => {
      const output = await calls.send('ECS.DescribeServices', `cluster ${name}`, () =>
        ecs.send(new DescribeServicesCommand({ cluster, services: batch })),
      );
      problems.push(...(output.failures ?? []).map((failure) => describeFailure('DescribeServices', name, failure)));
      problems.push(...unanswered('DescribeServices', name, batch, [...(output.failures ?? []).map((failure) => failure.arn), ...(output.services ?? []).map((service) => service.serviceArn)]));
      for (const service of output.services ?? []) {
        const deployments = service.deployments ?? [];
        const live = [...deployments, ...(service.taskSets ?? [])].filter(
          (deployment) => deployment.taskDefinition && LIVE_DEPLOYMENT_STATUSES.has(deployment.status ?? ''),
        );
        services.push({
          arn: service.serviceArn ?? service.serviceName ?? '?',
          name: service.serviceName ?? service.serviceArn ?? '?',
          taskDefinitions: [...new Set(live.map((deployment) => deployment.taskDefinition as string))],
          currentRevisions: (service.currentServiceRevisions ?? []).flatMap((revision) => (revision.arn ? [revision.arn] : [])),
          deploying: deployments.length > 1 || deployments.some((deployment) => deployment.rolloutState === 'IN_PROGRESS'),
        });
      }
    }),
  );

  const uses: ImageUse[] = [];
  await Promise.all([
    collectProblems(problems, async () => {
      uses.push(...(await readDeployedTaskDefinitions(services, name, taskDefinitions, problems)));
    }),
    collectProblems(problems, async () => {
      uses.push(...(await readServiceRevisions(ecs, calls, cluster, name, services, problems)));
    }),
  ]);
  return uses;
}

async function readDeployedTaskDefinitions(
  services: readonly DescribedService[],
  name: string,
  taskDefinitions: TaskDefinitionReader,
  problems: string[],
): Promise<ImageUse[]> {
  const found = await Promise.all(
    services.flatMap((service) =>
      service.taskDefinitions.map((taskDefinition) => taskDefinitions.uses(taskDefinition, { source: 'service-deployment', cluster: name, service: service.name })),
    ),
  );
  problems.push(...found.flatMap((result) => result.problems));
  return found.flatMap((result) => result.uses);
}

/**
 * Reads the images that ECS pinned, by digest, in the service revisions that it may launch: each
 * service's current revisions, and for a deployment in progress its source revisions (where a rollback
 * returns to) and its target revision. A service scaled to zero has no task that carries them.
 *
 * `ListServiceDeployments` is called only for a service whose deployment is in progress (a deployment
 * whose `rolloutState` is IN_PROGRESS, or more than one deployment): a settled service launches only its
 * current revisions, which `DescribeServices` already names, and a finished deployment is never resumed.
 * Asking every service for its deployment history would cost a call per service per run for nothing.
 */
async function readServiceRevisions(
  ecs: ECSClient,
  calls: ApiCalls,
  cluster: string,
  name: string,
  services: readonly DescribedService[],
  problems: string[],
): Promise<ImageUse[]> {
  /** The service of each revision to read, by the revision's ARN. */
  const serviceOf = new Map<string, string>();
  for (const service of services) for (const revision of service.currentRevisions) serviceOf.set(revision, service.name);

  const deployments: { arn: string; service: string }[] = [];
  await Promise.all(
    services
      .filter((service) => service.deploying)
      .map(async (service) => {
        const arns = await listAll(async (nextToken) => {
          const page = await calls.send('ECS.ListServiceDeployments', `service ${service.name} in cluster ${name}`, () =>
            ecs.send(new ListServiceDeploymentsCommand({ cluster, service: service.arn, status: UNFINISHED_DEPLOYMENT_STATUSES, maxResults: PAGE_SIZE, nextToken })),
          );
          return { items: (page.serviceDeployments ?? []).flatMap((deployment) => (deployment.serviceDeploymentArn ? [deployment.serviceDeploymentArn] : [])), nextToken: page.nextToken };
        });
        deployments.push(...arns.map((arn) => ({ arn, service: service.name })));
      }),
  );

  const serviceOfDeployment = new Map(deployments.map((deployment) => [deployment.arn, deployment.service]));
  await Promise.all(
    chunk([...serviceOfDeployment.keys()], SERVICE_ARNS_PER_DESCRIBE).map(async (batch) => {
      const output = await calls.send('ECS.DescribeServiceDeployments', `cluster ${name}`, () =>
        ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: batch })),
      );
      problems.push(...(output.failures ?? []).map((failure) => describeFailure('DescribeServiceDeployments', name, failure)));
      problems.push(
        ...unanswered('DescribeServiceDeployments', name, batch, [
          ...(output.failures ?? []).map((failure) => failure.arn),
          ...(output.serviceDeployments ?? []).map((deployment) => deployment.serviceDeploymentArn),
        ]),
      );
      for (const deployment of output.serviceDeployments ?? []) {
        const service = serviceOfDeployment.get(deployment.serviceDeploymentArn ?? '') ?? deployment.serviceArn ?? '?';
        for (const revision of [...(deployment.sourceServiceRevisions ?? []), deployment.targetServiceRevision]) {
          if (revision?.arn && !serviceOf.has(revision.arn)) serviceOf.set(revision.arn, service);
        }
      }
    }),
  );

  const uses: ImageUse[] = [];
  await Promise.all(
    chunk([...serviceOf.keys()], SERVICE_ARNS_PER_DESCRIBE).map(async (batch) => {
      const output = await calls.send('ECS.DescribeServiceRevisions', `cluster ${name}`, () =>
        ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: batch })),
      );
      const failures = output.failures ?? [];
      problems.push(...failures.map((failure) => describeFailure('DescribeServiceRevisions', name, failure)));
      problems.push(...unanswered('DescribeServiceRevisions', name, batch, [...failures.map((failure) => failure.arn), ...(output.serviceRevisions ?? []).map((revision) => revision.serviceRevisionArn)]));
      for (const revision of output.serviceRevisions ?? []) {
        const arn = revision.serviceRevisionArn ?? '?';
        const service = serviceOf.get(arn) ?? revision.serviceArn ?? '?';
        for (const container of revision.containerImages ?? []) {
          // Without the image's name, a digest cannot be placed in a repository: fail closed.
          if (!container.image) {
            problems.push(`DescribeServiceRevisions reported no image for container ${container.containerName ?? '?'} of service revision ${arn} in cluster ${name}`);
            continue;
          }
          uses.push({
            source: 'service-revision',
            reference: container.image,
            ...(container.imageDigest && { digest: container.imageDigest }),
            cluster: name,
            service,
            container: container.containerName ?? '?',
            serviceRevision: arn,
            ...(revision.taskDefinition && { taskDefinition: revision.taskDefinition }),
          });
        }
      }
    }),
  );
  return uses;
}

/** Runs `work`, and turns what it throws into a problem. */
async function collectProblems(problems: string[], work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    problems.push(errorMessage(error));
  }
}


/** The ARNs of a batch that a describe call neither described nor named in `failures[]`: each is a problem. */
function unanswered(operation: string, cluster: string, batch: readonly string[], answered: readonly (string | undefined)[]): string[] {
  const seen = new Set(answered);
  return batch.filter((arn) => !seen.has(arn)).map((arn) => `${operation} did not answer for ${arn} in cluster ${cluster}`);
}

function describeFailure(operation: string, cluster: string, failure: Failure): string {
  return `${operation} could not read ${failure.arn ?? '?'} in cluster ${cluster}: ${failure.reason ?? 'unknown reason'}${failure.detail ? ` (${failure.detail})` : ''}`;
}
