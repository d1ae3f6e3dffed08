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

/** What a role needs to clean one account: its registry and the discovery of the images in use there. */
export interface TargetGrantOptions extends InUseSources {
  readonly deleteEnabled: boolean;
  /**
   * Where the role may delete while deletion is on, from the rules (`planDeletePermission`).
   *
   * @default - the repositories in scope
   */
  readonly deletePermission?: DeletePermission;
  readonly repositories?: string[];
  readonly clusters?: string[];
  /**
   * Whether the role reads (and, with deletion on, cleans) the account's registry. False for an account
   * whose workloads only pull another account's images: then the role has no ECR permission at all.
   *
   * @default true
   */
  readonly registry?: boolean;
  /**
   * The regions that the ARNs name: the role's own region for the single-account cleaner; every region the
   * organisation cleans for a member role, which IAM serves in all of them.
   *
   * @default - the stack's region
   */
  readonly regions?: readonly string[];
}

/** The audit trail's bucket, and the operator's list of images in use: what the function itself reads and writes. */
export interface AuditTrailGrantOptions {
  readonly inUseImagesUri?: string;
  /** The audit trail's bucket, where each run writes under `runs/`. */
  readonly auditBucket: s3.Bucket;
  /** Above 0, a run reads an earlier plan back from `auditBucket`. */
  readonly gracePeriodDays: number;
}

export interface GrantOptions extends TargetGrantOptions, AuditTrailGrantOptions {}

/** Adds the single-account cleaner's statements to its role, and acknowledges the findings they cause. */
export function grantCleanerPermissions(role: iam.Role, options: GrantOptions): void {
  const policy = new CleanerPolicy(role, options.regions);
  addTargetStatements(policy, options);
  addAuditTrailStatements(policy, options);
  policy.acknowledgeEveryResource();
}

/**
 * Adds what a role needs to clean its account (a member role of the organisation): the registry, unless
 * `registry` is false, and the in-use discovery; nothing of the audit trail, which stays central.
 */
export function grantTargetPermissions(role: iam.Role, options: TargetGrantOptions): void {
  const policy = new CleanerPolicy(role, options.regions);
  addTargetStatements(policy, options);
  policy.acknowledgeEveryResource();
}

/** Adds the audit trail's writes (and reads, with a grace period) and the read of the in-use list. */
export function grantAuditTrailPermissions(role: iam.Role, options: AuditTrailGrantOptions): void {
  addAuditTrailStatements(new CleanerPolicy(role), options);
}

/** A role's statements, each with the cdk-nag acknowledgments it needs, and ARNs in the regions in scope. */
class CleanerPolicy {
  /** The actions on "*": those AWS accepts only there, and those that a condition narrows. */
  private readonly onEveryResource = { unscoped: [] as string[], conditioned: [] as string[] };
  readonly regions: readonly string[];

  constructor(
    readonly role: iam.Role,
    regions: readonly string[] = [Aws.REGION],
  ) {
    this.regions = regions;
  }

  /** The resource's ARN in each region, in this account. */
  readonly arns = (service: string, resource: string): string[] =>
    this.regions.map((region) => `arn:${Aws.PARTITION}:${service}:${region}:${Aws.ACCOUNT_ID}:${resource}`);

  readonly allow = (sid: string, actions: string[], resources: string[], conditions?: Record<string, unknown>): void => {
    this.role.addToPolicy(new iam.PolicyStatement({ sid, actions, resources, conditions }));
    if (resources.includes('*')) this.onEveryResource[conditions ? 'conditioned' : 'unscoped'].push(...actions);
  };

  /** Acknowledges cdk-nag's finding for a wildcard resource, as it prints the ARN. */
  readonly acknowledgeWildcard = (resource: string, reason: string): void => {
    Validations.of(this.role).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  };

  /** Acknowledges the finding of the resource's ARN in each region, as cdk-nag prints it. */
  readonly acknowledgeWildcards = (service: string, resource: string, reason: string): void => {
    for (const region of this.regions) {
      this.acknowledgeWildcard(`arn:<AWS::Partition>:${service}:${region === Aws.REGION ? '<AWS::Region>' : region}:<AWS::AccountId>:${resource}`, reason);
    }
  };

  /** Acknowledges "*", naming the actions that have it. */
  acknowledgeEveryResource(): void {
    const list = (actions: string[]): string => [...new Set(actions)].sort().join(', ');
    this.acknowledgeWildcard(
      '*',
      `Only for actions that support no resource-level permission (${list(this.onEveryResource.unscoped) || 'none'}), and for ${list(this.onEveryResource.conditioned)}, which the ecs:cluster condition limits to the clusters in scope.`,
    );
  }
}

