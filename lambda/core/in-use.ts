/**
 * Resolves the image references that workloads use into the digests of this registry's images.
 */
import { parseImageReference, registryOf } from './image-ref';
import { ecrAccountOf, parseRegistryHost, sameRegistry, type RegistryIdentity } from './registry-host';
import type { ImageTable } from './image-table';
import type { ImageUse, Repository, UseSource } from './types';

/**
 * How one use was matched to an image of this registry, or why it names none. `problem` marks a use that
 * names this account's ECR in a form that cannot be matched: in-use discovery is then incomplete.
 */
export type UseResolution =
  | { readonly use: ImageUse; readonly matched: true; readonly repository: string; readonly digest: string; readonly by: 'digest' | 'tag' }
  | { readonly use: ImageUse; readonly matched: false; readonly why: string; readonly problem?: true };

/**
 * Matches each use to an image. The workload's own resolved digest counts first, then a digest in the
 * reference; a tag names the image that carries it now, among the listed images. Only references to
 * this registry can match, under any host name that ECR answers for it (FIPS, dual-stack, any case, an
 * explicit port 443). A reference that names this account's ECR but cannot be read is a problem.
 *
 * @param imagesByRepository the listed images of each completely listed repository (their records are
 *   read only for the repositories that some use names)
 * @param excluded the repositories that a rule excludes: not listed, and never cleaned
 */
export function resolveUses(
  uses: readonly ImageUse[],
  repositories: readonly Repository[],
  imagesByRepository: ReadonlyMap<string, ImageTable>,
  excluded: ReadonlySet<string> = new Set(),
): UseResolution[] {
  const registries = repositories
    .map((repository) => parseRegistryHost(registryOf(repository.uri)))
    .filter((identity): identity is RegistryIdentity => identity !== undefined);
  // Without this registry's own identity no use can be matched or ruled out: every one is in doubt.
  const unreadable = repositories.find((repository) => parseRegistryHost(registryOf(repository.uri)) === undefined);
  if (unreadable) {
    const why = `this registry's own host ${registryOf(unreadable.uri)} (of repository ${unreadable.name}) is not one the cleaner can read, so no use can be matched`;
    return uses.map((use) => ({ use, matched: false, why, problem: true }));
  }
  const accounts = new Set(registries.map((identity) => identity.account));
  const ours = (host: string): boolean => accounts.has(ecrAccountOf(host) ?? '');
  const names = new Set(repositories.map((repository) => repository.name));
  // Indexed only for the repositories that some use names, when it first does: not the whole registry.
  const indexes = new Map<string, { readonly digests: ReadonlySet<string>; readonly tags: ReadonlyMap<string, string> }>();
  const indexOf = (repository: string): { readonly digests: ReadonlySet<string>; readonly tags: ReadonlyMap<string, string> } | undefined => {
    const known = indexes.get(repository);
    if (known) return known;
    const images = imagesByRepository.get(repository)?.records();
    if (!images) return undefined;
    const index = { digests: new Set(images.map((image) => image.digest)), tags: new Map(images.flatMap((image) => image.tags.map((tag) => [tag, image.digest] as const))) };
    indexes.set(repository, index);
    return index;
  };

  return uses.map((use): UseResolution => {
    const reference = parseImageReference(use.reference);
    if (!reference) {
      return ours(use.reference)
        ? { use, matched: false, why: "names this account's ECR registry, but is not a valid image reference", problem: true }
        : { use, matched: false, why: 'not a valid image reference' };
    }
    const registry = parseRegistryHost(reference.registry);
    if (!registry) {
      return ours(reference.registry)
        ? { use, matched: false, why: `names this account's ECR registry, but ${reference.registry} is not a host that ECR answers to`, problem: true }
        : { use, matched: false, why: `another registry (${reference.registry})` };
    }
    if (!registries.some((identity) => sameRegistry(identity, registry))) return { use, matched: false, why: `another registry (${reference.registry})` };
    if (!names.has(reference.repository)) return { use, matched: false, why: 'repository not in scope' };
    if (excluded.has(reference.repository)) return { use, matched: false, why: 'repository excluded by the rules, so never cleaned' };
    const index = indexOf(reference.repository);
    if (!index) return { use, matched: false, why: 'repository could not be listed' };

    const digest = use.digest ?? reference.digest;
    if (digest !== undefined) {
      return index.digests.has(digest)
        ? { use, matched: true, repository: reference.repository, digest, by: 'digest' }
        : { use, matched: false, why: `digest ${digest} is not in the repository` };
    }
    const tagged = index.tags.get(reference.tag as string);
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

/** The words that open the description of each source's workload. */
export const WORKLOAD_PREFIX: Readonly<Record<UseSource, string>> = {
  running: 'running task',
  'stopped-recently': 'stopped task',
  'service-deployment': 'service deployment',
  'service-revision': 'service revision',
  'scheduled-task': 'scheduled',
  'task-definition': 'task definition',
  'lambda-function': 'function',
  'in-use-list': 'listed at',
};

/**
 * The workload behind a use, in a few words: `running task prod/abc (app)`, `function resize:live`, and
 * `in account 222222222222` when it runs in a workload account.
 */
export function describeWorkload(use: ImageUse): string {
  const described = describeLocalWorkload(use);
  return use.account === undefined && use.region === undefined ? described : `${described} ${describePlace(use)}`;
}

/** Where a workload runs, when not beside the registry: `in account 222222222222 (eu-west-1)`, `in us-east-1`. */
export function describePlace(place: { readonly account?: string; readonly region?: string }): string {
  if (place.account === undefined) return `in ${place.region ?? 'this account and region'}`;
  return `in account ${place.account}${place.region === undefined ? '' : ` (${place.region})`}`;
}

function describeLocalWorkload(use: ImageUse): string {
  const taskDefinition = use.taskDefinition?.slice(use.taskDefinition.lastIndexOf('/') + 1);
  const container = use.container ? ` (${use.container})` : '';
  const where = (name: string | undefined): string => [use.cluster, name].filter((part) => part !== undefined).join('/');
  switch (use.source) {
    case 'running':
    case 'stopped-recently':
      return `${WORKLOAD_PREFIX[use.source]} ${where(use.task?.slice(use.task.lastIndexOf('/') + 1))}${container}`;
    case 'service-deployment':
      return `${WORKLOAD_PREFIX[use.source]} ${where(use.service)}${taskDefinition ? ` (${taskDefinition})` : ''}`;
    case 'service-revision':
      return `${WORKLOAD_PREFIX[use.source]} ${where(use.service)}${container}`;
    case 'scheduled-task':
      return `${WORKLOAD_PREFIX[use.source]} ${use.schedule ?? '?'}${taskDefinition ? ` (${taskDefinition})` : ''}`;
    case 'task-definition':
      return `${WORKLOAD_PREFIX[use.source]} ${taskDefinition ?? '?'}${container}`;
    case 'lambda-function':
      return `${WORKLOAD_PREFIX[use.source]} ${use.function ?? '?'}`;
    case 'in-use-list':
      return `${WORKLOAD_PREFIX[use.source]} ${use.listEntry ?? '?'}`;
  }
}
