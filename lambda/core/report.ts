/**
 * The run report: one plain, JSON-ready record of what was found, decided and done, built from the facts
 * that the cleaner hands it, and its JSON Lines form (`--json`). Pure. Its renderings for people (the
 * terminal summary, `--explain`, the CSV, Slack) live in `lambda/render/`.
 */
import { describeWorkload, usesByRepository, type UseResolution } from './in-use';
import type { AuditObjects } from './audit';
import { DEFAULTS } from './defaults';
import type { RepositoryRule } from './rules';
import type { ArtifactPlan, Decision, DeleteReason, ImageRecord, ImageResult, ImageUse, KeepReason, RepositoryPlan, RetentionPolicy } from './types';
import { plural, shortDigest } from './words';

export interface RunError {
  /** Where it happened: the registry listing, a repository, in-use discovery, a deletion, or Slack. */
  readonly kind: 'registry' | 'repository' | 'in-use' | 'delete' | 'audit' | 'slack';
  readonly message: string;
  readonly repository?: string;
  readonly digest?: string;
  readonly code?: string;
}

export interface ImageReport {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: string;
  readonly sizeBytes: number;
  readonly mediaType?: string;
  readonly artifactMediaType?: string;
  readonly subjectDigest?: string;
  readonly action: 'keep' | 'delete';
  readonly reasons: readonly (KeepReason | DeleteReason)[];
  readonly result: ImageResult;
}

export interface ArtifactReport {
  readonly digest: string;
  readonly tags: readonly string[];
  readonly pushedAt: string;
  /** 1 for the repository's most recently pushed artifact (of its kind, when `rankedAmong` says so). */
  readonly rank: number;
  /** What `rank` counts among: every artifact, or the tagged or the untagged ones (a rule's `untagged`). */
  readonly rankedAmong: 'all' | 'tagged' | 'untagged';
  readonly action: 'keep' | 'delete';
  readonly reasons: readonly (KeepReason | DeleteReason)[];
  /** The latest pull that ECR recorded of it or of a member, when it recorded one. */
  readonly lastPulledAt?: string;
  /** The workloads that use it or a member, in words: `cluster prod, service api`, `function resize:live`. */
  readonly usedBy?: readonly string[];
  /** The digests that share its fate: index children, and referrers such as signatures. */
  readonly members: readonly string[];
  /** Its own bytes and those of its members, as ECR reports them. */
  readonly sizeBytes: number;
  readonly result: ImageResult;
  /**
   * Every manifest that it claims, the root first, each with its own decision: its members, and a manifest
   * it shares with an artifact that is deleted (which stays with this one).
   */
  readonly decisions: readonly ImageReport[];
}

/** Kept artifacts, each counted once, under the first of its reasons in this order. */
export interface KeptCounts {
  readonly inUse: number;
  /** Kept because a tag matches a pattern of its rule's `keepTags`. */
  readonly protectedTag: number;
  readonly recent: number;
  /** Kept because ECR recorded a pull within `keepImagesPulledWithinDays`. */
  readonly recentlyPulled: number;
  readonly minCount: number;
  /** Kept only because in-use discovery was incomplete. */
  readonly inUseUnknown: number;
}

export interface RepositoryReport {
  readonly name: string;
  /** `excluded`: a rule excludes it, so it was neither listed nor cleaned, and it counts in no total. */
  readonly status: 'ok' | 'error' | 'excluded';
  readonly error?: string;
  /** The index of the rule that applies to it; none: the global settings apply. */
  readonly rule?: number;
  /** Top-level artifacts; a multi-architecture image counts once. */
  readonly images: number;
  readonly manifests: number;
  readonly kept: KeptCounts;
  /** Artifacts, as are `deleted` and `failed`: an index with its platform images and signatures counts once. */
  readonly toDelete: number;
  readonly deleted: number;
  /** Artifacts to delete of which some manifest could not be deleted. */
  readonly failed: number;
  /** Artifacts to delete that the grace period holds: marked now, deletable later if still planned. */
  readonly marked: number;
  /** Bytes of the manifests planned for deletion. */
  readonly reclaimableBytes: number;
  /** Bytes of the manifests deleted in this run. */
  readonly reclaimedBytes: number;
  /** What the reclaimable bytes cost a month to store, in US dollars. */
  readonly reclaimableUsdPerMonth: number;
  /** What the bytes deleted in this run cost a month to store, in US dollars. */
  readonly reclaimedUsdPerMonth: number;
  /** The kept artifacts that a workload uses, each by its first tag or its short digest. */
  readonly inUseImages: readonly string[];
  /**
   * The first few artifacts deleted in this run (in a dry run: to delete), newest first, each by its first
   * tag or its short digest; `deleted` (or `toDelete`) says how many there are in all.
   */
  readonly deletionNames: readonly string[];
}

