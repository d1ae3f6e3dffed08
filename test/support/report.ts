/** Builders of run reports, for the tests of what renders and posts them, and readers of the plan in detail. */
import { closeSync, openSync, readSync } from 'node:fs';
import { monthlyCost, type ArtifactReport, type ImageReport, type RepositoryReport, type RunReport, type Totals } from '../../lambda/core/report';
import type { RunOutcome } from '../../lambda/cleaner';

const NO_TOTALS: Totals = {
  repositories: 0,
  repositoriesExcluded: 0,
  repositoriesWithErrors: 0,
  images: 0,
  manifests: 0,
  kept: 0,
  keptByReason: { inUse: 0, protectedTag: 0, recent: 0, recentlyPulled: 0, minCount: 0, inUseUnknown: 0 },
  toDelete: 0,
  manifestsToDelete: 0,
  deleted: 0,
  manifestsDeleted: 0,
  failed: 0,
  marked: 0,
  reclaimableBytes: 0,
  reclaimedBytes: 0,
  reclaimableUsdPerMonth: 0,
  reclaimedUsdPerMonth: 0,
  errors: 0,
};

/** A dry run of account 123456789012 in eu-west-2, with the default rules; empty unless overridden. */
export function runReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    mode: 'dry-run',
    account: '123456789012',
    region: 'eu-west-2',
    now: '2026-11-25T12:00:00.000Z',
    startedAt: '2026-11-25T12:00:00.000Z',
    durationMs: 1000,
    policy: { keepMinImageCount: 3, keepImagesNewerThanDays: 7, keepImagesPulledWithinDays: 0, keepServiceDeploymentImages: true },
    scope: { repositories: 'all', clusters: 'all' },
    rules: [],
    storagePricePerGbMonth: 0.1,
    gracePeriodDays: 0,
    inUse: { sources: ['ECS tasks'], complete: true, problems: [], references: [] },
    repositories: [],
    errors: [],
    warnings: [],
    totals: NO_TOTALS,
    apiCalls: { total: 9, retries: 0, byOperation: {} },
    ...overrides,
  };
}

/**
 * A repository with one recent image kept, an image in use per tag given, and `toDelete` to delete (named
 * `old-1`, `old-2`, … in the report, at most five), at $0.10 per GB-month.
 */
export function repositoryReport(name: string, toDelete: number, reclaimableBytes: number, inUseTags: readonly string[] = []): RepositoryReport {
  return {
    name,
    status: 'ok',
    images: toDelete + inUseTags.length + 1,
    manifests: toDelete + inUseTags.length + 1,
    kept: { inUse: inUseTags.length, protectedTag: 0, recent: 1, recentlyPulled: 0, minCount: 0, inUseUnknown: 0 },
    toDelete,
    deleted: 0,
    failed: 0,
    marked: 0,
    reclaimableBytes,
    reclaimedBytes: 0,
    reclaimableUsdPerMonth: monthlyCost(reclaimableBytes, 0.1),
    reclaimedUsdPerMonth: 0,
    inUseImages: inUseTags,
    deletionNames: Array.from({ length: Math.min(toDelete, 5) }, (_, n) => `old-${n + 1}`),
  };
}

/** The artifacts of one repository of a run, in the plan's order. */
export function artifactsOf(outcome: Pick<RunOutcome, 'artifacts'>, repository: string): ArtifactReport[] {
  return [...outcome.artifacts()].find((entry) => entry.repository.name === repository)?.artifacts.slice() ?? [];
}

/** The decision on every manifest of one repository of a run, artifact by artifact. */
export function decisionsOf(outcome: Pick<RunOutcome, 'artifacts'>, repository: string): ImageReport[] {
  return artifactsOf(outcome, repository).flatMap((artifact) => artifact.decisions);
}

/** A JSON Lines plan (`--json`) read back: the run, and each repository with its artifacts. */
export interface PlanFile extends Omit<RunReport, 'repositories'> {
  readonly repositories: (RepositoryReport & { readonly artifacts: (ArtifactReport & { readonly repository: string })[] })[];
}

/** One record of a JSON Lines plan. */
export type PlanRecord = { readonly type: string } & Record<string, unknown>;

const NEWLINE = 0x0a;

/**
 * Reads a JSON Lines plan a line at a time, in chunks of `chunkBytes`, and hands each record to `take`:
 * a plan of a million artifacts is larger than a string may be, and is never held whole.
 *
 * @throws when the plan does not start with the run, or its last line has no newline
 */
export function readPlanRecords(file: string, take: (record: PlanRecord) => void, chunkBytes = 1 << 20): void {
  let first = true;
  const parse = (line: string): void => {
    const record = JSON.parse(line) as PlanRecord;
    if (first && record.type !== 'run') throw new Error(`${file}: the plan does not start with the run`);
    first = false;
    take(record);
  };
  const descriptor = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let pieces: Buffer[] = [];
  try {
    for (let length = readSync(descriptor, buffer); length > 0; length = readSync(descriptor, buffer)) {
      let start = 0;
      for (let end = buffer.indexOf(NEWLINE, start); end >= 0 && end < length; end = buffer.indexOf(NEWLINE, start)) {
        pieces.push(Buffer.from(buffer.subarray(start, end)));
        parse(Buffer.concat(pieces).toString('utf8'));
        pieces = [];
        start = end + 1;
      }
      if (start < length) pieces.push(Buffer.from(buffer.subarray(start, length)));
    }
  } finally {
    closeSync(descriptor);
  }
  if (pieces.length > 0) throw new Error(`${file}: the plan's last line has no newline`);
}

/** Reads a JSON Lines plan whole, checking that every line is one record of a known type. */
export function readPlanFile(file: string): PlanFile {
  let run: PlanRecord | undefined;
  const repositories: PlanFile['repositories'] = [];
  readPlanRecords(file, ({ type, ...record }) => {
    if (type === 'run') run = { type, ...record };
    else if (type === 'repository') repositories.push({ ...(record as unknown as RepositoryReport), artifacts: [] });
    else if (type === 'artifact') repositories[repositories.length - 1].artifacts.push(record as unknown as ArtifactReport & { repository: string });
    else throw new Error(`${file}: a record of unknown type ${type}`);
  });
  const { type, repositories: count, ...rest } = run as PlanRecord;
  void type;
  if (count !== repositories.length) throw new Error(`${file}: the run names ${String(count)} repositories, the plan holds ${repositories.length}`);
  return { ...(rest as unknown as Omit<RunReport, 'repositories'>), repositories };
}
