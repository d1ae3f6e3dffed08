/**
 * The ECR adapter: lists repositories and images with the largest pages, reads index manifests, and
 * deletes by digest in batches of 100, mapping SDK shapes to the cleaner's own types.
 */
import {
  BatchDeleteImageCommand,
  BatchGetImageCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  type ECRClient,
  type ImageDetail,
  type Repository as EcrRepository,
} from '@aws-sdk/client-ecr';
import { AwsCallError, EcrMaintainerError } from '../errors';
import { INDEX_MEDIA_TYPES } from '../core/artifact-graph';
import { ImageTableBuilder, type ImageTable } from '../core/image-table';
import type { ImageRecord, ImageResult, Repository } from '../core/types';
import { chunk, type ApiCalls } from './api-calls';

/** The largest page that `DescribeRepositories` and `DescribeImages` return. */
const PAGE_SIZE = 1000;
/** The most ids that `BatchGetImage`, `BatchDeleteImage` and `DescribeRepositories` take. */
const BATCH_SIZE = 100;

export interface RepositoryListing {
  readonly repositories: readonly Repository[];
  /** Repositories that were asked for by name but do not exist. */
  readonly missing: readonly string[];
}

/**
 * Lists the repositories: every one, following every page, or only those named.
 *
 * @throws AwsCallError when the listing cannot be completed
 */
export async function listRepositories(
  ecr: ECRClient,
  calls: ApiCalls,
  names?: readonly string[],
): Promise<RepositoryListing> {
  if (names === undefined) {
    const repositories: Repository[] = [];
    let nextToken: string | undefined;
    do {
      const page = await calls.send('ECR.DescribeRepositories', 'the registry', () =>
        ecr.send(new DescribeRepositoriesCommand({ maxResults: PAGE_SIZE, nextToken })),
      );
      repositories.push(...(page.repositories ?? []).map(toRepository));
      nextToken = page.nextToken;
    } while (nextToken);
    return { repositories, missing: [] };
  }

  const repositories: Repository[] = [];
  const missing: string[] = [];
  for (const batch of chunk(names, BATCH_SIZE)) {
    try {
      const page = await calls.send('ECR.DescribeRepositories', batch.join(', '), () =>
        ecr.send(new DescribeRepositoriesCommand({ repositoryNames: batch })),
      );
      repositories.push(...(page.repositories ?? []).map(toRepository));
    } catch (error) {
      if (!(error instanceof AwsCallError) || error.code !== 'RepositoryNotFoundException') throw error;
      if (batch.length === 1) {
        missing.push(batch[0]);
        continue;
      }
      // One missing name fails the whole call; ask for each name alone to find which.
      for (const name of batch) {
        const one = await listRepositories(ecr, calls, [name]);
        repositories.push(...one.repositories);
        missing.push(...one.missing);
      }
    }
  }
  return { repositories, missing };
}

function toRepository(repository: EcrRepository): Repository {
  if (!repository.repositoryName || !repository.repositoryUri || !repository.registryId) {
    throw new EcrMaintainerError(`DescribeRepositories returned a repository without a name, URI or registry id`);
  }
  return { name: repository.repositoryName, uri: repository.repositoryUri, registryId: repository.registryId };
}

/**
 * Lists every image of a repository, following every page, into a compact table.
 *
 * @throws AwsCallError, or EcrMaintainerError for an image that ECR describes without a digest or a
 *   push time, or a digest listed twice: the listing is then not to be trusted, and nothing in the
 *   repository may be deleted
 */