/**
 * A repository's artifacts, each with its decision, its reasons and its result: the plan in detail. The
 * report holds only counts; the detail is built again from the listing on demand, repository by
 * repository, so that a run of a million images never holds a million of these at once.
 */
export interface RepositoryArtifacts {
  readonly repository: RepositoryReport;
  /** Newest first; none for a repository that could not be listed. */
  readonly artifacts: readonly ArtifactReport[];
}

/** The run's plan in detail, one repository at a time, in the report's order; built anew on each call. */
export type ArtifactListing = () => Iterable<RepositoryArtifacts>;

/** An image reference that ECS may run, where it was found, and what it matched. */
export interface InUseReport extends ImageUse {
  /** The image it names in this registry, or why it names none. */
  readonly match: { readonly repository: string; readonly digest: string; readonly by: 'digest' | 'tag' } | { readonly none: string };
}

export interface Totals {
  /** The repositories in scope that no rule excludes. */
  readonly repositories: number;
  /** The repositories that a rule excludes: neither listed nor cleaned. */
  readonly repositoriesExcluded: number;
  readonly repositoriesWithErrors: number;
  readonly images: number;
  readonly manifests: number;
  readonly kept: number;
  readonly keptByReason: KeptCounts;
  readonly toDelete: number;
  readonly manifestsToDelete: number;
  readonly deleted: number;
  readonly manifestsDeleted: number;
  readonly failed: number;
  /** Images that the grace period holds. */
  readonly marked: number;
  readonly reclaimableBytes: number;
  readonly reclaimedBytes: number;
  /** What the reclaimable bytes cost a month to store, in US dollars: the saving a deletion would bring. */
  readonly reclaimableUsdPerMonth: number;
  /** What the bytes deleted in this run cost a month to store, in US dollars: the saving it brought. */
  readonly reclaimedUsdPerMonth: number;
  readonly errors: number;
}

export interface RunReport {
  readonly mode: 'dry-run' | 'delete';
  readonly account?: string;
  readonly region: string;
  /** The instant at which the keep rules were evaluated. */
  readonly now: string;
  readonly startedAt: string;
  readonly durationMs: number;
  /** The keep rules, and the settings of the sources of images in use. */
  readonly policy: RetentionPolicy & { readonly keepServiceDeploymentImages: boolean } & Partial<InUseSettings>;
  /** US dollars per GB-month (2^30 bytes) of ECR storage, which the savings are estimated at. */
  readonly storagePricePerGbMonth: number;
  /** Days that a deletion waits for an earlier plan to agree (`GRACE_PERIOD_DAYS`); 0: none. */
  readonly gracePeriodDays: number;
  /** Where this run's CSV and JSON Lines plan were written in S3 (the audit trail), when they were. */
  readonly auditObjects?: AuditObjects;
  readonly scope: { readonly repositories: readonly string[] | 'all'; readonly clusters: readonly string[] | 'all' };
  /** The rules per repository, in order; a repository that none matches takes `policy`. */
  readonly rules: readonly RepositoryRule[];
  /** The plan of a deleting run, built to ask the operator before the first deletion. */
  readonly awaitingConfirmation?: true;
  /** The operator did not confirm the deletion: the report is the plan, and nothing was deleted. */
  readonly notConfirmed?: true;
  /** Why nothing was deleted anywhere: the cleaner failed closed, or the operator did not confirm. */
  readonly deletionBlocked?: string;
  /** Settings without effect, and what the settings leave unprotected. */
  readonly warnings: readonly string[];
  readonly inUse: {
    /** What was searched for images in use, in words. */
    readonly sources: readonly string[];
    readonly complete: boolean;
    readonly problems: readonly string[];
    readonly references: readonly InUseReport[];
  };
  readonly repositories: readonly RepositoryReport[];
  readonly errors: readonly RunError[];
  readonly totals: Totals;
  readonly apiCalls: { readonly total: number; readonly retries: number; readonly byOperation: Readonly<Record<string, number>> };
}

