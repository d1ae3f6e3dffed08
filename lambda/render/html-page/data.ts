/* istanbul ignore file -- `decodeArtifact` runs in the page as its own source text (see ../html.ts), which instrumentation would break. */
/**
 * The data that the HTML report embeds, and how a row of it reads back: shared by the renderer, which
 * writes it, the page, which reads it, and the tests, which check the round trip.
 *
 * Compact, because a run can have a million artifacts: an artifact is one JSON array (no field names),
 * and every string that repeats (repositories, reasons and their sets, results, workloads, media types)
 * is an index into a dictionary written once, after the rows. A digest is written without `sha256:`,
 * and a time as whole seconds before the run's `now`. A reason that names one of the artifact's own
 * manifests (`child-of:sha256:…`) names it by its position in the artifact's list of digests (`child-of:@0`),
 * so that the reasons stay a small dictionary.
 */
import type { ArtifactReport, ImageReport } from '../../core/report';
import type { ImageResult } from '../../core/types';

/** The dictionaries, written after the rows: each index in a row points into one of these. */
export interface PageDictionary {
  readonly repositories: readonly string[];
  /** Reason strings, a digest of the artifact's own as `@i` (its position in the artifact's digests). */
  readonly reasons: readonly string[];
  /** Lists of indexes into `reasons`: the reasons of a decision. */
  readonly reasonSets: readonly (readonly number[])[];
  /** The main reason of each reason set, as `primaryReason` names it. */
  readonly primaries: readonly string[];
  readonly results: readonly ImageResult[];
  /** Each result in words, as the CSV and `--explain` say it in this run's mode. */
  readonly resultTexts: readonly string[];
  readonly workloads: readonly string[];
  readonly mediaTypes: readonly string[];
}

/**
 * One artifact: `[repository, tags, digest, pushed, sizeBytes, code, rank, reasonSet, result, mediaType,
 * lastPulled, usedBy, others, decisions, members]`. Trailing fields that are empty are left out; `0`
 * stands for an empty list in the middle, `null` for no time, `-1` for no media type.
 *
 * - `digest`: hex, without `sha256:` (a digest of another algorithm keeps its prefix);
 * - `pushed`, `lastPulled`: whole seconds before the run's `now`, rounded down (negative: after it);
 * - `code`: the action (0 keep, 1 delete) plus twice what the rank counts among (0 all, 1 tagged, 2 untagged);
 * - `others`: the digests of the manifests that belong to it besides the root, in the order of its
 *   decisions and then of its members; the artifact's digests are the root's then these (`@0` is the root);
 * - `decisions`: one `DecisionRow` per manifest it claims, the root first; left out when it claims only
 *   its root, with the artifact's own tags, time, size, action, reasons and result;
 * - `members`: positions in the artifact's digests.
 */
export type ArtifactRow = readonly [
  repository: number,
  tags: readonly string[],
  digest: string,
  pushed: number,
  sizeBytes: number,
  code: number,
  rank: number,
  reasonSet: number,
  result: number,
  mediaType: number,
  lastPulled?: number | null,
  usedBy?: readonly number[] | 0,
  others?: readonly string[] | 0,
  decisions?: readonly DecisionRow[] | 0,
  members?: readonly number[] | 0,
];

/**
 * One manifest that an artifact claims: `[digest, pushed, sizeBytes, action, reasonSet, result, mediaType,
 * artifactMediaType, subject, tags]`; `digest` is a position in the artifact's digests, `subject` one too
 * or a digest of its own (hex), or -1. Trailing fields that are empty are left out.
 */
export type DecisionRow = readonly [
  digest: number,
  pushed: number,
  sizeBytes: number,
  action: number,
  reasonSet: number,
  result: number,
  mediaType?: number,
  artifactMediaType?: number,
  subject?: number | string,
  tags?: readonly string[],
];

/** An artifact read back from its row: the report's artifact, with its repository. */
export type DecodedArtifact = ArtifactReport & { readonly repository: string };

/**
 * Reads an artifact back from its row. `base` is the run's `now` in whole seconds since the epoch.
 *
 * Self-contained on purpose: the page runs this function's own source text, so it may use nothing
 * from outside its body (no import, no module-level constant, no other function).
 */
export function decodeArtifact(row: ArtifactRow, dictionary: PageDictionary, base: number): DecodedArtifact {
  const digestOf = (hex: string): string => (hex.includes(':') ? hex : `sha256:${hex}`);
  const timeOf = (seconds: number): string => new Date((base - seconds) * 1000).toISOString();
  const others = row[12] || [];
  const digests = [digestOf(row[2]), ...others.map(digestOf)];
  const reasonsOf = (set: number): string[] =>
    dictionary.reasonSets[set].map((reason) => dictionary.reasons[reason].replace(/@(\d+)/, (_, position: string) => digests[Number(position)]));
  const reasons = reasonsOf(row[7]) as ArtifactReport['reasons'];
  const action = row[5] % 2 === 0 ? 'keep' : 'delete';
  const among = (['all', 'tagged', 'untagged'] as const)[Math.floor(row[5] / 2)];
  const result = dictionary.results[row[8]];
  const decisionRows: readonly DecisionRow[] = row[13] || [[0, row[3], row[4], row[5] % 2, row[7], row[8], row[9], -1, -1, row[1]]];
  const decisions = decisionRows.map((decision): ImageReport => {
    const mediaType = decision[6] ?? -1;
    const artifactMediaType = decision[7] ?? -1;
    const subject = decision[8] ?? -1;
    return {
      digest: digests[decision[0]],
      tags: decision[9] ?? [],
      pushedAt: timeOf(decision[1]),
      sizeBytes: decision[2],
      mediaType: mediaType < 0 ? undefined : dictionary.mediaTypes[mediaType],
      artifactMediaType: artifactMediaType < 0 ? undefined : dictionary.mediaTypes[artifactMediaType],
      subjectDigest: typeof subject === 'string' ? digestOf(subject) : subject < 0 ? undefined : digests[subject],
      action: decision[3] === 0 ? 'keep' : 'delete',
      reasons: reasonsOf(decision[4]) as ImageReport['reasons'],
      result: dictionary.results[decision[5]],
    };
  });
  const pulled = row[10];
  const usedBy = row[11] || [];
  return {
    repository: dictionary.repositories[row[0]],
    digest: digests[0],
    tags: row[1],
    pushedAt: timeOf(row[3]),
    rank: row[6],
    rankedAmong: among,
    action,
    reasons,
    lastPulledAt: pulled === undefined || pulled === null ? undefined : timeOf(pulled),
    usedBy: usedBy.length > 0 ? usedBy.map((workload) => dictionary.workloads[workload]) : undefined,
    members: (row[14] || []).map((position) => digests[position]),
    sizeBytes: row[4],
    result,
    decisions,
  };
}
