/**
 * The cleaner's alarms, and where they send: a run failed, no run succeeded for twice the schedule's
 * longest interval, a run came near its timeout. Their periods follow the schedule (`planAlarmPeriods`,
 * pure). They notify an SNS topic when one is given or an e-mail address asks for one; without either,
 * they still change state, on the dashboard and in the console.
 */
import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { notifyAlarmTarget } from './alarm-topic';
import { METRICS_NAMESPACE, MODE_DIMENSION, type MetricName, type MetricsMode } from '../lambda/metrics';
import { longestScheduleGapSeconds } from './schedule-interval';

/** CloudWatch's longest alarm period. */
const MAX_PERIOD_SECONDS = 86_400;
/** CloudWatch's longest evaluation (period × evaluation periods) for a period of an hour or more. */
const MAX_EVALUATION_SECONDS = 7 * 86_400;
/** The share of the timeout a run may use before the near-timeout alarm fires. */
export const NEAR_TIMEOUT_SHARE = 0.8;

/** The periods of the alarms, from the schedule's longest interval between runs. */
export interface AlarmPeriods {
  /** The period of the alarms on a single run (failed, near its timeout): the interval, at most a day. */
  readonly periodSeconds: number;
  /** The no-successful-run alarm's period and evaluation periods, or why there can be no such alarm. */
  readonly noSuccessfulRun: { readonly periodSeconds: number; readonly evaluationPeriods: number } | { readonly reason: string };
}

/**
 * The alarms' periods for a schedule whose runs are at most `longestGapSeconds` apart.
 *
 * No successful run within twice that interval: an interval of a day or less is the period, evaluated
 * twice, so that one failed or late run is tolerated and two in a row alarm; a longer interval is
 * watched in 1-day periods (CloudWatch's longest), as many as twice the interval takes, all of which must
 * lack a success. CloudWatch evaluates at most 7 days, so a schedule with more than 3.5 days between two
 * runs gets no such alarm, and the reason says so.
 */
export function planAlarmPeriods(longestGapSeconds: number): AlarmPeriods {
  const periodSeconds = Math.min(longestGapSeconds, MAX_PERIOD_SECONDS);
  if (longestGapSeconds <= MAX_PERIOD_SECONDS) return { periodSeconds, noSuccessfulRun: { periodSeconds: longestGapSeconds, evaluationPeriods: 2 } };
  const evaluationPeriods = Math.ceil((2 * longestGapSeconds) / MAX_PERIOD_SECONDS);
  if (evaluationPeriods * MAX_PERIOD_SECONDS > MAX_EVALUATION_SECONDS) {
    return {
      periodSeconds,
      noSuccessfulRun: {
        reason:
          `the schedule leaves up to ${Duration.seconds(longestGapSeconds).toHumanString()} between two runs, and twice that is more than the 7 days that a CloudWatch alarm can evaluate, ` +
          'so no alarm watches for a run that does not succeed. Schedule a run at least every 3.5 days to have one; the run-failed alarm still reports each failed run.',
      },
    };
  }
  return { periodSeconds, noSuccessfulRun: { periodSeconds: MAX_PERIOD_SECONDS, evaluationPeriods } };
}

/** One of the cleaner's own metrics, under the dimension the function emits it with. */
export function cleanerMetric(name: MetricName, mode: MetricsMode, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { [MODE_DIMENSION]: mode }, ...options });
}

export interface CleanerAlarmsProps {
  readonly function: lambda.IFunction;
  /** The function's timeout. */
  readonly timeout: Duration;
  /** The mode the function runs in, which its metrics carry as their `Mode`. */
  readonly mode: MetricsMode;
  /** The schedule's `cron(…)` or `rate(…)`, or a token. */
  readonly scheduleExpression: string;
  /** An address to e-mail, through a new topic. */
  readonly alarmEmail?: string;
  /** An existing topic to notify. */
  readonly alarmTopic?: sns.ITopic;
}