export async function listImages(ecr: ECRClient, calls: ApiCalls, repository: string): Promise<ImageTable> {
  // Each page goes into the compact table as it comes, and the SDK's answer is dropped.
  const images = new ImageTableBuilder(repository);
  const seen = new Set<string>();
  let nextToken: string | undefined;
  do {
    const page = await calls.send('ECR.DescribeImages', `repository ${repository}`, () =>
      ecr.send(new DescribeImagesCommand({ repositoryName: repository, maxResults: PAGE_SIZE, nextToken })),
    );
    for (const detail of page.imageDetails ?? []) {
      const image = toImageRecord(repository, detail);
      // A digest listed twice means the pages overlap or shifted: the listing cannot be trusted.
      if (seen.has(image.digest)) throw new EcrMaintainerError(`DescribeImages listed ${image.digest} twice in repository ${repository}, so its listing cannot be trusted`);
      seen.add(image.digest);
      images.add(image);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return images.build();
}

function toImageRecord(repository: string, detail: ImageDetail): ImageRecord {
  if (!detail.imageDigest || !detail.imagePushedAt) {
    throw new EcrMaintainerError(
      `DescribeImages described an image of repository ${repository} without a digest or a push time (${detail.imageDigest ?? 'no digest'})`,
    );
  }
  return {
    repository,
    digest: detail.imageDigest,
    tags: [...(detail.imageTags ?? [])].sort(),
    pushedAtMs: detail.imagePushedAt.getTime(),
    sizeBytes: detail.imageSizeInBytes ?? 0,
    mediaType: detail.imageManifestMediaType,
    artifactMediaType: detail.artifactMediaType,
    subjectDigest: detail.subjectManifestDigest,
    lastPulledAtMs: detail.lastRecordedPullTime?.getTime(),
  };
}

/**
 * Reads the manifests of image indexes, at most 100 a call, and returns the digests each one lists.
 *
 * @throws AwsCallError, or EcrMaintainerError when a manifest cannot be read or parsed
 */
export async function readIndexChildren(
  ecr: ECRClient,
  calls: ApiCalls,
  repository: string,
  indexDigests: readonly string[],
): Promise<Map<string, string[]>> {
  const children = new Map<string, string[]>();
  for (const batch of chunk(indexDigests, BATCH_SIZE)) {
    const output = await calls.send('ECR.BatchGetImage', `repository ${repository}`, () =>
      ecr.send(
        new BatchGetImageCommand({
          repositoryName: repository,
          imageIds: batch.map((imageDigest) => ({ imageDigest })),
          acceptedMediaTypes: [...INDEX_MEDIA_TYPES],
        }),
      ),
    );
    const failure = output.failures?.[0];
    if (failure) {
      throw new EcrMaintainerError(
        `BatchGetImage could not read index ${failure.imageId?.imageDigest ?? '?'} of repository ${repository}: ${failure.failureCode}: ${failure.failureReason}`,
      );
    }
    for (const image of output.images ?? []) {
      const digest = image.imageId?.imageDigest;
      if (!digest) continue;
      children.set(digest, parseIndexManifest(repository, digest, image.imageManifest));
    }
  }
  const unread = indexDigests.filter((digest) => !children.has(digest));
  if (unread.length > 0) {
    throw new EcrMaintainerError(`BatchGetImage returned no manifest for index ${unread[0]} of repository ${repository}`);
  }
  return children;
}

function parseIndexManifest(repository: string, digest: string, manifest: string | undefined): string[] {
  try {
    const parsed = JSON.parse(manifest ?? '') as { manifests?: { digest?: unknown }[] };
    return (parsed.manifests ?? []).map((entry) => entry.digest).filter((child): child is string => typeof child === 'string');
  } catch (error) {
    throw new EcrMaintainerError(`the manifest of index ${digest} in repository ${repository} is not JSON`, { cause: error });
  }
}

/** What ECR did with one digest that the cleaner asked it to delete. */
export type DeleteOutcome = Extract<ImageResult, { status: 'deleted' | 'already-gone' | 'failed' }>;

/** One object for every deleted manifest of a run, rather than one each: a deleting run keeps them to the end. */
const DELETED: DeleteOutcome = Object.freeze({ status: 'deleted' });
const ALREADY_GONE: DeleteOutcome = Object.freeze({ status: 'already-gone' });

/**
 * Deletes images by digest, at most 100 a call. A call that fails outright fails every digest in it;
 * `failures[]` are mapped one by one.
 */
export async function deleteImages(
  ecr: ECRClient,
  calls: ApiCalls,
  repository: string,
  digests: readonly string[],
): Promise<Map<string, DeleteOutcome>> {
  const outcomes = new Map<string, DeleteOutcome>();
  await Promise.all(
    chunk(digests, BATCH_SIZE).map(async (batch) => {
      try {
        const output = await calls.send('ECR.BatchDeleteImage', `repository ${repository}`, () =>
          ecr.send(
            new BatchDeleteImageCommand({
              repositoryName: repository,
              imageIds: batch.map((imageDigest) => ({ imageDigest })),
            }),
          ),
        );
        const deleted = new Set((output.imageIds ?? []).map((id) => id.imageDigest));
        const failures = new Map((output.failures ?? []).map((failure) => [failure.imageId?.imageDigest, failure]));
        for (const digest of batch) {
          const failure = failures.get(digest);
          if (failure?.failureCode === 'ImageNotFound') outcomes.set(digest, ALREADY_GONE);
          else if (failure) {
            outcomes.set(digest, { status: 'failed', code: failure.failureCode ?? 'Unknown', message: failure.failureReason ?? '' });
          } else if (deleted.has(digest)) outcomes.set(digest, DELETED);
          else outcomes.set(digest, { status: 'failed', code: 'NoResult', message: 'ECR reported neither a deletion nor a failure' });
        }
      } catch (error) {
        const code = error instanceof AwsCallError ? error.code : 'Error';
        for (const digest of batch) outcomes.set(digest, { status: 'failed', code, message: (error as Error).message });
      }
    }),
  );
  return outcomes;
}
