/**
 * The cleaner's props, checked and with their defaults applied, and the function's environment made of
 * them: one place for the single-account `EcrCleaner` and the organisation's `EcrMaintainerOrg`, so that
 * both pass the cleaner the same variables for the same props.
 */
import { Annotations, Aws, Duration, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import { DEFAULTS } from '../lambda/core/defaults';
import { type RepositoryRule, parseRules } from '../lambda/core/rules';
import { checkCleanerProps, describePropProblem } from './check-cleaner-props';
import type { InUseSources } from './cleaner-permissions';
import { type DeletePermission, planDeletePermission } from './delete-permission';
import type { EcrCleanerProps } from './ecr-cleaner';
import { InvalidSettingsError } from './errors';
import { DEFAULT_MEMORY_SIZE_MIB } from './lambda-sizing';

/** The settings that decide the role's permissions and the function's shape, with defaults applied. */
export interface CleanerSettings {
  readonly deleteEnabled: boolean;
  /** The checked rules; empty: none, or a token (which the checks refuse). */
  readonly rules: readonly RepositoryRule[];
  readonly deletePermission: DeletePermission;
  readonly sources: InUseSources;
  readonly slackEnabled: boolean;
  readonly gracePeriodDays: number;
  readonly memorySize: number;
  readonly timeout: Duration;
}

/**
 * Checks the props and applies their defaults; warns (on `scope`) of settings without effect.
 *
 * @param title the error's title, naming the construct: `EcrCleaner: invalid props`
 * @throws InvalidSettingsError listing every problem with the props
 */
export function resolveCleanerSettings(scope: Construct, props: EcrCleanerProps, title: string): CleanerSettings {
  const problems = checkCleanerProps(props).map((problem) => describePropProblem(problem));
  if (problems.length > 0) throw new InvalidSettingsError(title, problems);

  const deleteEnabled = props.deleteEnabled ?? false;
  const rules = props.rules === undefined || Token.isUnresolved(props.rules) ? [] : parseRules(props.rules, 'rules');
  const deletePermission = planDeletePermission(rules, props.repositories);
  if (deletePermission.nothingToClean) Annotations.of(scope).addWarningV2('ecr-maintainer:rules-exclude-everything', deletePermission.nothingToClean);
  if (deleteEnabled) for (const message of deletePermission.unenforced) Annotations.of(scope).addInfo(message);
  const sources = inUseSourcesOf(props);
  const slackEnabled = props.slackEnabled ?? false;
  if (!slackEnabled && (props.slackChannel !== undefined || props.slackTokenSecret !== undefined)) {
    Annotations.of(scope).addWarningV2('ecr-maintainer:slack-disabled', 'Slack settings are given but slackEnabled is false: no report is posted. Set slackEnabled to true to post.');
  }
  if (!sources.keepLambdaImages && props.keepLambdaVersions !== undefined) {
    Annotations.of(scope).addWarningV2('ecr-maintainer:lambda-versions-unused', 'keepLambdaVersions is given but keepLambdaImages is false: no Lambda image is kept. Set keepLambdaImages to true to keep them.');
  }
  return {
    deleteEnabled,
    rules,
    deletePermission,
    sources,
    slackEnabled,
    gracePeriodDays: props.gracePeriodDays ?? DEFAULTS.gracePeriodDays,
    memorySize: props.memorySize ?? DEFAULT_MEMORY_SIZE_MIB,
    timeout: props.timeout ?? Duration.minutes(5),
  };
}

/** The in-use sources that the props switch on, with the defaults applied. */
export function inUseSourcesOf(props: Pick<EcrCleanerProps, keyof InUseSources>): InUseSources {
  return {
    keepServiceDeploymentImages: props.keepServiceDeploymentImages ?? DEFAULTS.keepServiceDeploymentImages,
    keepScheduledTaskImages: props.keepScheduledTaskImages ?? DEFAULTS.keepScheduledTaskImages,
    keepTaskDefinitionRevisions: props.keepTaskDefinitionRevisions ?? DEFAULTS.keepTaskDefinitionRevisions,
    keepLambdaImages: props.keepLambdaImages ?? DEFAULTS.keepLambdaImages,
  };
}

/** Where the function finds what the props do not hold. */
export interface CleanerEnvironmentOptions {
  /** `s3://<bucket>`: the audit trail's bucket. */
  readonly auditBucketUri: string;
  /** The Slack token's secret, when the function posts to Slack itself. */
  readonly slackTokenSecretArn?: string;
}

/**
 * The cleaner function's environment variables (`lambda/config.ts` reads them). Slack's variables are
 * set only when `settings.slackEnabled`, and then `slackTokenSecretArn` must be given.
 */
export function cleanerEnvironment(props: EcrCleanerProps, settings: CleanerSettings, options: CleanerEnvironmentOptions): Record<string, string> {
  const { sources } = settings;
  return {
    KEEP_MIN_IMAGE_COUNT: String(props.keepMinImageCount ?? DEFAULTS.keepMinImageCount),
    KEEP_IMAGES_NEWER_THAN_DAYS: String((props.keepImagesNewerThan ?? Duration.days(DEFAULTS.keepImagesNewerThanDays)).toDays()),
    KEEP_IMAGES_PULLED_WITHIN_DAYS: String((props.keepImagesPulledWithin ?? Duration.days(DEFAULTS.keepImagesPulledWithinDays)).toDays()),
    DELETE_ENABLED: String(settings.deleteEnabled),
    KEEP_SERVICE_DEPLOYMENT_IMAGES: String(sources.keepServiceDeploymentImages),
    KEEP_SCHEDULED_TASK_IMAGES: String(sources.keepScheduledTaskImages),
    KEEP_TASK_DEFINITION_REVISIONS: String(sources.keepTaskDefinitionRevisions),
    KEEP_LAMBDA_IMAGES: String(sources.keepLambdaImages),
    ...(sources.keepLambdaImages && { KEEP_LAMBDA_VERSIONS: String(props.keepLambdaVersions ?? DEFAULTS.keepLambdaVersions) }),
    ...(props.inUseImagesUri !== undefined && { IN_USE_IMAGES_URI: props.inUseImagesUri }),
    AUDIT_BUCKET_URI: options.auditBucketUri,
    GRACE_PERIOD_DAYS: String(settings.gracePeriodDays),
    MAX_CONCURRENT_CALLS: String(props.maxConcurrentCalls ?? DEFAULTS.maxConcurrentCalls),
    STORAGE_PRICE_PER_GB_MONTH: decimalText(props.storagePricePerGbMonth ?? DEFAULTS.storagePricePerGbMonth),
    ...(props.repositories && { ECR_REPOSITORIES: props.repositories.join(',') }),
    ...(props.clusters && { ECS_CLUSTERS: props.clusters.join(',') }),
    ...(settings.rules.length > 0 && { RULES: JSON.stringify(props.rules) }),
    ...slackEnvironment(props, settings.slackEnabled, options.slackTokenSecretArn),
    NODE_OPTIONS: '--enable-source-maps',
  };
}

/** `SLACK_ENABLED`, and with Slack on the channel, the message length and the token's secret. */
export function slackEnvironment(props: EcrCleanerProps, slackEnabled: boolean, slackTokenSecretArn?: string): Record<string, string> {
  return {
    SLACK_ENABLED: String(slackEnabled),
    ...(slackEnabled && {
      SLACK_CHANNEL: props.slackChannel as string,
      SLACK_MAX_MESSAGE_LENGTH: String(props.slackMaxMessageLength ?? DEFAULTS.slackMaxMessageLength),
      SLACK_TOKEN_SECRET_ARN: slackTokenSecretArn as string,
    }),
  };
}

/** A number as the cleaner reads a decimal setting: digits and a point, never an exponent (1e-7). */
function decimalText(value: number): string {
  if (Token.isUnresolved(value)) return Tokenization.stringifyNumber(value);
  const text = String(value);
  return /e/i.test(text) ? value.toFixed(20).replace(/\.?0+$/, '') : text;
}

/** When the cleaner runs unless `schedule` says otherwise: once a day at 03:00 UTC. */
export function defaultCleanerSchedule(): ScheduleExpression {
  return ScheduleExpression.cron({ minute: '0', hour: '3' });
}

/**
 * The role that EventBridge Scheduler assumes to start a run: only for schedules of this account's
 * default group (the confused-deputy conditions), with no permission until the target grants it.
 */
export function createSchedulerRole(scope: Construct, id: string, description: string): iam.Role {
  return new iam.Role(scope, id, {
    description,
    assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: {
          'aws:SourceAccount': Aws.ACCOUNT_ID,
          'aws:SourceArn': `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule-group/default`,
        },
      },
    }),
  });
}
