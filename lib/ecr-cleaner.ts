import * as path from 'node:path';
import { Annotations, Aws, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CLUSTER_NAME_OR_ARN, REPOSITORY_NAME, clusterName } from '../lambda/core/names';

export interface EcrCleanerProps {
  /**
   * When the cleaner runs.
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
   * Also keep the images of the task definitions that ECS services deploy (PRIMARY and ACTIVE
   * deployments and task sets), so that a rollback or a scale-out finds its image. Adds
   * `ecs:ListServices`, `ecs:DescribeServices` and `ecs:DescribeTaskDefinition` to the role.
   *
   * @default true
   */
  readonly keepServiceDeploymentImages?: boolean;
  /**
   * Only these repositories are read and cleaned, and the role may touch only them.
   *
   * @default - every repository in the account and region
   */
  readonly repositories?: string[];
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
}

/** The Lambda limit on a function's run time. */
const MAX_TIMEOUT = Duration.minutes(15);

/**
 * A scheduled Lambda function that removes unused container images from Amazon ECR and never one that
 * an ECS workload runs or may start again, with the narrowest role that lets it work.
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

  constructor(scope: Construct, id: string, props: EcrCleanerProps = {}) {
    super(scope, id);
    validate(props);

    const deleteEnabled = props.deleteEnabled ?? false;
    const keepServiceDeploymentImages = props.keepServiceDeploymentImages ?? true;
    const slackEnabled = props.slackEnabled ?? false;
    if (!slackEnabled && (props.slackChannel !== undefined || props.slackTokenSecret !== undefined)) {
      Annotations.of(this).addWarningV2('ecr-maintainer:slack-disabled', 'Slack settings are given but slackEnabled is false: no report is posted. Set slackEnabled to true to post.');
    }

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'ECR Maintainer: lists ECR images and ECS tasks, and deletes unused images when deletion is on',
    });
    this.logGroup.grantWrite(role);

    if (slackEnabled) {
      this.slackTokenSecret =
        props.slackTokenSecret ??
        new secretsmanager.Secret(this, 'SlackToken', {
          description: 'ECR Maintainer: the Slack bot token, as {"token": "xoxb-..."}. Put it in after the first deploy.',
          // A placeholder with an empty token: the cleaner says clearly that the token is missing.
          generateSecretString: { secretStringTemplate: JSON.stringify({ token: '' }), generateStringKey: 'placeholder' },
        });
      this.slackTokenSecret.grantRead(role);
      if (!props.slackTokenSecret) {
        Validations.of(this.slackTokenSecret).acknowledge({
          id: 'AwsSolutions-SMG4',
          reason: 'Slack issues the bot token; Secrets Manager cannot rotate it. Rotate it in Slack and update the secret.',
        });
      }
    }

    this.function = new NodejsFunction(this, 'Function', {
      description: 'ECR Maintainer: removes unused ECR images, keeping every image ECS runs or may start again',
      entry: path.join(__dirname, '..', 'lambda', 'handler.ts'),
      handler: 'handler',
      depsLockFilePath: path.join(__dirname, '..', 'package-lock.json'),
      projectRoot: path.join(__dirname, '..'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout ?? Duration.minutes(5),
      memorySize: props.memorySize ?? 512,
      role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: props.logLevel ?? lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      // One run at a time; a failed run is not retried, the next scheduled run converges.
      reservedConcurrentExecutions: 1,
      retryAttempts: 0,
      maxEventAge: Duration.hours(1),
      environment: {
        KEEP_MIN_IMAGE_COUNT: String(props.keepMinImageCount ?? 3),
        KEEP_IMAGES_NEWER_THAN_DAYS: String((props.keepImagesNewerThan ?? Duration.days(7)).toDays()),
        DELETE_ENABLED: String(deleteEnabled),
        KEEP_SERVICE_DEPLOYMENT_IMAGES: String(keepServiceDeploymentImages),
        MAX_CONCURRENT_CALLS: String(props.maxConcurrentCalls ?? 8),
        ...(props.repositories && { ECR_REPOSITORIES: props.repositories.join(',') }),
        ...(props.clusters && { ECS_CLUSTERS: props.clusters.join(',') }),
        SLACK_ENABLED: String(slackEnabled),
        ...(slackEnabled && {
          SLACK_CHANNEL: props.slackChannel as string,
          SLACK_MAX_MESSAGE_LENGTH: String(props.slackMaxMessageLength ?? 4000),
          SLACK_TOKEN_SECRET_ARN: (this.slackTokenSecret as secretsmanager.ISecret).secretArn,
        }),
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        target: 'node24',
        format: OutputFormat.CJS,
        // Bundle our pinned SDK, so that the Lambda runs exactly what the CLI and the tests run.
        externalModules: [],
      },
    });

    grantCleanerPermissions(role, { ...props, deleteEnabled, keepServiceDeploymentImages });

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'ECR Maintainer: lets EventBridge Scheduler invoke the cleaner',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Aws.ACCOUNT_ID,
            'aws:SourceArn': `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule-group/default`,
          },
        },
      }),
    });
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'ECR Maintainer: runs the cleaner',
      schedule: props.schedule ?? ScheduleExpression.cron({ minute: '0', hour: '3' }),
      // A failed run is reported, not retried: the next scheduled run converges.
      target: new LambdaInvoke(this.function, { role: schedulerRole, retryAttempts: 0, maxEventAge: Duration.hours(1) }),
    });
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: "LambdaInvoke's grant covers the function's versions and aliases (ARN:*); the role can invoke this one function only.",
    });
  }
}

interface GrantOptions {
  readonly deleteEnabled: boolean;
  readonly keepServiceDeploymentImages: boolean;
  readonly repositories?: string[];
  readonly clusters?: string[];
}

/**
 * The cleaner's own permissions, each on the narrowest resource that AWS supports for it. The README's
 * table of permissions says why each one is needed.
 */
