import { deleteImages, listImages, listRepositories, readIndexChildren } from '../../../lambda/aws/ecr';
import { AwsCallError, EcrMaintainerError } from '../../../lambda/errors';
import { image, multiArchImage, signature, type Fixture, type FixtureImage } from '../../emulator/fixture';
import { destroy, restoreEnv, startWith } from '../../support/aws';

afterAll(restoreEnv);

async function withEmulator<T>(fixture: Fixture, body: (context: Awaited<ReturnType<typeof startWith>>) => Promise<T>, options = {}): Promise<T> {
  const context = await startWith(fixture, options);
  try {
    return await body(context);
  } finally {
    destroy(context.aws);
    await context.emulator.stop();
  }
}

const many = (count: number, prefix: string): FixtureImage[] =>
  Array.from({ length: count }, (_, n) => image(`${prefix}:${n}`, { tags: [`t${n}`], pushedDaysAgo: n / 10 }));

describe('listRepositories', () => {
  it('follows every page, asking for pages of 1000', () =>
    withEmulator({ repositories: Array.from({ length: 2001 }, (_, n) => ({ name: `repo-${String(n).padStart(4, '0')}`, images: [] })) }, async ({ emulator, aws, calls }) => {
      const listing = await listRepositories(aws.ecr, calls);

      expect(listing.repositories).toHaveLength(2001);
      expect(listing.repositories[0]).toEqual({ name: 'repo-0000', uri: '123456789012.dkr.ecr.eu-west-2.amazonaws.com/repo-0000', registryId: '123456789012' });
      expect(emulator.callsOf('ECR.DescribeRepositories').map((call) => call.params.maxResults)).toEqual([1000, 1000, 1000]);
    }));

  it('asks for named repositories 100 at a time, and reports the ones that do not exist', () =>
    withEmulator({ repositories: Array.from({ length: 150 }, (_, n) => ({ name: `r${n}`, images: [] })) }, async ({ emulator, aws, calls }) => {
      const names = [...Array.from({ length: 150 }, (_, n) => `r${n}`), 'ghost'];

      const listing = await listRepositories(aws.ecr, calls, names);

      expect(listing.repositories.map((repository) => repository.name).sort()).toEqual(names.filter((name) => name !== 'ghost').sort());
      expect(listing.missing).toEqual(['ghost']);
      const sizes = emulator.callsOf('ECR.DescribeRepositories').map((call) => (call.params.repositoryNames as string[]).length);
      expect(sizes.slice(0, 2)).toEqual([100, 51]);
    }));

  it('fails with the operation named when the registry cannot be listed', () =>
    withEmulator({ repositories: [], faults: { errors: [{ operation: 'ECR.DescribeRepositories' }] } }, async ({ aws, calls }) => {
      await expect(listRepositories(aws.ecr, calls)).rejects.toThrow(/^ECR.DescribeRepositories failed for the registry: AccessDeniedException: User: .* is not authorized/);
    }));
});

describe('listImages', () => {
  it('reads a repository of 2,500 images in three pages of up to 1000, mapped to our own records', () =>
    withEmulator({ repositories: [{ name: 'big', images: many(2500, 'big') }] }, async ({ emulator, aws, calls }) => {
      const images = (await listImages(aws.ecr, calls, 'big')).records();

      expect(images).toHaveLength(2500);
      expect(new Set(images.map((record) => record.digest)).size).toBe(2500);
      expect(emulator.callsOf('ECR.DescribeImages').map((call) => call.params.maxResults)).toEqual([1000, 1000, 1000]);
      expect(calls.stats().byOperation).toEqual({ 'ECR.DescribeImages': 3 });
    }));

  it('maps digests, sorted tags, push times, sizes, media types and subjects', () => {
    const subject = image('subject', { tags: ['b', 'a'], pushedDaysAgo: 2, sizeBytes: 1234 });
    const referrer = signature(subject);
    return withEmulator({ now: '2026-11-25T12:00:00Z', repositories: [{ name: 'app', images: [subject, referrer] }] }, async ({ aws, calls }) => {
      const images = (await listImages(aws.ecr, calls, 'app')).records();

      expect(images.find((record) => record.digest === subject.digest)).toEqual({
        repository: 'app',
        digest: subject.digest,
        tags: ['a', 'b'],
        pushedAtMs: Date.parse('2026-11-23T12:00:00Z'),
        sizeBytes: 1234,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
      });
      expect(images.find((record) => record.digest === referrer.digest)).toMatchObject({
        subjectDigest: subject.digest,
        artifactMediaType: 'application/vnd.dev.cosign.artifact.sig.v1+json',
      });
    });
  });

  it('refuses a listing that names a digest twice (pages that overlapped or shifted), so that nothing in it is deleted', () =>
    withEmulator({ repositories: [{ name: 'big', images: many(1500, 'big') }] }, async ({ aws, calls }) => {
      // The second page, as it comes off the wire, repeats the first page's first image.
      let firstOfFirstPage: unknown;
      aws.ecr.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          const output = result.output as { imageDetails?: unknown[] };
          if (firstOfFirstPage === undefined) firstOfFirstPage = output.imageDetails?.[0];
          else output.imageDetails?.push(firstOfFirstPage);
          return result;
        },
        { step: 'initialize', name: 'repeatAnImage' },
      );

      await expect(listImages(aws.ecr, calls, 'big')).rejects.toThrow(/^DescribeImages listed sha256:[0-9a-f]{64} twice in repository big, so its listing cannot be trusted$/);
    }));

  it('retries throttled calls with backoff and still reads every page', () =>
    withEmulator({ repositories: [{ name: 'big', images: many(2500, 'big') }], faults: { throttle: { rate: 0.5, seed: 7 } } }, async ({ emulator, aws, calls }) => {
      const images = (await listImages(aws.ecr, calls, 'big')).records();

      expect(images).toHaveLength(2500);
      const throttled = emulator.callsOf('ECR.DescribeImages').filter((call) => call.outcome === 'ThrottlingException').length;
      expect(throttled).toBeGreaterThan(0);
      expect(calls.stats().retries).toBe(throttled);
    }));

  it('fails, naming the repository, when a page cannot be read', () =>
    withEmulator(
      { repositories: [{ name: 'big', images: many(2500, 'big') }], faults: { errors: [{ operation: 'ECR.DescribeImages', repository: 'big', after: 1, code: 'InternalFailure', status: 500 }] } },
      async ({ emulator, aws, calls }) => {
        await expect(listImages(aws.ecr, calls, 'big')).rejects.toThrow(/^ECR.DescribeImages failed for repository big: InternalFailure/);
        // The first page, then the second page tried twice (maxAttempts 2).
        expect(emulator.callsOf('ECR.DescribeImages').map((call) => call.outcome)).toEqual(['ok', 'InternalFailure', 'InternalFailure']);
      },
      { maxAttempts: 2 },
    ));
});

