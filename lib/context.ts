/**
 * Reads the EcrCleaner's props from CDK context, so that every setting is reachable without editing code:
 * `cdk deploy -c keepMinImageCount=5`, or the `context` block of `cdk.json`. Values from `-c` arrive as
 * strings, values from `cdk.json` as JSON; both are accepted. Ranges are the construct's to check.
 */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { EcrCleanerProps } from './ecr-cleaner';

/** The context keys, as documented in the README. */
export const CONTEXT_KEYS = [
  'schedule',
  'timeoutMinutes',
  'memorySize',
  'keepMinImageCount',
  'keepImagesNewerThanDays',
  'deleteEnabled',
  'keepServiceDeploymentImages',
  'repositories',
  'clusters',
  'maxConcurrentCalls',
  'slackEnabled',
  'slackChannel',
  'slackMaxMessageLength',
  'slackTokenSecret',
  'logRetentionDays',
  'logLevel',
] as const;

const RETENTION_DAYS = new Set(Object.values(logs.RetentionDays).filter((value): value is number => typeof value === 'number'));
const LOG_LEVELS = Object.values(lambda.ApplicationLogLevel) as string[];

/**
 * @throws Error naming every context key whose value has the wrong shape
 */
export function cleanerPropsFromContext(scope: Construct): EcrCleanerProps {
  const problems: string[] = [];
  const get = (key: (typeof CONTEXT_KEYS)[number]): unknown => {
    const value: unknown = scope.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() === '' ? undefined : value;
  };
  const show = (value: unknown): string => JSON.stringify(value);

  const number = (key: (typeof CONTEXT_KEYS)[number]): number | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isNaN(parsed)) {
      problems.push(`context ${key} must be a number, got ${show(value)}`);
      return undefined;
    }
    return parsed;
  };
  const boolean = (key: (typeof CONTEXT_KEYS)[number]): boolean | undefined => {
    const value = get(key);
    if (value === undefined || typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
    problems.push(`context ${key} must be true or false, got ${show(value)}`);
    return undefined;
  };
  const list = (key: (typeof CONTEXT_KEYS)[number]): string[] | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
    if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
    problems.push(`context ${key} must be a list of names, or a comma-separated string, got ${show(value)}`);
    return undefined;
  };
  const string = (key: (typeof CONTEXT_KEYS)[number]): string | undefined => {
    const value = get(key);
    if (value === undefined || typeof value === 'string') return value?.trim();
    problems.push(`context ${key} must be a string, got ${show(value)}`);
    return undefined;
  };

  const schedule = string('schedule');
  if (schedule !== undefined && !/^(cron|rate)\(.+\)$/.test(schedule)) {
    problems.push(`context schedule must be a cron(...) or rate(...) expression such as "cron(0 3 * * ? *)", got ${show(schedule)}`);
  }
  const timeoutMinutes = number('timeoutMinutes');
  const keepDays = number('keepImagesNewerThanDays');
  const retention = number('logRetentionDays');
  if (retention !== undefined && !RETENTION_DAYS.has(retention)) {
    problems.push(`context logRetentionDays must be one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, …), got ${retention}`);
  }
  const logLevel = string('logLevel')?.toUpperCase();
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
    problems.push(`context logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${show(logLevel)}`);
  }
  const secret = string('slackTokenSecret');

  // Each key is read once; a key that is not set stays undefined, which the construct reads as its default.
  const props: EcrCleanerProps = {
    schedule: schedule === undefined ? undefined : ScheduleExpression.expression(schedule),
    timeout: timeoutMinutes === undefined ? undefined : Duration.seconds(Math.round(timeoutMinutes * 60)),
    memorySize: number('memorySize'),
    keepMinImageCount: number('keepMinImageCount'),
    keepImagesNewerThan: keepDays === undefined ? undefined : Duration.hours(keepDays * 24),
    deleteEnabled: boolean('deleteEnabled'),
    keepServiceDeploymentImages: boolean('keepServiceDeploymentImages'),
    repositories: list('repositories'),
    clusters: list('clusters'),
    maxConcurrentCalls: number('maxConcurrentCalls'),
    slackEnabled: boolean('slackEnabled'),
    slackChannel: string('slackChannel'),
    slackMaxMessageLength: number('slackMaxMessageLength'),
    logRetention: retention !== undefined && RETENTION_DAYS.has(retention) ? retention : undefined,
    logLevel: logLevel !== undefined && LOG_LEVELS.includes(logLevel) ? (logLevel as lambda.ApplicationLogLevel) : undefined,
  };
  if (problems.length > 0) throw new Error(`invalid context:\n  ${problems.join('\n  ')}`);
  if (secret === undefined) return props;
  return { ...props, slackTokenSecret: importSecret(scope, secret) };
}

/** An existing secret, by name or by ARN (complete, with its six-character suffix, or partial). */
function importSecret(scope: Construct, reference: string): secretsmanager.ISecret {
  if (!reference.startsWith('arn:')) return secretsmanager.Secret.fromSecretNameV2(scope, 'ImportedSlackToken', reference);
  return /-[A-Za-z0-9]{6}$/.test(reference)
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, 'ImportedSlackToken', reference)
    : secretsmanager.Secret.fromSecretPartialArn(scope, 'ImportedSlackToken', reference);
}
