/** Builders of run reports, for the tests of what renders and posts them. */
import type { RepositoryReport, RunReport, Totals } from '../../lambda/core/report';

const NO_TOTALS: Totals = {
  repositories: 0,
  repositoriesWithErrors: 0,
  images: 0,
  manifests: 0,
  kept: 0,
  keptByReason: { inUse: 0, recent: 0, recentlyPulled: 0, minCount: 0, inUseUnknown: 0 },
  toDelete: 0,
  manifestsToDelete: 0,
  deleted: 0,
  manifestsDeleted: 0,
  failed: 0,
  reclaimableBytes: 0,
  reclaimedBytes: 0,
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
    inUse: { sources: ['ECS tasks'], complete: true, problems: [], references: [] },
    repositories: [],
    errors: [],
    warnings: [],
    totals: NO_TOTALS,
    apiCalls: { total: 9, retries: 0, byOperation: {} },
    ...overrides,
  };
}

/** A repository with one recent image kept, an image in use per tag given, and `toDelete` to delete. */
export function repositoryReport(name: string, toDelete: number, reclaimableBytes: number, inUseTags: readonly string[] = []): RepositoryReport {
  return {
    name,
    status: 'ok',
    images: toDelete + inUseTags.length + 1,
    manifests: toDelete + inUseTags.length + 1,
    kept: { inUse: inUseTags.length, recent: 1, recentlyPulled: 0, minCount: 0, inUseUnknown: 0 },
    toDelete,
    deleted: 0,
    failed: 0,
    reclaimableBytes,
    reclaimedBytes: 0,
    artifacts: inUseTags.map((tag, position) => ({
      digest: `sha256:${String(position).repeat(64)}`,
      tags: [tag],
      pushedAt: '2026-10-01T00:00:00.000Z',
      rank: position + 1,
      action: 'keep',
      reasons: ['in-use:running'],
      members: [],
      sizeBytes: 1,
      result: { status: 'planned' },
    })),
    decisions: [],
  };
}
