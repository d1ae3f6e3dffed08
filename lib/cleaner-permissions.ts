/**
 * The cleaner's own permissions, each on the narrowest resource that AWS supports for it (from the
 * Service Authorization Reference), and each only while the setting that needs it is on. Every cdk-nag
 * finding is acknowledged here, next to the statement that causes it. The README's table of
 * permissions says why each one is needed.
 */
import { Aws, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { clusterName } from '../lambda/core/names';
import { parseS3Uri } from '../lambda/core/s3-uri';
import { AUDIT_RUNS_PREFIX } from './audit-bucket';
import type { DeletePermission } from './delete-permission';

/** The in-use sources that are switched on, with their defaults applied. */
export interface InUseSources {
  readonly keepServiceDeploymentImages: boolean;
  readonly keepScheduledTaskImages: boolean;
  /** 0: off. */
  readonly keepTaskDefinitionRevisions: number;
  readonly keepLambdaImages: boolean;
}

export interface GrantOptions extends InUseSources {
  readonly deleteEnabled: boolean;
  /**
   * Where the role may delete while deletion is on, from the rules (`planDeletePermission`).
   *
   * @default - the repositories in scope
   */
  readonly deletePermission?: DeletePermission;
  readonly repositories?: string[];
  readonly clusters?: string[];
  readonly inUseImagesUri?: string;
  /** The audit trail's bucket, where each run writes under `runs/`. */
  readonly auditBucket: s3.Bucket;
  /** Above 0, a run reads an earlier plan back from `auditBucket`. */
  readonly gracePeriodDays: number;
}

/** Adds the cleaner's statements to its role, and acknowledges the findings they cause. */
export function grantCleanerPermissions(role: iam.Role, options: GrantOptions): void {
  const arn = (service: string, resource: string): string => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
  /** How cdk-nag prints such an ARN in a finding's id. */
  const shown = (service: string, resource: string): string => `arn:<AWS::Partition>:${service}:<AWS::Region>:<AWS::AccountId>:${resource}`;
  /** Acknowledges cdk-nag's finding for a wildcard resource, as it prints the ARN. */
  const acknowledgeWildcard = (resource: string, reason: string): void =>
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  /** The actions on "*": those AWS accepts only there, and those that a condition narrows. */
  const onEveryResource = { unscoped: [] as string[], conditioned: [] as string[] };
  const allow = (sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>): void => {
    role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
    if (resources.includes('*')) onEveryResource[conditions ? 'conditioned' : 'unscoped'].push(...actions);
  };

  const repositories = options.repositories?.map((name) => arn('ecr', `repository/${name}`)) ?? [arn('ecr', 'repository/*')];
  const clusterNames = options.clusters?.map(clusterName) ?? ['*'];
  const clusters = clusterNames.map((name) => arn('ecs', `cluster/${name}`));
  const inClusters = options.clusters ? { ArnEquals: { 'ecs:cluster': clusters } } : { ArnLike: { 'ecs:cluster': clusters } };
  /** One statement on `<type>/<cluster>/*` for every cluster in scope, with its acknowledgments. */
  const allowInClusters = (sid: string, actions: string[], type: string, reason: string): void => {
    allow(sid, actions, clusterNames.map((name) => arn('ecs', `${type}/${name}/*`)));
    for (const name of clusterNames) acknowledgeWildcard(shown('ecs', `${type}/${name}/*`), reason);
  };

  allow('ReadImages', ['ecr:DescribeRepositories', 'ecr:DescribeImages', 'ecr:BatchGetImage'], repositories);
  if (!options.repositories) {
    acknowledgeWildcard(shown('ecr', 'repository/*'), 'The cleaner covers every repository of this account and region; the `repositories` prop narrows it to named ARNs.');
  }
  if (options.deleteEnabled) {
    const { allow: deletable, deny } = options.deletePermission ?? { allow: (options.repositories ?? ['*']).map((pattern) => ({ pattern, from: [] })), deny: [] };
    if (deletable.length > 0) allow('DeleteImages', ['ecr:BatchDeleteImage'], deletable.map(({ pattern }) => arn('ecr', `repository/${pattern}`)));
    for (const { pattern, from } of deletable) {
      if (pattern === '*' || !pattern.includes('*') || from.length === 0) continue;
      acknowledgeWildcard(
        shown('ecr', `repository/${pattern}`),
        `The rules let the cleaner delete only in the repositories that ${from.join(', ')} ${from.length === 1 ? 'matches' : 'match'}, and a catch-all exclusion keeps it out of every other; this is the glob in IAM's syntax, which cannot name the repositories one by one.`,
      );
    }
    // A Deny is what keeps the role out of an excluded repository that the Allow on every repository covers.
    if (deny.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'KeepOutOfExcludedRepositories',
          effect: iam.Effect.DENY,
          actions: ['ecr:BatchDeleteImage'],
          resources: deny.map((pattern) => arn('ecr', `repository/${pattern}`)),
        }),
      );
    }
  }

  // ListClusters supports no resource-level permission: AWS accepts only "*".
  if (!options.clusters) allow('ListClusters', ['ecs:ListClusters'], ['*']);
  // ListTasks and ListServices take no resource ARN that names a cluster; the ecs:cluster condition limits
  // them to the clusters in scope.
  allow('ListTasksInScope', ['ecs:ListTasks', ...(options.keepServiceDeploymentImages ? ['ecs:ListServices'] : [])], ['*'], inClusters);
  allowInClusters('DescribeTasksInScope', ['ecs:DescribeTasks'], 'task', 'Tasks are known by id only at run time; the ARN pattern limits them to the clusters in scope (every cluster, unless `clusters` narrows it).');

  if (options.keepServiceDeploymentImages) {
    allowInClusters('DescribeServicesInScope', ['ecs:DescribeServices', 'ecs:ListServiceDeployments'], 'service', 'Services are known by name only at run time; the ARN pattern limits them to the clusters in scope.');
    allowInClusters('DescribeServiceDeploymentsInScope', ['ecs:DescribeServiceDeployments'], 'service-deployment', 'Service deployments are known by id only at run time; the ARN pattern (service-deployment/<cluster>/<service>/<id>) limits them to the clusters in scope.');
    allowInClusters('DescribeServiceRevisionsInScope', ['ecs:DescribeServiceRevisions'], 'service-revision', 'Service revisions are known by id only at run time; the ARN pattern (service-revision/<cluster>/<service>/<id>) limits them to the clusters in scope.');
  }

  if (options.keepScheduledTaskImages) {
    // ListEventBuses, ListRules and ListSchedules support no resource-level permission: AWS accepts only "*".
    allow('ListSchedules', ['events:ListEventBuses', 'events:ListRules', 'scheduler:ListSchedules'], ['*']);
    // A rule's ARN is rule/<name> on the default bus and rule/<bus>/<name> on a custom bus; IAM's "*"
    // matches across "/", so rule/* covers both.
    allow('ReadRuleTargets', ['events:ListTargetsByRule'], [arn('events', 'rule/*')]);
    acknowledgeWildcard(shown('events', 'rule/*'), 'Rules are known by name only at run time, on every event bus; the role may only list their targets.');
    allow('ReadSchedules', ['scheduler:GetSchedule'], [arn('scheduler', 'schedule/*/*')]);
    acknowledgeWildcard(shown('scheduler', 'schedule/*/*'), 'Schedules are known by group and name only at run time; the role may only read them.');
  }

  if (options.keepTaskDefinitionRevisions > 0) {
    // ListTaskDefinitions supports no resource-level permission: AWS accepts only "*".
    allow('ListTaskDefinitions', ['ecs:ListTaskDefinitions'], ['*']);
  }
  if (options.keepServiceDeploymentImages || options.keepScheduledTaskImages || options.keepTaskDefinitionRevisions > 0) {
    // DescribeTaskDefinition supports no resource-level permission: AWS accepts only "*".
    allow('DescribeTaskDefinitions', ['ecs:DescribeTaskDefinition'], ['*']);
  }

  if (options.keepLambdaImages) {
    // ListFunctions supports no resource-level permission: AWS accepts only "*".
    allow('ListFunctions', ['lambda:ListFunctions'], ['*']);
    allow('ReadFunctions', ['lambda:GetFunction', 'lambda:ListAliases', 'lambda:ListVersionsByFunction'], [arn('lambda', 'function:*')]);
    acknowledgeWildcard(shown('lambda', 'function:*'), 'Functions are known by name only at run time; the role may only read their configuration, aliases and versions, never invoke or change them.');
  }

  if (options.inUseImagesUri !== undefined) {
    const { bucket, key } = parseS3Uri(options.inUseImagesUri);
    allow('ReadInUseImagesList', ['s3:GetObject'], [`arn:${Aws.PARTITION}:s3:::${bucket}/${key}`]);
  }

  // The audit trail: write under runs/ only, never read, list or delete another object, nor outside runs/.
  // PutObject also covers CreateMultipartUpload, UploadPart and CompleteMultipartUpload.
  const runs = options.auditBucket.arnForObjects(`${AUDIT_RUNS_PREFIX}*`);
  allow('WriteAuditTrail', ['s3:PutObject', 's3:AbortMultipartUpload'], [runs]);
  if (options.gracePeriodDays > 0) {
    // The earlier plan: ListObjectsV2 under runs/<account>/<region>/, then GetObject of one key there.
    allow('ReadEarlierPlans', ['s3:GetObject'], [runs]);
    allow('ListEarlierPlans', ['s3:ListBucket'], [options.auditBucket.bucketArn], { StringLike: { 's3:prefix': `${AUDIT_RUNS_PREFIX}*` } });
  }
  const bucket = options.auditBucket.node.defaultChild as s3.CfnBucket;
  acknowledgeWildcard(
    `<${Stack.of(role).getLogicalId(bucket)}.Arn>/${AUDIT_RUNS_PREFIX}*`,
    `Each run's objects are named by the run's date and time under ${AUDIT_RUNS_PREFIX} of the cleaner's own audit bucket; the role may write there${options.gracePeriodDays > 0 ? ' and read its earlier plans back' : ''}, and nowhere else in S3.`,
  );

  const list = (actions: string[]): string => [...new Set(actions)].sort().join(', ');
  acknowledgeWildcard(
    '*',
    `Only for actions that support no resource-level permission (${list(onEveryResource.unscoped) || 'none'}), and for ${list(onEveryResource.conditioned)}, which the ecs:cluster condition limits to the clusters in scope.`,
  );
}
