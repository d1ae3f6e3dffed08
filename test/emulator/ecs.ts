/**
 * Amazon ECS, as far as the cleaner uses it: ListClusters, ListTasks, DescribeTasks, ListServices,
 * DescribeServices, ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions,
 * ListTaskDefinitions and DescribeTaskDefinition, with the API's page sizes and limits.
 */
import { AwsError, checkMaxItems, epochSeconds, invalidParameter, paginate, text, type Params } from './protocol';
import type { Fixture, FixtureCluster, FixtureService, FixtureServiceDeployment, FixtureServiceRevision, FixtureTask, FixtureTaskDefinition } from './fixture';
import { clusterName } from '../../lambda/core/names';

/** The statuses of `ServiceDeploymentStatus` in the ECS model. */
const SERVICE_DEPLOYMENT_STATUSES: ReadonlySet<string> = new Set([
  'PENDING',
  'SUCCESSFUL',
  'STOPPED',
  'STOP_REQUESTED',
  'IN_PROGRESS',
  'ROLLBACK_REQUESTED',
  'ROLLBACK_IN_PROGRESS',
  'ROLLBACK_SUCCESSFUL',
  'ROLLBACK_FAILED',
]);
/** The most ARNs that DescribeServiceRevisions and DescribeServiceDeployments take. */
const SERVICE_ARNS_PER_DESCRIBE = 20;

export class Ecs {
  private readonly clusters: readonly FixtureCluster[];
  private readonly taskDefinitions: Map<string, FixtureTaskDefinition>;

  constructor(
    private readonly accountId: string,
    private readonly region: string,
    fixture: Fixture,
    private readonly now: Date,
  ) {
    this.clusters = fixture.clusters ?? [];
    this.taskDefinitions = new Map((fixture.taskDefinitions ?? []).map((definition) => [this.taskDefinitionArn(definition.name), definition]));
  }

  clusterArn(name: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:cluster/${name}`;
  }

  taskArn(cluster: string, id: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:task/${cluster}/${id}`;
  }

  taskDefinitionArn(name: string): string {
    return name.startsWith('arn:') ? name : `arn:aws:ecs:${this.region}:${this.accountId}:task-definition/${name}`;
  }

  serviceArn(cluster: string, service: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:service/${cluster}/${service}`;
  }

  serviceRevisionArn(cluster: string, service: string, id: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:service-revision/${cluster}/${service}/${id}`;
  }

  serviceDeploymentArn(cluster: string, service: string, id: string): string {
    return `arn:aws:ecs:${this.region}:${this.accountId}:service-deployment/${cluster}/${service}/${id}`;
  }

  /**
   * The cluster a call is about, by name, for fault rules: its `cluster` parameter, or the cluster named
   * in the first service revision or service deployment ARN.
   */
  static target(params: Params): { cluster?: string } {
    if (typeof params.cluster === 'string') return { cluster: clusterName(params.cluster) };
    const arns = params.serviceRevisionArns ?? params.serviceDeploymentArns;
    const first = Array.isArray(arns) && typeof arns[0] === 'string' ? parseServiceChildArn(arns[0]) : undefined;
    return first ? { cluster: first.cluster } : {};
  }

  handle(operation: string, params: Params): unknown {
    switch (operation) {
      case 'ListClusters': {
        const arns = this.clusters.map((cluster) => this.clusterArn(cluster.name));
        const { page, nextToken } = paginate(arns, params, { defaultSize: 100, maxSize: 100, key: 'ListClusters' });
        return { clusterArns: page, ...(nextToken && { nextToken }) };
      }
      case 'ListTasks':
        return this.listTasks(params);
      case 'DescribeTasks':
        return this.describeTasks(params);
      case 'ListServices': {
        const cluster = this.cluster(params);
        const arns = (cluster.services ?? []).map((service) => `arn:aws:ecs:${this.region}:${this.accountId}:service/${cluster.name}/${service.name}`);
        const { page, nextToken } = paginate(arns, params, { defaultSize: 10, maxSize: 100, key: `ListServices:${cluster.name}` });
        return { serviceArns: page, ...(nextToken && { nextToken }) };
      }
      case 'DescribeServices':
        return this.describeServices(params);
      case 'ListServiceDeployments':
        return this.listServiceDeployments(params);
      case 'DescribeServiceDeployments':
        return this.describeServiceDeployments(params);
      case 'DescribeServiceRevisions':
        return this.describeServiceRevisions(params);
      case 'ListTaskDefinitions':
        return this.listTaskDefinitions(params);
      case 'DescribeTaskDefinition':
        return this.describeTaskDefinition(params);
      default:
        throw new AwsError('UnknownOperationException', `ECS operation ${operation} is not emulated`);
    }
  }

