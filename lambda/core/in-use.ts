/**
 * Resolves the image references that workloads use into the digests of this registry's images.
 */
import { parseImageReference, registryOf } from './image-ref';
import type { ImageRecord, ImageUse, Repository } from './types';

/** How one use was matched to an image of this registry, or why it names none. */
export type UseResolution =
  | { readonly use: ImageUse; readonly matched: true; readonly repository: string; readonly digest: string; readonly by: 'digest' | 'tag' }
  | { readonly use: ImageUse; readonly matched: false; readonly why: string };

/**
 * Matches each use to an image. The task's own `imageDigest` counts first, then a digest in the
 * reference; a tag names the image that carries it now, among the listed images. Only references to
 * this registry's host (`<account>.dkr.ecr.<region>.amazonaws.com`) can match.
 *
 * @param imagesByRepository the listed images of each completely listed repository
 */
export function resolveUses(
  uses: readonly ImageUse[],
  repositories: readonly Repository[],
  imagesByRepository: ReadonlyMap<string, readonly ImageRecord[]>,
): UseResolution[] {
  const hosts = new Set(repositories.map((repository) => registryOf(repository.uri)));
  const names = new Set(repositories.map((repository) => repository.name));
  const tagIndex = new Map<string, Map<string, string>>();
  const digestIndex = new Map<string, Set<string>>();
  for (const [repository, images] of imagesByRepository) {
    tagIndex.set(repository, new Map(images.flatMap((image) => image.tags.map((tag) => [tag, image.digest] as const))));
    digestIndex.set(repository, new Set(images.map((image) => image.digest)));
  }

  return uses.map((use): UseResolution => {
    const reference = parseImageReference(use.reference);
    if (!reference) return { use, matched: false, why: 'not a valid image reference' };
    if (!hosts.has(reference.registry)) return { use, matched: false, why: `another registry (${reference.registry})` };
    if (!names.has(reference.repository)) return { use, matched: false, why: 'repository not in scope' };
    const digests = digestIndex.get(reference.repository);
    if (!digests) return { use, matched: false, why: 'repository could not be listed' };

    const digest = use.digest ?? reference.digest;
    if (digest !== undefined) {
      return digests.has(digest)
        ? { use, matched: true, repository: reference.repository, digest, by: 'digest' }
        : { use, matched: false, why: `digest ${digest} is not in the repository` };
    }
    const tagged = tagIndex.get(reference.repository)?.get(reference.tag as string);
    return tagged !== undefined
      ? { use, matched: true, repository: reference.repository, digest: tagged, by: 'tag' }
      : { use, matched: false, why: `tag ${reference.tag} is not in the repository` };
  });
}

/** The matched uses, grouped by repository and then by digest, as the planner takes them. */
export function usesByRepository(
  resolutions: readonly UseResolution[],
): Map<string, Map<string, ImageUse[]>> {
  const out = new Map<string, Map<string, ImageUse[]>>();
  for (const resolution of resolutions) {
    if (!resolution.matched) continue;
    const byDigest = out.get(resolution.repository) ?? new Map<string, ImageUse[]>();
    byDigest.set(resolution.digest, [...(byDigest.get(resolution.digest) ?? []), resolution.use]);
    out.set(resolution.repository, byDigest);
  }
  return out;
}
