/**
 * The planner: decides, for every manifest of one repository, whether it is kept or deleted, with every
 * reason. It does no I/O and reads no clock; `now` is a parameter.
 */
import { buildArtifactGraph, type ArtifactGraph } from './artifact-graph';
import { tagProtector } from './rules';
import type {
  ArtifactPlan,
  Decision,
  DeleteReason,
  ImageRecord,
  ImageUse,
  InUseReason,
  KeepReason,
  RepositoryPlan,
  RepositoryPolicy,
} from './types';
import { USE_SOURCES } from './types';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PlanInput {
  readonly repository: string;
  /** Every image of the repository, completely listed. */
  readonly images: readonly ImageRecord[];
  /** For each image index, the digests its manifest lists. */
  readonly indexChildren: ReadonlyMap<string, readonly string[]>;
  /** The uses of this repository's images, by digest. */
  readonly uses: ReadonlyMap<string, readonly ImageUse[]>;
  /**
   * Whether in-use discovery was complete. When it was not, every artifact that no other rule keeps is
   * kept as `in-use-unknown`: the cleaner fails closed.
   */
  readonly inUseComplete: boolean;
}

/**
 * Plans one repository.
 *
 * 1. Group the manifests into artifacts (an index with its children, an image with its referrers).
 * 2. Judge each artifact: kept if any of its manifests is in use; if one of its tags (its own or its
 *    index children's) matches a pattern of `keepTags`; if it was pushed within `keepImagesNewerThanDays`
 *    of `now` (an untagged artifact: within `keepUntaggedNewerThanDays`, when that is set); if ECR
 *    recorded a pull of any of its manifests within `keepImagesPulledWithinDays` (when that is above 0);
 *    or if it is among the `keepMinImageCount` most recently pushed artifacts (ties broken by digest;
 *    only tagged ones count when `keepUntaggedNewerThanDays` is set). Otherwise it is unused. In use
 *    comes first: no setting can delete an image in use.
 * 3. Members share their artifact's fate; a member that two artifacts share stays while either stays.
 * 4. Order the deletions in waves: an index before its children, a subject before its referrers.
 */
