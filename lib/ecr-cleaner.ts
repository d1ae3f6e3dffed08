import { Annotations, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Schedule, type ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { RuleSpec } from '../lambda/core/rules';
import { DEFAULT_AUDIT_RETENTION_DAYS, createAuditBucket } from './audit-bucket';
import { createBundledFunction } from './bundled-function';
import { CleanerAlarms } from './cleaner-alarms';
import { createCleanerDashboard } from './cleaner-dashboard';
import { grantCleanerPermissions } from './cleaner-permissions';
import { cleanerEnvironment, createSchedulerRole, defaultCleanerSchedule, resolveCleanerSettings } from './cleaner-settings';
import { InvalidSettingsError } from './errors';
import { checkEnvironmentSize } from './lambda-environment';
import { LAMBDA_MEMORY_MIB, imagesThatFit, memoryNeededMiB, type SizingOptions } from './lambda-sizing';
import { slackTokenSecretFor } from './slack-token';

export interface EcrCleanerProps {
  /**
   * When the cleaner runs: a recurring `cron(…)` or `rate(…)` expression (a one-time `at(…)` is refused).
   *
   * @default - once a day at 03:00 UTC
   */
  readonly schedule?: ScheduleExpression;
  /**
   * How long one run may take. At most 15 minutes, Lambda's limit.
   *
   * @default Duration.minutes(5)
   */
  readonly timeout?: Duration;
  /**
   * The function's memory, in MiB (128 to 10240). CPU grows with it.
   *
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * The most images you expect one run to list: every image (tagged, untagged, platform images of an
   * index, signatures) across the repositories in scope, at the largest the account will grow to. It
   * sizes nothing by itself: when `memorySize` is below what that many images need
   * (`memoryNeededMiB` in `lib/lambda-sizing.ts`: the measured peak plus 25%), synth warns and names
   * the memory to set.
   *
   * @default - no check: the memory is not compared with the account's size
   */
  readonly expectedImageCount?: number;
  /**
   * The most recently pushed images that each repository keeps, whatever their age.
   *
   * @default 3
   */
  readonly keepMinImageCount?: number;
  /**
   * Images pushed more recently than this are always kept. Whole days.
   *
   * @default Duration.days(7)
   */
  readonly keepImagesNewerThan?: Duration;
  /**
   * Whether the cleaner deletes. When false it only reports what it would delete, and its role has no
   * permission to delete.
   *
   * @default false
   */
  readonly deleteEnabled?: boolean;
  /**
   * Also keep the images that ECS services may launch: the task definitions of their PRIMARY and ACTIVE
   * deployments and task sets, and the digests pinned in their current service revisions and in the
   * source and target revisions of deployments in progress, so that a rollback or a scale-out finds its
   * image. Adds `ecs:ListServices`, `ecs:DescribeServices`,
   * `ecs:ListServiceDeployments`, `ecs:DescribeServiceDeployments`, `ecs:DescribeServiceRevisions` and
   * `ecs:DescribeTaskDefinition` to the role.
   *
   * @default true
   */
  readonly keepServiceDeploymentImages?: boolean;
  /**
   * Also keep the images of the ECS tasks that EventBridge rules (on every event bus) and EventBridge
   * Scheduler schedules start. Adds `events:ListEventBuses`, `events:ListRules`,
   * `events:ListTargetsByRule`, `scheduler:ListSchedules`, `scheduler:GetSchedule` and
   * `ecs:DescribeTaskDefinition` to the role.
   *
   * @default true
   */
  readonly keepScheduledTaskImages?: boolean;
  /**
   * Also keep the images of the newest N ACTIVE revisions of every task definition family, so that a
   * task definition that nothing runs now can still start. A whole number from 0 to 100; 0 turns it
   * off. Adds `ecs:ListTaskDefinitions` and `ecs:DescribeTaskDefinition` to the role.
   *
   * @default 1
   */
  readonly keepTaskDefinitionRevisions?: number;
  /**
   * Also keep the images of container-image Lambda functions: `$LATEST`, every alias, and the newest
   * `keepLambdaVersions` published versions. Adds `lambda:ListFunctions`, `lambda:GetFunction`,
   * `lambda:ListAliases` and `lambda:ListVersionsByFunction` to the role.
   *
   * @default true
   */
  readonly keepLambdaImages?: boolean;
  /**
   * The newest published versions of each container-image Lambda function whose images are kept, while
   * `keepLambdaImages` is on. A whole number from 0 to 100.
   *
   * @default 3
   */
  readonly keepLambdaVersions?: number;
  /**
   * Images pulled more recently than this are always kept (ECR's `lastRecordedPullTime`). Whole days;
   * zero turns the rule off.
   *
   * @default - off: the time of the last pull does not keep an image
   */
  readonly keepImagesPulledWithin?: Duration;
  /**
   * Days that a deletion waits: an image is deleted only when this run and a run at least this many days
   * earlier both planned to delete it (the earlier plan is read from the audit bucket). A whole number from
   * 0 to 365, shorter than `auditRetentionDays`; 0 turns it off. Adds `s3:GetObject` on the bucket's
   * `runs/*` and `s3:ListBucket` on the bucket, under `runs/`, to the role.
   *
   * @default 0
   */
  readonly gracePeriodDays?: number;
  /**
   * Days that each run's objects in the audit bucket (its CSV and JSON Lines plan) are kept, and then
   * noncurrent versions of them. A whole number from 1 to 3650, longer than `gracePeriodDays`.
   *
   * @default 400
   */
  readonly auditRetentionDays?: number;
  /**
   * An S3 object, `s3://bucket/key`, that lists more images in use (for workloads outside ECS and
   * Lambda). The role may read that one object only.
   *
   * @default - none
   */
  readonly inUseImagesUri?: string;
  /**
   * Only these repositories are read and cleaned, and the role may touch only them.
   *
   * @default - every repository in the account and region
   */
  readonly repositories?: string[];
  /**
   * Settings per repository: each rule names repositories by glob and overrides some of the global
   * settings for them, or excludes them. The first rule whose `repositories` glob matches a repository
   * applies to it; a repository that no rule matches takes the global settings. In a glob, `*` and `?`
   * stay within one `/`-separated segment and `**` crosses segments (`RuleSpec` has every key). An
   * excluded repository is neither cleaned nor counted; with deletion on, the role's permission to
   * delete follows the rules as far as IAM can express them. The function receives the list as JSON in
   * the `RULES` variable, which counts towards Lambda's 4 KB limit on all of a function's variables.
   *
   * For example, keep CI images one day, protect release tags in prod, and leave legacy alone:
   * `[{ repositories: 'ci/**', keepImagesNewerThanDays: 1 }, { repositories: ['prod/*', 'shared/**'], keepTags: ['v*'] }, { repositories: 'legacy/**', exclude: true }]`
   *
   * @default - no rules: the global settings apply to every repository
   */
  readonly rules?: RuleSpec[];
  /**
   * Only these ECS clusters are searched for images in use, and the role may read only them. An image
   * that runs in another cluster is then unprotected: name every cluster that pulls from this registry.
   *
   * @default - every cluster in the account and region
   */
  readonly clusters?: string[];
  /**
   * The most AWS calls in flight at once.
   *
   * @default 8
   */
  readonly maxConcurrentCalls?: number;
  /**
   * US dollars per GB-month of ECR storage (a GB of 2^30 bytes), for the estimated monthly saving in the
   * report, Slack and the metrics. A number from 0 to 100; see your region's price on
   * aws.amazon.com/ecr/pricing.
   *
   * @default 0.1
   */
  readonly storagePricePerGbMonth?: number;
  /**
   * Post each run's report to Slack.
   *
   * @default false
   */
  readonly slackEnabled?: boolean;
  /**
   * The Slack channel ID to post to. Required when Slack is enabled.
   *
   * @default - none
   */
  readonly slackChannel?: string;
  /**
   * The longest Slack message, in characters (1 to 40000). Longer reports are split and threaded.
   *
   * @default 4000
   */
  readonly slackMaxMessageLength?: number;
  /**
   * The secret that holds the Slack bot token, as plain text or as JSON `{"token": "xoxb-…"}`.
   *
   * @default - a new secret, created when Slack is enabled, for you to put the token in
   */
  readonly slackTokenSecret?: secretsmanager.ISecret;
  /**
   * How long the function's logs are kept.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * The level of the function's own logs. DEBUG logs every decision.
   *
   * @default lambda.ApplicationLogLevel.INFO
   */
  readonly logLevel?: lambda.ApplicationLogLevel;
  /**
   * An e-mail address that the alarms notify, through a new SNS topic (encrypted with a key of its own)
   * with this one subscription. AWS e-mails the address a link to confirm first. Not with `alarmTopic`.
   *
   * @default - no e-mail: the alarms notify `alarmTopic`, or nobody
   */
  readonly alarmEmail?: string;
  /**
   * An existing SNS topic, in the same region, that the alarms notify when they go into alarm and when
   * they recover. Its policy must let CloudWatch publish (a topic's default policy does, in its own
   * account), and a topic encrypted with a customer managed key must let `cloudwatch.amazonaws.com` use
   * it. Not with `alarmEmail`.
   *
   * @default - no topic: the alarms notify the topic that `alarmEmail` creates, or nobody
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A scheduled Lambda function that removes unused container images from Amazon ECR and never one that
 * a workload it can see (ECS tasks and services, scheduled tasks, task definitions, Lambda functions, the
 * operator's list) runs or may start again, with the narrowest role that lets it work.
 */
export class EcrCleaner extends Construct {
  /** The function that runs the cleaner. */
  readonly function: NodejsFunction;
  /** The function's log group. */
  readonly logGroup: logs.LogGroup;
  /** The secret that holds the Slack token, when Slack is enabled. */
  readonly slackTokenSecret?: secretsmanager.ISecret;
  /** The schedule that invokes the function. */
  readonly schedule: Schedule;
  /**
   * The audit trail: each run writes its CSV and JSON Lines plan to
   * `runs/<account>/<region>/<yyyy-mm-dd>/<hhmmss>-<mode>.csv` and `….jsonl`, kept `auditRetentionDays`.
   * Kept when the stack is deleted.
   */
  readonly auditBucket: s3.Bucket;
  /**
   * About how many images one run can list within the function's memory (`imagesThatFit` in
   * `lib/lambda-sizing.ts`); undefined when `memorySize` is a token.
   */
  readonly imagesThatFit?: number;
  /** In alarm when a run failed: the function's Errors, at least 1 in the schedule's interval (at most a day). */
  readonly runFailedAlarm: cloudwatch.Alarm;
  /**
   * In alarm when no run succeeded within twice the schedule's longest interval between runs
   * (`RunSucceeded`); none when CloudWatch cannot watch so long a window (more than 3.5 days between
   * runs) or the schedule is a token, which synth warns of.
   */
  readonly noSuccessfulRunAlarm?: cloudwatch.Alarm;
  /** In alarm when a run used more than 80% of its timeout; none when the timeout is a token. */
  readonly nearTimeoutAlarm?: cloudwatch.Alarm;
  /** The topic that the alarms notify: `alarmTopic`, or the one made for `alarmEmail`. */
  readonly alarmTopic?: sns.ITopic;
  /** The dashboard of the runs: `<stack name>-<region>`. */
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: EcrCleanerProps = {}) {
    super(scope, id);
    const settings = resolveCleanerSettings(this, props, 'EcrCleaner: invalid props');
    const { deleteEnabled, deletePermission, sources, slackEnabled, memorySize, gracePeriodDays, timeout } = settings;
    if (!Token.isUnresolved(memorySize)) {
      const sizing = { gracePeriod: (props.gracePeriodDays ?? 0) > 0 };
      this.imagesThatFit = imagesThatFit(memorySize, sizing);
      const warning = memoryWarning(memorySize, props.expectedImageCount, sizing);
      if (warning) Annotations.of(this).addWarningV2(warning.id, warning.message);
    }

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'ECR Maintainer: lists ECR images and the workloads that use them, deletes unused images when deletion is on, and writes each run to its audit bucket',
    });
    this.logGroup.grantWrite(role);
    this.auditBucket = createAuditBucket(this, 'AuditBucket', { retentionDays: props.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS });

    if (slackEnabled) {
      this.slackTokenSecret = slackTokenSecretFor(this, props.slackTokenSecret);
      this.slackTokenSecret.grantRead(role);
    }

    const environment = cleanerEnvironment(props, settings, { auditBucketUri: `s3://${this.auditBucket.bucketName}`, slackTokenSecretArn: this.slackTokenSecret?.secretArn });
    const tooLarge = checkEnvironmentSize(environment, (value) => Stack.of(this).resolve(value));
    if (tooLarge) throw new InvalidSettingsError('EcrCleaner: invalid props', [tooLarge]);

    this.function = createBundledFunction(this, 'Function', {
      description: 'ECR Maintainer: removes unused ECR images, keeping every image a workload runs or may start again',
      entry: 'handler.ts',
      timeout,
      memorySize,
      role,
      logGroup: this.logGroup,
      logLevel: props.logLevel,
      // One run at a time; a failed run is not retried, the next scheduled run converges.
      reservedConcurrentExecutions: 1,
      environment,
    });

    grantCleanerPermissions(role, {
      ...sources,
      deleteEnabled,
      deletePermission,
      repositories: props.repositories,
      clusters: props.clusters,
      inUseImagesUri: props.inUseImagesUri,
      auditBucket: this.auditBucket,
      gracePeriodDays,
    });

    const schedulerRole = createSchedulerRole(this, 'SchedulerRole', 'ECR Maintainer: lets EventBridge Scheduler invoke the cleaner');
    const schedule = props.schedule ?? defaultCleanerSchedule();
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'ECR Maintainer: runs the cleaner',
      schedule,
      // A failed run is reported, not retried: the next scheduled run converges.
      target: new LambdaInvoke(this.function, { role: schedulerRole, retryAttempts: 0, maxEventAge: Duration.hours(1) }),
    });
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: "LambdaInvoke's grant covers the function's versions and aliases (ARN:*); the role can invoke this one function only.",
    });

    // The function's metrics go out as log lines (lambda/metrics.ts): no permission beyond its log group.
    const mode = deleteEnabled ? 'delete' : 'dry-run';
    const alarms = new CleanerAlarms(this, 'Alarms', {
      function: this.function,
      timeout,
      mode,
      scheduleExpression: schedule.expressionString,
      alarmEmail: props.alarmEmail?.trim(),
      alarmTopic: props.alarmTopic,
    });
    this.runFailedAlarm = alarms.runFailed;
    this.noSuccessfulRunAlarm = alarms.noSuccessfulRun;
    this.nearTimeoutAlarm = alarms.nearTimeout;
    this.alarmTopic = alarms.topic;
    const stack = Stack.of(this);
    this.dashboard = createCleanerDashboard(this, 'Dashboard', {
      // Dashboards are global to the account: the region keeps one stack's name in two regions apart.
      dashboardName: `${stack.stackName}-${stack.region}`,
      function: this.function,
      timeout,
      mode,
      period: alarms.period,
      alarms: [alarms.runFailed, alarms.noSuccessfulRun, alarms.nearTimeout].filter((alarm): alarm is cloudwatch.Alarm => alarm !== undefined),
    });
  }
}