/** The alarms, and the topic they notify. */
export class CleanerAlarms extends Construct {
  /** A run failed: the function's Errors. */
  readonly runFailed: cloudwatch.Alarm;
  /** No run succeeded within twice the schedule's longest interval; none when the schedule cannot have one. */
  readonly noSuccessfulRun?: cloudwatch.Alarm;
  /** A run used more than 80% of its timeout; none when the timeout is a token. */
  readonly nearTimeout?: cloudwatch.Alarm;
  /** The topic the alarms notify, when there is one. */
  readonly topic?: sns.ITopic;
  /** The period of the alarms on a single run, which the dashboard's graphs use too. */
  readonly period: Duration;

  constructor(scope: Construct, id: string, props: CleanerAlarmsProps) {
    super(scope, id);
    const gap = Token.isUnresolved(props.scheduleExpression) ? undefined : longestScheduleGapSeconds(props.scheduleExpression);
    const periods: AlarmPeriods =
      gap === undefined
        ? {
            periodSeconds: MAX_PERIOD_SECONDS,
            noSuccessfulRun: {
              reason: Token.isUnresolved(props.scheduleExpression)
                ? 'the schedule is known only at deploy time, so no alarm watches for a run that does not succeed. Give the schedule at synth to have one.'
                : `the schedule ${props.scheduleExpression} runs fewer than twice in 2024 to 2031, so no alarm watches for a run that does not succeed.`,
            },
          }
        : planAlarmPeriods(gap);
    this.period = Duration.seconds(periods.periodSeconds);

    this.runFailed = new cloudwatch.Alarm(this, 'RunFailed', {
      alarmDescription:
        'ECR Maintainer: a run failed. It reported errors (in-use discovery failed, so nothing was deleted; a delete failed; Slack failed), timed out, or ran out of memory. ' +
        'The function\'s log group says why: its "cleanup finished with errors" line, or the runtime\'s own.',
      metric: props.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period: this.period }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No invocation, no error: a missing run is the next alarm's business.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    if ('reason' in periods.noSuccessfulRun) {
      Annotations.of(this).addWarningV2('ecr-maintainer:no-successful-run-alarm', periods.noSuccessfulRun.reason);
    } else {
      const { periodSeconds, evaluationPeriods } = periods.noSuccessfulRun;
      this.noSuccessfulRun = new cloudwatch.Alarm(this, 'NoSuccessfulRun', {
        alarmDescription:
          `ECR Maintainer: no run succeeded in ${Duration.seconds(periodSeconds * evaluationPeriods).toHumanString()}, twice the longest interval between the schedule's runs or more: runs fail, or the schedule no longer starts them. ` +
          'It is also in alarm from the first deploy, and after deletion is switched on or off, until a run succeeds.',
        metric: cleanerMetric('RunSucceeded', props.mode, { statistic: cloudwatch.Stats.SUM, period: Duration.seconds(periodSeconds) }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods,
        datapointsToAlarm: evaluationPeriods,
        // A run that never happens emits nothing: no data is no success. (CloudWatch fills missing periods
        // only when too few real ones remain in its evaluation range, so a schedule that stopped altogether
        // alarms a few periods late; a run that fails emits RunSucceeded 0 at once.)
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      });
    }

    if (props.timeout.isUnresolved()) {
      Annotations.of(this).addWarningV2('ecr-maintainer:near-timeout-alarm', 'the timeout is known only at deploy time, so no alarm watches for runs that come near it. Give the timeout at synth to have one.');
    } else {
      const threshold = Math.round(props.timeout.toMilliseconds() * NEAR_TIMEOUT_SHARE);
      this.nearTimeout = new cloudwatch.Alarm(this, 'NearTimeout', {
        alarmDescription:
          `ECR Maintainer: a run took more than ${NEAR_TIMEOUT_SHARE * 100}% of its timeout of ${props.timeout.toHumanString()} (${threshold} ms). ` +
          'Raise the timeout (timeoutMinutes) or the memory (memorySize), or narrow the repositories, before runs time out.',
        metric: props.function.metricDuration({ statistic: cloudwatch.Stats.MAXIMUM, period: this.period }),
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    const alarms = [this.runFailed, this.noSuccessfulRun, this.nearTimeout].filter((alarm): alarm is cloudwatch.Alarm => alarm !== undefined);
    this.topic = notifyAlarmTarget(this, alarms, props);
  }
}
