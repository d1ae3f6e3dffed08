import { LAMBDA_MEMORY_MIB, SIZING, SIZING_MIN_MIB, SIZING_STEP_MIB, imagesThatFit, memoryNeededMiB } from '../../lib/lambda-sizing';

/** The measured peak without margin or rounding, in MiB. */
const peakMiB = (images: number): number => SIZING.baseMiB + (images * SIZING.kibPerImage) / 1024;

const COUNTS = [0, 1, 999, 10_000, 123_457, 250_000, 500_000, 1_000_000, 2_000_000, 17_000_000];

describe('memoryNeededMiB', () => {
  it('never asks for less as the number of images grows', () => {
    const needs = Array.from({ length: 400 }, (_, index) => memoryNeededMiB(index * 25_000));

    needs.slice(1).forEach((need, index) => expect(need).toBeGreaterThanOrEqual(needs[index]));
    expect(needs[needs.length - 1]).toBeGreaterThan(needs[0]);
  });

  it.each(COUNTS)('adds at least a 25%% margin to the measured peak, and less than one more step, at %i images', (images) => {
    const need = memoryNeededMiB(images);

    expect(need).toBeGreaterThanOrEqual(peakMiB(images) * 1.25);
    if (need > SIZING_MIN_MIB) expect(need - SIZING_STEP_MIB).toBeLessThan(peakMiB(images) * 1.25);
  });

  it.each(COUNTS)('rounds up to a multiple of 64 MiB, at least 256, at %i images', (images) => {
    const need = memoryNeededMiB(images);

    expect(need % 64).toBe(0);
    expect(need).toBeGreaterThanOrEqual(256);
  });

  it('asks for the floor of 256 MiB for a small account', () => {
    expect(memoryNeededMiB(0)).toBe(256);
    expect(memoryNeededMiB(1_000)).toBe(256);
  });

  it('rounds a need that lands exactly on a step to that step, not the next one', () => {
    // 512 MiB / 1.25 = 409.6 MiB of peak, reached at (409.6 - base) × 1024 / kibPerImage images.
    const images = Math.round(((512 / 1.25 - SIZING.baseMiB) * 1024) / SIZING.kibPerImage);

    expect(memoryNeededMiB(images)).toBe(512);
  });

  it('gives the need beyond Lambda’s 10240 MiB as it is, for the caller to refuse', () => {
    expect(memoryNeededMiB(50_000_000)).toBeGreaterThan(LAMBDA_MEMORY_MIB.max);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %p images', (images) => {
    expect(() => memoryNeededMiB(images)).toThrow(RangeError);
  });
});

describe('imagesThatFit', () => {
  it.each([256, 300, 512, 576, 1000, 1024, 3008, 10240])('agrees with memoryNeededMiB at %i MiB: its count fits, one more does not', (memory) => {
    const images = imagesThatFit(memory);

    expect(images).toBeGreaterThan(0);
    expect(memoryNeededMiB(images)).toBeLessThanOrEqual(memory);
    expect(memoryNeededMiB(images + 1)).toBeGreaterThan(memory);
  });

  it.each(COUNTS)('fits %i images in the memory that memoryNeededMiB asks for', (images) => {
    expect(imagesThatFit(memoryNeededMiB(images))).toBeGreaterThanOrEqual(images);
  });

  it('fits more images in more memory', () => {
    expect(imagesThatFit(1024)).toBeGreaterThan(imagesThatFit(512));
    expect(imagesThatFit(10240)).toBeGreaterThan(imagesThatFit(1024));
  });

  it('fits no image below the 256 MiB floor', () => {
    expect(imagesThatFit(128)).toBe(0);
    expect(imagesThatFit(255)).toBe(0);
  });

  it.each([-1, Number.NaN])('refuses %p MiB', (memory) => {
    expect(() => imagesThatFit(memory)).toThrow(RangeError);
  });
});

describe('sizing with a grace period', () => {
  it('counts the earlier plan held beside the images: a million images need more, and 512 MiB fits fewer', () => {
    expect(memoryNeededMiB(1_000_000, { gracePeriod: true })).toBeGreaterThan(memoryNeededMiB(1_000_000));
    expect(memoryNeededMiB(1_000_000, { gracePeriod: true })).toBe(576);
    expect(imagesThatFit(512, { gracePeriod: true })).toBeLessThan(imagesThatFit(512) * 0.85);
    expect(memoryNeededMiB(imagesThatFit(512, { gracePeriod: true }), { gracePeriod: true })).toBeLessThanOrEqual(512);
  });
});