/** The warning for a function too small for `expectedImageCount` images; none when it fits or is not given. */
export function memoryWarning(memorySize: number, expectedImageCount: number | undefined, sizing: SizingOptions): { id: string; message: string } | undefined {
  if (expectedImageCount === undefined || Token.isUnresolved(expectedImageCount)) return undefined;
  const needed = memoryNeededMiB(expectedImageCount, sizing);
  if (memorySize >= needed) return undefined;
  const count = (images: number): string => images.toLocaleString('en-US');
  const expected = `expectedImageCount is ${count(expectedImageCount)} images, which need ${count(needed)} MiB of memory (the measured peak plus 25%)`;
  if (needed > LAMBDA_MEMORY_MIB.max) {
    return {
      id: 'ecr-maintainer:too-many-images',
      message:
        `${expected}, more than Lambda's limit of ${count(LAMBDA_MEMORY_MIB.max)} MiB: one run will not fit one function. ` +
        `Narrow repositories (or -c repositories=…) so that one function lists at most ${count(imagesThatFit(LAMBDA_MEMORY_MIB.max, sizing))} images at memorySize: ${LAMBDA_MEMORY_MIB.max}, ` +
        'and deploy one stack for each group of repositories.',
    };
  }
  return {
    id: 'ecr-maintainer:memory-too-small',
    message:
      `${expected}, but memorySize is ${count(memorySize)} MiB, which fits about ${count(imagesThatFit(memorySize, sizing))} images: the function may run out of memory. ` +
      `Set memorySize: ${needed} (or -c memorySize=${needed}).`,
  };
}
