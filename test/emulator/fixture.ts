/**
 * The emulator's state, as a fixture: repositories with images, clusters with tasks and services,
 * task definitions, secrets, Slack, and the faults to inject. Builders make images whose digests are the
 * real sha256 of real-shaped manifests, so that an index lists its children by their true digests.
 */
import { createHash } from 'node:crypto';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const COSIGN_SIGNATURE = 'application/vnd.dev.cosign.artifact.sig.v1+json';

export interface FixtureImage {
  readonly digest: string;
  readonly tags: readonly string[];
  /** Days before the emulator's start (or `Fixture.now`). Fractions are allowed. */
  readonly pushedDaysAgo: number;
  /** Days before the emulator's start that ECR last recorded a pull (`lastRecordedPullTime`); never when unset. */
  readonly pulledDaysAgo?: number;
  readonly sizeBytes: number;
  readonly mediaType: string;
  readonly manifest: string;
  readonly artifactMediaType?: string;
  readonly subjectDigest?: string;
}

export interface FixtureRepository {
  readonly name: string;
  readonly images: readonly FixtureImage[];
}

export interface FixtureContainer {
  readonly name: string;
  readonly image: string;
  readonly imageDigest?: string;
}

export interface FixtureTask {
  readonly id: string;
  readonly containers: readonly FixtureContainer[];
  /** @default 'RUNNING' */
  readonly desiredStatus?: 'RUNNING' | 'STOPPED';
  readonly taskDefinition?: string;
  /** Listed by ListTasks, but DescribeTasks reports it in `failures[]` as MISSING. */
  readonly missing?: boolean;
}

export interface FixtureDeployment {
  readonly status: 'PRIMARY' | 'ACTIVE' | 'INACTIVE' | 'DRAINING';
  /** A task definition ARN from `Fixture.taskDefinitions`. */
  readonly taskDefinition: string;
  /** Reported for deployments (not task sets) of the rolling update type. @default none */
  readonly rolloutState?: 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';
}

/** A service revision: what ECS pinned when a deployment started, digests included. */
export interface FixtureServiceRevision {
  /** The last part of its ARN, `arn:aws:ecs:<region>:<account>:service-revision/<cluster>/<service>/<id>`. */
  readonly id: string;
  /** `family:revision`. */
  readonly taskDefinition: string;
  readonly containerImages: readonly { readonly containerName: string; readonly image?: string; readonly imageDigest?: string }[];
  /** DescribeServiceRevisions reports it in `failures[]` as MISSING. */
  readonly missing?: boolean;
}

/** A service deployment, from one set of revisions (the rollback targets) to another. */
export interface FixtureServiceDeployment {
  /** The last part of its ARN, `arn:aws:ecs:<region>:<account>:service-deployment/<cluster>/<service>/<id>`. */
  readonly id: string;
  readonly status: 'PENDING' | 'IN_PROGRESS' | 'STOP_REQUESTED' | 'ROLLBACK_REQUESTED' | 'ROLLBACK_IN_PROGRESS' | 'SUCCESSFUL' | 'STOPPED' | 'ROLLBACK_SUCCESSFUL' | 'ROLLBACK_FAILED';
  /** Ids of the service's revisions that it replaces. */
  readonly sourceRevisions: readonly string[];
  /** The id of the service's revision that it deploys. */
  readonly targetRevision: string;
  /** DescribeServiceDeployments reports it in `failures[]` as MISSING. */
  readonly missing?: boolean;
}

export interface FixtureService {
  readonly name: string;
  readonly deployments?: readonly FixtureDeployment[];
  readonly taskSets?: readonly FixtureDeployment[];
  /** Every revision of the service, by id. */
  readonly revisions?: readonly FixtureServiceRevision[];
  /** The ids of `revisions` that DescribeServices lists in `currentServiceRevisions`. */
  readonly currentRevisions?: readonly string[];
  /** The service's deployments, newest first, as ListServiceDeployments lists them. */
  readonly serviceDeployments?: readonly FixtureServiceDeployment[];
}

export interface FixtureCluster {
  readonly name: string;
  readonly tasks?: readonly FixtureTask[];
  readonly services?: readonly FixtureService[];
}

export interface FixtureTaskDefinition {
  /** `family:revision`. */
  readonly name: string;
  /** An empty image stands for a container definition without one. */
  readonly containers: readonly { readonly name: string; readonly image: string }[];
  /** @default 'ACTIVE' */
  readonly status?: 'ACTIVE' | 'INACTIVE';
}

/** The image of one version of a Lambda function packaged as a container image. */
export interface FixtureFunctionImage {
  /** `Code.ImageUri`: the image as deployed, usually `<registry>/<repository>:<tag>`. Absent: GetFunction reports none. */
  readonly uri?: string;
  /**
   * The digest that Lambda resolved `uri` to when the version was deployed; GetFunction reports
   * `Code.ResolvedImageUri` as `<registry>/<repository>@<digest>`. Absent: GetFunction reports none.
   */
  readonly digest?: string;
}

