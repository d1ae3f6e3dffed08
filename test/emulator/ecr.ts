/**
 * Amazon ECR, as far as the cleaner uses it: DescribeRepositories, ListImages, DescribeImages,
 * BatchGetImage and BatchDeleteImage, with the API's page sizes, its limits of 100 ids, its
 * `failures[]`, and its refusal to delete a manifest that an image index lists.
 */
import { AwsError, checkMaxItems, epochSeconds, invalidParameter, paginate, type Params } from './protocol';
import type { Faults, Fixture } from './fixture';

export interface StoredImage {
  readonly digest: string;
  readonly tags: Set<string>;
  readonly pushedAt: Date;
  readonly pulledAt?: Date;
  readonly sizeBytes: number;
  readonly mediaType: string;
  readonly manifest: string;
  readonly artifactMediaType?: string;
  readonly subjectDigest?: string;
  /** The digests an index manifest lists. */
  readonly children: readonly string[];
}

export interface StoredRepository {
  readonly name: string;
  readonly arn: string;
  readonly uri: string;
  readonly createdAt: Date;
  readonly images: Map<string, StoredImage>;
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

export class Ecr {
  readonly repositories = new Map<string, StoredRepository>();

  constructor(
    private readonly accountId: string,
    region: string,
    fixture: Fixture,
    now: Date,
    private readonly faults: () => Faults,
  ) {
    for (const repository of fixture.repositories) {
      const images = new Map<string, StoredImage>();
      for (const image of repository.images) {
        const children = INDEX_TYPES.has(image.mediaType)
          ? ((JSON.parse(image.manifest) as { manifests?: { digest: string }[] }).manifests ?? []).map((entry) => entry.digest)
          : [];
        images.set(image.digest, {
          digest: image.digest,
          tags: new Set(image.tags),
          pushedAt: new Date(now.getTime() - image.pushedDaysAgo * 86_400_000),
          ...(image.pulledDaysAgo !== undefined && { pulledAt: new Date(now.getTime() - image.pulledDaysAgo * 86_400_000) }),
          sizeBytes: image.sizeBytes,
          mediaType: image.mediaType,
          manifest: image.manifest,
          children,
          ...(image.artifactMediaType && { artifactMediaType: image.artifactMediaType }),
          ...(image.subjectDigest && { subjectDigest: image.subjectDigest }),
        });
      }
      this.repositories.set(repository.name, {
        name: repository.name,
        arn: `arn:aws:ecr:${region}:${accountId}:repository/${repository.name}`,
        uri: `${accountId}.dkr.ecr.${region}.amazonaws.com/${repository.name}`,
        createdAt: new Date(now.getTime() - 365 * 86_400_000),
        images,
      });
    }
  }

  /** The repository or cluster a call is about, for fault rules. */
  static target(params: Params): { repository?: string } {
    return typeof params.repositoryName === 'string' ? { repository: params.repositoryName } : {};
  }

  handle(operation: string, params: Params): unknown {
    switch (operation) {
      case 'DescribeRepositories':
        return this.describeRepositories(params);
      case 'ListImages':
        return this.listImages(params);
      case 'DescribeImages':
        return this.describeImages(params);
      case 'BatchGetImage':
        return this.batchGetImage(params);
      case 'BatchDeleteImage':
        return this.batchDeleteImage(params);
      default:
        throw new AwsError('UnknownOperationException', `ECR operation ${operation} is not emulated`);
    }
  }

  private repository(params: Params): StoredRepository {
    const name = params.repositoryName;
    if (typeof name !== 'string') throw invalidParameter('repositoryName is required');
    const repository = this.repositories.get(name);
    if (!repository) {
      throw new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${this.accountId}'`);
    }
    return repository;
  }

  private describeRepositories(params: Params): unknown {
    const names = checkMaxItems(params, 'repositoryNames', 100) as string[];
    let repositories = [...this.repositories.values()].sort((a, b) => a.name.localeCompare(b.name));
    if (names.length > 0) {
      if (params.maxResults !== undefined) throw invalidParameter('maxResults cannot be used with repositoryNames');
      repositories = names.map((name) => this.repository({ repositoryName: name }));
      return { repositories: repositories.map((repository) => this.describeRepository(repository)) };
    }
    const { page, nextToken } = paginate(repositories, params, { defaultSize: 100, maxSize: 1000, key: 'DescribeRepositories' });
    return { repositories: page.map((repository) => this.describeRepository(repository)), ...(nextToken && { nextToken }) };
  }

  private describeRepository(repository: StoredRepository): unknown {
    return {
      repositoryArn: repository.arn,
      registryId: this.accountId,
      repositoryName: repository.name,
      repositoryUri: repository.uri,
      createdAt: epochSeconds(repository.createdAt),
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
      encryptionConfiguration: { encryptionType: 'AES256' },
    };
  }

  private sortedImages(repository: StoredRepository): StoredImage[] {
    return [...repository.images.values()].sort((a, b) => a.pushedAt.getTime() - b.pushedAt.getTime() || a.digest.localeCompare(b.digest));
  }