/** The settings of the sources of images in use, as the plan records them. */
export interface InUseSettings {
  readonly keepScheduledTaskImages: boolean;
  readonly keepTaskDefinitionRevisions: number;
  readonly keepLambdaImages: boolean;
  readonly keepLambdaVersions: number;
  readonly inUseImagesUri?: string;
}

/** The facts of a run, as the cleaner gathered them. */
export interface RunFacts {
  readonly deleteEnabled: boolean;
  readonly region: string;
  readonly account?: string;
  readonly now: Date;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly policy: RetentionPolicy;
  readonly keepServiceDeploymentImages: boolean;
  readonly inUseSettings?: InUseSettings;
  readonly scope: RunReport['scope'];
  readonly rules?: readonly RepositoryRule[];
  /** US dollars per GB-month of ECR storage. @default DEFAULTS.storagePricePerGbMonth */
  readonly storagePricePerGbMonth?: number;
  /** The run's objects in the audit trail, once written. */
  readonly auditObjects?: AuditObjects;
  /**
   * Every repository in scope: its error, or how to plan it, or the rule that excludes it. The plan is built on demand, and again each
   * time it is needed, so that only one repository's plan is held at a time.
   */
  readonly repositories: readonly {
    readonly name: string;
    readonly plan?: () => RepositoryPlan;
    readonly error?: string;
    /** The index of the rule that applies to it. */
    readonly rule?: number;
    /** The rule excludes it: it was not listed. */
    readonly excluded?: boolean;
  }[];
  readonly resolutions: readonly UseResolution[];
  readonly discoveryProblems: readonly string[];
  readonly results: ReadonlyMap<string, ReadonlyMap<string, ImageResult>>;
  readonly errors: readonly RunError[];
  readonly apiCalls: RunReport['apiCalls'];
  readonly warnings?: readonly string[];
  /** What was searched for images in use, in words. */
  readonly sources?: readonly string[];
  /** Deletion was enabled, but the operator did not confirm it. */
  readonly declined?: boolean;
  /** `GRACE_PERIOD_DAYS`. @default 0 */
  readonly gracePeriodDays?: number;
  /** Why the grace period let nothing be deleted: no earlier plan old enough, or none that could be read. */
  readonly graceBlocked?: string;
  /** The report is the plan shown to the operator before deletion. */
  readonly awaitingConfirmation?: boolean;
}

const PLANNED: ImageResult = { status: 'planned' };

const NO_KEPT: KeptCounts = { inUse: 0, protectedTag: 0, recent: 0, recentlyPulled: 0, minCount: 0, inUseUnknown: 0 };

