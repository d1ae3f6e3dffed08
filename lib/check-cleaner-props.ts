/**
 * The checks of EcrCleaner's props, as data: the construct throws them as one error, and the context
 * reader reports them under the context keys, next to its own problems. Unresolved tokens are skipped.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { DEFAULT_AUDIT_RETENTION_DAYS, MAX_AUDIT_RETENTION_DAYS } from './audit-bucket';
import { ALARM_EMAIL_EXAMPLE, ALARM_TOPIC_ARN_EXAMPLE, checkAlarmEmail, checkTopicArn } from './alarm-target';
import { CLUSTER_NAME_OR_ARN, REPOSITORY_NAME } from '../lambda/core/names';
import { RulesError, parseRules } from '../lambda/core/rules';
import type { EcrCleanerProps } from './ecr-cleaner';
import { LAMBDA_MEMORY_MIB } from './lambda-sizing';
import { checkS3Uri } from '../lambda/core/s3-uri';
import { SCHEDULE_EXAMPLE, checkScheduleExpression } from './schedule-expression';

/** One prop that cannot be deployed; `problem` follows the prop's name: "must be …, got …". */
export interface PropProblem<Props = EcrCleanerProps> {
  readonly prop: keyof Props & string;
  /** Where within the prop, written right after its name, such as `[1].keepTags` in `rules`. */
  readonly within?: string;
  readonly problem: string;
}

/**
 * A problem as one line, under the name the user wrote: `keepMinImageCount must be …`,
 * `rules[1].keepTags has …`, or with `name` given `context rules[1].keepTags has …`.
 */
export function describePropProblem<Props = EcrCleanerProps>({ prop, within, problem }: PropProblem<Props>, name: string = prop): string {
  return `${name}${within ?? ''} ${problem}`;
}

/** The problem of giving both alarm targets, under the topic's name (`alarmTopic`, `context alarmTopicArn`). */
export const BOTH_ALARM_TARGETS =
  'must not be given with alarmEmail: give one. alarmEmail creates a topic that e-mails the address; with a topic of your own, subscribe the address to it';

/** The longest grace period, as the cleaner reads `GRACE_PERIOD_DAYS`. */
const MAX_GRACE_PERIOD_DAYS = 365;
/** The highest price per GB-month, as the cleaner reads `STORAGE_PRICE_PER_GB_MONTH`. */
const MAX_STORAGE_PRICE = 100;

/** The Lambda limit on a function's run time. */
const MAX_TIMEOUT = Duration.minutes(15);

/** Every problem with the props; empty when they can be deployed. */
export function checkCleanerProps(props: EcrCleanerProps): PropProblem[] {
  const problems: PropProblem[] = [];
  const report = (prop: keyof EcrCleanerProps, problem: string): void => void problems.push({ prop, problem });
  const wholeNumber = (prop: keyof EcrCleanerProps, value: number | undefined, min: number, max?: number, fix = ''): void => {
    if (value === undefined || Token.isUnresolved(value)) return;
    if (!Number.isInteger(value) || value < min || (max !== undefined && value > max)) {
      report(prop, `must be a whole number ${max === undefined ? `of at least ${min}` : `from ${min} to ${max}`}${fix}, got ${value}`);
    }
  };
  const wholeDays = (prop: keyof EcrCleanerProps, value: Duration | undefined, fix = ''): void => {
    if (value === undefined || value.isUnresolved()) return;
    const days = value.toHours() / 24;
    if (!Number.isInteger(days) || days < 0) report(prop, `must be a whole number of days${fix}, got ${value.toHumanString()}`);
  };

  wholeNumber('keepMinImageCount', props.keepMinImageCount, 1);
  wholeNumber('memorySize', props.memorySize, LAMBDA_MEMORY_MIB.min, LAMBDA_MEMORY_MIB.max);
  wholeNumber('expectedImageCount', props.expectedImageCount, 1, undefined, ' (the most images one run lists, across the repositories in scope, such as 250000; leave it out to skip the memory check)');
  wholeNumber('maxConcurrentCalls', props.maxConcurrentCalls, 1, 64);
  wholeNumber('slackMaxMessageLength', props.slackMaxMessageLength, 1, 40000);
  if (props.timeout && !props.timeout.isUnresolved()) {
    const seconds = props.timeout.toSeconds();
    if (seconds > MAX_TIMEOUT.toSeconds() || seconds < 60) {
      report('timeout', `must be from 1 minute to 15 minutes (Lambda's limit), got ${props.timeout.toHumanString()}`);
    }
  }
  wholeDays('keepImagesNewerThan', props.keepImagesNewerThan);
  if (props.slackEnabled && (props.slackChannel === undefined || props.slackChannel.trim() === '')) {
    report('slackChannel', 'must be set when slackEnabled is true, got nothing: give the channel ID, such as C0123456789');
  }
  for (const [prop, list, pattern] of [
    ['repositories', props.repositories, REPOSITORY_NAME],
    ['clusters', props.clusters, CLUSTER_NAME_OR_ARN],
  ] as const) {
    if (list === undefined || Token.isUnresolved(list)) continue;
    const bad = list.filter((item) => !Token.isUnresolved(item) && !pattern.test(item));
    if (list.length === 0) report(prop, 'must name at least one, got an empty list: leave it out to cover them all');
    else if (bad.length > 0) report(prop, `has invalid names: ${bad.map((item) => JSON.stringify(item)).join(', ')}`);
  }
  if (props.schedule && !Token.isUnresolved(props.schedule.expressionString)) {
    const reason = checkScheduleExpression(props.schedule.expressionString);
    if (reason) {
      report('schedule', `must be a recurring EventBridge Scheduler expression such as "${SCHEDULE_EXAMPLE}" or "rate(12 hours)", got ${JSON.stringify(props.schedule.expressionString)}: ${reason}`);
    }
  }
  wholeNumber('keepTaskDefinitionRevisions', props.keepTaskDefinitionRevisions, 0, 100, ' (0 turns it off)');
  wholeNumber('keepLambdaVersions', props.keepLambdaVersions, 0, 100);
  wholeDays('keepImagesPulledWithin', props.keepImagesPulledWithin, ' (0 turns the rule off)');
  problems.push(...checkAuditSettings(props));
  if (props.inUseImagesUri !== undefined && !Token.isUnresolved(props.inUseImagesUri)) {
    const reason = checkS3Uri(props.inUseImagesUri);
    if (reason) report('inUseImagesUri', `must be s3://<bucket>/<key>, naming one object, got ${JSON.stringify(props.inUseImagesUri)}: ${reason}`);
  }
  if (props.alarmEmail !== undefined && !Token.isUnresolved(props.alarmEmail)) {
    const reason = checkAlarmEmail(props.alarmEmail);
    if (reason) report('alarmEmail', `must be one e-mail address, such as ${ALARM_EMAIL_EXAMPLE}, got ${JSON.stringify(props.alarmEmail)}: ${reason}`);
  }
  const topicArn = props.alarmTopic?.topicArn;
  if (topicArn !== undefined && !Token.isUnresolved(topicArn)) {
    const reason = checkTopicArn(topicArn);
    if (reason) report('alarmTopic', `must be an SNS topic, such as ${ALARM_TOPIC_ARN_EXAMPLE}, got ${JSON.stringify(topicArn)}: ${reason}`);
  }
  if (props.alarmEmail !== undefined && props.alarmTopic !== undefined) report('alarmTopic', BOTH_ALARM_TARGETS);
  problems.push(...checkRules(props.rules));
  return problems;
}

