/**
 * The cleaner's own vocabulary. Adapters map AWS and Slack shapes into these types, so that nothing
 * under `core/` depends on an SDK.
 */

/** An ECR repository, as listed. */
export interface Repository {
  readonly name: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>`: its host is how task references find it. */
  readonly uri: string;
  readonly registryId: string;
}

/**
 * One manifest stored in a repository: an image, an image index, or a referrer such as a signature.
 *
 * The cleaner holds one of these for every listed image until the run ends, so it is kept flat and small:
 * strings and numbers only (instants as epoch milliseconds, not `Date`s), nothing of the SDK's answer.
 */
export interface ImageRecord {
  readonly repository: string;
  readonly digest: string;
  readonly tags: readonly string[];
  /** When it was pushed, in milliseconds since the epoch. */
  readonly pushedAtMs: number;
  readonly sizeBytes: number;
  /** The manifest's media type; image indexes and manifest lists have children. */
  readonly mediaType?: string;
  /** The OCI artifact type, when the manifest is an artifact (a signature, an SBOM, an attestation). */
  readonly artifactMediaType?: string;
  /** The digest of the manifest that this one refers to (OCI referrers). */
  readonly subjectDigest?: string;
  /**
   * When ECR last recorded a pull of it (`lastRecordedPullTime`; ECR refreshes it about once a day), in
   * milliseconds since the epoch.
   */
  readonly lastPulledAtMs?: number;
}

/**
 * Where an image reference that a workload may start was found:
 * - `running`, `stopped-recently`: a container of an ECS task;
 * - `service-deployment`: the task definition of a service's PRIMARY or ACTIVE deployment or task set;
 * - `service-revision`: a digest that ECS pinned in a service revision: a current one, or the source
 *   (rollback target) or target of a deployment in progress;
 * - `scheduled-task`: the task definition of an EventBridge rule's or EventBridge Scheduler schedule's
 *   ECS target;
 * - `task-definition`: one of the newest ACTIVE revisions of a task definition family;
 * - `lambda-function`: a Lambda function packaged as a container image ($LATEST, an alias's versions,
 *   or one of the newest published versions);
 * - `in-use-list`: a line of the list of references that the operator provides (`IN_USE_IMAGES_URI`).
 */
export type UseSource =
  | 'running'
  | 'stopped-recently'
  | 'service-deployment'
  | 'service-revision'
  | 'scheduled-task'
  | 'task-definition'
  | 'lambda-function'
  | 'in-use-list';

/** Every source, in the order in which reasons are listed. */
export const USE_SOURCES: readonly UseSource[] = [
  'running',
  'stopped-recently',
  'service-deployment',
  'service-revision',
  'scheduled-task',
  'task-definition',
  'lambda-function',
  'in-use-list',
];

/** An image reference that a workload may start, and the workload that names it. */
export interface ImageUse {
  readonly source: UseSource;
  /** The reference as the workload states it, for example `123.dkr.ecr.eu-west-2.amazonaws.com/app:1.2`. */
  readonly reference: string;
  /** The digest that the service resolved (a task's container, a service revision, a Lambda version). */
  readonly digest?: string;
  /** The ECS cluster, by name, for ECS sources. */
  readonly cluster?: string;
  /** The container's name, where the workload has containers. */
  readonly container?: string;
  readonly task?: string;
  readonly service?: string;
  readonly taskDefinition?: string;
  /** A service revision's ARN. */
  readonly serviceRevision?: string;
  /** An EventBridge rule (`rule <bus>/<name>`) or Scheduler schedule (`schedule <group>/<name>`). */
  readonly schedule?: string;
  /** A Lambda function and the qualifier that runs it: `resize:$LATEST`, `resize:7`, `resize:live`. */
  readonly function?: string;
  /** Where in the operator's list: `<uri>:<line>`. */
  readonly listEntry?: string;
  /** The workload account it was found in, when that is not the registry's own (a central registry). */
  readonly account?: string;
  /** The region it was found in, when that is not the registry's own (a task may pull across regions). */
  readonly region?: string;
}

/** What the cleaner found of the images that workloads use. */
export interface InUseDiscovery {
  readonly uses: readonly ImageUse[];
  /** The problems that made discovery incomplete. When there is any, nothing may be deleted. */
  readonly problems: readonly string[];
}

/** The keep rules, as configured. */
export interface RetentionPolicy {
  /** The most recently pushed artifacts that each repository keeps, whatever their age. */
  readonly keepMinImageCount: number;
  /** Artifacts pushed within this many days of now are kept. */
  readonly keepImagesNewerThanDays: number;
  /** Artifacts that ECR recorded a pull of within this many days of now are kept; 0 turns the rule off. */
  readonly keepImagesPulledWithinDays: number;
}

/**
 * The keep rules of one repository: the global settings, or those of the rule that applies to it
 * (`lambda/core/rules.ts`).
 */
export interface RepositoryPolicy extends RetentionPolicy {
  /** Tag globs or `/regular expressions/`: an artifact with a matching tag is always kept. @default none */
  readonly keepTags?: readonly string[];
  /**
   * When set, untagged artifacts are kept only while pushed within this many days (or in use, or recently
   * pulled), and `keepMinImageCount` counts tagged artifacts only.
   */
  readonly keepUntaggedNewerThanDays?: number;
}

export type InUseReason = `in-use:${UseSource}`;
export type KeepReason =
  | InUseReason
  /** A tag matches a pattern of the rule's `keepTags`: `protected-tag:prod-*`. */
  | `protected-tag:${string}`
  | 'recent'
  | 'recently-pulled'
  | 'min-count'
  | `child-of:${string}`
  | `referrer-of:${string}`
  /** In-use discovery was incomplete, so the image might be in use: failing closed. */
  | 'in-use-unknown';
export type DeleteReason = 'unused' | `child-of:${string}` | `referrer-of:${string}`;

/** The planner's verdict on one manifest, with every reason for it. */
export type Decision =
  | { readonly image: ImageRecord; readonly action: 'keep'; readonly reasons: readonly KeepReason[]; readonly artifact: string }
  | { readonly image: ImageRecord; readonly action: 'delete'; readonly reasons: readonly DeleteReason[]; readonly artifact: string };

/**
 * A top-level image with everything that belongs to it (its index children and its referrers), judged
 * as one. `members` excludes the root itself.
 */
export interface ArtifactPlan {
  readonly root: ImageRecord;
  /**
   * 1 for the most recently pushed artifact of the repository, 2 for the next, and so on. When the rule
   * gives untagged artifacts their own age, tagged and untagged artifacts are ranked apart.
   */
  readonly rank: number;
  /**
   * What `rank` counts among: every artifact, or, when the rule gives untagged artifacts their own age,
   * the tagged or the untagged ones (an artifact is tagged when its root or an index child has a tag).
   */
  readonly rankedAmong: 'all' | 'tagged' | 'untagged';
  readonly members: readonly ImageRecord[];
  readonly action: 'keep' | 'delete';
  readonly reasons: readonly (KeepReason | DeleteReason)[];
  /** Bytes of the root and of the members that share its fate. */
  readonly sizeBytes: number;
}

/** The plan for one repository. */
export interface RepositoryPlan {
  readonly repository: string;
  readonly decisions: readonly Decision[];
  readonly artifacts: readonly ArtifactPlan[];
  /**
   * The digests to delete, in waves: every wave is deleted before the next starts (an index before its
   * children, as ECR requires; a subject before its referrers).
   */
  readonly deletionWaves: readonly (readonly string[])[];
}

/** What became of one manifest in this run. */
export type ImageResult =
  /** A dry run, or a deletion that was not attempted because deletion was blocked. */
  | { readonly status: 'planned' }
  | { readonly status: 'deleted' }
  /** ECR answered `ImageNotFound`: the image was already gone, which is what the plan wanted. */
  | { readonly status: 'already-gone' }
  | { readonly status: 'failed'; readonly code: string; readonly message: string }
  /** Not attempted, because something it depends on was not deleted. */
  | { readonly status: 'skipped'; readonly why: string }
  /** ECR kept it because an image index outside the plan lists it; the next run judges it again. */
  | { readonly status: 'kept-by-ecr'; readonly why: string }
  /**
   * The grace period holds it: no plan old enough planned its deletion too. A run from `deletableFrom`
   * (an ISO 8601 day) that still plans it may delete it.
   */
  | { readonly status: 'marked'; readonly deletableFrom: string };
