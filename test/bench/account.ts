/**
 * The benchmark's account, and the fewest AWS calls that the APIs allow for it (its lower bound).
 *
 * Every source of images in use has a realistic share, and each keeps images that nothing else keeps,
 * so that switching a source off would change the plan:
 * - ECR: ordinary repositories of 60 images, one very large repository, multi-architecture repositories
 *   with attestations, and a repository per container-image Lambda function;
 * - ECS tasks, running and recently stopped, in every cluster;
 * - ECS services: each with a PRIMARY deployment (task definition family `svc-<r>`, revision 4) and one
 *   current service revision that pins a digest. A quarter of the families name the moving tag `stable`,
 *   so their revision pins an older image than the tag names now. Two services per cluster are in the
 *   middle of a deployment (rolloutState IN_PROGRESS, an ACTIVE deployment of revision 3, and an
 *   unfinished service deployment whose source revision is the rollback target);
 * - task definition families: the services' (revisions 1 and 2 INACTIVE, 3 and 4 ACTIVE) and the
 *   scheduled jobs' (`job-<k>`: 1 INACTIVE, 2 and 3 ACTIVE);
 * - EventBridge: the default bus (rules with schedule expressions) and a custom bus (rules with event
 *   patterns); one rule in four has an ECS target (by `family:revision` or by bare family), the others
 *   Lambda, SNS or SQS targets; some are disabled;
 * - EventBridge Scheduler: schedules in the `default` and a `batch` group; one in three runs an ECS task
 *   (templated targets, and universal `aws-sdk:ecs:runTask` targets whose Input names the task
 *   definition), the others Lambda or universal SQS targets;
 * - Lambda: container-image functions with published versions (a few with more than a page of them) and
 *   aliases (`live`, some with a weighted canary version, and `previous`), among Zip functions;
 * - the operator's list of images in use elsewhere, as an S3 object;
 * - the pull-time rule: a share of the large repository's old builds were pulled recently.
 */
import type { ArtifactReport, RunReport } from '../../lambda/core/report';
import {
  image,
  multiArchImage,
  registryHost,
  type Fixture,
  type FixtureCluster,
  type FixtureEventBus,
  type FixtureFunction,
  type FixtureImage,
  type FixtureScheduleGroup,
  type FixtureService,
  type FixtureTaskDefinition,
} from '../emulator/fixture';

export interface Shape {
  readonly repositories: number;
  readonly imagesPerRepository: number;
  readonly bigRepositoryImages: number;
  readonly multiArchRepositories: number;
  readonly clusters: number;
  readonly tasksPerCluster: number;
  readonly servicesPerCluster: number;
  /** Services per cluster with a deployment in progress. */
  readonly deployingServicesPerCluster: number;
  /** Task definition families of scheduled jobs (`job-<k>`), besides the services' own. */
  readonly jobFamilies: number;
  readonly defaultBusRules: number;
  readonly customBusRules: number;
  /** Split evenly between the `default` and `batch` groups. */
  readonly schedules: number;
  /** All Lambda functions; one in three is packaged as a container image. */
  readonly functions: number;
  /** Lines of the operator's in-use list that name this registry's images. */
  readonly inUseListEntries: number;
}

/** What the run is told, besides the shape: these settings are passed to every run. */
export const IN_USE_LIST_URI = 's3://ops-config/ecr/in-use-images.txt';
export const KEEP_PULLED_DAYS = 14;
/** The defaults of `KEEP_TASK_DEFINITION_REVISIONS` and `KEEP_LAMBDA_VERSIONS`, which the bench does not change. */
const KEEP_TASK_DEFINITION_REVISIONS = 1;
const KEEP_LAMBDA_VERSIONS = 3;

export interface Account {
  readonly fixture: Fixture;
  /** The CLI's arguments that switch on what the fixture needs: the in-use list and the pull-time rule. */
  readonly args: readonly string[];
  /** The same settings as variables, for the Lambda handler. */
  readonly variables: Readonly<Record<string, string>>;
  /** One line that describes the account. */
  readonly description: string;
  /** The fewest calls by operation, for the report of a run (whose deletions decide `BatchDeleteImage`). */
  readonly lowerBound: (run: BoundedRun) => Record<string, number>;
}