/** The registry's statements (unless `registry` is false) and the in-use discovery's. */
function addTargetStatements(policy: CleanerPolicy, options: TargetGrantOptions): void {
  const { arns, allow, acknowledgeWildcards } = policy;

  const clusterNames = options.clusters?.map(clusterName) ?? ['*'];
  const clusters = clusterNames.flatMap((name) => arns('ecs', `cluster/${name}`));
  const inClusters = options.clusters ? { ArnEquals: { 'ecs:cluster': clusters } } : { ArnLike: { 'ecs:cluster': clusters } };
  /** One statement on `<type>/<cluster>/*` for every cluster in scope, with its acknowledgments. */
  const allowInClusters = (sid: string, actions: string[], type: string, reason: string): void => {
    allow(sid, actions, clusterNames.flatMap((name) => arns('ecs', `${type}/${name}/*`)));
    for (const name of clusterNames) acknowledgeWildcards('ecs', `${type}/${name}/*`, reason);
  };

  if (options.registry ?? true) addRegistryStatements(policy, options);

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
    allow('ReadRuleTargets', ['events:ListTargetsByRule'], arns('events', 'rule/*'));
    acknowledgeWildcards('events', 'rule/*', 'Rules are known by name only at run time, on every event bus; the role may only list their targets.');
    allow('ReadSchedules', ['scheduler:GetSchedule'], arns('scheduler', 'schedule/*/*'));
    acknowledgeWildcards('scheduler', 'schedule/*/*', 'Schedules are known by group and name only at run time; the role may only read them.');
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
    allow('ReadFunctions', ['lambda:GetFunction', 'lambda:ListAliases', 'lambda:ListVersionsByFunction'], arns('lambda', 'function:*'));
    acknowledgeWildcards('lambda', 'function:*', 'Functions are known by name only at run time; the role may only read their configuration, aliases and versions, never invoke or change them.');
  }
}

/** ECR: read the repositories in scope, and with deletion on delete where the rules let the cleaner. */
function addRegistryStatements(policy: CleanerPolicy, options: TargetGrantOptions): void {
  const { arns, allow, acknowledgeWildcards } = policy;
  const repositories = (options.repositories ?? ['*']).flatMap((name) => arns('ecr', `repository/${name}`));

  allow('ReadImages', ['ecr:DescribeRepositories', 'ecr:DescribeImages', 'ecr:BatchGetImage'], repositories);
  if (!options.repositories) {
    acknowledgeWildcards('ecr', 'repository/*', 'The cleaner covers every repository of this account in the regions in scope; the `repositories` prop narrows it to named ARNs.');
  }
  if (options.deleteEnabled) {
    const { allow: deletable, deny } = options.deletePermission ?? { allow: (options.repositories ?? ['*']).map((pattern) => ({ pattern, from: [] })), deny: [] };
    if (deletable.length > 0) allow('DeleteImages', ['ecr:BatchDeleteImage'], deletable.flatMap(({ pattern }) => arns('ecr', `repository/${pattern}`)));
    for (const { pattern, from } of deletable) {
      if (pattern === '*' || !pattern.includes('*') || from.length === 0) continue;
      acknowledgeWildcards(
        'ecr',
        `repository/${pattern}`,
        `The rules let the cleaner delete only in the repositories that ${from.join(', ')} ${from.length === 1 ? 'matches' : 'match'}, and a catch-all exclusion keeps it out of every other; this is the glob in IAM's syntax, which cannot name the repositories one by one.`,
      );
    }
    // A Deny is what keeps the role out of an excluded repository that the Allow on every repository covers.
    if (deny.length > 0) {
      policy.role.addToPolicy(
        new iam.PolicyStatement({
          sid: 'KeepOutOfExcludedRepositories',
          effect: iam.Effect.DENY,
          actions: ['ecr:BatchDeleteImage'],
          resources: deny.flatMap((pattern) => arns('ecr', `repository/${pattern}`)),
        }),
      );
    }
  }
}

/** S3: the operator's list of images in use, and the audit trail under `runs/`. */
function addAuditTrailStatements(policy: CleanerPolicy, options: AuditTrailGrantOptions): void {
  const { allow } = policy;
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
  policy.acknowledgeWildcard(
    `<${Stack.of(policy.role).getLogicalId(bucket)}.Arn>/${AUDIT_RUNS_PREFIX}*`,
    `Each run's objects are named by the run's date and time under ${AUDIT_RUNS_PREFIX} of the cleaner's own audit bucket; the role may write there${options.gracePeriodDays > 0 ? ' and read its earlier plans back' : ''}, and nowhere else in S3.`,
  );
}