function grantCleanerPermissions(role: iam.Role, options: GrantOptions): void {
  const arn = (service: string, resource: string): string => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
  /** Acknowledges cdk-nag's finding for a wildcard resource, as it prints the ARN. */
  const acknowledgeWildcard = (resource: string, reason: string): void =>
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${resource}]`,
      reason,
    });
  const repositories = options.repositories?.map((name) => arn('ecr', `repository/${name}`)) ?? [arn('ecr', 'repository/*')];
  const clusterNames = options.clusters?.map(clusterName) ?? ['*'];
  const clusters = clusterNames.map((name) => arn('ecs', `cluster/${name}`));
  const inClusters = options.clusters ? { ArnEquals: { 'ecs:cluster': clusters } } : { ArnLike: { 'ecs:cluster': clusters } };

  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ReadImages',
      actions: ['ecr:DescribeRepositories', 'ecr:DescribeImages', 'ecr:BatchGetImage'],
      resources: repositories,
    }),
  );
  if (options.deleteEnabled) {
    role.addToPolicy(new iam.PolicyStatement({ sid: 'DeleteImages', actions: ['ecr:BatchDeleteImage'], resources: repositories }));
  }
  if (!options.repositories) {
    acknowledgeWildcard('arn:<AWS::Partition>:ecr:<AWS::Region>:<AWS::AccountId>:repository/*', 'The cleaner covers every repository of this account and region; the `repositories` prop narrows it to named ARNs.');
  }
  if (!options.clusters) {
    // ListClusters supports no resource-level permission: AWS accepts only "*".
    role.addToPolicy(new iam.PolicyStatement({ sid: 'ListClusters', actions: ['ecs:ListClusters'], resources: ['*'] }));
  }
  acknowledgeWildcard(
    '*',
    'Only for ecs:ListClusters and ecs:DescribeTaskDefinition, which support no resource-level permission, and for ecs:ListTasks and ecs:ListServices, which the ecs:cluster condition limits to the clusters in scope.',
  );
  // ListTasks and ListServices take no resource ARN that names a cluster; the ecs:cluster condition limits
  // them to the clusters in scope.
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'ListTasksInScope',
      actions: ['ecs:ListTasks', ...(options.keepServiceDeploymentImages ? ['ecs:ListServices'] : [])],
      resources: ['*'],
      conditions: inClusters,
    }),
  );
  role.addToPolicy(
    new iam.PolicyStatement({
      sid: 'DescribeTasksInScope',
      actions: ['ecs:DescribeTasks'],
      resources: clusterNames.map((name) => arn('ecs', `task/${name}/*`)),
    }),
  );
  for (const name of clusterNames) {
    acknowledgeWildcard(`arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/${name}/*`, 'Tasks are known by id only at run time; the ARN pattern limits them to the clusters in scope (every cluster, unless `clusters` narrows it).');
  }
  if (options.keepServiceDeploymentImages) {
    role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'DescribeServicesInScope',
        actions: ['ecs:DescribeServices'],
        resources: clusterNames.map((name) => arn('ecs', `service/${name}/*`)),
      }),
    );
    for (const name of clusterNames) {
      acknowledgeWildcard(`arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:service/${name}/*`, 'Services are known by name only at run time; the ARN pattern limits them to the clusters in scope.');
    }
    // DescribeTaskDefinition supports no resource-level permission: AWS accepts only "*".
    role.addToPolicy(new iam.PolicyStatement({ sid: 'DescribeTaskDefinitions', actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }));
  }
}


/** Checks the props, skipping unresolved tokens; throws once, naming every prop that is out of range. */
function validate(props: EcrCleanerProps): void {
  const problems: string[] = [];
  const wholeNumber = (name: string, value: number | undefined, min: number, max?: number): void => {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
      problems.push(`${name} must be a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}, got ${value}`);
    }
  };
  wholeNumber('keepMinImageCount', props.keepMinImageCount, 1);
  wholeNumber('memorySize', props.memorySize, 128, 10240);
  wholeNumber('maxConcurrentCalls', props.maxConcurrentCalls, 1, 64);
  wholeNumber('slackMaxMessageLength', props.slackMaxMessageLength, 1, 40000);

  if (props.timeout && !props.timeout.isUnresolved()) {
    const seconds = props.timeout.toSeconds();
    if (seconds > MAX_TIMEOUT.toSeconds() || seconds < 60) {
      problems.push(`timeout must be from 1 minute to 15 minutes (Lambda's limit), got ${props.timeout.toHumanString()}`);
    }
  }
  if (props.keepImagesNewerThan && !props.keepImagesNewerThan.isUnresolved()) {
    const days = props.keepImagesNewerThan.toHours() / 24;
    if (!Number.isInteger(days) || days < 0) {
      problems.push(`keepImagesNewerThan must be a whole number of days, got ${props.keepImagesNewerThan.toHumanString()}`);
    }
  }
  if (props.slackEnabled && (props.slackChannel === undefined || props.slackChannel.trim() === '')) {
    problems.push('slackChannel must be set when slackEnabled is true, got nothing: give the channel ID, such as C0123456789');
  }
  for (const [name, list, pattern] of [
    ['repositories', props.repositories, REPOSITORY_NAME],
    ['clusters', props.clusters, CLUSTER_NAME_OR_ARN],
  ] as const) {
    if (list === undefined || Token.isUnresolved(list)) continue;
    const bad = list.filter((item) => !Token.isUnresolved(item) && !pattern.test(item));
    if (list.length === 0) problems.push(`${name} must name at least one, got an empty list: leave it out to cover them all`);
    else if (bad.length > 0) problems.push(`${name} has invalid names: ${bad.map((item) => JSON.stringify(item)).join(', ')}`);
  }
  if (problems.length > 0) throw new Error(`EcrCleaner: invalid props:\n  ${problems.join('\n  ')}`);
}
