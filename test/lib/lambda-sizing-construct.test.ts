import { Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { EcrCleaner, type EcrCleanerProps } from '../../lib/ecr-cleaner';
import { InvalidSettingsError } from '../../lib/errors';
import { imagesThatFit, memoryNeededMiB } from '../../lib/lambda-sizing';
import { catchError, synthCleaner, testApp } from '../support/cdk';

const warningsOf = (props: EcrCleanerProps): string[] =>
  Annotations.fromStack(synthCleaner(props).stack)
    .findWarning('*', Match.anyValue())
    .map((warning) => warning.entry.data as string);

/** The count with the separators the messages use. */
const count = (images: number): string => images.toLocaleString('en-US');

describe('EcrCleaner: sizing the function by expectedImageCount', () => {
  it('warns when the memory is below the need, naming the count, the memory, the need and the fix', () => {
    const needed = memoryNeededMiB(2_000_000);
    expect(needed).toBeGreaterThan(512);

    const { stack } = synthCleaner({ expectedImageCount: 2_000_000 });

    Annotations.fromStack(stack).hasWarning(
      '/Test/Cleaner',
      `expectedImageCount is 2,000,000 images, which need ${count(needed)} MiB of memory (the measured peak plus 25%), but memorySize is 512 MiB, ` +
        `which fits about ${count(imagesThatFit(512))} images: the function may run out of memory. Set memorySize: ${needed} (or -c memorySize=${needed}). [ack: ecr-maintainer:memory-too-small]`,
    );
  });

  it('compares the need with the memorySize given, not the default', () => {
    const needed = memoryNeededMiB(2_000_000);

    expect(warningsOf({ expectedImageCount: 2_000_000, memorySize: needed - 1 })).toEqual([expect.stringContaining(`but memorySize is ${count(needed - 1)} MiB`)]);
    expect(warningsOf({ expectedImageCount: 2_000_000, memorySize: needed })).toEqual([]);
  });

  it('stays quiet when the memory is enough', () => {
    expect(warningsOf({ expectedImageCount: imagesThatFit(512) })).toEqual([]);
    expect(warningsOf({ expectedImageCount: 2_000_000, memorySize: 4096 })).toEqual([]);
  });

  it('warns from the first image past what the default memory fits', () => {
    expect(warningsOf({ expectedImageCount: imagesThatFit(512) + 1 })).toEqual([expect.stringMatching(/^expectedImageCount is .* but memorySize is 512 MiB/)]);
  });

  it('stays quiet when expectedImageCount is not given, whatever the memory', () => {
    expect(warningsOf({})).toEqual([]);
    expect(warningsOf({ memorySize: 128 })).toEqual([]);
  });

  it('says that a run will not fit one function when the need is above Lambda’s 10240 MiB, and to narrow repositories', () => {
    const images = imagesThatFit(10240) + 1;

    const { stack } = synthCleaner({ expectedImageCount: images, memorySize: 10240 });

    Annotations.fromStack(stack).hasWarning(
      '/Test/Cleaner',
      `expectedImageCount is ${count(images)} images, which need ${count(memoryNeededMiB(images))} MiB of memory (the measured peak plus 25%), more than Lambda's limit of 10,240 MiB: ` +
        `one run will not fit one function. Narrow repositories (or -c repositories=…) so that one function lists at most ${count(imagesThatFit(10240))} images at memorySize: 10240, ` +
        'and deploy one stack for each group of repositories. [ack: ecr-maintainer:too-many-images]',
    );
  });

  it('exposes how many images the configured memory fits, and nothing for a memory resolved only at deploy time', () => {
    expect(synthCleaner().cleaner.imagesThatFit).toBe(imagesThatFit(512));
    expect(synthCleaner({ memorySize: 2048 }).cleaner.imagesThatFit).toBe(imagesThatFit(2048));
    expect(synthCleaner({ memorySize: Lazy.number({ produce: () => 256 }), expectedImageCount: 5_000_000 }).cleaner.imagesThatFit).toBeUndefined();
  });

  it('checks nothing when the memory or the count is resolved only at deploy time', () => {
    expect(warningsOf({ memorySize: Lazy.number({ produce: () => 128 }), expectedImageCount: 5_000_000 })).toEqual([]);
    expect(warningsOf({ expectedImageCount: Lazy.number({ produce: () => 5_000_000 }) })).toEqual([]);
  });
});

describe('EcrCleaner: expectedImageCount validation', () => {
  const FIX = ' (the most images one run lists, across the repositories in scope, such as 250000; leave it out to skip the memory check)';

  it.each<[string, number]>([
    ['0', 0],
    ['negative', -100],
    ['not whole', 1.5],
    ['not a number', Number.NaN],
  ])('fails at synth when expectedImageCount is %s, naming the prop, the value and the fix', (_title, value) => {
    const stack = new Stack(testApp(), 'Test');

    const error = catchError(() => new EcrCleaner(stack, 'Cleaner', { expectedImageCount: value }));

    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).problems).toEqual([`expectedImageCount must be a whole number of at least 1${FIX}, got ${value}`]);
  });
});