export function planRepository(input: PlanInput, policy: RepositoryPolicy, now: Date): RepositoryPlan {
  const graph = buildArtifactGraph(input.images, input.indexChildren);
  const ranked = [...graph.roots].sort(byNewestFirst);
  // An artifact's tags: its root's and those of its index children (not of signatures and other referrers).
  const tagsOf = (root: ImageRecord): readonly string[] => (graph.linked ? releaseTags(graph, root) : root.tags);
  // With a separate age for untagged artifacts, they neither use the tagged ones' window nor count as newest.
  const untaggedApart = policy.keepUntaggedNewerThanDays !== undefined;
  const untagged = untaggedApart ? new Set(ranked.filter((root) => tagsOf(root).length === 0)) : undefined;
  const isUntagged = (root: ImageRecord): boolean => untagged?.has(root) ?? false;
  const rankedAmong = (root: ImageRecord): ArtifactPlan['rankedAmong'] => (!untaggedApart ? 'all' : isUntagged(root) ? 'untagged' : 'tagged');
  const windowMs = policy.keepImagesNewerThanDays * DAY_MS;
  const untaggedWindowMs = (policy.keepUntaggedNewerThanDays ?? 0) * DAY_MS;
  const pullWindowMs = policy.keepImagesPulledWithinDays * DAY_MS;
  const nowMs = now.getTime();
  const pulledRecently = (image: ImageRecord): boolean =>
    pullWindowMs > 0 && image.lastPulledAtMs !== undefined && nowMs - image.lastPulledAtMs < pullWindowMs;
  const protectedBy = policy.keepTags && policy.keepTags.length > 0 ? tagProtector(policy.keepTags) : undefined;
  // An artifact's rank: its place among all artifacts, or, with untagged ones apart, among its own kind.
  const ranks = untaggedApart ? ranksByKind(ranked, isUntagged) : undefined;
  const rankAt = (position: number): number => ranks?.[position] ?? position + 1;

  /** A root's own reasons to be kept, judged over it and everything that belongs to it; none: unused. */
  const judgeRoot = (root: ImageRecord, manifests: readonly ImageRecord[], position: number): KeepReason[] => {
    const reasons: KeepReason[] = inUseReasons(manifests, input.uses);
    const pattern = protectedBy?.(tagsOf(root));
    if (pattern !== undefined) reasons.push(`protected-tag:${pattern}`);
    if (nowMs - root.pushedAtMs < (isUntagged(root) ? untaggedWindowMs : windowMs)) reasons.push('recent');
    if (manifests.some(pulledRecently)) reasons.push('recently-pulled');
    if (!isUntagged(root) && rankAt(position) <= policy.keepMinImageCount) reasons.push('min-count');
    if (reasons.length === 0 && !input.inUseComplete) reasons.push('in-use-unknown');
    return reasons;
  };
  // Most repositories hold only plain images: each is an artifact of its own, and all deletions go in one wave.
  if (!graph.linked) return planPlainImages(input.repository, ranked, judgeRoot, (position) => ({ rank: rankAt(position), rankedAmong: rankedAmong(ranked[position]) }));

  // Each root with everything that belongs to it, walked once.
  const manifestsOf = new Map<string, readonly ImageRecord[]>();
  const rootReasons = new Map<string, KeepReason[]>();
  for (const [position, root] of ranked.entries()) {
    const descendants = graph.descendantsOf(root.digest);
    const manifests = descendants.length === 0 ? [root] : [root, ...descendants];
    manifestsOf.set(root.digest, manifests);
    rootReasons.set(root.digest, judgeRoot(root, manifests, position));
  }

  const kept = keptDigests(ranked, manifestsOf, rootReasons);
  const decisions = new Map<string, Decision>();
  const artifactOf = new Map<string, string>();
  // Kept artifacts claim shared members first, so a shared child is shown under an artifact that keeps it.
  const claimOrder = [...ranked].sort((a, b) => Number(kept.has(b.digest)) - Number(kept.has(a.digest)));
  for (const root of claimOrder) {
    for (const image of manifestsOf.get(root.digest) as readonly ImageRecord[]) {
      if (!artifactOf.has(image.digest)) artifactOf.set(image.digest, root.digest);
    }
  }

  for (const image of input.images) {
    const artifact = artifactOf.get(image.digest) as string;
    const rootOwn = rootReasons.get(image.digest);
    if (kept.has(image.digest)) {
      const reasons: KeepReason[] = rootOwn ? [...rootOwn] : inUseReasons([image], input.uses);
      for (const owner of graph.ownersOf(image.digest)) {
        if (kept.has(owner.digest)) reasons.push(`${owner.kind}-of:${owner.digest}` as KeepReason);
      }
      decisions.set(image.digest, { image, action: 'keep', reasons, artifact });
    } else {
      const reasons: readonly DeleteReason[] = rootOwn
        ? UNUSED
        : graph.ownersOf(image.digest).map((owner) => `${owner.kind}-of:${owner.digest}` as DeleteReason);
      decisions.set(image.digest, { image, action: 'delete', reasons, artifact });
    }
  }

  const ordered: Decision[] = [];
  const artifacts: ArtifactPlan[] = [];
  for (const [position, root] of ranked.entries()) {
    const rootDecision = decisions.get(root.digest) as Decision;
    const manifests = manifestsOf.get(root.digest) as readonly ImageRecord[];
    const members = manifests.length === 1 ? NO_MEMBERS : manifests.slice(1).filter((member) => decisions.get(member.digest)?.action === rootDecision.action);
    if (artifactOf.get(root.digest) === root.digest) ordered.push(rootDecision);
    for (const image of members) {
      if (artifactOf.get(image.digest) === root.digest) ordered.push(decisions.get(image.digest) as Decision);
    }
    artifacts.push({
      root,
      rank: rankAt(position),
      rankedAmong: rankedAmong(root),
      members,
      action: rootDecision.action,
      reasons: rootDecision.reasons,
      sizeBytes: members.reduce((sum, image) => sum + image.sizeBytes, root.sizeBytes),
    });
  }

  return {
    repository: input.repository,
    decisions: ordered,
    artifacts,
    deletionWaves: deletionWaves(graph, ordered),
  };
}

