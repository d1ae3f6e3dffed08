/**
 * Task definitions, read once each per run. ECS services, scheduled tasks and task definition families
 * all name task definitions; this reader describes each one once, whoever asks first, and answers the
 * others from its cache.
 */
import { DescribeTaskDefinitionCommand, type ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { errorMessage } from '../errors';
import type { ImageUse, InUseDiscovery } from '../core/types';
import { listAll, type ApiCalls } from './api-calls';

/** The largest page of `ListTaskDefinitions`. */
const TASK_DEFINITIONS_PER_PAGE = 100;

/** A container of a task definition, and the image it names. */
export interface ContainerImage {
  readonly name: string;
  readonly image?: string;
}

/** What a task definition says about images. */
export interface TaskDefinitionImages {
  /** The full ARN, with its revision, as ECS returned it. */
  readonly arn: string;
  readonly containers: readonly ContainerImage[];
}

/** What a use says of the workload behind it, besides the task definition's own container and image. */
export type Workload = Omit<ImageUse, 'reference' | 'container' | 'taskDefinition'>;

export class TaskDefinitionReader {
  /** Reads in flight or done, by `family:revision`, or by family alone for its latest ACTIVE revision. */
  private readonly cache = new Map<string, Promise<TaskDefinitionImages>>();
  /** The latest ACTIVE revision of each family, when a listing of every ACTIVE task definition is made. */
  private latest?: Promise<ReadonlyMap<string, string>>;

  constructor(
    private readonly ecs: ECSClient,
    private readonly calls: ApiCalls,
  ) {}

  /**
   * Tells the reader that a listing of every ACTIVE task definition is under way, so that a request by
   * family alone waits for it and is answered as its latest revision, which may be read already, rather
   * than with a call of its own.
   */
  useLatestRevisions(latest: Promise<ReadonlyMap<string, string>>): void {
    this.latest = latest;
  }

  /**
   * Reads a task definition by ARN, by `family:revision`, or by family alone (which ECS answers with the
   * family's latest ACTIVE revision). The same task definition is described once, however it is named.
   *
   * @throws AwsCallError when ECS cannot describe it
   */
  async read(taskDefinition: string): Promise<TaskDefinitionImages> {
    // `family:revision` or `family`, however it was named: an ARN and its short name share one read.
    const marker = taskDefinition.lastIndexOf('task-definition/');
    const name = marker >= 0 ? taskDefinition.slice(marker + 'task-definition/'.length) : taskDefinition;
    if (!name.includes(':') && this.latest) {
      const arn = (await this.latest).get(name);
      if (arn !== undefined) return this.read(arn);
    }
    let pending = this.cache.get(name);
    if (!pending) {
      pending = this.calls
        .send('ECS.DescribeTaskDefinition', `task definition ${taskDefinition}`, () =>
          this.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition })),
        )
        .then((output) => ({
          arn: output.taskDefinition?.taskDefinitionArn ?? taskDefinition,
          containers: (output.taskDefinition?.containerDefinitions ?? []).map((container) => ({
            name: container.name ?? '?',
            ...(container.image && { image: container.image }),
          })),
        }));
      this.cache.set(name, pending);
      // A later request by the revision that a family resolved to is answered from the same read.
      pending.then(
        (read) => {
          const parsed = parseTaskDefinitionArn(read.arn);
          if (parsed && !this.cache.has(`${parsed.family}:${parsed.revision}`)) this.cache.set(`${parsed.family}:${parsed.revision}`, pending as Promise<TaskDefinitionImages>);
        },
        () => undefined,
      );
    }
    return pending;
  }

  /**
   * The uses of a task definition's images, one per container, each with the fields of `workload`. A task
   * definition that cannot be read, or a container without an image, is a problem (prefixed by `where`).
   */
  async uses(taskDefinition: string, workload: Workload, where = ''): Promise<InUseDiscovery> {
    const uses: ImageUse[] = [];
    const problems: string[] = [];
    try {
      const definition = await this.read(taskDefinition);
      for (const container of definition.containers) {
        if (container.image) uses.push({ ...workload, reference: container.image, taskDefinition: definition.arn, container: container.name });
        else problems.push(`${where}task definition ${definition.arn} has no image for container ${container.name}`);
      }
    } catch (error) {
      problems.push(`${where}${errorMessage(error)}`);
    }
    return { uses, problems };
  }
}

export interface TaskDefinitionFamilyOptions {
  /** The newest ACTIVE revisions of each family to keep; 0 turns the source off. */
  readonly keepRevisions: number;
  /** Reads each task definition once per run, shared with the other sources. */
  readonly taskDefinitions: TaskDefinitionReader;
}

/**
 * Finds the images of the newest ACTIVE revisions of every task definition family, which a deployment,
 * a scheduled task or a person may start at any time:
 * 1. list every ACTIVE task definition, 100 a page (one listing for the account: a listing per family
 *    would cost a call per family, and `ListTaskDefinitionFamilies` adds one more listing);
 * 2. group the ARNs by family and take the `keepRevisions` highest revision numbers of each;
 * 3. read each through the shared reader, and return one use per container.
 *
 * A listing that fails, a task definition that cannot be read, or a container without an image is a
 * problem. With `keepRevisions` 0 it makes no call.
 */
export async function discoverTaskDefinitionImages(ecs: ECSClient, calls: ApiCalls, options: TaskDefinitionFamilyOptions): Promise<InUseDiscovery> {
  if (options.keepRevisions <= 0) return { uses: [], problems: [] };
  const uses: ImageUse[] = [];
  const problems: string[] = [];

  let arns: string[];
  let listed: (latest: ReadonlyMap<string, string>) => void = () => undefined;
  options.taskDefinitions.useLatestRevisions(new Promise((resolve) => (listed = resolve)));
  try {
    arns = await listAll(async (nextToken) => {
      const page = await calls.send('ECS.ListTaskDefinitions', 'the account', () =>
        ecs.send(new ListTaskDefinitionsCommand({ status: 'ACTIVE', maxResults: TASK_DEFINITIONS_PER_PAGE, nextToken })),
      );
      return { items: page.taskDefinitionArns ?? [], nextToken: page.nextToken };
    });
  } catch (error) {
    listed(new Map());
    return { uses, problems: [errorMessage(error)] };
  }

  const families = new Map<string, { arn: string; revision: number }[]>();
  for (const arn of arns) {
    const parsed = parseTaskDefinitionArn(arn);
    if (!parsed) {
      problems.push(`ListTaskDefinitions returned ${arn}, which is not a task definition ARN`);
      continue;
    }
    families.set(parsed.family, [...(families.get(parsed.family) ?? []), { arn, revision: parsed.revision }]);
  }
  for (const revisions of families.values()) revisions.sort((a, b) => b.revision - a.revision);
  listed(new Map([...families].map(([family, revisions]) => [family, revisions[0].arn])));
  const newest = [...families.values()].flatMap((revisions) => revisions.slice(0, options.keepRevisions).map((revision) => revision.arn));

  for (const found of await Promise.all(newest.map((arn) => options.taskDefinitions.uses(arn, { source: 'task-definition' })))) {
    uses.push(...found.uses);
    problems.push(...found.problems);
  }
  return { uses, problems };
}

/** The family and revision of `arn:aws:ecs:<region>:<account>:task-definition/<family>:<revision>`. */
export function parseTaskDefinitionArn(arn: string): { family: string; revision: number } | undefined {
  const match = /:task-definition\/([A-Za-z0-9_-]+):(\d+)$/.exec(arn);
  return match ? { family: match[1], revision: Number(match[2]) } : undefined;
}