  private cluster(params: Params): FixtureCluster {
    const name = Ecs.target(params).cluster ?? 'default';
    const cluster = this.clusters.find((candidate) => candidate.name === name);
    if (!cluster) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
    return cluster;
  }

  private listTasks(params: Params): unknown {
    const cluster = this.cluster(params);
    const desired = params.desiredStatus ?? 'RUNNING';
    if (desired !== 'RUNNING' && desired !== 'STOPPED' && desired !== 'PENDING') throw invalidParameter(`Invalid desiredStatus ${text(desired)}`);
    const arns = (cluster.tasks ?? [])
      .filter((task) => (task.desiredStatus ?? 'RUNNING') === (desired === 'PENDING' ? 'RUNNING' : desired))
      .map((task) => this.taskArn(cluster.name, task.id));
    const { page, nextToken } = paginate(arns, params, { defaultSize: 100, maxSize: 100, key: `ListTasks:${cluster.name}:${text(desired)}` });
    return { taskArns: page, ...(nextToken && { nextToken }) };
  }

  private describeTasks(params: Params): unknown {
    const cluster = this.cluster(params);
    const requested = checkMaxItems(params, 'tasks', 100) as string[];
    if (requested.length === 0) throw invalidParameter('Tasks cannot be empty.');
    const tasks: unknown[] = [];
    const failures: unknown[] = [];
    for (const reference of requested) {
      const id = reference.slice(reference.lastIndexOf('/') + 1);
      const task = (cluster.tasks ?? []).find((candidate) => candidate.id === id);
      const arn = this.taskArn(cluster.name, id);
      if (!task || task.missing) failures.push({ arn, reason: 'MISSING' });
      else tasks.push(this.describeTask(cluster.name, task));
    }
    return { tasks, failures };
  }

  private describeTask(cluster: string, task: FixtureTask): unknown {
    const arn = this.taskArn(cluster, task.id);
    const stopped = task.desiredStatus === 'STOPPED';
    return {
      taskArn: arn,
      clusterArn: this.clusterArn(cluster),
      taskDefinitionArn: this.taskDefinitionArn(task.taskDefinition ?? `${task.id}:1`),
      desiredStatus: stopped ? 'STOPPED' : 'RUNNING',
      lastStatus: stopped ? 'STOPPED' : 'RUNNING',
      launchType: 'FARGATE',
      createdAt: epochSeconds(new Date(this.now.getTime() - 3_600_000)),
      ...(stopped && { stoppedAt: epochSeconds(new Date(this.now.getTime() - 600_000)), stoppedReason: 'Essential container in task exited' }),
      containers: task.containers.map((container, position) => ({
        containerArn: `arn:aws:ecs:${this.region}:${this.accountId}:container/${cluster}/${task.id}/${position}`,
        taskArn: arn,
        name: container.name,
        image: container.image,
        ...(container.imageDigest && { imageDigest: container.imageDigest }),
        lastStatus: stopped ? 'STOPPED' : 'RUNNING',
      })),
    };
  }

  private describeServices(params: Params): unknown {
    const cluster = this.cluster(params);
    const requested = checkMaxItems(params, 'services', 10) as string[];
    if (requested.length === 0) throw invalidParameter('Services cannot be empty.');
    const services: unknown[] = [];
    const failures: unknown[] = [];
    for (const reference of requested) {
      const name = reference.slice(reference.lastIndexOf('/') + 1);
      const service = (cluster.services ?? []).find((candidate) => candidate.name === name);
      const arn = `arn:aws:ecs:${this.region}:${this.accountId}:service/${cluster.name}/${name}`;
      if (!service) {
        failures.push({ arn, reason: 'MISSING' });
        continue;
      }
      services.push({
        serviceArn: arn,
        serviceName: service.name,
        clusterArn: this.clusterArn(cluster.name),
        status: 'ACTIVE',
        ...(service.currentRevisions && {
          currentServiceRevisions: service.currentRevisions.map((id) => ({
            arn: this.serviceRevisionArn(cluster.name, service.name, id),
            requestedTaskCount: 0,
            runningTaskCount: 0,
            pendingTaskCount: 0,
          })),
        }),
        deployments: (service.deployments ?? []).map((deployment, position) => ({
          id: `ecs-svc/${position}`,
          status: deployment.status,
          taskDefinition: this.taskDefinitionArn(deployment.taskDefinition),
          ...(deployment.rolloutState && { rolloutState: deployment.rolloutState }),
        })),
        taskSets: (service.taskSets ?? []).map((taskSet, position) => ({
          id: `ecs-svc/ts-${position}`,
          status: taskSet.status,
          taskDefinition: this.taskDefinitionArn(taskSet.taskDefinition),
        })),
      });
    }
    return { services, failures };
  }

