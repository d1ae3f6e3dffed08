/**
 * The cleaner's memory model: how much memory the function needs for a number of images, and how many
 * images a memory size fits. Pure, with no CDK import, so that the construct, its tests and the README's
 * table all read the same figures.
 *
 * The need is the measured peak, `baseMiB + images × kibPerImage`, plus a margin of 25%, rounded up to a
 * multiple of 64 MiB, and at least 256 MiB.
 */

/**
 * The measured memory of one run: a fixed base and a growth per listed image (an image of any kind: a
 * tagged image, an untagged one, a platform image of an index, a signature).
 *
 * Measured with `npm run bench -- --images N --runs lambda`: the peak RSS of the bundled handler, read
 * from outside its process, at several N; `baseMiB` is where the line meets N = 0, and `kibPerImage` its
 * slope. On 2 cores at 20 ms per call (2026-11-26): 131 MiB at 10,000 images, 148 MiB at 100,000 and
 * 359 MiB at 1,000,000 (0.24 KiB per image from 100,000 to 1,000,000). The bench's process runs with no
 * heap limit; a Lambda's runtime caps the heap by the function's memory, so the need is if anything lower.
 * The bench's repositories hold 500 to 1,000 images; the plan of the repository being worked on is held
 * whole (about 0.9 KiB per image of it), so one repository near ECR's quota of 100,000 images adds about
 * 90 MiB, which the 25% margin covers from about 350,000 images up.
 */
export const SIZING = { baseMiB: 125, kibPerImage: 0.24 } as const;

/**
 * What a grace period adds per image: the earlier plan's deletions, held while the run compares, at most
 * one per image (`DigestSet`: 54 MB for a million, measured on Node 20 after a forced GC).
 */
export const GRACE_KIB_PER_IMAGE = 0.06;

/** What a run holds besides its images. */
export interface SizingOptions {
  /** A grace period is on: the earlier plan is held too. @default false */
  readonly gracePeriod?: boolean;
}

const kibPerImage = (options: SizingOptions): number => SIZING.kibPerImage + (options.gracePeriod ? GRACE_KIB_PER_IMAGE : 0);

/** The margin over the measured peak: 0.25 is 25%. */
export const SIZING_MARGIN = 0.25;

/** The need is rounded up to a multiple of this many MiB. */
export const SIZING_STEP_MIB = 64;

/** The least memory the model ever asks for, in MiB. */
export const SIZING_MIN_MIB = 256;

/** Lambda's limits on a function's memory: 128 to 10240 MiB, in steps of 1 MiB. */
export const LAMBDA_MEMORY_MIB = { min: 128, max: 10240 } as const;

/** The function's memory when `memorySize` is not given, in MiB. */
export const DEFAULT_MEMORY_SIZE_MIB = 512;

/** Float noise (such as 512.0000000001) must not push a need up by a whole step. */
const EPSILON = 1e-9;

/**
 * The memory, in MiB, that a run over `images` images needs: the measured peak plus 25%, rounded up to
 * a multiple of 64 MiB, at least 256. It may exceed Lambda's 10240 MiB; the caller says what then.
 *
 * @throws RangeError when `images` is negative or not finite
 */
export function memoryNeededMiB(images: number, options: SizingOptions = {}): number {
  if (!Number.isFinite(images) || images < 0) throw new RangeError(`images must be a finite number of at least 0, got ${images}`);
  const peakMiB = SIZING.baseMiB + (images * kibPerImage(options)) / 1024;
  const steps = Math.ceil((peakMiB * (1 + SIZING_MARGIN)) / SIZING_STEP_MIB - EPSILON);
  return Math.max(SIZING_MIN_MIB, steps * SIZING_STEP_MIB);
}

/**
 * The most images for which `memoryNeededMiB` is at most `memoryMiB`: the inverse, rounded down. 0 when
 * the memory does not even fit the base.
 *
 * @throws RangeError when `memoryMiB` is negative or not finite
 */
export function imagesThatFit(memoryMiB: number, options: SizingOptions = {}): number {
  if (!Number.isFinite(memoryMiB) || memoryMiB < 0) throw new RangeError(`memoryMiB must be a finite number of at least 0, got ${memoryMiB}`);
  if (memoryMiB < SIZING_MIN_MIB) return 0;
  const usableMiB = Math.floor(memoryMiB / SIZING_STEP_MIB) * SIZING_STEP_MIB;
  let images = Math.max(0, Math.floor((((usableMiB / (1 + SIZING_MARGIN)) - SIZING.baseMiB) * 1024) / kibPerImage(options)));
  // The closed form can be off by one through float rounding: settle it against memoryNeededMiB itself.
  while (images > 0 && memoryNeededMiB(images, options) > memoryMiB) images -= 1;
  while (memoryNeededMiB(images + 1, options) <= memoryMiB) images += 1;
  return memoryNeededMiB(images, options) <= memoryMiB ? images : 0;
}
