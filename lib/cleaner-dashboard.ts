/**
 * One small CloudWatch dashboard: what the runs delete and would delete, the space and the money, the
 * errors, the duration, and the alarms. Every graph of the cleaner's own metrics names them through
 * `cleanerMetric`, so a name that `lambda/metrics.ts` does not emit does not compile.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import type { RunReport } from '../lambda/core/report';
import { NEAR_TIMEOUT_SHARE, cleanerMetric } from './cleaner-alarms';

export interface CleanerDashboardProps {
  readonly dashboardName: string;
  readonly function: lambda.IFunction;
  readonly timeout: Duration;
  readonly mode: RunReport['mode'];
  /** The graphs' period: the alarms' period on a single run. */
  readonly period: Duration;
  readonly alarms: readonly cloudwatch.IAlarm[];
}

/** The dashboard, with its graphs over the last four weeks. */
export function createCleanerDashboard(scope: Construct, id: string, props: CleanerDashboardProps): cloudwatch.Dashboard {
  const { mode, period } = props;
  // What a run deleted adds up over time; what it would delete is a level, which every run sees again.
  const sum = { statistic: cloudwatch.Stats.SUM, period };
  const level = { statistic: cloudwatch.Stats.MAXIMUM, period };
  const graph = (title: string, left: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}): cloudwatch.GraphWidget =>
    new cloudwatch.GraphWidget({ title, left, width: 12, height: 6, ...options });

  const dashboard = new cloudwatch.Dashboard(scope, id, {
    dashboardName: props.dashboardName,
    defaultInterval: Duration.days(28),
  });
  dashboard.addWidgets(
    graph('Images deleted and to delete', [
      cleanerMetric('ImagesDeleted', mode, { ...sum, label: 'deleted' }),
      cleanerMetric('ImagesToDelete', mode, { ...level, label: mode === 'dry-run' ? 'to delete (dry run)' : 'planned' }),
    ]),
    graph('Storage reclaimed and reclaimable', [
      cleanerMetric('BytesReclaimed', mode, { ...sum, label: 'reclaimed' }),
      cleanerMetric('BytesReclaimable', mode, { ...level, label: 'reclaimable' }),
    ]),
  );
  dashboard.addWidgets(
    graph('Estimated monthly saving (USD)', [
      cleanerMetric('MonthlySavingUsd', mode, mode === 'delete' ? { ...sum, label: 'saved by the deletions' } : { ...level, label: 'a deletion would save' }),
    ]),
    graph('Errors and failed runs', [
      cleanerMetric('Errors', mode, { ...sum, label: 'errors in runs' }),
      cleanerMetric('RunFailed', mode, { ...sum, label: 'failed runs' }),
      cleanerMetric('RunFailed', 'unknown', { ...sum, label: 'runs with bad settings' }),
      props.function.metricErrors({ ...sum, label: 'function errors (also timeouts and crashes)' }),
    ]),
  );
  dashboard.addWidgets(
    graph('Duration of a run', [props.function.metricDuration({ ...level, label: 'longest run (ms)' })], {
      leftAnnotations: props.timeout.isUnresolved()
        ? []
        : [
            { value: props.timeout.toMilliseconds() * NEAR_TIMEOUT_SHARE, label: `${NEAR_TIMEOUT_SHARE * 100}% of the timeout`, color: cloudwatch.Color.ORANGE },
            { value: props.timeout.toMilliseconds(), label: 'timeout', color: cloudwatch.Color.RED },
          ],
      leftYAxis: { min: 0 },
    }),
    new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 12, height: 6 }),
  );
  return dashboard;
}
