/**
 * Amazon ECS, as far as the cleaner uses it: ListClusters, ListTasks, DescribeTasks, ListServices,
 * DescribeServices and DescribeTaskDefinition, with the API's page sizes and limits.
 */
import { AwsError, checkMaxItems, epochSeconds, invalidParameter, paginate, text, type Params } from './protocol';
import type { Fixture, FixtureCluster, FixtureTask } from './fixture';
import { clusterName } from '../../lambda/core/names';

export class Ecs {
  private readonly clusters: readonly FixtureCluster[];
  private readonly taskDefinitions: Map<string, NonNullable<Fixture['taskDefinitions']>[number]>;

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

  /** The cluster a call is about, by name, for fault rules. */
  static target(params: Params): { cluster?: string } {
    if (typeof params.cluster !== 'string') return {};
    return { cluster: clusterName(params.cluster) };
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
      case 'DescribeTaskDefinition': {
        const arn = this.taskDefinitionArn(text(params.taskDefinition ?? ''));
        const definition = this.taskDefinitions.get(arn);
        if (!definition) throw new AwsError('ClientException', 'Unable to describe task definition.');
        const [family, revision] = definition.name.split(':');
        return {
          taskDefinition: {
            taskDefinitionArn: arn,
            family,
            revision: Number(revision),
            status: 'ACTIVE',
            containerDefinitions: definition.containers.map((container) => ({ name: container.name, image: container.image, essential: true })),
          },
        };
      }
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
        deployments: (service.deployments ?? []).map((deployment, position) => ({
          id: `ecs-svc/${position}`,
          status: deployment.status,
          taskDefinition: this.taskDefinitionArn(deployment.taskDefinition),
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
}