/** What the lower bound needs of a run: its mode, the fewest BatchDeleteImage calls for what it deleted, and its calls. */
export interface BoundedRun {
  readonly mode: RunReport['mode'];
  /** `deleteCallsOf` summed over the run's repositories. */
  readonly deleteCalls: number;
  readonly byOperation: Readonly<Record<string, number>>;
}

/**
 * The fewest BatchDeleteImage calls for a repository's deletions: per 100 manifests of one wave (the
 * images and indexes first, then the manifests that only they listed).
 */
export function deleteCallsOf(artifacts: Iterable<Pick<ArtifactReport, 'digest' | 'decisions'>>): number {
  const waves = new Map<number, number>();
  for (const artifact of artifacts) {
    for (const decision of artifact.decisions) {
      if (decision.action !== 'delete') continue;
      const depth = decision.digest === artifact.digest ? 0 : 1;
      waves.set(depth, (waves.get(depth) ?? 0) + 1);
    }
  }
  return [...waves.values()].reduce((count, wave) => count + Math.ceil(wave / 100), 0);
}

const pad = (n: number, width = 3): string => String(n).padStart(width, '0');
const pages = (count: number, size: number): number => Math.max(1, Math.ceil(count / size));
/** `family:revision` of a task definition reference (ARN, `family:revision`, or bare family resolved to its newest ACTIVE revision). */
type Resolve = (reference: string) => string;

