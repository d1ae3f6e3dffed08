/**
 * Each run's metrics, in CloudWatch's embedded metric format (EMF): `runMetrics` turns the run's report
 * into data, and `publishMetrics` prints it as one JSON line to stdout with Powertools' Metrics, which
 * CloudWatch Logs turns into metrics. No API call and no IAM permission: the line goes through the
 * function's own log group.
 *
 * One dimension, `Mode` (`dry-run` or `delete`; `unknown` when the settings could not be read), so that
 * a dry run's "to delete" never adds up with a deleting run's. Not per repository: a series per
 * repository would be a custom metric each, billed, and the report already has the detail. Not the
 * account and the region either: CloudWatch keeps metrics apart per account and region already, and an
 * alarm (`lib/cleaner-alarms.ts`) must name exactly the dimensions emitted.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { KeptCounts, RunReport } from './core/report';

/** The namespace of every metric, which the construct's alarms and dashboard read. */
export const METRICS_NAMESPACE = 'EcrMaintainer';

/** The one dimension's name. */
export const MODE_DIMENSION = 'Mode';

/** The `Mode` of a run: the report's mode, or `unknown` when the settings could not be read. */
export type MetricsMode = RunReport['mode'] | 'unknown';

/** The CloudWatch units these metrics use (Powertools' `MetricUnit` values). */
export type MetricUnitName = 'Count' | 'Bytes' | 'Milliseconds' | 'None';

interface MetricDefinition {
  readonly name: string;
  readonly unit: MetricUnitName;
  readonly valueOf: (report: RunReport) => number;
}

const kept = (reason: keyof KeptCounts) => (report: RunReport): number => report.totals.keptByReason[reason];
const failed = (report: RunReport): boolean => report.totals.errors > 0;

/** Every metric of a run, in the order it is emitted: its name, its unit, and its value in the report. */
const DEFINITIONS = [
  { name: 'ImagesDeleted', unit: 'Count', valueOf: ({ totals }) => totals.deleted },
  { name: 'ImagesToDelete', unit: 'Count', valueOf: ({ totals }) => totals.toDelete },
  // Of those, the images that the grace period holds back for now.
  { name: 'ImagesMarked', unit: 'Count', valueOf: ({ totals }) => totals.marked },
  { name: 'ManifestsDeleted', unit: 'Count', valueOf: ({ totals }) => totals.manifestsDeleted },
  { name: 'ManifestsToDelete', unit: 'Count', valueOf: ({ totals }) => totals.manifestsToDelete },
  { name: 'BytesReclaimed', unit: 'Bytes', valueOf: ({ totals }) => totals.reclaimedBytes },
  { name: 'BytesReclaimable', unit: 'Bytes', valueOf: ({ totals }) => totals.reclaimableBytes },
  // The saving this run brought when it deletes, the saving it would bring when it is a dry run.
  { name: 'MonthlySavingUsd', unit: 'None', valueOf: ({ mode, totals }) => (mode === 'delete' ? totals.reclaimedUsdPerMonth : totals.reclaimableUsdPerMonth) },
  { name: 'ImagesKept', unit: 'Count', valueOf: ({ totals }) => totals.kept },
  { name: 'ImagesKeptInUse', unit: 'Count', valueOf: kept('inUse') },
  { name: 'ImagesKeptProtectedTag', unit: 'Count', valueOf: kept('protectedTag') },
  { name: 'ImagesKeptRecent', unit: 'Count', valueOf: kept('recent') },
  { name: 'ImagesKeptRecentlyPulled', unit: 'Count', valueOf: kept('recentlyPulled') },
  { name: 'ImagesKeptNewest', unit: 'Count', valueOf: kept('minCount') },
  { name: 'ImagesKeptUnknown', unit: 'Count', valueOf: kept('inUseUnknown') },
  { name: 'Errors', unit: 'Count', valueOf: ({ totals }) => totals.errors },
  { name: 'DurationMs', unit: 'Milliseconds', valueOf: ({ durationMs }) => durationMs },
  // Failing closed: in-use discovery was incomplete. Not the grace period's first days, which are no failure.
  { name: 'DeletionBlocked', unit: 'Count', valueOf: ({ inUse }) => (inUse.complete ? 0 : 1) },
  { name: 'RunSucceeded', unit: 'Count', valueOf: (report) => (failed(report) ? 0 : 1) },
  { name: 'RunFailed', unit: 'Count', valueOf: (report) => (failed(report) ? 1 : 0) },
] as const satisfies readonly MetricDefinition[];

/** The name of a metric that a run emits. */
export type MetricName = (typeof DEFINITIONS)[number]['name'];

/** One metric of a run, ready to publish. */
export interface RunMetric {
  readonly name: MetricName;
  readonly unit: MetricUnitName;
  readonly value: number;
}

/** Every metric name, in the order emitted: the construct's alarms and dashboard take theirs from here. */
export const METRIC_NAMES: readonly MetricName[] = DEFINITIONS.map(({ name }) => name);

/** The unit of each metric, for the construct's dashboard and for tests. */
export const METRIC_UNITS: Readonly<Record<MetricName, MetricUnitName>> = Object.fromEntries(DEFINITIONS.map(({ name, unit }) => [name, unit])) as Record<MetricName, MetricUnitName>;

/** A run's metrics, from its report: every metric, each once. */
export function runMetrics(report: RunReport): RunMetric[] {
  return DEFINITIONS.map(({ name, unit, valueOf }) => ({ name, unit, value: valueOf(report) }));
}

/** The metrics of a run that ended without a report (bad settings, or an unexpected error): `RunFailed` alone. */
export function failedRunMetrics(): RunMetric[] {
  return [{ name: 'RunFailed', unit: 'Count', value: 1 }];
}

/**
 * The run's metrics as the record that `publishMetrics` prints, one JSON object in CloudWatch's embedded
 * metric format, for the CLI to write to a file (`--metrics FILE`).
 */
export function emfRecord(metrics: readonly RunMetric[], mode: MetricsMode): Record<string, unknown> {
  const publisher = stored(metrics, mode, new Metrics({ namespace: METRICS_NAMESPACE }));
  const record = publisher.serializeMetrics() as unknown as Record<string, unknown>;
  publisher.clearMetrics();
  return record;
}

/**
 * Prints `metrics` as one EMF line, under `METRICS_NAMESPACE`, with the `Mode` dimension alone.
 *
 * @param publisher Powertools' Metrics to print with; a test may pass its own.
 */
export function publishMetrics(metrics: readonly RunMetric[], mode: MetricsMode, publisher: Metrics = new Metrics({ namespace: METRICS_NAMESPACE })): void {
  stored(metrics, mode, publisher).publishStoredMetrics();
}

/**
 * `publisher` holding the run's metrics under the `Mode` dimension alone. Powertools adds a `service`
 * dimension by default; it is cleared, so that what is emitted is exactly what the alarms name.
 */
function stored(metrics: readonly RunMetric[], mode: MetricsMode, publisher: Metrics): Metrics {
  publisher.clearDefaultDimensions();
  publisher.addDimension(MODE_DIMENSION, mode);
  for (const { name, unit, value } of metrics) publisher.addMetric(name, unit, value);
  return publisher;
}
