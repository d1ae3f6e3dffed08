import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Totals } from '../../lambda/core/report';
import { METRIC_NAMES, METRIC_UNITS, failedRunMetrics, publishMetrics, runMetrics, type RunMetric } from '../../lambda/metrics';
import { runReport } from '../support/report';

/** A run's totals, every count distinct, so that a metric read from the wrong total shows. */
const TOTALS: Totals = {
  repositories: 4,
  repositoriesExcluded: 1,
  repositoriesWithErrors: 0,
  images: 60,
  manifests: 75,
  kept: 21,
  keptByReason: { inUse: 5, protectedTag: 4, recent: 3, recentlyPulled: 2, minCount: 6, inUseUnknown: 1 },
  toDelete: 39,
  manifestsToDelete: 47,
  deleted: 37,
  manifestsDeleted: 44,
  failed: 2,
  marked: 0,
  reclaimableBytes: 5_368_709_120,
  reclaimedBytes: 4_294_967_296,
  reclaimableUsdPerMonth: 0.5,
  reclaimedUsdPerMonth: 0.4,
  errors: 0,
};

const valuesOf = (metrics: readonly RunMetric[]): Record<string, number> => Object.fromEntries(metrics.map(({ name, value }) => [name, value]));

describe('runMetrics', () => {
  it('turns a deleting run into every metric, once each, in the documented order and units', () => {
    const metrics = runMetrics(runReport({ mode: 'delete', totals: TOTALS, durationMs: 12_345 }));

    expect(metrics.map(({ name, unit }) => `${name} ${unit}`)).toEqual([
      'ImagesDeleted Count',
      'ImagesToDelete Count',
      'ImagesMarked Count',
      'ManifestsDeleted Count',
      'ManifestsToDelete Count',
      'BytesReclaimed Bytes',
      'BytesReclaimable Bytes',
      'MonthlySavingUsd None',
      'ImagesKept Count',
      'ImagesKeptInUse Count',
      'ImagesKeptProtectedTag Count',
      'ImagesKeptRecent Count',
      'ImagesKeptRecentlyPulled Count',
      'ImagesKeptNewest Count',
      'ImagesKeptUnknown Count',
      'Errors Count',
      'DurationMs Milliseconds',
      'DeletionBlocked Count',
      'RunSucceeded Count',
      'RunFailed Count',
    ]);
    expect(metrics.map(({ name }) => name)).toEqual(METRIC_NAMES);
    expect(valuesOf(metrics)).toEqual({
      ImagesDeleted: 37,
      ImagesToDelete: 39,
      ImagesMarked: 0,
      ManifestsDeleted: 44,
      ManifestsToDelete: 47,
      BytesReclaimed: 4_294_967_296,
      BytesReclaimable: 5_368_709_120,
      MonthlySavingUsd: 0.4,
      ImagesKept: 21,
      ImagesKeptInUse: 5,
      ImagesKeptProtectedTag: 4,
      ImagesKeptRecent: 3,
      ImagesKeptRecentlyPulled: 2,
      ImagesKeptNewest: 6,
      ImagesKeptUnknown: 1,
      Errors: 0,
      DurationMs: 12_345,
      DeletionBlocked: 0,
      RunSucceeded: 1,
      RunFailed: 0,
    });
  });

  it.each([
    ['a deleting run', 'delete', 0.4],
    ['a dry run', 'dry-run', 0.5],
  ] as const)('gives as MonthlySavingUsd of %s what it saves (reclaimed) or would save (reclaimable)', (_title, mode, saving) => {
    expect(valuesOf(runMetrics(runReport({ mode, totals: TOTALS }))).MonthlySavingUsd).toBe(saving);
  });

  it('counts a run with errors as failed, with its errors', () => {
    const values = valuesOf(runMetrics(runReport({ totals: { ...TOTALS, errors: 3 } })));

    expect(values).toMatchObject({ Errors: 3, RunSucceeded: 0, RunFailed: 1 });
  });

  it('counts a run that failed closed as blocked: DeletionBlocked 1', () => {
    const base = runReport();
    const report = runReport({
      mode: 'delete',
      deletionBlocked: 'in-use discovery was incomplete (1 problem), so no image was deleted anywhere',
      inUse: { ...base.inUse, complete: false, problems: ['ListTasks failed for cluster prod'] },
      totals: { ...TOTALS, deleted: 0, errors: 1 },
    });

    expect(valuesOf(runMetrics(report))).toMatchObject({ DeletionBlocked: 1, ImagesDeleted: 0, ImagesToDelete: 39, RunFailed: 1 });
  });

  it('counts the grace period\'s first days, which hold every deletion back, as no failure: DeletionBlocked 0', () => {
    const report = runReport({ mode: 'delete', deletionBlocked: 'grace period: no plan in s3://audit/runs/ is old enough, so no image was deleted', totals: { ...TOTALS, deleted: 0, marked: 39 } });

    expect(valuesOf(runMetrics(report))).toMatchObject({ DeletionBlocked: 0, ImagesMarked: 39, RunSucceeded: 1 });
  });

  it('gives every unit from the one table that the construct reads too', () => {
    const metrics = runMetrics(runReport({ totals: TOTALS }));

    expect(metrics.every(({ name, unit }) => METRIC_UNITS[name] === unit)).toBe(true);
    expect(Object.keys(METRIC_UNITS)).toEqual(METRIC_NAMES);
  });
});

describe('failedRunMetrics', () => {
  it('gives RunFailed 1 and nothing else, for a run without a report', () => {
    expect(failedRunMetrics()).toEqual([{ name: 'RunFailed', unit: 'Count', value: 1 }]);
  });
});

describe('publishMetrics', () => {
  /** What Powertools prints to stdout while `act` runs, line by line. */
  function stdoutOf(act: () => void): string[] {
    const written: string[] = [];
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      act();
    } finally {
      write.mockRestore();
    }
    return written.join('').split('\n').filter((line) => line !== '');
  }

  it('prints one EMF line: namespace EcrMaintainer, the Mode dimension alone, every metric with its unit and value', () => {
    const metrics = runMetrics(runReport({ mode: 'delete', totals: TOTALS, durationMs: 12_345 }));

    const lines = stdoutOf(() => publishMetrics(metrics, 'delete', new Metrics({ namespace: 'EcrMaintainer', serviceName: 'ecr-maintainer' })));

    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]);
    expect(record._aws.CloudWatchMetrics).toHaveLength(1);
    const [directive] = record._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe('EcrMaintainer');
    // Powertools' own `service` dimension is cleared: the alarms name exactly this set.
    expect(directive.Dimensions).toEqual([['Mode']]);
    expect(record.Mode).toBe('delete');
    expect(record).not.toHaveProperty('service');
    expect(directive.Metrics).toEqual(metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })));
    for (const { name, value } of metrics) expect(`${name}: ${record[name]}`).toBe(`${name}: ${value}`);
    expect(typeof record._aws.Timestamp).toBe('number');
  });

  it('prints RunFailed alone under Mode "unknown" when a run has no report', () => {
    const lines = stdoutOf(() => publishMetrics(failedRunMetrics(), 'unknown'));

    const record = JSON.parse(lines[0]);
    expect(lines).toHaveLength(1);
    expect(record._aws.CloudWatchMetrics[0]).toEqual({ Namespace: 'EcrMaintainer', Dimensions: [['Mode']], Metrics: [{ Name: 'RunFailed', Unit: 'Count' }] });
    expect(record).toMatchObject({ Mode: 'unknown', RunFailed: 1 });
  });
});