/** The plan of a repository in which no image owns another: what the general plan gives, with less work. */
function planPlainImages(
  repository: string,
  ranked: readonly ImageRecord[],
  judgeRoot: (root: ImageRecord, manifests: readonly ImageRecord[], position: number) => KeepReason[],
  rankOf: (position: number) => Pick<ArtifactPlan, 'rank' | 'rankedAmong'>,
): RepositoryPlan {
  const decisions: Decision[] = [];
  const artifacts: ArtifactPlan[] = [];
  const doomed: string[] = [];
  for (const [position, root] of ranked.entries()) {
    const reasons = judgeRoot(root, [root], position);
    const decision: Decision =
      reasons.length > 0 ? { image: root, action: 'keep', reasons, artifact: root.digest } : { image: root, action: 'delete', reasons: UNUSED, artifact: root.digest };
    if (decision.action === 'delete') doomed.push(root.digest);
    decisions.push(decision);
    artifacts.push({ root, ...rankOf(position), members: NO_MEMBERS, action: decision.action, reasons: decision.reasons, sizeBytes: root.sizeBytes });
  }
  return { repository, decisions, artifacts, deletionWaves: doomed.length > 0 ? [doomed.sort()] : [] };
}

const UNUSED: readonly DeleteReason[] = Object.freeze(['unused'] as const);
const NO_MEMBERS: readonly ImageRecord[] = Object.freeze([]);

/** The tags of a root and of its index children, through nested indexes; not those of its referrers. */
function releaseTags(graph: ArtifactGraph, root: ImageRecord): readonly string[] {
  const tags = [...root.tags];
  const seen = new Set([root.digest]);
  const visit = (digest: string): void => {
    for (const edge of graph.membersOf(digest)) {
      if (edge.kind !== 'child' || seen.has(edge.digest)) continue;
      seen.add(edge.digest);
      tags.push(...(graph.image(edge.digest)?.tags ?? []));
      visit(edge.digest);
    }
  };
  visit(root.digest);
  return tags;
}

/** Each artifact's rank among those of its kind, tagged or untagged, from 1; `ranked` is newest first. */
function ranksByKind(ranked: readonly ImageRecord[], isUntagged: (root: ImageRecord) => boolean): number[] {
  let tagged = 0;
  let untagged = 0;
  return ranked.map((root) => (isUntagged(root) ? ++untagged : ++tagged));
}

/** Newest first; ties broken by digest, so that the same listing always gives the same plan. */
function byNewestFirst(a: ImageRecord, b: ImageRecord): number {
  const age = b.pushedAtMs - a.pushedAtMs;
  if (age !== 0) return age;
  return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
}

function inUseReasons(images: readonly ImageRecord[], uses: ReadonlyMap<string, readonly ImageUse[]>): InUseReason[] {
  if (uses.size === 0) return [];
  const sources = new Set<string>();
  for (const image of images) for (const use of uses.get(image.digest) ?? []) sources.add(use.source);
  return sources.size === 0 ? [] : USE_SOURCES.filter((source) => sources.has(source)).map((source) => `in-use:${source}` as const);
}

/** The kept roots and everything they reach. */
function keptDigests(
  roots: readonly ImageRecord[],
  manifestsOf: ReadonlyMap<string, readonly ImageRecord[]>,
  rootReasons: ReadonlyMap<string, readonly KeepReason[]>,
): Set<string> {
  const kept = new Set<string>();
  for (const root of roots) {
    if ((rootReasons.get(root.digest) ?? []).length === 0) continue;
    for (const image of manifestsOf.get(root.digest) ?? [root]) kept.add(image.digest);
  }
  return kept;
}

/**
 * Groups the deletions into waves, each deleted before the next starts. A child goes after the index that
 * lists it, because ECR refuses to delete a manifest that an index still lists. A referrer goes after its
 * subject, so that a signature never disappears from an image that failed to be deleted.
 */
function deletionWaves(graph: ArtifactGraph, decisions: readonly Decision[]): string[][] {
  const doomed = new Set(decisions.filter((d) => d.action === 'delete').map((d) => d.image.digest));
  const sorted = [...doomed].sort();
  // When no image owns another, everything goes in one wave.
  if (!graph.linked) return sorted.length > 0 ? [sorted] : [];
  const waveOf = new Map<string, number>();
  const wave = (digest: string, path: ReadonlySet<string>): number => {
    const known = waveOf.get(digest);
    if (known !== undefined) return known;
    let result = 0;
    for (const owner of graph.ownersOf(digest)) {
      if (!doomed.has(owner.digest) || path.has(owner.digest)) continue;
      result = Math.max(result, wave(owner.digest, new Set([...path, digest])) + 1);
    }
    waveOf.set(digest, result);
    return result;
  };

  const waves: string[][] = [];
  for (const digest of sorted) {
    const index = wave(digest, new Set());
    (waves[index] ??= []).push(digest);
  }
  return waves.filter((digests) => digests.length > 0);
}