  private service(cluster: FixtureCluster, reference: string): FixtureService {
    const name = reference.slice(reference.lastIndexOf('/') + 1);
    const service = (cluster.services ?? []).find((candidate) => candidate.name === name);
    if (!service) throw new AwsError('ServiceNotFoundException', 'Service not found.');
    return service;
  }

  private listServiceDeployments(params: Params): unknown {
    if (typeof params.service !== 'string' || params.service === '') throw invalidParameter('Service cannot be empty.');
    const cluster = this.cluster(params);
    const service = this.service(cluster, params.service);
    const statuses = params.status === undefined ? undefined : checkMaxItems(params, 'status', SERVICE_DEPLOYMENT_STATUSES.size);
    for (const status of statuses ?? []) {
      if (!SERVICE_DEPLOYMENT_STATUSES.has(text(status))) throw invalidParameter(`Invalid status ${text(status)}`);
    }
    const listed = (service.serviceDeployments ?? []).filter((deployment) => !statuses || statuses.includes(deployment.status));
    const { page, nextToken } = paginate(listed, params, {
      defaultSize: 20,
      maxSize: 100,
      key: `ListServiceDeployments:${cluster.name}:${service.name}:${text(statuses ?? [])}`,
    });
    return {
      serviceDeployments: page.map((deployment) => ({
        serviceDeploymentArn: this.serviceDeploymentArn(cluster.name, service.name, deployment.id),
        serviceArn: this.serviceArn(cluster.name, service.name),
        clusterArn: this.clusterArn(cluster.name),
        createdAt: epochSeconds(this.now),
        startedAt: epochSeconds(this.now),
        targetServiceRevisionArn: this.serviceRevisionArn(cluster.name, service.name, deployment.targetRevision),
        status: deployment.status,
      })),
      ...(nextToken && { nextToken }),
    };
  }

  private describeServiceDeployments(params: Params): unknown {
    const { described: serviceDeployments, failures } = this.describeServiceChildren(
      params,
      'serviceDeploymentArns',
      'Service deployment ARNs',
      'service-deployment',
      (service, id) => service.serviceDeployments?.find((deployment) => deployment.id === id),
      (cluster, service, item) => this.describeServiceDeployment(cluster, service, item),
    );
    return { serviceDeployments, failures };
  }

  /**
   * A describe call of a service's deployments or revisions by ARN, as ECS answers it: at most 20 ARNs,
   * not none; each one found is described, and the others (or those marked missing) come back MISSING.
   */
  private describeServiceChildren<T extends { readonly missing?: boolean }>(
    params: Params,
    field: string,
    what: string,
    kind: 'service-deployment' | 'service-revision',
    find: (service: FixtureService, id: string) => T | undefined,
    describe: (cluster: string, service: string, item: T) => unknown,
  ): { described: unknown[]; failures: unknown[] } {
    const requested = checkMaxItems(params, field, SERVICE_ARNS_PER_DESCRIBE);
    if (requested.length === 0) throw invalidParameter(`${what} cannot be empty.`);
    const described: unknown[] = [];
    const failures: unknown[] = [];
    for (const arn of requested.map(text)) {
      const found = this.findServiceChild(arn, kind, find);
      if (!found || found.item.missing) failures.push({ arn, reason: 'MISSING' });
      else described.push(describe(found.cluster, found.service, found.item));
    }
    return { described, failures };
  }

  private describeServiceDeployment(cluster: string, service: string, deployment: FixtureServiceDeployment): unknown {
    const summary = (id: string): unknown => ({ arn: this.serviceRevisionArn(cluster, service, id), requestedTaskCount: 1, runningTaskCount: 1, pendingTaskCount: 0 });
    return {
      serviceDeploymentArn: this.serviceDeploymentArn(cluster, service, deployment.id),
      serviceArn: this.serviceArn(cluster, service),
      clusterArn: this.clusterArn(cluster),
      createdAt: epochSeconds(this.now),
      startedAt: epochSeconds(this.now),
      updatedAt: epochSeconds(this.now),
      sourceServiceRevisions: deployment.sourceRevisions.map(summary),
      targetServiceRevision: summary(deployment.targetRevision),
      status: deployment.status,
    };
  }

  private describeServiceRevisions(params: Params): unknown {
    const { described: serviceRevisions, failures } = this.describeServiceChildren(
      params,
      'serviceRevisionArns',
      'Service revision ARNs',
      'service-revision',
      (service, id) => service.revisions?.find((revision) => revision.id === id),
      (cluster, service, item) => this.describeServiceRevision(cluster, service, item),
    );
    return { serviceRevisions, failures };
  }

