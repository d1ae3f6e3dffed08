/**
 * Reads the EcrCleaner's props from CDK context, so that every setting is reachable without editing code:
 * `cdk deploy -c keepMinImageCount=5`, or the `context` block of `cdk.json`. Values from `-c` arrive as
 * strings, values from `cdk.json` as JSON; both are accepted. Ranges are the construct's checks
 * (`checkCleanerProps`), reported here under the context keys, so that one error lists every problem:
 * unknown keys (with the nearest known one), values of the wrong shape, and values out of range.
 */
import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { ALARM_TOPIC_ARN_EXAMPLE, checkTopicArn } from './alarm-target';
import { BOTH_ALARM_TARGETS, checkCleanerProps, describePropProblem } from './check-cleaner-props';
import { closestName } from '../lambda/core/did-you-mean';
import { type RuleSpec, RulesError, parseRules } from '../lambda/core/rules';
import { parseStrictJson } from '../lambda/core/strict-json';
import type { EcrCleanerProps } from './ecr-cleaner';
import { InvalidSettingsError } from './errors';

/** The context keys, as documented in the README. */
export const CONTEXT_KEYS = [
  'schedule',
  'timeoutMinutes',
  'memorySize',
  'expectedImageCount',
  'keepMinImageCount',
  'keepImagesNewerThanDays',
  'deleteEnabled',
  'keepServiceDeploymentImages',
  'keepScheduledTaskImages',
  'keepTaskDefinitionRevisions',
  'keepLambdaImages',
  'keepLambdaVersions',
  'keepImagesPulledWithinDays',
  'gracePeriodDays',
  'auditRetentionDays',
  'inUseImagesUri',
  'repositories',
  'rules',
  'clusters',
  'maxConcurrentCalls',
  'storagePricePerGbMonth',
  'slackEnabled',
  'slackChannel',
  'slackMaxMessageLength',
  'slackTokenSecret',
  'logRetentionDays',
  'logLevel',
  'alarmEmail',
  'alarmTopicArn',
  // The organisation stacks' settings, as one JSON object (lib/org-context.ts reads it).
  'org',
] as const;

type ContextKey = (typeof CONTEXT_KEYS)[number];

/**
 * The CDK's own context keys without ":", "@" or "/" in them, which the CDK CLI or aws-cdk-lib reads.
 * (Feature flags such as `@aws-cdk/core:…`, `aws:cdk:…` keys and cached lookups such as
 * `availability-zones:account=…` all have one of those characters.)
 */
const CDK_PLAIN_KEYS: readonly string[] = ['cli-telemetry', 'acknowledged-issue-numbers', 'assets-ecr-repository-name'];

/** The context keys whose prop has another name (and a unit in the key). */
const KEY_OF_PROP: Partial<Record<keyof EcrCleanerProps, ContextKey>> = {
  timeout: 'timeoutMinutes',
  keepImagesNewerThan: 'keepImagesNewerThanDays',
  keepImagesPulledWithin: 'keepImagesPulledWithinDays',
  logRetention: 'logRetentionDays',
  alarmTopic: 'alarmTopicArn',
};

/** A problem for each context key that is neither ours nor the CDK's, naming the nearest known key. */
export function checkContextKeys(keys: readonly string[]): string[] {
  return keys
    .filter((key) => !/[:@/]/.test(key) && !CDK_PLAIN_KEYS.includes(key) && !(CONTEXT_KEYS as readonly string[]).includes(key))
    .map((key) => {
      const suggestion = closestName(key, CONTEXT_KEYS);
      return suggestion
        ? `unknown context key ${JSON.stringify(key)}: did you mean ${JSON.stringify(suggestion)}?`
        : `unknown context key ${JSON.stringify(key)}: the known keys are ${CONTEXT_KEYS.join(', ')}`;
    });
}

/** A rule list as `-c rules='…'` takes it. */
const RULES_EXAMPLE = '[{"repositories":"ci/*","keepImagesNewerThanDays":1}]';
/** The most characters of a value that a message quotes. */
const SHOWN_CHARACTERS = 60;

