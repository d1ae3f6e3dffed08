/**
 * The cleaner's settings, parsed at the edge. This is the only module that reads environment variables;
 * the shells pass `process.env` and their flags in, and get a `Config` or one `ConfigError` that lists
 * every problem. The `Config` also says where each setting came from, and warns of settings that have no
 * effect.
 */
import { ConfigError } from './errors';
import { DEFAULTS } from './core/defaults';
import { closestName } from './core/did-you-mean';
import { CLUSTER_NAME_OR_ARN, REPOSITORY_NAME } from './core/names';
import { RulesError, parseRules, ruleFor, type RepositoryRule } from './core/rules';
import type { RulesFile } from './rules-file';
import { parseStrictJson } from './core/strict-json';
import { checkS3Uri } from './core/s3-uri';
import { parseAuditUri, type AuditLocation } from './core/audit';
import type { RetentionPolicy } from './core/types';
import { EXTERNAL_ID_PATTERN, REGION_PATTERN } from './core/targets';

export { DEFAULTS };

export interface SlackConfig {
  readonly channel: string;
  readonly maxMessageLength: number;
  /** The bot token itself (`SLACK_TOKEN`, for local runs). */
  readonly token?: string;
  /** The Secrets Manager secret (name or ARN) that holds the token; the Lambda uses this. */
  readonly tokenSecretId?: string;
  /** Another base URL for Slack's Web API, for tests against a local endpoint. */
  readonly apiUrl?: string;
}

/** One setting as the run uses it, and what gave it its value. */
export interface SettingOrigin {
  /** The variable's name, such as `KEEP_MIN_IMAGE_COUNT`. */
  readonly setting: string;
  /** The value in use, as text; a secret shows as `(set)`. */
  readonly value: string;
  /** `--keep-min`, `KEEP_MIN_IMAGE_COUNT`, `profile dev`, `default`, … */
  readonly from: string;
}

export interface Config {
  readonly region: string;
  readonly deleteEnabled: boolean;
  /** The global keep rules: those of every repository that no rule of `rules` matches. */
  readonly policy: RetentionPolicy;
  /** Rules per repository, in order: the first whose pattern matches a repository applies. */
  readonly rules: readonly RepositoryRule[];
  /** Where the rules came from, as messages name them: `RULES`, or the file given to `--rules`. */
  readonly rulesSource: string;
  /**
   * Keep the images that ECS services may launch: their deployments' and task sets' task definitions, and
   * the digests pinned in their service revisions (current ones, and rollback targets).
   */
  readonly keepServiceDeploymentImages: boolean;
  /** Keep the images of the task definitions that EventBridge rules and Scheduler schedules start. */
  readonly keepScheduledTaskImages: boolean;
  /** Keep the images of the newest N ACTIVE revisions of every task definition family; 0 is off. */
  readonly keepTaskDefinitionRevisions: number;
  /** Keep the images that Lambda functions packaged as container images run. */
  readonly keepLambdaImages: boolean;
  /** The newest published versions of each such function whose images are kept. */
  readonly keepLambdaVersions: number;
  /** A list of image references that are in use elsewhere: a local path, or `s3://bucket/key`. */
  readonly inUseImagesUri?: string;
  /** Where each run writes its CSV and JSON Lines plan: the audit trail. None: nothing is written to S3. */
  readonly audit?: AuditLocation;
  /**
   * Days that a deletion waits: an image is deleted only if a plan at least this old planned it too. 0:
   * no wait.
   */
  readonly gracePeriodDays: number;
  /** A local JSON Lines plan to take as the earlier plan, instead of the audit trail's (the CLI). */
  readonly earlierPlanFile?: string;
  /** Only these repositories are read and cleaned; all of them when undefined. */
  readonly repositories?: readonly string[];
  /** Only these ECS clusters are searched for images in use; all of them when undefined. */
  readonly clusters?: readonly string[];
  /** The most AWS calls in flight at once. */
  readonly maxConcurrentCalls: number;
  /** US dollars per GB-month of ECR storage, for the estimated saving. */
  readonly storagePricePerGbMonth: number;
  /** Attempts per AWS call, retries included, with backoff. */
  readonly awsMaxAttempts: number;
  /**
   * The external ID that member accounts' roles require (`sts:ExternalId` in their trust policy), given
   * with every AssumeRole of a fan-out.
   */
  readonly memberExternalId?: string;
  /** Slack reporting; undefined when it is off. */
  readonly slack?: SlackConfig;
  /** Evaluate the keep rules at this instant instead of the clock's (previews only). */
  readonly now?: Date;
  /** Where each setting came from, in the order of the README's table. */
  readonly origins: readonly SettingOrigin[];
  /** Settings that have no effect, or look misspelled. Every shell shows them. */
  readonly warnings: readonly string[];
}