/** An alias of a Lambda function: a version, and others that get a share of the traffic. */
export interface FixtureFunctionAlias {
  readonly name: string;
  /** `$LATEST` or a published version's number. */
  readonly version: string;
  /** `RoutingConfig.AdditionalVersionWeights`: version number to the share of traffic, 0 to 1. */
  readonly additionalVersionWeights?: Readonly<Record<string, number>>;
}

/** A Lambda function, with its unpublished version ($LATEST), its published versions and its aliases. */
export interface FixtureFunction {
  readonly name: string;
  /** @default 'Image' */
  readonly packageType?: 'Image' | 'Zip';
  /** The image of $LATEST (ignored for a Zip function). @default no image */
  readonly latest?: FixtureFunctionImage;
  /** The published versions 1, 2, 3, … in order. @default none */
  readonly versions?: readonly FixtureFunctionImage[];
  readonly aliases?: readonly FixtureFunctionAlias[];
}

/** An EventBridge rule's target. ECS RunTask targets name a cluster and a task definition. */
export interface FixtureRuleTarget {
  readonly id: string;
  /** The target's ARN: for an ECS target, the cluster's ARN (a bare cluster name is expanded to it). */
  readonly arn: string;
  /** ECS targets: `EcsParameters.TaskDefinitionArn`, as `family:revision`, `family`, or an ARN (names are expanded). */
  readonly taskDefinition?: string;
}

/** An EventBridge rule on an event bus. */
export interface FixtureRule {
  readonly name: string;
  /** @default 'ENABLED' */
  readonly state?: 'ENABLED' | 'DISABLED';
  /**
   * Only on the default bus: EventBridge refuses schedule expressions on any other, whose rules match
   * an event pattern instead.
   *
   * @default 'rate(1 day)' on the default bus
   */
  readonly scheduleExpression?: string;
  readonly targets?: readonly FixtureRuleTarget[];
}

/** An EventBridge event bus and its rules. The `default` bus exists whether or not it is listed. */
export interface FixtureEventBus {
  readonly name: string;
  readonly rules?: readonly FixtureRule[];
}

/** An EventBridge Scheduler schedule's target: a templated target, or a universal (`aws-sdk`) one with its `Input`. */
export interface FixtureScheduleTarget {
  /** A cluster ARN (a bare cluster name is expanded) for the templated ECS RunTask target; `arn:aws:scheduler:::aws-sdk:ecs:runTask`; or any other ARN. */
  readonly arn: string;
  /** The templated ECS target's `EcsParameters.TaskDefinitionArn` (names are expanded to ARNs). */
  readonly taskDefinition?: string;
  /** The target's `Input`, verbatim (JSON for universal targets). */
  readonly input?: string;
}

export interface FixtureSchedule {
  readonly name: string;
  /** @default 'ENABLED' */
  readonly state?: 'ENABLED' | 'DISABLED';
  readonly target: FixtureScheduleTarget;
}

/** An EventBridge Scheduler schedule group. The `default` group exists whether or not it is listed. */
export interface FixtureScheduleGroup {
  readonly name: string;
  readonly schedules?: readonly FixtureSchedule[];
}

/** An S3 object, served by GetObject and listed by ListObjectsV2. Its bucket exists whether or not `Fixture.buckets` names it. */
export interface FixtureObject {
  readonly bucket: string;
  readonly key: string;
  /** The object's bytes, as UTF-8 text. */
  readonly body: string;
  /** @default 'text/plain' */
  readonly contentType?: string;
  /** Days before the emulator's start (or `Fixture.now`) that it was last modified. Fractions are allowed. @default 1 */
  readonly modifiedDaysAgo?: number;
}

/** What STS GetCallerIdentity answers. */
export interface FixtureCallerIdentity {
  /** @default `Fixture.accountId` */
  readonly account?: string;
  /** @default `arn:aws:sts::<account>:assumed-role/ecr-maintainer/cleaner` */
  readonly arn?: string;
  /** Answer this error instead, as STS does for credentials that are invalid or expired. */
  readonly error?: 'InvalidClientTokenId' | 'ExpiredToken';
}

/**
 * An IAM role that STS AssumeRole may assume. A role that the fixture does not list is denied, as IAM
 * denies a role whose trust policy does not name the caller.
 */
export interface FixtureRole {
  /** `arn:aws:iam::<account>:role/<path/><name>`: the account that its credentials are served as. */
  readonly arn: string;
  /** The trust policy's `sts:ExternalId` condition: AssumeRole must give exactly this. @default none required */
  readonly externalId?: string;
  /** The trust policy does not trust the caller: AssumeRole answers AccessDenied. @default false */
  readonly deny?: boolean;
  /** The role's MaxSessionDuration: a longer DurationSeconds is a ValidationError. @default 3600, as IAM's */
  readonly maxSessionDurationSeconds?: number;
}

