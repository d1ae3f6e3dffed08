/**
 * The cleaner's settings, parsed at the edge. This is the only module that reads environment variables;
 * the shells pass `process.env` and their flags in, and get a `Config` or one `ConfigError` that lists
 * every problem.
 */
import { ConfigError } from './errors';
import { CLUSTER_NAME_OR_ARN, REPOSITORY_NAME } from './core/names';
import { DEFAULTS } from './core/defaults';
import type { RetentionPolicy } from './core/types';

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

export interface Config {
  readonly region: string;
  readonly deleteEnabled: boolean;
  readonly policy: RetentionPolicy;
  /** Keep the images of the task definitions that ECS services deploy (so that rollbacks find them). */
  readonly keepServiceDeploymentImages: boolean;
  /** Only these repositories are read and cleaned; all of them when undefined. */
  readonly repositories?: readonly string[];
  /** Only these ECS clusters are searched for images in use; all of them when undefined. */
  readonly clusters?: readonly string[];
  /** The most AWS calls in flight at once. */
  readonly maxConcurrentCalls: number;
  /** Attempts per AWS call, retries included, with backoff. */
  readonly awsMaxAttempts: number;
  readonly awsRetryMode: 'standard' | 'adaptive';
  /** Slack reporting; undefined when it is off. */
  readonly slack?: SlackConfig;
  /** Evaluate the keep rules at this instant instead of the clock's. */
  readonly now?: Date;
}

/** Flags that override the variables of the same meaning. */
export interface ConfigFlags {
  readonly region?: string;
  readonly delete?: boolean;
  readonly keepMin?: string;
  readonly keepDays?: string;
  readonly repositories?: string;
  readonly clusters?: string;
  readonly ignoreServiceDeployments?: boolean;
  readonly maxConcurrentCalls?: string;
  readonly slack?: boolean;
  readonly slackChannel?: string;
  readonly slackTokenSecret?: string;
  readonly now?: string;
}

export { DEFAULTS };

/** Slack truncates a message longer than this. */
const SLACK_TEXT_LIMIT = 40000;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses the settings. Values are trimmed, an empty value counts as unset, and a flag wins over its
 * variable.
 *
 * @throws ConfigError listing every problem
 */
export function parseConfig(env: Env, flags: ConfigFlags = {}): Config {
  const problems: string[] = [];
  const read = new Reader(env, problems);

  const region = read.string({ variable: 'AWS_REGION', flag: '--region' }, flags.region) ?? DEFAULTS.region;
  if (!REGION.test(region)) problems.push(`${read.source('AWS_REGION', '--region', flags.region)} must be an AWS region such as eu-west-2, got "${region}"`);

  const deleteEnabled = flags.delete === true || (read.boolean('DELETE_ENABLED') ?? false);
  const keepMinImageCount =
    read.integer({ variable: 'KEEP_MIN_IMAGE_COUNT', flag: '--keep-min', min: 1 }, flags.keepMin) ?? DEFAULTS.keepMinImageCount;
  const keepImagesNewerThanDays =
    read.integer({ variable: 'KEEP_IMAGES_NEWER_THAN_DAYS', flag: '--keep-days', min: 0 }, flags.keepDays) ??
    DEFAULTS.keepImagesNewerThanDays;
  const keepServiceDeploymentImages =
    flags.ignoreServiceDeployments === true ? false : (read.boolean('KEEP_SERVICE_DEPLOYMENT_IMAGES') ?? true);
  const repositories = read.list({ variable: 'ECR_REPOSITORIES', flag: '--repositories', pattern: REPOSITORY_NAME, what: 'ECR repository names' }, flags.repositories);
  const clusters = read.list({ variable: 'ECS_CLUSTERS', flag: '--clusters', pattern: CLUSTER_NAME_OR_ARN, what: 'ECS cluster names or ARNs' }, flags.clusters);
  const maxConcurrentCalls =
    read.integer({ variable: 'MAX_CONCURRENT_CALLS', flag: '--max-concurrent-calls', min: 1, max: 64 }, flags.maxConcurrentCalls) ??
    DEFAULTS.maxConcurrentCalls;
  const awsMaxAttempts = read.integer({ variable: 'AWS_MAX_ATTEMPTS', min: 1, max: 20 }) ?? DEFAULTS.awsMaxAttempts;
  const retryMode = read.string({ variable: 'AWS_RETRY_MODE' }) ?? 'standard';
  if (retryMode !== 'standard' && retryMode !== 'adaptive') {
    problems.push(`AWS_RETRY_MODE must be "standard" or "adaptive", got "${retryMode}"`);
  }

  let now: Date | undefined;
  if (flags.now !== undefined && flags.now.trim() !== '') {
    now = new Date(flags.now.trim());
    if (!/^\d{4}-\d{2}-\d{2}/.test(flags.now.trim()) || Number.isNaN(now.getTime())) {
      problems.push(`--now must be an ISO 8601 date or time such as 2026-12-01 or 2026-12-01T09:00:00Z, got "${flags.now}"`);
    }
  }

  const slack = parseSlack(read, flags, problems);

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    region,
    deleteEnabled,
    policy: { keepMinImageCount, keepImagesNewerThanDays, keepImagesPulledWithinDays: 0 },
    keepServiceDeploymentImages,
    ...(repositories && { repositories }),
    ...(clusters && { clusters }),
    maxConcurrentCalls,
    awsMaxAttempts,
    awsRetryMode: retryMode as Config['awsRetryMode'],
    ...(slack && { slack }),
    ...(now && { now }),
  };
}

function parseSlack(read: Reader, flags: ConfigFlags, problems: string[]): SlackConfig | undefined {
  const enabled = flags.slack === true || (read.boolean('SLACK_ENABLED') ?? false);
  const maxMessageLength =
    read.integer({ variable: 'SLACK_MAX_MESSAGE_LENGTH', min: 1, max: SLACK_TEXT_LIMIT }) ?? DEFAULTS.slackMaxMessageLength;
  const channel = read.string({ variable: 'SLACK_CHANNEL', flag: '--slack-channel' }, flags.slackChannel);
  // The token is never echoed: not even a bad one goes into a message.
  const token = read.string({ variable: 'SLACK_TOKEN' });
  const tokenSecretId = read.string({ variable: 'SLACK_TOKEN_SECRET_ARN', flag: '--slack-token-secret' }, flags.slackTokenSecret);
  const apiUrl = read.string({ variable: 'SLACK_API_URL' });
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(apiUrl)) {
    problems.push(`SLACK_API_URL must be an http(s) URL such as http://127.0.0.1:4566/api/, got "${apiUrl}"`);
  }
  if (!enabled) return undefined;

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

interface Named {
  readonly variable: string;
  readonly flag?: string;
}

/** Reads variables and flags, trimming them and recording problems in the words of the docs. */
class Reader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  /** The name to blame: the flag when the flag gave the value, else the variable. */
  source(variable: string, flag: string | undefined, flagValue: string | undefined): string {
    return flag !== undefined && flagValue !== undefined && flagValue.trim() !== '' ? flag : variable;
  }

  string(named: Named, flagValue?: string): string | undefined {
    const fromFlag = flagValue?.trim();
    if (fromFlag) return fromFlag;
    const fromEnv = this.env[named.variable]?.trim();
    return fromEnv ? fromEnv : undefined;
  }

  boolean(variable: string): boolean | undefined {
    const value = this.string({ variable });
    if (value === undefined) return undefined;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    this.problems.push(`${variable} must be "true" or "false", got "${value}"`);
    return undefined;
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