/** Flags that override the variables of the same meaning. */
export interface ConfigFlags {
  readonly region?: string;
  readonly delete?: boolean;
  readonly dryRun?: boolean;
  readonly keepMin?: string;
  readonly keepDays?: string;
  readonly keepPulledDays?: string;
  readonly repositories?: string;
  readonly clusters?: string;
  readonly ignoreServiceDeployments?: boolean;
  readonly ignoreScheduledTasks?: boolean;
  readonly ignoreLambda?: boolean;
  readonly keepTaskDefinitionRevisions?: string;
  readonly keepLambdaVersions?: string;
  readonly inUseImages?: string;
  readonly upload?: string;
  readonly gracePeriodDays?: string;
  readonly earlierPlan?: string;
  readonly maxConcurrentCalls?: string;
  readonly storagePrice?: string;
  readonly slack?: boolean;
  readonly slackChannel?: string;
  readonly slackTokenSecret?: string;
  readonly externalId?: string;
  readonly now?: string;
  /** `--rules FILE`, read and parsed by the shell (JSON or YAML): the list or the problem, and the file's name. */
  readonly rules?: RulesFile;
}

/** What the shell knows besides the variables and flags. */
export interface ConfigContext {
  /** The Lambda reads its list of references from S3 only; the CLI also from a local file. @default 'cli' */
  readonly shell?: 'cli' | 'lambda';
  /** The clock, to refuse a `--now` in the past. @default the current time */
  readonly clock?: Date;
  /** The region of the AWS profile in use, as the AWS CLI finds it in the shared config file. */
  readonly profileRegion?: { readonly profile: string; readonly region: string };
}

/** Every variable the cleaner reads, to tell a misspelled one from a foreign one. */
export const VARIABLES = [
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
  'DELETE_ENABLED',
  'KEEP_MIN_IMAGE_COUNT',
  'KEEP_IMAGES_NEWER_THAN_DAYS',
  'KEEP_IMAGES_PULLED_WITHIN_DAYS',
  'RULES',
  'KEEP_SERVICE_DEPLOYMENT_IMAGES',
  'KEEP_SCHEDULED_TASK_IMAGES',
  'KEEP_TASK_DEFINITION_REVISIONS',
  'KEEP_LAMBDA_IMAGES',
  'KEEP_LAMBDA_VERSIONS',
  'IN_USE_IMAGES_URI',
  'AUDIT_BUCKET_URI',
  'GRACE_PERIOD_DAYS',
  'ECR_REPOSITORIES',
  'ECS_CLUSTERS',
  'MAX_CONCURRENT_CALLS',
  'STORAGE_PRICE_PER_GB_MONTH',
  'AWS_MAX_ATTEMPTS',
  'MEMBER_EXTERNAL_ID',
  'AWS_RETRY_MODE',
  'SLACK_ENABLED',
  'SLACK_CHANNEL',
  'SLACK_TOKEN',
  'SLACK_TOKEN_SECRET_ARN',
  'SLACK_MAX_MESSAGE_LENGTH',
  'SLACK_API_URL',
] as const;

/** Slack truncates a message longer than this. */
const SLACK_TEXT_LIMIT = 40000;
/** A region's name: `eu-west-2`, `us-gov-west-1`, `cn-north-1`, `eusc-de-east-1`. */
/** ISO 8601 with a time and an explicit zone: `2026-12-01T09:00Z`, `2026-12-01T09:00:00.000+01:00`. */
const ISO_INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the settings. Values are trimmed, an empty value counts as unset, and a flag wins over its
 * variable.
 *
 * @throws ConfigError listing every problem
 */