/** The value, cut to `SHOWN_CHARACTERS` with an ellipsis when longer. */
function shorten(value: string): string {
  return value.length <= SHOWN_CHARACTERS ? value : `${value.slice(0, SHOWN_CHARACTERS - 1)}…`;
}

const RETENTION_DAYS = new Set(Object.values(logs.RetentionDays).filter((value): value is number => typeof value === 'number'));
const LOG_LEVELS = Object.values(lambda.ApplicationLogLevel) as string[];

/**
 * @throws InvalidSettingsError listing every unknown context key, and every context value that has the
 * wrong shape or is out of range
 */
export function cleanerPropsFromContext(scope: Construct): EcrCleanerProps {
  const problems: string[] = checkContextKeys(Object.keys(scope.node.getAllContext() as Record<string, unknown>));
  const get = (key: ContextKey): unknown => {
    const value: unknown = scope.node.tryGetContext(key);
    return typeof value === 'string' && value.trim() === '' ? undefined : value;
  };
  const show = (value: unknown): string => JSON.stringify(value);

  const number = (key: ContextKey): number | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    const parsed = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isNaN(parsed)) {
      problems.push(`context ${key} must be a number, got ${show(value)}`);
      return undefined;
    }
    return parsed;
  };
  const boolean = (key: ContextKey): boolean | undefined => {
    const value = get(key);
    if (value === undefined || typeof value === 'boolean') return value;
    if (typeof value === 'string' && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === 'true';
    problems.push(`context ${key} must be true or false, got ${show(value)}`);
    return undefined;
  };
  const list = (key: ContextKey): string[] | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
    if (typeof value === 'string') return value.split(',').map((item) => item.trim()).filter((item) => item !== '');
    problems.push(`context ${key} must be a list of names, or a comma-separated string, got ${show(value)}`);
    return undefined;
  };
  /**
   * The rules: a JSON list from cdk.json, or the same list as a JSON string from `-c rules='[…]'`,
   * checked by `parseRules` so that each problem names `context rules[i].key`.
   */
  const rules = (key: ContextKey): RuleSpec[] | undefined => {
    let value = get(key);
    if (value === undefined) return undefined;
    if (typeof value === 'string') {
      try {
        value = parseStrictJson(value);
      } catch (error) {
        // V8 quotes the text again at the end of some messages ("…, "ci/*" is not valid JSON"): once is enough.
        const reason = (error as Error).message.replace(/, ".*" is not valid JSON$/s, '');
        problems.push(
          `context ${key} must be a JSON list of rules, such as -c ${key}='${RULES_EXAMPLE}' (in single quotes, for the shell), ` +
            `got '${shorten(value as string)}', which is not JSON: ${reason}`,
        );
        return undefined;
      }
    }
    try {
      parseRules(value, `context ${key}`);
      return value as RuleSpec[];
    } catch (error) {
      if (!(error instanceof RulesError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const string = (key: ContextKey): string | undefined => {
    const value = get(key);
    if (value === undefined || typeof value === 'string') return value?.trim();
    problems.push(`context ${key} must be a string, got ${show(value)}`);
    return undefined;
  };

  /** A number that must not be negative, for a key that becomes a Duration (which cannot be negative). */
  const notNegative = (key: ContextKey, what: string): number | undefined => {
    const value = number(key);
    if (value === undefined || value >= 0) return value;
    problems.push(`context ${key} must be ${what}, got ${value}`);
    return undefined;
  };

  const schedule = string('schedule');
  const timeoutMinutes = notNegative('timeoutMinutes', 'from 1 to 15 minutes (Lambda\'s limit)');
  const keepDays = notNegative('keepImagesNewerThanDays', 'a whole number of days of at least 0');
  const pulledDays = notNegative('keepImagesPulledWithinDays', 'a whole number of days of at least 0 (0 turns the rule off)');
  const retention = number('logRetentionDays');
  if (retention !== undefined && !RETENTION_DAYS.has(retention)) {
    problems.push(`context logRetentionDays must be one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, …), got ${retention}`);
  }
  const logLevel = string('logLevel')?.toUpperCase();
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel)) {
    problems.push(`context logLevel must be one of ${LOG_LEVELS.join(', ')}, got ${show(logLevel)}`);
  }
  const secret = string('slackTokenSecret');
  const alarmEmail = string('alarmEmail');
  const alarmTopicArn = string('alarmTopicArn');
  if (alarmTopicArn !== undefined) {
    const reason = checkTopicArn(alarmTopicArn);
    if (reason) problems.push(`context alarmTopicArn must be the ARN of an SNS topic, such as ${ALARM_TOPIC_ARN_EXAMPLE}, got ${show(alarmTopicArn)}: ${reason}`);
    // The topic is imported once every key is known good; the props checked below do not hold it yet.
    if (alarmEmail !== undefined) problems.push(`context alarmTopicArn ${BOTH_ALARM_TARGETS}`);
  }

  // Each key is read once; a key that is not set stays undefined, which the construct reads as its default.
  const props: EcrCleanerProps = {
    schedule: schedule === undefined ? undefined : ScheduleExpression.expression(schedule),
    timeout: timeoutMinutes === undefined ? undefined : Duration.seconds(Math.round(timeoutMinutes * 60)),
    memorySize: number('memorySize'),
    expectedImageCount: number('expectedImageCount'),
    keepMinImageCount: number('keepMinImageCount'),
    keepImagesNewerThan: keepDays === undefined ? undefined : Duration.hours(keepDays * 24),
    deleteEnabled: boolean('deleteEnabled'),
    keepServiceDeploymentImages: boolean('keepServiceDeploymentImages'),
    keepScheduledTaskImages: boolean('keepScheduledTaskImages'),
    keepTaskDefinitionRevisions: number('keepTaskDefinitionRevisions'),
    keepLambdaImages: boolean('keepLambdaImages'),
    keepLambdaVersions: number('keepLambdaVersions'),
    keepImagesPulledWithin: pulledDays === undefined ? undefined : Duration.hours(pulledDays * 24),
    gracePeriodDays: number('gracePeriodDays'),
    auditRetentionDays: number('auditRetentionDays'),
    inUseImagesUri: string('inUseImagesUri'),
    repositories: list('repositories'),
    rules: rules('rules'),
    clusters: list('clusters'),
    maxConcurrentCalls: number('maxConcurrentCalls'),
    storagePricePerGbMonth: number('storagePricePerGbMonth'),
    slackEnabled: boolean('slackEnabled'),
    slackChannel: string('slackChannel'),
    slackMaxMessageLength: number('slackMaxMessageLength'),
    logRetention: retention !== undefined && RETENTION_DAYS.has(retention) ? retention : undefined,
    logLevel: logLevel !== undefined && LOG_LEVELS.includes(logLevel) ? (logLevel as lambda.ApplicationLogLevel) : undefined,
    alarmEmail,
  };
  for (const problem of checkCleanerProps(props)) problems.push(describePropProblem(problem, `context ${KEY_OF_PROP[problem.prop] ?? problem.prop}`));
  if (problems.length > 0) throw new InvalidSettingsError('invalid context', problems);
  return {
    ...props,
    ...(secret !== undefined && { slackTokenSecret: importSecret(scope, secret) }),
    ...(alarmTopicArn !== undefined && { alarmTopic: sns.Topic.fromTopicArn(scope, 'ImportedAlarmTopic', alarmTopicArn) }),
  };
}

/** An existing secret, by name or by ARN (complete, with its six-character suffix, or partial). */
function importSecret(scope: Construct, reference: string): secretsmanager.ISecret {
  if (!reference.startsWith('arn:')) return secretsmanager.Secret.fromSecretNameV2(scope, 'ImportedSlackToken', reference);
  return /-[A-Za-z0-9]{6}$/.test(reference)
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, 'ImportedSlackToken', reference)
    : secretsmanager.Secret.fromSecretPartialArn(scope, 'ImportedSlackToken', reference);
}
