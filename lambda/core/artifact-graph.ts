/**
 * The artifact graph of one repository. An artifact is a top-level image with everything that belongs
 * to it: the child manifests of an image index, and the referrers (signatures, SBOMs, attestations)
 * of it or of its children.
 */
import type { ImageRecord } from './types';

/** How a member belongs to its owner. */
export type EdgeKind = 'child' | 'referrer';

export interface Edge {
  readonly digest: string;
  readonly kind: EdgeKind;
}

export interface ArtifactGraph {
  /** The images that nothing in the repository owns, in no promised order (the planner ranks them). */
  readonly roots: readonly ImageRecord[];
  image(digest: string): ImageRecord | undefined;
  /** The images that this one owns directly. */
  membersOf(digest: string): readonly Edge[];
  /** The images that own this one directly. */
  ownersOf(digest: string): readonly Edge[];
  /** Everything that belongs to a root, transitively, in a stable depth-first order; not the root. */
  descendantsOf(digest: string): readonly ImageRecord[];
  /** Whether any image owns another: when none does, every image is a root with no members. */
  readonly linked: boolean;
}

/** The media types of image indexes and manifest lists, whose manifests list children. */
export const INDEX_MEDIA_TYPES: readonly string[] = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
];

/** A legacy cosign tag, `sha256-<hex>.sig` (or `.att`, `.sbom`), names the image it belongs to. */
const COSIGN_TAG = /^sha256-([0-9a-f]{64})\.(?:sig|att|sbom)$/;

/** Whether a manifest media type is an image index or a manifest list, whose children must be read. */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType !== undefined && INDEX_MEDIA_TYPES.includes(mediaType);
}

/**
 * Builds the graph from the listed images and the children read from each index manifest. Children
 * and subjects that are not in the repository are ignored: an image whose owners are all gone is an
 * orphan, and a root of its own.
 */
export function buildArtifactGraph(
  images: readonly ImageRecord[],
  indexChildren: ReadonlyMap<string, readonly string[]>,
): ArtifactGraph {
  // Most repositories hold only plain images: no index to read, no subject, no cosign tag. Then nothing
  // can own anything, and every image is a root of its own.
  const mayLink = indexChildren.size > 0 || images.some((image) => image.subjectDigest !== undefined || image.tags.some((tag) => COSIGN_TAG.test(tag)));
  if (!mayLink) {
    let byDigest: Map<string, ImageRecord> | undefined;
    return {
      roots: images,
      image: (digest) => (byDigest ??= new Map(images.map((image) => [image.digest, image]))).get(digest),
      membersOf: () => NO_EDGES,
      ownersOf: () => NO_EDGES,
      descendantsOf: () => NONE,
      linked: false,
    };
  }
  const byDigest = new Map(images.map((image) => [image.digest, image]));
  const members = new Map<string, Edge[]>();
  const owners = new Map<string, Edge[]>();
  const link = (owner: string, member: string, kind: EdgeKind): void => {
    if (owner === member || !byDigest.has(owner) || !byDigest.has(member)) return;
    const existing = members.get(owner) ?? [];
    if (existing.some((edge) => edge.digest === member)) return;
    members.set(owner, [...existing, { digest: member, kind }]);
    owners.set(member, [...(owners.get(member) ?? []), { digest: owner, kind }]);
  };

  const sorted = [...images].sort(byDigestOrder);
  for (const image of sorted) {
    for (const child of indexChildren.get(image.digest) ?? []) link(image.digest, child, 'child');
    if (image.subjectDigest !== undefined) link(image.subjectDigest, image.digest, 'referrer');
    for (const tag of image.tags) {
      const match = COSIGN_TAG.exec(tag);
      if (match) link(`sha256:${match[1]}`, image.digest, 'referrer');
    }
  }

  const descendants = (digest: string): readonly ImageRecord[] => {
    // Most images own nothing: no walk, and no new array.
    if (!members.has(digest)) return NONE;
    const seen = new Set([digest]);
    const out: ImageRecord[] = [];
    const visit = (current: string): void => {
      for (const edge of members.get(current) ?? []) {
        if (seen.has(edge.digest)) continue;
        seen.add(edge.digest);
        out.push(byDigest.get(edge.digest) as ImageRecord);
        visit(edge.digest);
      }
    };
    visit(digest);
    return out;
  };

  // Roots are the unowned images. Owners form cycles only when tags say so (two images tagged as each
  // other's signatures); an image that no root reaches becomes a root of its own.
  const roots = sorted.filter((image) => !owners.has(image.digest));
  if (owners.size > 0) {
    const reached = new Set<string>();
    for (const root of roots) {
      reached.add(root.digest);
      for (const member of descendants(root.digest)) reached.add(member.digest);
    }
    for (const image of sorted) {
      if (reached.has(image.digest)) continue;
      roots.push(image);
      reached.add(image.digest);
      for (const member of descendants(image.digest)) reached.add(member.digest);
    }
  }

  return {
    roots,
    image: (digest) => byDigest.get(digest),
    membersOf: (digest) => members.get(digest) ?? NO_EDGES,
    ownersOf: (digest) => owners.get(digest) ?? NO_EDGES,
    descendantsOf: descendants,
    linked: owners.size > 0,
  };
}

const NONE: readonly ImageRecord[] = Object.freeze([]);
const NO_EDGES: readonly Edge[] = Object.freeze([]);

function byDigestOrder(a: ImageRecord, b: ImageRecord): number {
  return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
}