export function parseConfig(env: Env, flags: ConfigFlags = {}, context: ConfigContext = {}): Config {
  const problems: string[] = [];
  const warnings: string[] = [];
  const read = new Reader(env, problems);

  const region = resolveRegion(read, flags, context, problems);
  const deleteEnabled = resolveMode(read, flags, problems);
  const keepMinImageCount = read.integer({ variable: 'KEEP_MIN_IMAGE_COUNT', flag: '--keep-min', min: 1 }, flags.keepMin) ?? DEFAULTS.keepMinImageCount;
  const keepImagesNewerThanDays =
    read.integer({ variable: 'KEEP_IMAGES_NEWER_THAN_DAYS', flag: '--keep-days', min: 0 }, flags.keepDays) ?? DEFAULTS.keepImagesNewerThanDays;
  const keepImagesPulledWithinDays =
    read.integer({ variable: 'KEEP_IMAGES_PULLED_WITHIN_DAYS', flag: '--keep-pulled-days', min: 0 }, flags.keepPulledDays) ??
    DEFAULTS.keepImagesPulledWithinDays;
  const { rules, rulesSource } = readRules(read, flags, problems, warnings);
  const keepServiceDeploymentImages =
    read.switch({ variable: 'KEEP_SERVICE_DEPLOYMENT_IMAGES', flag: '--ignore-service-deployments' }, flags.ignoreServiceDeployments) ??
    DEFAULTS.keepServiceDeploymentImages;
  const keepScheduledTaskImages =
    read.switch({ variable: 'KEEP_SCHEDULED_TASK_IMAGES', flag: '--ignore-scheduled-tasks' }, flags.ignoreScheduledTasks) ??
    DEFAULTS.keepScheduledTaskImages;
  const keepTaskDefinitionRevisions =
    read.integer({ variable: 'KEEP_TASK_DEFINITION_REVISIONS', flag: '--keep-task-definition-revisions', min: 0, max: 100 }, flags.keepTaskDefinitionRevisions) ??
    DEFAULTS.keepTaskDefinitionRevisions;
  const keepLambdaImages = read.switch({ variable: 'KEEP_LAMBDA_IMAGES', flag: '--ignore-lambda' }, flags.ignoreLambda) ?? DEFAULTS.keepLambdaImages;
  const keepLambdaVersions =
    read.integer({ variable: 'KEEP_LAMBDA_VERSIONS', flag: '--keep-lambda-versions', min: 0, max: 100 }, flags.keepLambdaVersions) ??
    DEFAULTS.keepLambdaVersions;
  if (!keepLambdaImages && read.given('KEEP_LAMBDA_VERSIONS', flags.keepLambdaVersions)) {
    warnings.push(`${read.source('KEEP_LAMBDA_VERSIONS', '--keep-lambda-versions', flags.keepLambdaVersions)} has no effect: Lambda functions are not searched (KEEP_LAMBDA_IMAGES=false or --ignore-lambda)`);
  }
  const inUseImagesUri = read.string({ variable: 'IN_USE_IMAGES_URI', flag: '--in-use-images' }, flags.inUseImages);
  if (inUseImagesUri !== undefined) {
    const name = read.source('IN_USE_IMAGES_URI', '--in-use-images', flags.inUseImages);
    const why = inUseImagesUri.startsWith('s3://') ? checkS3Uri(inUseImagesUri) : context.shell === 'lambda' ? 'the Lambda cannot read local files' : undefined;
    if (why !== undefined) {
      problems.push(`${name} must be an S3 object such as s3://my-bucket/in-use.txt${context.shell === 'lambda' ? '' : ', or a local file'}, got "${inUseImagesUri}": ${why}`);
    }
  }
  const audit = readAudit(read, flags, problems);
  const gracePeriodDays =
    read.integer({ variable: 'GRACE_PERIOD_DAYS', flag: '--grace-period-days', min: 0, max: 365 }, flags.gracePeriodDays) ?? DEFAULTS.gracePeriodDays;
  const earlierPlanFile = flags.earlierPlan?.trim() || undefined;
  if (gracePeriodDays > 0 && !audit && !earlierPlanFile) {
    problems.push(
      `${read.source('GRACE_PERIOD_DAYS', '--grace-period-days', flags.gracePeriodDays)}=${gracePeriodDays} needs the earlier plans, and none is given: set AUDIT_BUCKET_URI (or --upload s3://bucket), where every run writes its plan, or pass --earlier-plan FILE`,
    );
  }
  if (earlierPlanFile && gracePeriodDays === 0) warnings.push('--earlier-plan has no effect without a grace period: pass --grace-period-days N or set GRACE_PERIOD_DAYS');
  const repositories = read.list({ variable: 'ECR_REPOSITORIES', flag: '--repositories', pattern: REPOSITORY_NAME, what: 'ECR repository names' }, flags.repositories);
  const clusters = read.list({ variable: 'ECS_CLUSTERS', flag: '--clusters', pattern: CLUSTER_NAME_OR_ARN, what: 'ECS cluster names or ARNs' }, flags.clusters);
  for (const name of repositories ?? []) {
    const rule = ruleFor(name, rules);
    if (rule?.exclude) {
      warnings.push(`${read.source('ECR_REPOSITORIES', '--repositories', flags.repositories)} names ${name}, but ${rulesSource}[${rule.index}] excludes it, so it is neither cleaned nor counted`);
    }
  }
  if (clusters) {
    warnings.push(
      `only the ECS ${clusters.length === 1 ? 'cluster' : 'clusters'} ${clusters.join(', ')} ${clusters.length === 1 ? 'is' : 'are'} searched for tasks and services (${read.source('ECS_CLUSTERS', '--clusters', flags.clusters)}): images that tasks or services in any other cluster run are unprotected`,
    );
  }
  const maxConcurrentCalls =
    read.integer({ variable: 'MAX_CONCURRENT_CALLS', flag: '--max-concurrent-calls', min: 1, max: 64 }, flags.maxConcurrentCalls) ??
    DEFAULTS.maxConcurrentCalls;
  const storagePricePerGbMonth =
    read.decimal({ variable: 'STORAGE_PRICE_PER_GB_MONTH', flag: '--storage-price', min: 0, max: 100 }, flags.storagePrice) ?? DEFAULTS.storagePricePerGbMonth;
  const awsMaxAttempts = read.integer({ variable: 'AWS_MAX_ATTEMPTS', min: 1, max: 20 }) ?? DEFAULTS.awsMaxAttempts;
  const memberExternalId = read.string({ variable: 'MEMBER_EXTERNAL_ID', flag: '--external-id', secret: true }, flags.externalId);
  if (memberExternalId !== undefined && !EXTERNAL_ID_PATTERN.test(memberExternalId)) {
    problems.push(`${read.source('MEMBER_EXTERNAL_ID', '--external-id', flags.externalId)} must be 2 to 1224 of the characters A-Z, a-z, 0-9 and +=,.@:/_-, as STS takes an external ID`);
  }
  if (read.given('AWS_RETRY_MODE')) {
    warnings.push('AWS_RETRY_MODE has no effect: the cleaner retries throttled calls itself, and adapts the calls in flight to throttling in every mode');
  }
  const now = parseNow(flags.now, deleteEnabled, context.clock ?? new Date(), problems);
  if (now && audit) {
    problems.push(`--now cannot be used with ${read.source('AUDIT_BUCKET_URI', '--upload', flags.upload)}: a preview's plan would join the audit trail, where a grace period would take it for a plan of its own time; leave --upload out of previews`);
  }
  const slack = parseSlack(read, flags, problems, warnings);
  warnings.push(...misspelledVariables(env, deleteEnabled, problems));

  if (problems.length > 0) throw new ConfigError(problems);
  for (const [setting, value] of [
    ['KEEP_MIN_IMAGE_COUNT', keepMinImageCount],
    ['KEEP_IMAGES_NEWER_THAN_DAYS', keepImagesNewerThanDays],
    ['KEEP_IMAGES_PULLED_WITHIN_DAYS', keepImagesPulledWithinDays],
    ['KEEP_SERVICE_DEPLOYMENT_IMAGES', keepServiceDeploymentImages],
    ['KEEP_SCHEDULED_TASK_IMAGES', keepScheduledTaskImages],
    ['KEEP_TASK_DEFINITION_REVISIONS', keepTaskDefinitionRevisions],
    ['KEEP_LAMBDA_IMAGES', keepLambdaImages],
    ['KEEP_LAMBDA_VERSIONS', keepLambdaVersions],
    ['AUDIT_BUCKET_URI', 'none'],
    ['GRACE_PERIOD_DAYS', gracePeriodDays],
    ['ECR_REPOSITORIES', 'all'],
    ['ECS_CLUSTERS', 'all'],
    ['MAX_CONCURRENT_CALLS', maxConcurrentCalls],
    ['STORAGE_PRICE_PER_GB_MONTH', storagePricePerGbMonth],
    ['SLACK_ENABLED', slack !== undefined],
  ] as const) {
    read.fallback(setting, String(value));
  }
  return {
    region,
    deleteEnabled,
    policy: { keepMinImageCount, keepImagesNewerThanDays, keepImagesPulledWithinDays },
    rules,
    rulesSource,
    keepServiceDeploymentImages,
    keepScheduledTaskImages,
    keepTaskDefinitionRevisions,
    keepLambdaImages,
    keepLambdaVersions,
    ...(inUseImagesUri !== undefined && { inUseImagesUri }),
    ...(audit && { audit }),
    gracePeriodDays,
    ...(earlierPlanFile && { earlierPlanFile }),
    ...(repositories && { repositories }),
    ...(clusters && { clusters }),
    maxConcurrentCalls,
    storagePricePerGbMonth,
    awsMaxAttempts,
    ...(memberExternalId !== undefined && { memberExternalId }),
    ...(slack && { slack }),
    ...(now && { now }),
    origins: read.origins(),
    warnings,
  };
}

