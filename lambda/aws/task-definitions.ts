/**
 * Task definitions, read once each per run. ECS services, scheduled tasks and task definition families
 * all name task definitions; this reader describes each one once, whoever asks first, and answers the
 * others from its cache.
 */
import { DescribeTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import type { ApiCalls } from './api-calls';

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

export class TaskDefinitionReader {
  private readonly cache = new Map<string, Promise<TaskDefinitionImages>>();

  constructor(
    private readonly ecs: ECSClient,
    private readonly calls: ApiCalls,
  ) {}

  /**
   * Reads a task definition by ARN, by `family:revision`, or by family alone (which ECS answers with the
   * family's latest ACTIVE revision).
   *
   * @throws AwsCallError when ECS cannot describe it
   */
  read(taskDefinition: string): Promise<TaskDefinitionImages> {
    let pending = this.cache.get(taskDefinition);
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
      this.cache.set(taskDefinition, pending);
      // A later request by the full ARN is answered from the same read.
      pending.then(
        (read) => {
          if (!this.cache.has(read.arn)) this.cache.set(read.arn, pending as Promise<TaskDefinitionImages>);
        },
        () => undefined,
      );
    }
    return pending;
  }
}