/**
 * The audit trail's settings: the grace period, the retention, which must outlast it, and the price. The
 * grace period decides the role's permissions, so it must be known at synth time.
 */
function checkAuditSettings({ gracePeriodDays, auditRetentionDays, storagePricePerGbMonth }: EcrCleanerProps): PropProblem[] {
  const problems: PropProblem[] = [];
  const wholeFrom = (value: number, min: number, max: number): boolean => Number.isInteger(value) && value >= min && value <= max;
  const graceKnown = gracePeriodDays !== undefined && !Token.isUnresolved(gracePeriodDays);
  const retentionKnown = auditRetentionDays === undefined || !Token.isUnresolved(auditRetentionDays);
  if (gracePeriodDays !== undefined && !graceKnown) {
    problems.push({ prop: 'gracePeriodDays', problem: 'must be known at synth time, got a token: it decides whether the role may read the earlier plans. Write the number in the app or in cdk.json' });
  }
  if (graceKnown && !wholeFrom(gracePeriodDays, 0, MAX_GRACE_PERIOD_DAYS)) {
    problems.push({ prop: 'gracePeriodDays', problem: `must be a whole number from 0 to ${MAX_GRACE_PERIOD_DAYS} (0 turns it off), got ${gracePeriodDays}` });
  }
  if (auditRetentionDays !== undefined && retentionKnown && !wholeFrom(auditRetentionDays, 1, MAX_AUDIT_RETENTION_DAYS)) {
    problems.push({ prop: 'auditRetentionDays', problem: `must be a whole number from 1 to ${MAX_AUDIT_RETENTION_DAYS} (the days each run's objects are kept), got ${auditRetentionDays}` });
  }
  const retention = auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
  // Compared only when both are valid numbers, so that one mistake is reported once.
  if (graceKnown && retentionKnown && problems.length === 0 && gracePeriodDays >= retention) {
    problems.push({
      prop: 'gracePeriodDays',
      problem:
        `must be shorter than auditRetentionDays, got gracePeriodDays ${gracePeriodDays} and auditRetentionDays ${retention}: ` +
        `a deletion waits for a plan ${gracePeriodDays} days old, which the audit bucket has expired by then. ` +
        `Set auditRetentionDays above ${gracePeriodDays} (by at least the time between runs), or shorten gracePeriodDays`,
    });
  }
  if (storagePricePerGbMonth !== undefined && !Token.isUnresolved(storagePricePerGbMonth)) {
    if (!Number.isFinite(storagePricePerGbMonth) || storagePricePerGbMonth < 0 || storagePricePerGbMonth > MAX_STORAGE_PRICE) {
      problems.push({ prop: 'storagePricePerGbMonth', problem: `must be a number from 0 to ${MAX_STORAGE_PRICE} (US dollars per GB-month of ECR storage), such as 0.10, got ${storagePricePerGbMonth}` });
    }
  }
  return problems;
}

/**
 * The problems of the rules, from `parseRules`. Its messages start with the source given it, `rules`,
 * then where within the list (`[1].keepTags`) and the problem: they are split there, so that each
 * reader names the prop its own way (`rules[1]…`, `context rules[1]…`).
 */
function checkRules(rules: EcrCleanerProps['rules']): PropProblem[] {
  if (rules === undefined) return [];
  // A list known only at deploy time could neither be checked nor scope the role: every exclusion would be lost.
  if (Token.isUnresolved(rules)) return [{ prop: 'rules', problem: 'must be known at synth time, got a token: write the list in the app or in cdk.json' }];
  try {
    parseRules(rules, 'rules');
    return [];
  } catch (error) {
    if (!(error instanceof RulesError)) throw error;
    return error.problems.map((message) => {
      const [, within, problem] = /^rules(\S*) (.*)$/s.exec(message) ?? ['', '', message];
      return { prop: 'rules', ...(within !== '' && { within }), problem };
    });
  }
}