export function buildRunReport(facts: RunFacts): RunReport {
  const price = facts.storagePricePerGbMonth ?? DEFAULTS.storagePricePerGbMonth;
  const repositories = byName(facts.repositories).map((repository) =>
    summarizeRepository(repository, facts.results.get(repository.name) ?? NO_RESULTS, facts.deleteEnabled, price),
  );
  const sum = (pick: (repository: RepositoryReport) => number): number => repositories.reduce((total, repository) => total + pick(repository.report), 0);
  const keptByReason: KeptCounts = {
    inUse: sum((r) => r.kept.inUse),
    protectedTag: sum((r) => r.kept.protectedTag),
    recent: sum((r) => r.kept.recent),
    recentlyPulled: sum((r) => r.kept.recentlyPulled),
    minCount: sum((r) => r.kept.minCount),
    inUseUnknown: sum((r) => r.kept.inUseUnknown),
  };

  const inUseComplete = facts.discoveryProblems.length === 0;
  return {
    mode: facts.deleteEnabled ? 'delete' : 'dry-run',
    ...(facts.account !== undefined && { account: facts.account }),
    region: facts.region,
    now: facts.now.toISOString(),
    startedAt: facts.startedAt.toISOString(),
    durationMs: facts.finishedAt.getTime() - facts.startedAt.getTime(),
    policy: { ...facts.policy, keepServiceDeploymentImages: facts.keepServiceDeploymentImages, ...facts.inUseSettings },
    scope: facts.scope,
    rules: facts.rules ?? [],
    storagePricePerGbMonth: price,
    gracePeriodDays: facts.gracePeriodDays ?? 0,
    ...(facts.auditObjects && { auditObjects: facts.auditObjects }),
    ...(!inUseComplete && {
      deletionBlocked: `in-use discovery was incomplete (${facts.discoveryProblems.length} ${plural(facts.discoveryProblems.length, 'problem')}), so no image was deleted anywhere`,
    }),
    ...(inUseComplete && facts.declined && { deletionBlocked: 'the deletion was not confirmed, so no image was deleted' }),
    ...(inUseComplete &&
      !facts.declined &&
      facts.graceBlocked && {
        deletionBlocked: facts.deleteEnabled
          ? `grace period: ${facts.graceBlocked}, so no image was deleted; this run's plan marks what a later run may delete`
          : `grace period: ${facts.graceBlocked}, so a deleting run now would delete nothing; this plan marks what a later run may delete`,
      }),
    ...(facts.awaitingConfirmation && { awaitingConfirmation: true as const }),
    ...(facts.declined && { notConfirmed: true as const }),
    warnings: facts.warnings ?? [],
    inUse: { sources: facts.sources ?? [], complete: inUseComplete, problems: facts.discoveryProblems, references: facts.resolutions.map(reportUse) },
    repositories: repositories.map((repository) => repository.report),
    errors: facts.errors,
    totals: {
      repositories: repositories.filter((r) => r.report.status !== 'excluded').length,
      repositoriesExcluded: repositories.filter((r) => r.report.status === 'excluded').length,
      repositoriesWithErrors: repositories.filter((r) => r.report.status === 'error').length,
      images: sum((r) => r.images),
      manifests: sum((r) => r.manifests),
      kept: keptByReason.inUse + keptByReason.protectedTag + keptByReason.recent + keptByReason.recentlyPulled + keptByReason.minCount + keptByReason.inUseUnknown,
      keptByReason,
      toDelete: sum((r) => r.toDelete),
      manifestsToDelete: repositories.reduce((total, r) => total + r.manifestsToDelete, 0),
      deleted: sum((r) => r.deleted),
      manifestsDeleted: repositories.reduce((total, r) => total + r.manifestsDeleted, 0),
      failed: sum((r) => r.failed),
      marked: sum((r) => r.marked),
      reclaimableBytes: sum((r) => r.reclaimableBytes),
      reclaimedBytes: sum((r) => r.reclaimedBytes),
      reclaimableUsdPerMonth: monthlyCost(sum((r) => r.reclaimableBytes), price),
      reclaimedUsdPerMonth: monthlyCost(sum((r) => r.reclaimedBytes), price),
      errors: facts.errors.length,
    },
    apiCalls: facts.apiCalls,
  };
}

/**
 * The plan in detail: for each repository of the report, in its order, every artifact with its decisions.
 * Each repository is planned again as it comes and dropped after, so the listing holds one at a time.
 */
export function* listArtifacts(facts: RunFacts, report: RunReport): Generator<RepositoryArtifacts, void, undefined> {
  const uses = usesByRepository(facts.resolutions);
  const summaries = new Map(report.repositories.map((summary) => [summary.name, summary]));
  for (const repository of byName(facts.repositories)) {
    yield {
      repository: summaries.get(repository.name) as RepositoryReport,
      artifacts: repository.plan ? reportArtifacts(repository.plan(), facts.results.get(repository.name) ?? NO_RESULTS, uses.get(repository.name) ?? NO_USES) : [],
    };
  }
}

const NO_RESULTS: ReadonlyMap<string, ImageResult> = new Map();

/** The images of a repository that the report names as deleted (or to delete); the rest are counted. */
const DELETION_NAMES = 5;

/** An image as a person knows it: its first tag, or its short digest. */
function artifactName(root: ImageRecord): string {
  return root.tags[0] ?? shortDigest(root.digest);
}

const NO_USES: ReadonlyMap<string, readonly ImageUse[]> = new Map();

function byName<T extends { readonly name: string }>(repositories: readonly T[]): T[] {
  return [...repositories].sort((a, b) => a.name.localeCompare(b.name));
}

/** A repository's summary, and the counts that the totals add up beyond it. */
interface Summary {
  readonly report: RepositoryReport;
  readonly manifestsToDelete: number;
  readonly manifestsDeleted: number;
}