/**
 * The region, as the AWS CLI resolves it: `--region`, `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's
 * region, and only then the original tool's default.
 */
function resolveRegion(read: Reader, flags: ConfigFlags, context: ConfigContext, problems: string[]): string {
  const given = read.string({ variable: 'AWS_REGION', flag: '--region' }, flags.region) ?? read.string({ variable: 'AWS_DEFAULT_REGION' });
  const fromProfile = given === undefined ? context.profileRegion : undefined;
  const region = given ?? fromProfile?.region ?? DEFAULTS.region;
  const from =
    given !== undefined
      ? read.given('AWS_REGION', flags.region)
        ? read.source('AWS_REGION', '--region', flags.region)
        : 'AWS_DEFAULT_REGION'
      : fromProfile
        ? `profile ${fromProfile.profile}`
        : 'default: no --region, AWS_REGION, AWS_DEFAULT_REGION or profile region is set';
  if (!REGION_PATTERN.test(region)) problems.push(`${from.startsWith('profile') ? `the region of ${from}` : from} must be an AWS region such as eu-west-2, got "${region}"`);
  read.record('AWS_REGION', region, from);
  return region;
}

/**
 * The rules per repository: `--rules FILE` (which the shell read and parsed), else `RULES` (JSON), else
 * none. Every problem of the list is reported, each naming the rule, the key, the value and the fix.
 */