describe('readIndexChildren', () => {
  it('reads index manifests 100 at a time and returns the digests they list', () => {
    const releases = Array.from({ length: 150 }, (_, n) => multiArchImage(`r${n}`, { attestations: n === 0 }));
    return withEmulator({ repositories: [{ name: 'web', images: releases.flatMap((release) => release.all) }] }, async ({ emulator, aws, calls }) => {
      const children = await readIndexChildren(aws.ecr, calls, 'web', releases.map((release) => release.index.digest));

      expect(children.size).toBe(150);
      expect(children.get(releases[0].index.digest)).toEqual(releases[0].children.map((child) => child.digest));
      expect(emulator.callsOf('ECR.BatchGetImage').map((call) => (call.params.imageIds as unknown[]).length)).toEqual([100, 50]);
    });
  });

  it('fails when an index cannot be read, so that the repository is left alone', () =>
    withEmulator({ repositories: [{ name: 'web', images: [] }] }, async ({ aws, calls }) => {
      const error = await readIndexChildren(aws.ecr, calls, 'web', ['sha256:' + 'a'.repeat(64)]).catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(EcrMaintainerError);
      expect((error as Error).message).toBe(`BatchGetImage could not read index sha256:${'a'.repeat(64)} of repository web: ImageNotFound: Requested image not found`);
    }));
});

describe('deleteImages', () => {
  it('deletes by digest in calls of at most 100 ids', () => {
    const images = many(250, 'old');
    return withEmulator({ repositories: [{ name: 'app', images }] }, async ({ emulator, aws, calls }) => {
      const outcomes = await deleteImages(aws.ecr, calls, 'app', images.map((record) => record.digest));

      expect([...outcomes.values()].every((outcome) => outcome.status === 'deleted')).toBe(true);
      expect(emulator.callsOf('ECR.BatchDeleteImage').map((call) => (call.params.imageIds as unknown[]).length).sort()).toEqual([100, 100, 50]);
      expect(emulator.digestsIn('app')).toEqual([]);
    });
  });

  it('maps failures[]: a missing image is already gone, any other code is a failure', () => {
    const [kept, broken, gone] = many(3, 'x');
    return withEmulator(
      { repositories: [{ name: 'app', images: [kept, broken] }], faults: { deleteFailures: [{ digest: broken.digest, code: 'KmsError', reason: 'key disabled' }] } },
      async ({ aws, calls }) => {
        const outcomes = await deleteImages(aws.ecr, calls, 'app', [kept.digest, broken.digest, gone.digest]);

        expect(Object.fromEntries(outcomes)).toEqual({
          [kept.digest]: { status: 'deleted' },
          [broken.digest]: { status: 'failed', code: 'KmsError', message: 'key disabled' },
          [gone.digest]: { status: 'already-gone' },
        });
      },
    );
  });

  it('reports the refusal to delete a child that an index still lists', () => {
    const release = multiArchImage('r');
    return withEmulator({ repositories: [{ name: 'web', images: release.all }] }, async ({ emulator, aws, calls }) => {
      const outcomes = await deleteImages(aws.ecr, calls, 'web', [release.children[0].digest]);

      expect(outcomes.get(release.children[0].digest)).toEqual({
        status: 'failed',
        code: 'ImageReferencedByManifestList',
        message: `Requested image referenced by manifest list: [${release.index.digest}]`,
      });
      expect(emulator.digestsIn('web')).toContain(release.children[0].digest);
    });
  });

  it('fails every id of a call that fails outright', () => {
    const images = many(2, 'y');
    return withEmulator({ repositories: [{ name: 'app', images }], faults: { errors: [{ operation: 'ECR.BatchDeleteImage' }] } }, async ({ aws, calls }) => {
      const outcomes = await deleteImages(aws.ecr, calls, 'app', images.map((record) => record.digest));

      expect([...outcomes.values()].map((outcome) => outcome.status === 'failed' && outcome.code)).toEqual(['AccessDeniedException', 'AccessDeniedException']);
    });
  });

  it('wraps SDK errors in our own error type', () =>
    withEmulator({ repositories: [] }, async ({ aws, calls }) => {
      await expect(listImages(aws.ecr, calls, 'nope')).rejects.toBeInstanceOf(AwsCallError);
    }));
});