/** Counts one repository's plan and results, without building a record per image. */
function summarizeRepository(
  repository: RunFacts['repositories'][number],
  results: ReadonlyMap<string, ImageResult>,
  deleting: boolean,
  price: number,
): Summary {
  const rule = repository.rule === undefined ? {} : { rule: repository.rule };
  if (!repository.plan) {
    const report: RepositoryReport = {
      name: repository.name,
      ...(repository.excluded ? { status: 'excluded' as const } : { status: 'error' as const, error: repository.error ?? 'not listed' }),
      ...rule,
      images: 0,
      manifests: 0,
      kept: NO_KEPT,
      toDelete: 0,
      deleted: 0,
      failed: 0,
      marked: 0,
      reclaimableBytes: 0,
      reclaimedBytes: 0,
      reclaimableUsdPerMonth: 0,
      reclaimedUsdPerMonth: 0,
      inUseImages: [],
      deletionNames: [],
    };
    return { report, manifestsToDelete: 0, manifestsDeleted: 0 };
  }
  const plan = repository.plan();
  const resultOf = (digest: string): ImageResult => results.get(digest) ?? PLANNED;
  const kept = { inUse: 0, protectedTag: 0, recent: 0, recentlyPulled: 0, minCount: 0, inUseUnknown: 0 };
  const inUseImages: string[] = [];
  const deletionNames: string[] = [];
  let toDelete = 0;
  let deleted = 0;
  let failed = 0;
  let marked = 0;
  for (const artifact of plan.artifacts) {
    if (artifact.action === 'delete') {
      const result = artifactResult(artifact, resultOf);
      toDelete += 1;
      if (isGone(result)) deleted += 1;
      if (result.status === 'failed') failed += 1;
      if (result.status === 'marked') marked += 1;
      if (deletionNames.length < DELETION_NAMES && (deleting ? isGone(result) : result.status !== 'marked')) deletionNames.push(artifactName(artifact.root));
      continue;
    }
    const reason = primaryReason(artifact.reasons);
    if (reason === 'in-use') {
      kept.inUse += 1;
      inUseImages.push(artifactName(artifact.root));
    } else if (reason === 'protected-tag') kept.protectedTag += 1;
    else if (reason === 'recent') kept.recent += 1;
    else if (reason === 'recently-pulled') kept.recentlyPulled += 1;
    else if (reason === 'min-count') kept.minCount += 1;
    else if (reason === 'in-use-unknown') kept.inUseUnknown += 1;
  }
  let manifestsToDelete = 0;
  let manifestsDeleted = 0;
  let reclaimableBytes = 0;
  let reclaimedBytes = 0;
  for (const decision of plan.decisions) {
    if (decision.action !== 'delete') continue;
    const result = resultOf(decision.image.digest);
    manifestsToDelete += 1;
    reclaimableBytes += decision.image.sizeBytes;
    if (isGone(result)) manifestsDeleted += 1;
    if (result.status === 'deleted') reclaimedBytes += decision.image.sizeBytes;
  }
  const report: RepositoryReport = {
    name: repository.name,
    status: 'ok',
    ...rule,
    images: plan.artifacts.length,
    manifests: plan.decisions.length,
    kept,
    toDelete,
    deleted,
    failed,
    marked,
    reclaimableBytes,
    reclaimedBytes,
    reclaimableUsdPerMonth: monthlyCost(reclaimableBytes, price),
    reclaimedUsdPerMonth: monthlyCost(reclaimedBytes, price),
    inUseImages,
    deletionNames,
  };
  return { report, manifestsToDelete, manifestsDeleted };
}

/** One repository's plan in detail: an artifact report per artifact, newest first. */
function reportArtifacts(
  plan: RepositoryPlan,
  results: ReadonlyMap<string, ImageResult>,
  uses: ReadonlyMap<string, readonly ImageUse[]>,
): ArtifactReport[] {
  const resultOf = (digest: string): ImageResult => results.get(digest) ?? PLANNED;
  const claimed = new Map<string, ImageReport[]>();
  for (const decision of plan.decisions) {
    const image = reportImage(decision, decision.action === 'delete' ? resultOf(decision.image.digest) : PLANNED);
    const list = claimed.get(decision.artifact);
    if (list) list.push(image);
    else claimed.set(decision.artifact, [image]);
  }
  return plan.artifacts.map((artifact): ArtifactReport => {
    const decisions = claimed.get(artifact.root.digest) ?? [];
    let lastPulledAtMs = artifact.root.lastPulledAtMs;
    for (const member of artifact.members) {
      if (member.lastPulledAtMs !== undefined && (lastPulledAtMs === undefined || member.lastPulledAtMs > lastPulledAtMs)) lastPulledAtMs = member.lastPulledAtMs;
    }
    const usedBy = uses.size === 0 ? [] : [...new Set([artifact.root, ...artifact.members].flatMap((image) => (uses.get(image.digest) ?? []).map(describeWorkload)))];
    return {
      digest: artifact.root.digest,
      tags: artifact.root.tags,
      pushedAt: new Date(artifact.root.pushedAtMs).toISOString(),
      rank: artifact.rank,
      rankedAmong: artifact.rankedAmong,
      action: artifact.action,
      reasons: artifact.reasons,
      lastPulledAt: lastPulledAtMs === undefined ? undefined : new Date(lastPulledAtMs).toISOString(),
      usedBy: usedBy.length > 0 ? usedBy : undefined,
      members: artifact.members.map((member) => member.digest),
      sizeBytes: artifact.sizeBytes,
      result: artifact.action === 'delete' ? artifactResult(artifact, resultOf) : PLANNED,
      decisions,
    };
  });
}