function readRules(read: Reader, flags: ConfigFlags, problems: string[], warnings: string[]): { rules: RepositoryRule[]; rulesSource: string } {
  let value: unknown;
  let source: string;
  if (flags.rules) {
    source = flags.rules.source;
    if ('problem' in flags.rules) {
      problems.push(flags.rules.problem);
      return { rules: [], rulesSource: source };
    }
    value = flags.rules.value;
    if (read.given('RULES')) warnings.push(`RULES is set, but --rules ${source} is given too and wins, so RULES is ignored`);
  } else {
    const text = read.string({ variable: 'RULES', record: false });
    if (text === undefined) {
      read.record('RULES', 'none', 'default');
      return { rules: [], rulesSource: 'RULES' };
    }
    source = 'RULES';
    try {
      value = parseStrictJson(text);
    } catch (error) {
      const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
      const yaml = text.startsWith('[') ? '' : '; RULES takes JSON only: for YAML, write the rules into a file and pass --rules FILE';
      problems.push(`RULES must be a JSON list of rules such as [{"repositories": "ci/*", "keepImagesNewerThanDays": 1}], got "${shown}": ${(error as Error).message}${yaml}`);
      return { rules: [], rulesSource: source };
    }
  }
  try {
    const rules = parseRules(value, source);
    read.record('RULES', `${rules.length} ${rules.length === 1 ? 'rule' : 'rules'}`, flags.rules ? `--rules ${source}` : 'RULES');
    return { rules, rulesSource: source };
  } catch (error) {
    if (!(error instanceof RulesError)) throw error;
    problems.push(...error.problems);
    return { rules: [], rulesSource: source };
  }
}

