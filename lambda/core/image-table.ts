/**
 * The listed images of one repository, held compactly: the cleaner keeps every listed image from the
 * listing to the report, so a million of them must cost little. Columns rather than objects: a digest is
 * 32 bytes, not a 71-character string; instants and sizes share one array of numbers; media types are
 * numbers into a table kept once per run. `records()` gives the images back as `ImageRecord`s, for the
 * time it takes to match or plan one repository. Pure.
 */
import type { ImageRecord } from './types';

const SHA256 = /^sha256:([0-9a-f]{64})$/;
const DIGEST_BYTES = 32;
/** pushedAtMs, sizeBytes, lastPulledAtMs (NaN when ECR recorded no pull). */
const NUMBERS = 3;
const NO_TAGS: readonly string[] = Object.freeze([]);

/** Every media type met in the run, each stored once, by number. */
const mediaTypes: (string | undefined)[] = [undefined];
const mediaTypeNumbers = new Map<string | undefined, number>([[undefined, 0]]);

function mediaTypeNumber(mediaType: string | undefined): number {
  const known = mediaTypeNumbers.get(mediaType);
  if (known !== undefined) return known;
  mediaTypes.push(mediaType);
  mediaTypeNumbers.set(mediaType, mediaTypes.length - 1);
  return mediaTypes.length - 1;
}

export class ImageTable {
  readonly repository: string;
  /** The number of images. */
  readonly size: number;
  private readonly parts: ImageTableParts;

  constructor(parts: ImageTableParts) {
    this.repository = parts.repository;
    this.size = parts.tags.length;
    this.parts = parts;
  }

  /** Packs the images of `repository`, in the order given. */
  static from(repository: string, images: Iterable<ImageRecord>): ImageTable {
    const builder = new ImageTableBuilder(repository);
    for (const image of images) builder.add(image);
    return builder.build();
  }

  /** The images as records, built anew on each call, in the order they were added. */
  records(): ImageRecord[] {
    const { digests, otherDigests, tags, numbers, kinds, subjects } = this.parts;
    const out = new Array<ImageRecord>(this.size);
    for (let i = 0; i < this.size; i += 1) {
      const tagged = tags[i];
      const lastPulledAtMs = numbers[i * NUMBERS + 2];
      out[i] = {
        repository: this.repository,
        digest: otherDigests.get(i) ?? `sha256:${digests.toString('hex', i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES)}`,
        tags: tagged === undefined ? NO_TAGS : typeof tagged === 'string' ? [tagged] : tagged,
        pushedAtMs: numbers[i * NUMBERS],
        sizeBytes: numbers[i * NUMBERS + 1],
        mediaType: mediaTypes[kinds[i * 2]],
        artifactMediaType: mediaTypes[kinds[i * 2 + 1]],
        subjectDigest: subjects.get(i),
        lastPulledAtMs: Number.isNaN(lastPulledAtMs) ? undefined : lastPulledAtMs,
      };
    }
    return out;
  }
}

/** The columns of a table; see `ImageTable`. */
export interface ImageTableParts {
  readonly repository: string;
  /** 32 bytes per image: the SHA-256 of its digest. */
  readonly digests: Buffer;
  /** Digests that are not SHA-256 (none that ECR stores today), by position. */
  readonly otherDigests: ReadonlyMap<number, string>;
  /** A lone tag as a string, several as a sorted array, none as undefined. */
  readonly tags: readonly (string | readonly string[] | undefined)[];
  /** Three per image: pushedAtMs, sizeBytes, lastPulledAtMs (NaN when ECR recorded no pull). */
  readonly numbers: Float64Array;
  /** Two per image: the numbers of its manifest media type and of its artifact media type. */
  readonly kinds: Uint32Array;
  readonly subjects: ReadonlyMap<number, string>;
}

/** Collects a repository's images one at a time, as they are listed, into growing columns; `build` packs them. */
export class ImageTableBuilder {
  private digests = Buffer.alloc(DIGEST_BYTES * 64);
  private readonly otherDigests = new Map<number, string>();
  private readonly tags: (string | readonly string[] | undefined)[] = [];
  private readonly numbers: number[] = [];
  private readonly kinds: number[] = [];
  private readonly subjects = new Map<number, string>();

  constructor(private readonly repository: string) {}

  add(image: ImageRecord): void {
    const position = this.tags.length;
    if (this.digests.length < (position + 1) * DIGEST_BYTES) {
      const grown = Buffer.alloc(this.digests.length * 2);
      this.digests.copy(grown);
      this.digests = grown;
    }
    const sha256 = SHA256.exec(image.digest);
    if (sha256) this.digests.write(sha256[1], position * DIGEST_BYTES, 'hex');
    else this.otherDigests.set(position, image.digest);
    this.tags.push(image.tags.length === 0 ? undefined : image.tags.length === 1 ? image.tags[0] : image.tags);
    this.numbers.push(image.pushedAtMs, image.sizeBytes, image.lastPulledAtMs ?? Number.NaN);
    this.kinds.push(mediaTypeNumber(image.mediaType), mediaTypeNumber(image.artifactMediaType));
    if (image.subjectDigest !== undefined) this.subjects.set(position, image.subjectDigest);
  }

  build(): ImageTable {
    const size = this.tags.length;
    return new ImageTable({
      repository: this.repository,
      digests: Buffer.from(this.digests.subarray(0, size * DIGEST_BYTES)),
      otherDigests: this.otherDigests,
      tags: this.tags.slice(),
      numbers: Float64Array.from(this.numbers),
      kinds: Uint32Array.from(this.kinds),
      subjects: this.subjects,
    });
  }
}