/**
 * The resources of one account in one region, besides the fixture's primary account. The same account
 * may appear once per region; an account and region that no fixture names is served empty.
 */
export interface AccountFixture {
  readonly accountId: string;
  readonly region: string;
  /** @default none */
  readonly repositories?: readonly FixtureRepository[];
  readonly clusters?: readonly FixtureCluster[];
  readonly taskDefinitions?: readonly FixtureTaskDefinition[];
  readonly functions?: readonly FixtureFunction[];
  readonly secrets?: Readonly<Record<string, string>>;
  readonly eventBuses?: readonly FixtureEventBus[];
  readonly scheduleGroups?: readonly FixtureScheduleGroup[];
}

/** An AWS error to answer instead of the real response. */
export interface FaultRule {
  /** `ECR.DescribeImages`, `ECS.ListTasks`, `SecretsManager.GetSecretValue`, `STS.AssumeRole`, … */
  readonly operation: string;
  /** Only calls served as this account (the one that the request's credentials belong to). */
  readonly account?: string;
  /** Only calls served in this region (the one that the request was signed for). */
  readonly region?: string;
  /** Only STS AssumeRole calls for this role (its ARN, as the call gives it). */
  readonly role?: string;
  /** Only calls about this cluster (name) or repository. */
  readonly cluster?: string;
  readonly repository?: string;
  /** Only calls about this Lambda function (its name). */
  readonly function?: string;
  /** Only S3 calls about this bucket. */
  readonly bucket?: string;
  /** @default 'AccessDeniedException' */
  readonly code?: string;
  /** @default 400 */
  readonly status?: number;
  readonly message?: string;
  /** Let this many matching calls through first. @default 0 */
  readonly after?: number;
  /** Fail this many matching calls, then let them through. @default every one */
  readonly times?: number;
}

export interface SlackFault {
  /** `chat.postMessage`, `files.getUploadURLExternal`, `files.completeUploadExternal`, `upload`. */
  readonly method: string;
  /** A Slack error code such as `channel_not_found`; `ratelimited` answers HTTP 429 with Retry-After. */
  readonly error?: string;
  /** Answer after this long, to provoke a client timeout. */
  readonly delayMs?: number;
  /** @default 1 */
  readonly retryAfterSeconds?: number;
  readonly after?: number;
  readonly times?: number;
}

export interface Faults {
  /** Added to every AWS call. */
  readonly latencyMs?: number;
  /** A fraction of AWS calls answer ThrottlingException, chosen by a seeded generator. */
  readonly throttle?: { readonly rate: number; readonly seed: number };
  readonly errors?: readonly FaultRule[];
  /** `BatchDeleteImage` reports these digests in `failures[]` with this code. */
  readonly deleteFailures?: readonly { readonly digest: string; readonly code: string; readonly reason?: string }[];
  readonly slack?: readonly SlackFault[];
}

export interface Fixture {
  /** The primary account: the one that the access key `emulator` (`Emulator.env()`) is served as. @default '123456789012' */
  readonly accountId?: string;
  /** The primary account's region, whose resources are the fixture's top-level fields. @default 'eu-west-2' */
  readonly region?: string;
  /** The instant that `pushedDaysAgo` counts back from. @default the emulator's start */
  readonly now?: string;
  readonly repositories: readonly FixtureRepository[];
  readonly clusters?: readonly FixtureCluster[];
  readonly taskDefinitions?: readonly FixtureTaskDefinition[];
  /** Lambda functions, in the order that ListFunctions lists them. */
  readonly functions?: readonly FixtureFunction[];
  /** Secrets Manager secrets, by name. */
  readonly secrets?: Readonly<Record<string, string>>;
  readonly slack?: { readonly token: string; readonly channels: readonly { readonly id: string; readonly name: string }[] };
  /** EventBridge event buses with their rules. */
  readonly eventBuses?: readonly FixtureEventBus[];
  /** EventBridge Scheduler schedule groups with their schedules. */
  readonly scheduleGroups?: readonly FixtureScheduleGroup[];
  /** S3 buckets, empty unless `objects` put something in them. The buckets of `objects` exist too; any other is NoSuchBucket. */
  readonly buckets?: readonly string[];
  /** S3 objects. */
  readonly objects?: readonly FixtureObject[];
  /**
   * STS GetCallerIdentity's answer to the primary account's credentials (the access key `emulator`).
   * @default the fixture's account, as an assumed role
   */
  readonly callerIdentity?: FixtureCallerIdentity;
  /** Other accounts and regions, each with its own resources. S3 and Slack stay one, shared by all. @default none */
  readonly accounts?: readonly AccountFixture[];
  /** The roles that STS AssumeRole may assume, in any account. @default none: every AssumeRole is denied */
  readonly roles?: readonly FixtureRole[];
  readonly faults?: Faults;
}