/** An artifact's result: the first failure among its manifests, or what became of its root. */
function artifactResult(artifact: ArtifactPlan, resultOf: (digest: string) => ImageResult): ImageResult {
  const results = [artifact.root, ...artifact.members].map((image) => resultOf(image.digest));
  return (
    results.find((result) => result.status === 'failed') ??
    results.find((result) => result.status === 'skipped' || result.status === 'kept-by-ecr') ??
    results[0]
  );
}

/** A manifest's decision as the report shows it; built field by field, as it is built for every image. */
function reportImage(decision: Decision, result: ImageResult): ImageReport {
  const { image } = decision;
  // Absent fields are undefined, which JSON leaves out: one shape for every record, in the order shown.
  return {
    digest: image.digest,
    tags: image.tags,
    pushedAt: new Date(image.pushedAtMs).toISOString(),
    sizeBytes: image.sizeBytes,
    mediaType: image.mediaType,
    artifactMediaType: image.artifactMediaType,
    subjectDigest: image.subjectDigest,
    action: decision.action,
    reasons: decision.reasons,
    result,
  };
}

function reportUse(resolution: UseResolution): InUseReport {
  return {
    ...resolution.use,
    match: resolution.matched
      ? { repository: resolution.repository, digest: resolution.digest, by: resolution.by }
      : { none: resolution.why },
  };
}

function isGone(result: ImageResult): boolean {
  return result.status === 'deleted' || result.status === 'already-gone';
}

/** The reason an artifact is counted under in the summaries. */
export function primaryReason(reasons: readonly string[]): 'in-use' | 'protected-tag' | 'recent' | 'recently-pulled' | 'min-count' | 'in-use-unknown' | 'unused' {
  if (reasons.some((reason) => reason.startsWith('in-use:'))) return 'in-use';
  if (reasons.some((reason) => reason.startsWith('protected-tag:'))) return 'protected-tag';
  if (reasons.includes('recent')) return 'recent';
  if (reasons.includes('recently-pulled')) return 'recently-pulled';
  if (reasons.includes('min-count')) return 'min-count';
  if (reasons.includes('in-use-unknown')) return 'in-use-unknown';
  return 'unused';
}

/** What storing `bytes` costs a month at `pricePerGbMonth` US dollars (a GB is 2^30 bytes), to the cent. */
export function monthlyCost(bytes: number, pricePerGbMonth: number): number {
  return Math.round((bytes / 2 ** 30) * pricePerGbMonth * 100) / 100;
}

/**
 * The whole plan (`--json`) as JSON Lines: one JSON record per line, each with its `type`. First the run
 * (everything of the report but its repositories: the settings, the totals, the uses found, the errors);
 * then, for each repository, the repository (its counts) and an `artifact` record per artifact, newest
 * first, with the decision, the reasons and the result of every manifest it claims. No line holds more
 * than one artifact, so a plan of any size is written and read a line at a time.
 */
export function* planLines(report: RunReport, artifacts: ArtifactListing): Generator<string, void, undefined> {
  const { repositories, ...run } = report;
  // Every record names its account and region, so that the plans of many targets can share a file.
  const where = { account: report.account, region: report.region };
  yield `${JSON.stringify({ type: 'run', ...run, repositories: repositories.length })}\n`;
  for (const { repository, artifacts: planned } of artifacts()) {
    yield `${JSON.stringify({ type: 'repository', ...where, ...repository })}\n`;
    for (const artifact of planned) yield `${JSON.stringify({ type: 'artifact', ...where, repository: repository.name, ...artifact })}\n`;
  }
}