/** The audit trail's bucket and prefix: `--upload` or `AUDIT_BUCKET_URI`, `s3://bucket[/prefix]`. */
function readAudit(read: Reader, flags: ConfigFlags, problems: string[]): AuditLocation | undefined {
  const uri = read.string({ variable: 'AUDIT_BUCKET_URI', flag: '--upload' }, flags.upload);
  if (uri === undefined) return undefined;
  const location = parseAuditUri(uri);
  if ('problem' in location) {
    problems.push(`${read.source('AUDIT_BUCKET_URI', '--upload', flags.upload)} must be a bucket and an optional prefix, such as s3://my-audit-bucket or s3://my-audit-bucket/ecr/, got "${uri}": ${location.problem}`);
    return undefined;
  }
  return location;
}

/** Dry run or delete. `--dry-run` wins over `DELETE_ENABLED=true`; with `--delete` it is a contradiction. */
function resolveMode(read: Reader, flags: ConfigFlags, problems: string[]): boolean {
  const variable = read.boolean('DELETE_ENABLED', { record: false });
  if (flags.dryRun === true && flags.delete === true) {
    problems.push('--dry-run and --delete contradict each other: give one of them');
    return false;
  }
  const [enabled, from] =
    flags.dryRun === true
      ? [false, variable === true ? '--dry-run (over DELETE_ENABLED=true)' : '--dry-run']
      : flags.delete === true
        ? [true, '--delete']
        : variable !== undefined
          ? [variable, 'DELETE_ENABLED']
          : [false, 'default'];
  read.record('DELETE_ENABLED', String(enabled), from);
  return enabled;
}

/**
 * `--now`: an instant with an explicit zone that exists on the calendar, later than the clock, and never
 * with deletion: a later instant removes the "recent" protection, so it is for previews only.
 */
function parseNow(value: string | undefined, deleteEnabled: boolean, clock: Date, problems: string[]): Date | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const example = 'such as 2026-12-01T00:00:00Z or 2026-12-01T09:00:00+01:00';
  const match = ISO_INSTANT.exec(text);
  if (!match) {
    problems.push(`--now must be an ISO 8601 time with Z or an offset, ${example}, got "${text}"`);
    return undefined;
  }
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0));
  const calendar = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    calendar.getUTCFullYear() !== year ||
    calendar.getUTCMonth() !== month - 1 ||
    calendar.getUTCDate() !== day ||
    calendar.getUTCHours() !== hour ||
    calendar.getUTCMinutes() !== minute ||
    calendar.getUTCSeconds() !== second ||
    !/^(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/.test(match[7])
  ) {
    problems.push(`--now must be a time that exists, ${example}, got "${text}"`);
    return undefined;
  }
  const now = new Date(text);
  if (deleteEnabled) {
    problems.push(`--now cannot be used with deletion (--delete or DELETE_ENABLED=true), got "${text}": a later --now removes the "recent" protection, so it is for dry runs only`);
  } else if (now.getTime() < clock.getTime()) {
    problems.push(`--now must be later than the current time (${clock.toISOString()}): it exists to look ahead, got "${text}"`);
  }
  return now;
}