export function sha256(text: string): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}

interface ImageOptions {
  readonly tags?: readonly string[];
  readonly pushedDaysAgo?: number;
  readonly sizeBytes?: number;
}

/**
 * A single-platform OCI image. `seed` makes it unique: two images with the same seed are the same image.
 */
export function image(seed: string, options: ImageOptions = {}): FixtureImage {
  const sizeBytes = options.sizeBytes ?? 50_000_000;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(`config:${seed}`), size: 1500 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(`layer:${seed}`), size: sizeBytes - 1500 }],
  });
  return {
    digest: sha256(manifest),
    tags: options.tags ?? [],
    pushedDaysAgo: options.pushedDaysAgo ?? 0,
    sizeBytes,
    mediaType: OCI_MANIFEST,
    manifest,
  };
}

export interface MultiArchImage {
  readonly index: FixtureImage;
  readonly children: readonly FixtureImage[];
  /** The index first, then its children: the order to put them in a repository. */
  readonly all: readonly FixtureImage[];
}

/**
 * A multi-architecture image: an image index (or a Docker manifest list) that lists one image per
 * platform, and, when `attestations` is set, a buildx attestation manifest per platform.
 */
export function multiArchImage(
  seed: string,
  options: ImageOptions & { readonly platforms?: readonly string[]; readonly attestations?: boolean; readonly dockerManifestList?: boolean } = {},
): MultiArchImage {
  const platforms = options.platforms ?? ['linux/amd64', 'linux/arm64'];
  const pushedDaysAgo = options.pushedDaysAgo ?? 0;
  const perPlatform = Math.round((options.sizeBytes ?? 80_000_000) / platforms.length);
  const children = platforms.map((platform) => image(`${seed}:${platform}`, { pushedDaysAgo, sizeBytes: perPlatform }));
  const attestations = options.attestations
    ? children.map((child) => image(`${seed}:attestation:${child.digest}`, { pushedDaysAgo, sizeBytes: 20_000 }))
    : [];
  const indexMediaType = options.dockerManifestList ? DOCKER_MANIFEST_LIST : OCI_INDEX;
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: indexMediaType,
    manifests: [
      ...children.map((child, position) => {
        const [os, architecture] = platforms[position].split('/');
        return { mediaType: OCI_MANIFEST, digest: child.digest, size: child.manifest.length, platform: { architecture, os } };
      }),
      ...attestations.map((attestation, position) => ({
        mediaType: OCI_MANIFEST,
        digest: attestation.digest,
        size: attestation.manifest.length,
        platform: { architecture: 'unknown', os: 'unknown' },
        annotations: { 'vnd.docker.reference.digest': children[position].digest, 'vnd.docker.reference.type': 'attestation-manifest' },
      })),
    ],
  });
  const index: FixtureImage = {
    digest: sha256(manifest),
    tags: options.tags ?? [],
    pushedDaysAgo,
    sizeBytes: manifest.length,
    mediaType: indexMediaType,
    manifest,
  };
  return { index, children: [...children, ...attestations], all: [index, ...children, ...attestations] };
}

/** An OCI referrer (a cosign signature) whose subject is `subject`. */
export function signature(subject: FixtureImage, options: { readonly pushedDaysAgo?: number } = {}): FixtureImage {
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: COSIGN_SIGNATURE,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256('{}'), size: 2 },
    layers: [{ mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json', digest: sha256(`sig:${subject.digest}`), size: 250 }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.manifest.length },
  });
  return {
    digest: sha256(manifest),
    tags: [],
    pushedDaysAgo: options.pushedDaysAgo ?? subject.pushedDaysAgo,
    sizeBytes: 1_000,
    mediaType: OCI_MANIFEST,
    manifest,
    artifactMediaType: COSIGN_SIGNATURE,
    subjectDigest: subject.digest,
  };
}

/** A legacy cosign signature, found by its tag `sha256-<hex>.sig`. */
export function cosignTagSignature(subject: FixtureImage, options: { readonly pushedDaysAgo?: number } = {}): FixtureImage {
  const signed = image(`cosign-tag:${subject.digest}`, { pushedDaysAgo: options.pushedDaysAgo ?? subject.pushedDaysAgo, sizeBytes: 1_200 });
  return { ...signed, tags: [`${subject.digest.replace(':', '-')}.sig`] };
}

/** The registry host of the fixture's account and region. */
export function registryHost(fixture: Pick<Fixture, 'accountId' | 'region'>): string {
  return `${fixture.accountId ?? '123456789012'}.dkr.ecr.${fixture.region ?? 'eu-west-2'}.amazonaws.com`;
}