  private listImages(params: Params): unknown {
    const repository = this.repository(params);
    const ids = this.sortedImages(repository).flatMap((stored) =>
      stored.tags.size === 0 ? [{ imageDigest: stored.digest }] : [...stored.tags].sort().map((imageTag) => ({ imageDigest: stored.digest, imageTag })),
    );
    const { page, nextToken } = paginate(ids, params, { defaultSize: 100, maxSize: 1000, key: `ListImages:${repository.name}` });
    return { imageIds: page, ...(nextToken && { nextToken }) };
  }

  private describeImages(params: Params): unknown {
    const repository = this.repository(params);
    const ids = checkMaxItems(params, 'imageIds', 100) as { imageDigest?: string; imageTag?: string }[];
    if (ids.length > 0) {
      const found = ids.map((id) => {
        const stored = this.find(repository, id);
        if (!stored) {
          throw new AwsError('ImageNotFoundException', `The image with imageId {imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'} does not exist within the repository with name '${repository.name}' in the registry with id '${this.accountId}'`);
        }
        return stored;
      });
      return { imageDetails: found.map((stored) => this.detail(repository, stored)) };
    }
    const { page, nextToken } = paginate(this.sortedImages(repository), params, { defaultSize: 100, maxSize: 1000, key: `DescribeImages:${repository.name}` });
    return { imageDetails: page.map((stored) => this.detail(repository, stored)), ...(nextToken && { nextToken }) };
  }

  private detail(repository: StoredRepository, stored: StoredImage): unknown {
    return {
      registryId: this.accountId,
      repositoryName: repository.name,
      imageDigest: stored.digest,
      ...(stored.tags.size > 0 && { imageTags: [...stored.tags].sort() }),
      imageSizeInBytes: stored.sizeBytes,
      imagePushedAt: epochSeconds(stored.pushedAt),
      ...(stored.pulledAt && { lastRecordedPullTime: epochSeconds(stored.pulledAt) }),
      imageManifestMediaType: stored.mediaType,
      ...(stored.artifactMediaType && { artifactMediaType: stored.artifactMediaType }),
      ...(stored.subjectDigest && { subjectManifestDigest: stored.subjectDigest }),
      imageStatus: 'ACTIVE',
    };
  }

  private find(repository: StoredRepository, id: { imageDigest?: string; imageTag?: string }): StoredImage | undefined {
    if (id.imageDigest) {
      const stored = repository.images.get(id.imageDigest);
      return stored && (id.imageTag === undefined || stored.tags.has(id.imageTag)) ? stored : undefined;
    }
    return [...repository.images.values()].find((stored) => id.imageTag !== undefined && stored.tags.has(id.imageTag));
  }

  private batchGetImage(params: Params): unknown {
    const repository = this.repository(params);
    const ids = checkMaxItems(params, 'imageIds', 100) as { imageDigest?: string; imageTag?: string }[];
    if (ids.length === 0) throw invalidParameter('imageIds must not be empty');
    const images: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of ids) {
      const stored = this.find(repository, id);
      if (!stored) failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
      else {
        images.push({
          registryId: this.accountId,
          repositoryName: repository.name,
          imageId: { imageDigest: stored.digest, ...(id.imageTag && { imageTag: id.imageTag }) },
          imageManifest: stored.manifest,
          imageManifestMediaType: stored.mediaType,
        });
      }
    }
    return { images, failures };
  }

  private batchDeleteImage(params: Params): unknown {
    const repository = this.repository(params);
    const ids = checkMaxItems(params, 'imageIds', 100) as { imageDigest?: string; imageTag?: string }[];
    if (ids.length === 0) throw invalidParameter('imageIds must not be empty');
    // ECR checks references against the repository as it was when the call began: an index and its
    // child in one call still fail the child.
    const listedBy = new Map<string, string[]>();
    for (const stored of repository.images.values()) {
      for (const child of stored.children) listedBy.set(child, [...(listedBy.get(child) ?? []), stored.digest]);
    }
    const injected = new Map((this.faults().deleteFailures ?? []).map((failure) => [failure.digest, failure]));

    const imageIds: unknown[] = [];
    const failures: unknown[] = [];
    for (const id of ids) {
      const stored = this.find(repository, id);
      if (!stored) {
        failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
        continue;
      }
      const fault = injected.get(stored.digest);
      if (fault) {
        failures.push({ imageId: id, failureCode: fault.code, failureReason: fault.reason ?? `injected ${fault.code}` });
        continue;
      }
      const parents = listedBy.get(stored.digest) ?? [];
      if (parents.length > 0 && (id.imageTag === undefined || stored.tags.size <= 1)) {
        failures.push({ imageId: id, failureCode: 'ImageReferencedByManifestList', failureReason: `Requested image referenced by manifest list: [${parents.join(', ')}]` });
        continue;
      }
      if (id.imageTag !== undefined && id.imageDigest === undefined && stored.tags.size > 1) {
        stored.tags.delete(id.imageTag);
        imageIds.push({ imageDigest: stored.digest, imageTag: id.imageTag });
        continue;
      }
      repository.images.delete(stored.digest);
      if (stored.tags.size === 0) imageIds.push({ imageDigest: stored.digest });
      for (const tag of [...stored.tags].sort()) imageIds.push({ imageDigest: stored.digest, imageTag: tag });
    }
    return { imageIds, failures };
  }
}
