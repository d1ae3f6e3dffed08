/** The shapes of the names the cleaner is given, shared by the settings, the CDK props and the parser. */

/** An ECR repository name: lower-case components joined by `/`, such as `team/api`. */
export const REPOSITORY_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

/** An ECS cluster's ARN. */
export const CLUSTER_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9_-]{1,255}$/;

/** An ECS cluster, by name or by ARN. */
export const CLUSTER_NAME_OR_ARN = new RegExp(`^(?:[A-Za-z0-9_-]{1,255}|${CLUSTER_ARN.source.slice(1, -1)})$`);

/** The name of a cluster from its ARN (`arn:aws:ecs:eu-west-2:123456789012:cluster/prod` → `prod`). */
export function clusterName(cluster: string): string {
  return cluster.startsWith('arn:') ? cluster.slice(cluster.indexOf('cluster/') + 'cluster/'.length) : cluster;
}