export function buildAccount(shape: Shape): Account {
  const host = registryHost({});
  const teamRepository = (r: number): string => `team-${pad(r)}/service`;
  const stable = (r: number): boolean => r % 4 === 0;

  // ECR.
  const teamImages = Array.from({ length: shape.repositories }, (_, r) =>
    Array.from({ length: shape.imagesPerRepository }, (_, n) =>
      image(`r${r}:${n}`, {
        tags: n === shape.imagesPerRepository - 1 && stable(r) ? [`v${n}`, 'stable'] : [`v${n}`],
        pushedDaysAgo: 200 - n * 3,
        sizeBytes: 40_000_000,
      }),
    ),
  );
  const repositories: { name: string; images: FixtureImage[] }[] = teamImages.map((images, r) => ({ name: teamRepository(r), images }));
  const bigImages = Array.from({ length: shape.bigRepositoryImages }, (_, n) => ({
    ...image(`big:${n}`, { tags: [`build-${n}`], pushedDaysAgo: 300 - n * 0.05, sizeBytes: 150_000_000 }),
    ...(n % 250 === 125 && { pulledDaysAgo: 2 }),
  }));
  repositories.push({ name: 'monorepo/builds', images: bigImages });
  const releasesOf: FixtureImage[][] = [];
  for (let r = 0; r < shape.multiArchRepositories; r += 1) {
    const releases = Array.from({ length: 12 }, (_, n) => multiArchImage(`multi${r}:${n}`, { tags: [`2026.${n}`], pushedDaysAgo: 120 - n * 9, attestations: true }));
    releasesOf.push(releases.map((release) => release.index));
    repositories.push({ name: `platform-${r}/multi-arch`, images: releases.flatMap((release) => release.all) });
  }

  // Task definitions: the services' families and the scheduled jobs'.
  const taskDefinitions: FixtureTaskDefinition[] = [];
  for (let r = 0; r < shape.repositories; r += 1) {
    const at = (n: number): string => `${host}/${teamRepository(r)}:v${n}`;
    taskDefinitions.push(
      { name: `svc-${r}:1`, status: 'INACTIVE', containers: [{ name: 'app', image: at(24) }] },
      { name: `svc-${r}:2`, status: 'INACTIVE', containers: [{ name: 'app', image: at(26) }] },
      { name: `svc-${r}:3`, containers: [{ name: 'app', image: at(28) }] },
      { name: `svc-${r}:4`, containers: [{ name: 'app', image: stable(r) ? `${host}/${teamRepository(r)}:stable` : at(30) }] },
    );
  }
  const jobRepository = (k: number): number => (k * 5) % shape.repositories;
  for (let k = 0; k < shape.jobFamilies; k += 1) {
    const at = (n: number): string => `${host}/${teamRepository(jobRepository(k))}:v${n}`;
    taskDefinitions.push(
      { name: `job-${k}:1`, status: 'INACTIVE', containers: [{ name: 'job', image: at(21) }] },
      { name: `job-${k}:2`, containers: [{ name: 'job', image: at(22) }] },
      { name: `job-${k}:3`, containers: [{ name: 'job', image: at(23) }, { name: 'log-router', image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable' }] },
    );
  }

  // ECS: tasks, and services with their revisions and deployments.
  const revision = (id: string, taskDefinition: string, r: number, n: number): NonNullable<FixtureService['revisions']>[number] => ({
    id,
    taskDefinition,
    containerImages: [{ containerName: 'app', image: n === 30 && stable(r) ? `${host}/${teamRepository(r)}:stable` : `${host}/${teamRepository(r)}:v${n}`, imageDigest: teamImages[r][n === 30 && stable(r) ? 31 : n].digest }],
  });
  const stride = Math.max(1, Math.floor(shape.servicesPerCluster / shape.deployingServicesPerCluster));
  const deploying = (s: number): boolean => s % stride === 7 % stride;
  const clusters: FixtureCluster[] = Array.from({ length: shape.clusters }, (_, c) => ({
    name: `cluster-${c}`,
    tasks: Array.from({ length: shape.tasksPerCluster }, (_, t) => {
      const r = (c * shape.tasksPerCluster + t) % shape.repositories;
      return { id: `c${c}t${t}`, desiredStatus: t % 10 === 9 ? ('STOPPED' as const) : ('RUNNING' as const), containers: [{ name: 'app', image: `${host}/${teamRepository(r)}:v${t % 20}` }] };
    }),
    services: Array.from({ length: shape.servicesPerCluster }, (_, s): FixtureService => {
      const r = (c * shape.servicesPerCluster + s) % shape.repositories;
      if (!deploying(s)) {
        return {
          name: `svc-${s}`,
          deployments: [{ status: 'PRIMARY', taskDefinition: `svc-${r}:4`, rolloutState: 'COMPLETED' }],
          revisions: [revision('rev-4', `svc-${r}:4`, r, 30)],
          currentRevisions: ['rev-4'],
        };
      }
      return {
        name: `svc-${s}`,
        deployments: [
          { status: 'PRIMARY', taskDefinition: `svc-${r}:4`, rolloutState: 'IN_PROGRESS' },
          { status: 'ACTIVE', taskDefinition: `svc-${r}:3`, rolloutState: 'COMPLETED' },
        ],
        revisions: [revision('rev-2', `svc-${r}:2`, r, 26), revision('rev-3', `svc-${r}:3`, r, 28), revision('rev-4', `svc-${r}:4`, r, 30)],
        currentRevisions: ['rev-4'],
        serviceDeployments: [
          { id: 'dep-4', status: 'IN_PROGRESS', sourceRevisions: ['rev-3'], targetRevision: 'rev-4' },
          { id: 'dep-3', status: 'SUCCESSFUL', sourceRevisions: ['rev-2'], targetRevision: 'rev-3' },
        ],
      };
    }),
  }));

  // EventBridge and Scheduler. References to job families vary as they do in real accounts.
  const job = (i: number): number => i % shape.jobFamilies;
  const lambdaArn = (name: string): string => `arn:aws:lambda:eu-west-2:123456789012:function:${name}`;
  const ruleTaskDefinition = (i: number): string => (i % 3 === 1 ? `job-${job(i)}` : i % 3 === 2 ? `job-${job(i)}:2` : `job-${job(i)}:3`);
  const eventBuses: FixtureEventBus[] = [
    {
      name: 'default',
      rules: Array.from({ length: shape.defaultBusRules }, (_, i) => ({
        name: `nightly-${pad(i)}`,
        scheduleExpression: i % 2 === 0 ? 'cron(0 2 * * ? *)' : 'rate(1 hour)',
        ...(i % 17 === 5 && { state: 'DISABLED' as const }),
        targets:
          i % 4 === 0
            ? [{ id: 'task', arn: `cluster-${i % shape.clusters}`, taskDefinition: ruleTaskDefinition(i / 4) }, { id: 'notify', arn: 'arn:aws:sns:eu-west-2:123456789012:ops' }]
            : [{ id: 'fn', arn: lambdaArn(`zip-${i}`) }],
      })),
    },
    {
      name: 'orders',
      rules: Array.from({ length: shape.customBusRules }, (_, i) => ({
        name: `on-order-${pad(i)}`,
        targets:
          i % 4 === 0
            ? [{ id: 'task', arn: `cluster-${i % shape.clusters}`, taskDefinition: `job-${job(shape.jobFamilies - 1 - i / 4)}:3` }]
            : [{ id: 'queue', arn: `arn:aws:sqs:eu-west-2:123456789012:orders-${i}` }],
      })),
    },
  ];
  const taskDefinitionArn = (name: string): string => `arn:aws:ecs:eu-west-2:123456789012:task-definition/${name}`;
  const scheduleGroups: FixtureScheduleGroup[] = ['default', 'batch'].map((group, g) => ({
    name: group,
    schedules: Array.from({ length: Math.ceil(shape.schedules / 2) - g * (shape.schedules % 2) }, (_, j) => {
      const i = g * Math.ceil(shape.schedules / 2) + j;
      const k = job(Math.floor(i / 3) + 7);
      const state = i % 13 === 4 ? { state: 'DISABLED' as const } : {};
      if (i % 3 !== 0) {
        return {
          name: `${group}-${pad(i)}`,
          ...state,
          target: i % 2 === 0 ? { arn: lambdaArn(`zip-${i}`) } : { arn: 'arn:aws:scheduler:::aws-sdk:sqs:sendMessage', input: JSON.stringify({ QueueUrl: 'https://sqs.eu-west-2.amazonaws.com/123456789012/ticks', MessageBody: 'tick' }) },
        };
      }
      const reference = i % 2 === 0 ? `job-${k}:3` : `job-${k}:2`;
      return {
        name: `${group}-${pad(i)}`,
        ...state,
        target:
          i % 9 === 6
            ? { arn: 'arn:aws:scheduler:::aws-sdk:ecs:runTask', input: JSON.stringify({ Cluster: `cluster-${i % shape.clusters}`, TaskDefinition: taskDefinitionArn(reference), LaunchType: 'FARGATE' }) }
            : { arn: `cluster-${i % shape.clusters}`, taskDefinition: reference },
      };
    }),
  }));

  // Lambda: one function in three is a container image with its own repository.
  const functions: FixtureFunction[] = [];
  const imageFunctions: FixtureFunction[] = [];
  for (let i = 0; i < shape.functions; i += 1) {
    if (i % 3 !== 0) {
      functions.push({ name: `zip-${i}`, packageType: 'Zip' });
      continue;
    }
    const k = i / 3;
    const versions = k % 10 === 0 ? 60 : 12;
    const name = `lambda-${pad(k, 2)}/function`;
    const images = Array.from({ length: versions + 2 }, (_, n) => image(`fn${k}:${n}`, { tags: [`v${n}`], pushedDaysAgo: 8 + (versions + 1 - n) * 2, sizeBytes: 120_000_000 }));
    repositories.push({ name, images });
    const at = (n: number): { uri: string; digest: string } => ({ uri: `${host}/${name}:v${n}`, digest: images[n].digest });
    const fn: FixtureFunction = {
      name: `fn-${pad(k, 2)}`,
      latest: at(versions + 1),
      versions: Array.from({ length: versions }, (_, v) => at(v + 1)),
      aliases: [
        { name: 'live', version: String(versions - 4), ...(k % 3 === 0 && { additionalVersionWeights: { [String(versions - 3)]: 0.1 } }) },
        ...(k % 2 === 0 ? [{ name: 'previous', version: String(versions - 8) }] : []),
      ],
    };
    functions.push(fn);
    imageFunctions.push(fn);
  }

  // The operator's list: builds that another account's EKS clusters run, and a release pinned by digest.
  const listLines = [
    '# Images that run outside this account; the cleaner must keep them.',
    ...Array.from({ length: shape.inUseListEntries - 1 }, (_, n) => `${host}/monorepo/builds:build-${(100 + n * 37) % shape.bigRepositoryImages}`),
    `${host}/platform-0/multi-arch@${releasesOf[0][2].digest}  # pinned by the partner integration`,
    'docker.io/library/nginx:1.27',
    '',
  ];
  const objects = [{ bucket: 'ops-config', key: 'ecr/in-use-images.txt', body: listLines.join('\n') }];

  const fixture: Fixture = { repositories, clusters, taskDefinitions, eventBuses, scheduleGroups, functions, objects, faults: {} };
  return {
    fixture,
    args: ['--in-use-images', IN_USE_LIST_URI, '--keep-pulled-days', String(KEEP_PULLED_DAYS)],
    variables: { IN_USE_IMAGES_URI: IN_USE_LIST_URI, KEEP_IMAGES_PULLED_WITHIN_DAYS: String(KEEP_PULLED_DAYS) },
    description:
      `${shape.repositories} repositories of ${shape.imagesPerRepository} images, one of ${shape.bigRepositoryImages}, ${shape.multiArchRepositories} multi-architecture ones (12 releases, 2 platforms, attestations), one per container-image Lambda function; ` +
      `${shape.clusters} clusters of ${shape.tasksPerCluster} tasks and ${shape.servicesPerCluster} services (${shape.deployingServicesPerCluster} deploying); ` +
      `${shape.repositories + shape.jobFamilies} task definition families; ${shape.defaultBusRules + shape.customBusRules} EventBridge rules on 2 buses; ${shape.schedules} schedules in 2 groups; ` +
      `${shape.functions} Lambda functions (a third container images); an in-use list of ${shape.inUseListEntries + 1} references in S3`,
    lowerBound: (report) => lowerBound(fixture, imageFunctions, report),
  };
}

/**
 * The fewest calls the APIs allow for the account, by operation. Page sizes and batch limits are the
 * SDK models' (and the emulator's):
 * - ECR: DescribeRepositories and DescribeImages pages of 1000; BatchGetImage per 100 indexes of a
 *   repository; BatchDeleteImage per 100 manifests of one wave of one repository;
 * - ECS tasks: ListClusters pages of 100; per cluster, ListTasks pages of 100 for RUNNING and for
 *   STOPPED, DescribeTasks per 100 tasks;
 * - ECS services: per cluster, ListServices pages of 100 and DescribeServices per 10; per service
 *   whose deployment is in progress, ListServiceDeployments pages of 100 (of its unfinished
 *   deployments); per cluster, DescribeServiceDeployments per 20 of those, and DescribeServiceRevisions
 *   per 20 distinct revisions (the current ones and the deployments' source and target revisions);
 * - task definitions: ListTaskDefinitions pages of 100 of the ACTIVE ones in the account;
 *   DescribeTaskDefinition once per distinct task definition (a bare family counts as its newest ACTIVE
 *   revision) among the services' PRIMARY and ACTIVE deployments, the rules' and schedules' ECS targets,
 *   and the newest KEEP_TASK_DEFINITION_REVISIONS of each family: all share one reader;
 * - EventBridge: ListEventBuses pages of 100; per bus, ListRules pages of 100; per rule,
 *   ListTargetsByRule pages of 100;
 * - Scheduler: ListSchedules pages of 100 over every group; GetSchedule per schedule whose target is
 *   an ECS cluster or the universal `ecs:runTask` (the summary names only the target's ARN);
 * - Lambda: ListFunctions pages of 50; per image function, ListAliases pages of 50 (the emulator's cap;
 *   the model allows more, and no function here has more than 50), ListVersionsByFunction pages of 50
 *   ($LATEST is listed too), and one GetFunction per distinct qualifier ($LATEST, the aliases'
 *   versions and weighted versions, and the newest KEEP_LAMBDA_VERSIONS published versions);
 * - S3: one GetObject for the in-use list;
 * - STS: the CLI's GetCallerIdentity, counted only when the report counts it (the CLI may make it
 *   outside the cleaner's count; the bench reports the emulator's count of it apart).
 */
export function lowerBound(fixture: Fixture, imageFunctions: readonly FixtureFunction[], report: BoundedRun): Record<string, number> {
  const clusters = fixture.clusters ?? [];
  const definitions = fixture.taskDefinitions ?? [];
  const active = definitions.filter((definition) => (definition.status ?? 'ACTIVE') === 'ACTIVE');
  const familyOf = (name: string): string => name.split(':')[0];
  const revisionOf = (name: string): number => Number(name.split(':')[1]);
  const newestActive = new Map<string, string[]>();
  for (const definition of active) newestActive.set(familyOf(definition.name), [...(newestActive.get(familyOf(definition.name)) ?? []), definition.name]);
  for (const names of newestActive.values()) names.sort((a, b) => revisionOf(b) - revisionOf(a));
  const resolve: Resolve = (reference) => {
    const name = reference.slice(reference.lastIndexOf('/') + 1);
    return name.includes(':') ? name : (newestActive.get(name)?.[0] ?? name);
  };

  const services = clusters.flatMap((cluster) => cluster.services ?? []);
  const readDefinitions = new Set<string>([
    ...services.flatMap((service) => [...(service.deployments ?? []), ...(service.taskSets ?? [])].filter((d) => d.status === 'PRIMARY' || d.status === 'ACTIVE').map((d) => resolve(d.taskDefinition))),
    ...(fixture.eventBuses ?? []).flatMap((bus) => (bus.rules ?? []).flatMap((rule) => (rule.targets ?? []).flatMap((target) => (target.taskDefinition ? [resolve(target.taskDefinition)] : [])))),
    ...(fixture.scheduleGroups ?? []).flatMap((group) => (group.schedules ?? []).flatMap((schedule) => scheduledTaskDefinition(schedule.target).map(resolve))),
    ...[...newestActive.values()].flatMap((names) => names.slice(0, KEEP_TASK_DEFINITION_REVISIONS)),
  ]);

  const unfinished = new Set(['PENDING', 'IN_PROGRESS', 'STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS']);
  const isDeploying = (service: FixtureService): boolean =>
    (service.deployments ?? []).length > 1 || (service.deployments ?? []).some((deployment) => deployment.rolloutState === 'IN_PROGRESS');
  const perCluster = clusters.map((cluster) => {
    const deployingServices = (cluster.services ?? []).filter(isDeploying);
    const deployments = deployingServices.flatMap((service) => (service.serviceDeployments ?? []).filter((deployment) => unfinished.has(deployment.status)));
    const revisions = new Set([
      ...(cluster.services ?? []).flatMap((service) => (service.currentRevisions ?? []).map((id) => `${service.name}/${id}`)),
      ...deployingServices.flatMap((service) =>
        (service.serviceDeployments ?? []).filter((deployment) => unfinished.has(deployment.status)).flatMap((deployment) => [...deployment.sourceRevisions, deployment.targetRevision].map((id) => `${service.name}/${id}`)),
      ),
    ]);
    return {
      listDeployments: deployingServices.reduce((sum, service) => sum + pages((service.serviceDeployments ?? []).filter((deployment) => unfinished.has(deployment.status)).length, 100), 0),
      describeDeployments: Math.ceil(deployments.length / 20),
      describeRevisions: Math.ceil(revisions.size / 20),
    };
  });

  const schedules = (fixture.scheduleGroups ?? []).flatMap((group) => group.schedules ?? []);
  const rules = (fixture.eventBuses ?? []).flatMap((bus) => bus.rules ?? []);
  // The default bus exists whether or not the fixture lists it.
  const buses = [...(fixture.eventBuses ?? []).some((bus) => bus.name === 'default') ? [] : [{ name: 'default', rules: [] }], ...(fixture.eventBuses ?? [])];
  const qualifiers = (fn: FixtureFunction): number => {
    const published = (fn.versions ?? []).map((_, v) => String(v + 1)).reverse();
    return new Set(['$LATEST', ...(fn.aliases ?? []).flatMap((alias) => [alias.version, ...Object.keys(alias.additionalVersionWeights ?? {})]), ...published.slice(0, KEEP_LAMBDA_VERSIONS)]).size;
  };

  const sum = (values: number[]): number => values.reduce((total, value) => total + value, 0);
  const deletes = report.mode === 'delete' ? report.deleteCalls : 0;
  const listDeployments = sum(perCluster.map((cluster) => cluster.listDeployments));
  const describeDeployments = sum(perCluster.map((cluster) => cluster.describeDeployments));

  return {
    'ECR.DescribeRepositories': pages(fixture.repositories.length, 1000),
    'ECR.DescribeImages': sum(fixture.repositories.map((repository) => pages(repository.images.length, 1000))),
    'ECR.BatchGetImage': sum(fixture.repositories.map((repository) => Math.ceil(repository.images.filter((i) => i.mediaType.includes('index') || i.mediaType.includes('list')).length / 100))),
    ...(deletes > 0 && { 'ECR.BatchDeleteImage': deletes }),
    'ECS.ListClusters': pages(clusters.length, 100),
    'ECS.ListTasks': sum(clusters.map((cluster) => pages(tasksIn(cluster, 'RUNNING'), 100) + pages(tasksIn(cluster, 'STOPPED'), 100))),
    'ECS.DescribeTasks': sum(clusters.map((cluster) => Math.ceil((cluster.tasks ?? []).length / 100))),
    'ECS.ListServices': sum(clusters.map((cluster) => pages((cluster.services ?? []).length, 100))),
    'ECS.DescribeServices': sum(clusters.map((cluster) => Math.ceil((cluster.services ?? []).length / 10))),
    ...(listDeployments > 0 && { 'ECS.ListServiceDeployments': listDeployments }),
    ...(describeDeployments > 0 && { 'ECS.DescribeServiceDeployments': describeDeployments }),
    'ECS.DescribeServiceRevisions': sum(perCluster.map((cluster) => cluster.describeRevisions)),
    'ECS.ListTaskDefinitions': pages(active.length, 100),
    'ECS.DescribeTaskDefinition': readDefinitions.size,
    'Events.ListEventBuses': pages(buses.length, 100),
    'Events.ListRules': sum(buses.map((bus) => pages((bus.rules ?? []).length, 100))),
    'Events.ListTargetsByRule': sum(rules.map((rule) => pages((rule.targets ?? []).length, 100))),
    'Scheduler.ListSchedules': pages(schedules.length, 100),
    'Scheduler.GetSchedule': schedules.filter((schedule) => scheduledTaskDefinition(schedule.target).length > 0).length,
    'Lambda.ListFunctions': pages((fixture.functions ?? []).length, 50),
    'Lambda.ListAliases': sum(imageFunctions.map((fn) => pages((fn.aliases ?? []).length, 50))),
    'Lambda.ListVersionsByFunction': sum(imageFunctions.map((fn) => pages((fn.versions ?? []).length + 1, 50))),
    'Lambda.GetFunction': sum(imageFunctions.map(qualifiers)),
    'S3.GetObject': (fixture.objects ?? []).length > 0 ? 1 : 0,
    ...(report.byOperation['STS.GetCallerIdentity'] !== undefined && { 'STS.GetCallerIdentity': 1 }),
  };
}

/** The tasks of a cluster whose desired status is `status`. */
function tasksIn(cluster: FixtureCluster, status: 'RUNNING' | 'STOPPED'): number {
  return (cluster.tasks ?? []).filter((task) => (task.desiredStatus ?? 'RUNNING') === status).length;
}

/** The task definition an ECS schedule target runs (templated, or universal with its Input), or none for another target. */
function scheduledTaskDefinition(target: { readonly arn: string; readonly taskDefinition?: string; readonly input?: string }): string[] {
  if (target.taskDefinition) return [target.taskDefinition];
  if (target.arn.endsWith(':aws-sdk:ecs:runTask') && target.input) return [(JSON.parse(target.input) as { TaskDefinition: string }).TaskDefinition];
  return [];
}