function parseSlack(read: Reader, flags: ConfigFlags, problems: string[], warnings: string[]): SlackConfig | undefined {
  const enabled = flags.slack === true || (read.boolean('SLACK_ENABLED') ?? false);
  if (flags.slack === true) read.record('SLACK_ENABLED', 'true', '--slack');
  const maxMessageLength =
    read.integer({ variable: 'SLACK_MAX_MESSAGE_LENGTH', min: 1, max: SLACK_TEXT_LIMIT }) ?? DEFAULTS.slackMaxMessageLength;
  const channel = read.string({ variable: 'SLACK_CHANNEL', flag: '--slack-channel' }, flags.slackChannel);
  // The token is never echoed: not even a bad one goes into a message.
  const token = read.string({ variable: 'SLACK_TOKEN', secret: true });
  const tokenSecretId = read.string({ variable: 'SLACK_TOKEN_SECRET_ARN', flag: '--slack-token-secret' }, flags.slackTokenSecret);
  const apiUrl = read.string({ variable: 'SLACK_API_URL' });
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(apiUrl)) {
    problems.push(`SLACK_API_URL must be an http(s) URL such as http://127.0.0.1:4566/api/, got "${apiUrl}"`);
  }
  if (!enabled) {
    // SLACK_API_URL is left out: like AWS_ENDPOINT_URL, it only says where Slack is, and local setups keep it.
    const stray = [
      channel !== undefined && read.source('SLACK_CHANNEL', '--slack-channel', flags.slackChannel),
      token !== undefined && 'SLACK_TOKEN',
      tokenSecretId !== undefined && read.source('SLACK_TOKEN_SECRET_ARN', '--slack-token-secret', flags.slackTokenSecret),
      read.given('SLACK_MAX_MESSAGE_LENGTH') && 'SLACK_MAX_MESSAGE_LENGTH',
    ].filter((name): name is string => typeof name === 'string');
    if (stray.length > 0) {
      warnings.push(`${stray.join(', ')} ${stray.length === 1 ? 'is' : 'are'} set but Slack is off, so nothing is posted: pass --slack or set SLACK_ENABLED=true to post`);
    }
    return undefined;
  }

  if (channel === undefined) {
    problems.push('SLACK_CHANNEL must be set when Slack is enabled, got nothing: set it to a channel ID such as C0123456789');
  }
  if (token === undefined && tokenSecretId === undefined) {
    problems.push('SLACK_TOKEN or SLACK_TOKEN_SECRET_ARN must be set when Slack is enabled, got neither: give the bot token, or the secret that holds it');
  }
  return {
    channel: channel ?? '',
    maxMessageLength,
    ...(token !== undefined && { token }),
    ...(tokenSecretId !== undefined && { tokenSecretId }),
    ...(apiUrl !== undefined && { apiUrl: apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/` }),
  };
}

/**
 * Variables that look like ours but are not (`KEEP_MIN_IMAGES_COUNT`, `DELETE_ENABLE`): a warning in a dry
 * run, and an error when deleting, since the setting meant is then silently at its default.
 */
function misspelledVariables(env: Env, deleteEnabled: boolean, problems: string[]): string[] {
  const known = new Set<string>(VARIABLES);
  const warnings: string[] = [];
  for (const name of Object.keys(env).sort()) {
    if (known.has(name) || env[name] === undefined || env[name]?.trim() === '') continue;
    // Two edits at most: AWS_DEFAULT_OUTPUT is not a misspelled AWS_DEFAULT_REGION.
    const closest = closestName(name, VARIABLES, 2);
    if (closest === undefined && !name.startsWith('KEEP_')) continue;
    const message = `${name} is not a setting of ECR Maintainer${closest ? ` (did you mean ${closest}?)` : ''}, so it is ignored`;
    if (deleteEnabled) problems.push(`${message}; with deletion on, rename or unset it`);
    else warnings.push(message);
  }
  return warnings;
}

interface Named {
  readonly variable: string;
  readonly flag?: string;
  /** Shown as `(set)` among the origins. */
  readonly secret?: boolean;
  /** Whether to record the value as the setting's origin. @default true */
  readonly record?: boolean;
}

/** Reads variables and flags, trimming them, recording problems in the words of the docs, and origins. */
class Reader {
  private readonly recorded = new Map<string, SettingOrigin>();

  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  /** The name to blame: the flag when the flag gave the value, else the variable. */
  source(variable: string, flag: string | undefined, flagValue: string | undefined): string {
    return flag !== undefined && flagValue !== undefined && flagValue.trim() !== '' ? flag : variable;
  }

  /** Whether the variable or the flag gives a value. */
  given(variable: string, flagValue?: string): boolean {
    return Boolean(flagValue?.trim()) || Boolean(this.env[variable]?.trim());
  }

  record(setting: string, value: string, from: string): void {
    this.recorded.set(setting, { setting, value, from });
  }

  /** Records a setting's default, unless something gave it a value. */
  fallback(setting: string, value: string): void {
    if (!this.recorded.has(setting)) this.record(setting, value, 'default');
  }

  /** The origins in the order of `VARIABLES`, the README's order. */
  origins(): SettingOrigin[] {
    const order = (setting: string): number => (VARIABLES as readonly string[]).indexOf(setting);
    return [...this.recorded.values()].sort((a, b) => order(a.setting) - order(b.setting));
  }

  string(named: Named, flagValue?: string): string | undefined {
    const fromFlag = flagValue?.trim();
    const fromEnv = this.env[named.variable]?.trim();
    const value = fromFlag || fromEnv || undefined;
    if (value !== undefined && named.record !== false) this.record(named.variable, named.secret ? '(set)' : value, fromFlag ? (named.flag as string) : named.variable);
    return value;
  }

  boolean(variable: string, options: { record?: boolean } = {}): boolean | undefined {
    const value = this.env[variable]?.trim() || undefined;
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if (lower !== 'true' && lower !== 'false') {
      this.problems.push(`${variable} must be "true" or "false", got "${value}"`);
      return undefined;
    }
    if (options.record !== false) this.record(variable, lower, variable);
    return lower === 'true';
  }

  /** A switch that is on by default: its variable, or a flag that turns it off. */
  switch(named: Named & { readonly flag: string }, off: boolean | undefined): boolean | undefined {
    if (off === true) {
      this.record(named.variable, 'false', named.flag);
      return false;
    }
    return this.boolean(named.variable);
  }

  integer(named: Named & { readonly min: number; readonly max?: number }, flagValue?: string): number | undefined {
    const value = this.string(named, flagValue);
    if (value === undefined) return undefined;
    const name = this.source(named.variable, named.flag, flagValue);
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    const allowed = named.max === undefined ? `>= ${named.min}` : `from ${named.min} to ${named.max}`;
    if (!Number.isSafeInteger(number) || number < named.min || (named.max !== undefined && number > named.max)) {
      this.problems.push(`${name} must be a whole number ${allowed}, got "${value}"`);
      return undefined;
    }
    return number;
  }

  /** A decimal number such as `0.10`, within the bounds. */
  decimal(named: Named & { readonly min: number; readonly max: number }, flagValue?: string): number | undefined {
    const value = this.string(named, flagValue);
    if (value === undefined) return undefined;
    const number = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isNaN(number) || number < named.min || number > named.max) {
      this.problems.push(`${this.source(named.variable, named.flag, flagValue)} must be a number from ${named.min} to ${named.max}, such as 0.10, got "${value}"`);
      return undefined;
    }
    return number;
  }

  list(
    named: Named & { readonly pattern: RegExp; readonly what: string },
    flagValue?: string,
  ): string[] | undefined {
    const value = this.string(named, flagValue);
    if (value === undefined) return undefined;
    const items = [...new Set(value.split(',').map((item) => item.trim()).filter((item) => item !== ''))];
    const bad = items.filter((item) => !named.pattern.test(item));
    if (items.length === 0 || bad.length > 0) {
      const name = this.source(named.variable, named.flag, flagValue);
      this.problems.push(`${name} must be a comma-separated list of ${named.what}, got "${value}"`);
      return undefined;
    }
    return items;
  }
}