  private describeServiceRevision(cluster: string, service: string, revision: FixtureServiceRevision): unknown {
    return {
      serviceRevisionArn: this.serviceRevisionArn(cluster, service, revision.id),
      serviceArn: this.serviceArn(cluster, service),
      clusterArn: this.clusterArn(cluster),
      taskDefinition: this.taskDefinitionArn(revision.taskDefinition),
      launchType: 'FARGATE',
      platformVersion: '1.4.0',
      platformFamily: 'Linux',
      containerImages: revision.containerImages.map((container) => ({
        containerName: container.containerName,
        ...(container.imageDigest !== undefined && { imageDigest: container.imageDigest }),
        ...(container.image !== undefined && { image: container.image }),
      })),
      guardDutyEnabled: false,
      createdAt: epochSeconds(this.now),
    };
  }

  /** The revision or deployment that an ARN of this account and region names, with its cluster and service. */
  private findServiceChild<T>(
    arn: string,
    kind: 'service-revision' | 'service-deployment',
    find: (service: FixtureService, id: string) => T | undefined,
  ): { cluster: string; service: string; item: T } | undefined {
    const parsed = parseServiceChildArn(arn);
    if (!parsed || parsed.kind !== kind || arn !== `arn:aws:ecs:${this.region}:${this.accountId}:${kind}/${parsed.cluster}/${parsed.service}/${parsed.id}`) return undefined;
    const service = this.clusters.find((cluster) => cluster.name === parsed.cluster)?.services?.find((candidate) => candidate.name === parsed.service);
    const item = service && find(service, parsed.id);
    return item === undefined ? undefined : { cluster: parsed.cluster, service: parsed.service, item };
  }

  /**
   * ARNs of task definitions, sorted by family and then by revision number (ascending, or descending
   * with `sort: DESC`). `familyPrefix` is matched against the whole family, as ECS does here (unlike
   * ListTaskDefinitionFamilies, whose prefix is a prefix).
   */
  private listTaskDefinitions(params: Params): unknown {
    const status = params.status ?? 'ACTIVE';
    if (status !== 'ACTIVE' && status !== 'INACTIVE' && status !== 'DELETE_IN_PROGRESS') throw invalidParameter(`Invalid status ${text(status)}`);
    const sort = params.sort ?? 'ASC';
    if (sort !== 'ASC' && sort !== 'DESC') throw invalidParameter(`Invalid sort ${text(sort)}`);
    const family = params.familyPrefix === undefined ? undefined : text(params.familyPrefix);
    const listed = [...this.taskDefinitions.values()]
      .filter((definition) => (definition.status ?? 'ACTIVE') === status)
      .map((definition) => splitTaskDefinition(definition.name))
      .filter((definition) => family === undefined || definition.family === family)
      .sort((a, b) => (a.family === b.family ? a.revision - b.revision : a.family < b.family ? -1 : 1));
    if (sort === 'DESC') listed.reverse();
    const arns = listed.map((definition) => this.taskDefinitionArn(`${definition.family}:${definition.revision}`));
    const { page, nextToken } = paginate(arns, params, { defaultSize: 100, maxSize: 100, key: `ListTaskDefinitions:${text(status)}:${family ?? ''}:${text(sort)}` });
    return { taskDefinitionArns: page, ...(nextToken && { nextToken }) };
  }

  /** By ARN or `family:revision`, whatever its status; by family alone, its latest ACTIVE revision. */
  private describeTaskDefinition(params: Params): unknown {
    const reference = text(params.taskDefinition ?? '');
    const name = reference.slice(reference.lastIndexOf('/') + 1);
    let definition: FixtureTaskDefinition | undefined;
    if (name.includes(':')) {
      definition = this.taskDefinitions.get(this.taskDefinitionArn(reference));
    } else {
      definition = [...this.taskDefinitions.values()]
        .filter((candidate) => (candidate.status ?? 'ACTIVE') === 'ACTIVE' && splitTaskDefinition(candidate.name).family === name)
        .sort((a, b) => splitTaskDefinition(b.name).revision - splitTaskDefinition(a.name).revision)[0];
    }
    if (!definition) throw new AwsError('ClientException', 'Unable to describe task definition.');
    const { family, revision } = splitTaskDefinition(definition.name);
    return {
      taskDefinition: {
        taskDefinitionArn: this.taskDefinitionArn(definition.name),
        family,
        revision,
        status: definition.status ?? 'ACTIVE',
        containerDefinitions: definition.containers.map((container) => ({ name: container.name, ...(container.image !== '' && { image: container.image }), essential: true })),
      },
    };
  }
}

/** The parts of a service revision or service deployment ARN. */
function parseServiceChildArn(arn: string): { kind: string; cluster: string; service: string; id: string } | undefined {
  const match = /^arn:aws:ecs:[^:]+:\d+:(service-revision|service-deployment)\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(arn);
  return match ? { kind: match[1], cluster: match[2], service: match[3], id: match[4] } : undefined;
}

function splitTaskDefinition(name: string): { family: string; revision: number } {
  const [family, revision] = name.split(':');
  return { family, revision: Number(revision) };
}
