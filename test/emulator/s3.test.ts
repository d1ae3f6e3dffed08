/**
 * The emulated S3, driven by the real SDK client (`@aws-sdk/client-s3`, path style) over HTTP: what the
 * cleaner's audit trail needs (PutObject with a buffer and with a stream, ListObjectsV2, multipart
 * uploads, GetObject), S3's errors and limits, and the fixture's faults on every operation.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import type { Faults, Fixture } from './fixture';
import { MIN_PART_BYTES } from './s3';
import { Emulator } from './server';
import { bytes } from '../support/bytes';

const BUCKET = 'audit-trail';
const RUN = 'runs/123456789012/eu-west-2/2026-11-25/120000-dry';

const md5 = (data: Uint8Array): Buffer => createHash('md5').update(data).digest();
const crc32Base64 = (data: Uint8Array): string => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(data));
  return out.toString('base64');
};

function clientFor(emulator: Emulator, options: Partial<S3ClientConfig> = {}): S3Client {
  return new S3Client({
    region: emulator.region,
    endpoint: emulator.url,
    forcePathStyle: true,
    credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' },
    ...options,
  });
}

/** The headers of each request the client sends, as they leave it (after the checksum middleware). */
function recordHeaders(client: S3Client): Record<string, string>[] {
  const seen: Record<string, string>[] = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      seen.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'recordHeadersForTest' },
  );
  return seen;
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  return promise.then(
    () => ({ name: 'no error', message: '' }),
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => ({ name: error.name, status: error.$metadata?.httpStatusCode, message: error.message }),
  );
}

async function body(client: S3Client, Bucket: string, Key: string): Promise<Buffer> {
  const output = await client.send(new GetObjectCommand({ Bucket, Key }));
  return Buffer.from(await output.Body!.transformToByteArray());
}

/** Runs `test` against a fresh emulator and client, and stops both. */
async function using<T>(fixture: Partial<Fixture>, test: (emulator: Emulator, client: S3Client) => Promise<T>, options: Partial<S3ClientConfig> = {}): Promise<T> {
  const emulator = await Emulator.start({ repositories: [], buckets: [BUCKET], ...fixture });
  const client = clientFor(emulator, options);
  try {
    return await test(emulator, client);
  } finally {
    client.destroy();
    await emulator.stop();
  }
}

describe('PutObject and GetObject', () => {
  it('round-trips the exact bytes of a Buffer body, with its content type, the MD5 ETag and the CRC32 the SDK sent', async () => {
    const data = bytes(100_000);

    await using({}, async (emulator, client) => {
      const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${RUN}.csv`, Body: data, ContentType: 'text/csv' }));
      const get = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${RUN}.csv` }));

      expect(put.ETag).toBe(`"${md5(data).toString('hex')}"`);
      expect(put.ChecksumCRC32).toBe(crc32Base64(data));
      expect(Buffer.from(await get.Body!.transformToByteArray()).equals(data)).toBe(true);
      expect(get).toMatchObject({ ContentType: 'text/csv', ContentLength: data.length, ETag: put.ETag, ChecksumCRC32: crc32Base64(data), ChecksumType: 'FULL_OBJECT' });
      expect(emulator.s3.object(BUCKET, `${RUN}.csv`)).toMatchObject({ contentType: 'text/csv', etag: put.ETag, checksum: { algorithm: 'CRC32', type: 'FULL_OBJECT' } });
      expect(emulator.s3.object(BUCKET, `${RUN}.csv`)?.body.equals(data)).toBe(true);
      expect(emulator.callsOf('S3.PutObject')).toEqual([{ operation: 'S3.PutObject', params: { Bucket: BUCKET, Key: `${RUN}.csv`, ContentType: 'text/csv', Size: data.length }, outcome: 'ok' }]);
    });
  });

  it('decodes a stream body sent aws-chunked, with its trailing checksum, and stores the real bytes', async () => {
    const chunks = [bytes(16_384, 1), bytes(16_384, 2), bytes(9_000, 3), bytes(100, 4)];
    const data = Buffer.concat(chunks);

    await using({}, async (emulator, client) => {
      const sent = recordHeaders(client);
      const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${RUN}.jsonl`, Body: Readable.from(chunks), ContentLength: data.length, ContentType: 'application/x-ndjson' }));

      expect(sent[0]).toMatchObject({
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(data.length),
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'x-amz-trailer': 'x-amz-checksum-crc32',
      });
      expect(put.ChecksumCRC32).toBe(crc32Base64(data));
      expect((await body(client, BUCKET, `${RUN}.jsonl`)).equals(data)).toBe(true);
      expect(emulator.s3.object(BUCKET, `${RUN}.jsonl`)).toMatchObject({ contentType: 'application/x-ndjson', etag: `"${md5(data).toString('hex')}"` });
      expect(emulator.s3.object(BUCKET, `${RUN}.jsonl`)?.contentEncoding).toBeUndefined();
      expect(emulator.callsOf('S3.PutObject')[0].params).toEqual({ Bucket: BUCKET, Key: `${RUN}.jsonl`, ContentType: 'application/x-ndjson', Size: data.length });
    });
  });

  it('refuses an aws-chunked chunk under 8 KiB that is not the last, as S3 does, and takes the same stream buffered by requestStreamBufferSize', async () => {
    const chunks = (): Readable => Readable.from([Buffer.from('run,repository\n'), Buffer.from('1,shop/api\n')]);

    const warnings: unknown[] = [];
    const logger = { debug: () => undefined, info: () => undefined, warn: (message: unknown) => warnings.push(message), error: () => undefined };
    const refused = await using(
      {},
      (_emulator, client) => failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'small.csv', Body: chunks(), ContentLength: 26 }))),
      { logger },
    );
    const buffered = await using(
      {},
      async (_emulator, client) => {
        await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'small.csv', Body: chunks(), ContentLength: 26 }));
        return (await body(client, BUCKET, 'small.csv')).toString();
      },
      { requestStreamBufferSize: 65_536 },
    );

    expect(refused).toMatchObject({ name: 'InvalidChunkSizeError', status: 403, message: expect.stringContaining('Only the last chunk is allowed to have a size less than 8192 bytes') });
    expect(warnings).toEqual(['An error was encountered in a non-retryable streaming request.']);
    expect(buffered).toBe('run,repository\n1,shop/api\n');
  });

  it.each(['CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const)('verifies a %s checksum that the SDK computed, and answers it to GetObject for the SDK to check', async (algorithm) => {
    const data = bytes(70_000, 5);

    await using({}, async (emulator, client) => {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'checked', Body: data, ChecksumAlgorithm: algorithm }));
      const get = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'checked' }));

      expect(Buffer.from(await get.Body!.transformToByteArray()).equals(data)).toBe(true);
      expect(get[`Checksum${algorithm}`]).toBe(emulator.s3.object(BUCKET, 'checked')?.checksum?.value);
      expect(emulator.s3.object(BUCKET, 'checked')?.checksum?.algorithm).toBe(algorithm);
    });
  });

  it('refuses a body whose checksum does not match with BadDigest, and stores nothing', async () => {
    await using({}, async (emulator, client) => {
      const error = await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bad', Body: 'abc', ChecksumCRC32: 'AAAAAA==' })));

      expect(error).toEqual({ name: 'BadDigest', status: 400, message: 'The CRC32 you specified did not match the calculated checksum.' });
      expect(emulator.s3.keys(BUCKET)).toEqual([]);
    });
  });

  it('still serves fixture objects as before: text/plain, a day old, without a checksum', async () => {
    await using({ now: '2026-11-25T12:00:00Z', objects: [{ bucket: 'ops-config', key: 'ecr/in use.txt', body: 'app:1\n' }] }, async (_emulator, client) => {
      const get = await client.send(new GetObjectCommand({ Bucket: 'ops-config', Key: 'ecr/in use.txt' }));

      expect(await get.Body!.transformToString()).toBe('app:1\n');
      expect(get).toMatchObject({ ContentType: 'text/plain', LastModified: new Date('2026-11-24T12:00:00Z'), ETag: `"${md5(Buffer.from('app:1\n')).toString('hex')}"` });
      expect(get.ChecksumCRC32).toBeUndefined();
    });
  });

  it('answers a missing key NoSuchKey (404)', async () => {
    await using({}, async (_emulator, client) => {
      expect(await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'nope' })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
    });
  });

  it('decodes a signed aws-chunked body (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) as other SDKs send it, and refuses one without x-amz-decoded-content-length', async () => {
    const first = bytes(8192, 7);
    const framed = Buffer.concat([
      Buffer.from(`2000;chunk-signature=${'0'.repeat(64)}\r\n`),
      first,
      Buffer.from(`\r\n5;chunk-signature=${'1'.repeat(64)}\r\nhello\r\n0;chunk-signature=${'2'.repeat(64)}\r\n\r\n`),
    ]);
    const headers = {
      authorization: 'AWS4-HMAC-SHA256 Credential=x/20261125/eu-west-2/s3/aws4_request, SignedHeaders=host, Signature=0',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'content-length': String(framed.length),
    };

    await using({}, async (emulator) => {
      const stored = await raw(emulator, 'PUT', `/${BUCKET}/signed`, { ...headers, 'x-amz-decoded-content-length': String(first.length + 5) }, framed);
      const missing = await raw(emulator, 'PUT', `/${BUCKET}/unsized`, headers, framed);

      expect(stored.status).toBe(200);
      expect(emulator.s3.object(BUCKET, 'signed')?.body.equals(Buffer.concat([first, Buffer.from('hello')]))).toBe(true);
      expect(missing.status).toBe(411);
      expect(missing.text).toContain('<Code>MissingContentLength</Code>');
    });
  });
});

describe('ListObjectsV2', () => {
  const keys = [
    `${RUN}.csv`,
    `${RUN}.jsonl`,
    'runs/123456789012/eu-west-2/2026-11-24/120000-delete.csv',
    'runs/123456789012/eu-west-2/2026-11-24/120000-delete.jsonl',
    'runs/123456789012/us-east-1/2026-11-25/120000-dry.csv',
    'runs/210987654321/eu-west-2/2026-11-25/120000-dry.csv',
    'runs/a b+c.txt',
    'runs/ü.txt',
    'runs/\uE000.txt',
    'runs/😀.txt',
    'readme.txt',
  ];
  const utf8Order = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const fixture: Partial<Fixture> = { now: '2026-11-25T12:00:00Z', objects: keys.map((key, n) => ({ bucket: BUCKET, key, body: 'x'.repeat(n), modifiedDaysAgo: 2 })) };

  it('pages at max-keys with continuation tokens, every key once, in UTF-8 binary order', async () => {
    await using(fixture, async (_emulator, client) => {
      const pages = [];
      for await (const page of paginateListObjectsV2({ client, pageSize: 4 }, { Bucket: BUCKET })) pages.push(page);

      expect(pages.map((page) => [page.KeyCount, page.MaxKeys, page.IsTruncated, page.NextContinuationToken !== undefined])).toEqual([
        [4, 4, true, true],
        [4, 4, true, true],
        [3, 4, false, false],
      ]);
      expect(pages.flatMap((page) => page.Contents?.map((object) => object.Key))).toEqual(utf8Order);
      // Bytes EE 80 80 (U+E000) come before F0 9F 98 80 (U+1F600), though UTF-16 orders them the other way.
      expect(utf8Order.indexOf('runs/\uE000.txt')).toBeLessThan(utf8Order.indexOf('runs/😀.txt'));
      expect(['runs/\uE000.txt', 'runs/😀.txt'].sort()).toEqual(['runs/😀.txt', 'runs/\uE000.txt']);
    });
  });

  it('describes each object as S3 does: key, time, ETag, size, storage class', async () => {
    await using(fixture, async (_emulator, client) => {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'readme' }));

      expect(listed).toMatchObject({ Name: BUCKET, Prefix: 'readme', KeyCount: 1, MaxKeys: 1000, IsTruncated: false });
      expect(listed.Contents).toEqual([
        { Key: 'readme.txt', LastModified: new Date('2026-11-23T12:00:00Z'), ETag: `"${md5(Buffer.from('x'.repeat(10))).toString('hex')}"`, Size: 10, StorageClass: 'STANDARD' },
      ]);
    });
  });

  it('filters by prefix, and rolls keys up into common prefixes at the delimiter, counting them against max-keys', async () => {
    await using(fixture, async (_emulator, client) => {
      const regions = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'runs/123456789012/', Delimiter: '/' }));
      const days = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'runs/123456789012/eu-west-2/', Delimiter: '/' }));
      const top = [];
      for await (const page of paginateListObjectsV2({ client, pageSize: 2 }, { Bucket: BUCKET, Prefix: 'runs/', Delimiter: '/' })) top.push(page);
      const day = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `${RUN.split('/').slice(0, 4).join('/')}/` }));

      expect(regions).toMatchObject({ KeyCount: 2, Delimiter: '/', CommonPrefixes: [{ Prefix: 'runs/123456789012/eu-west-2/' }, { Prefix: 'runs/123456789012/us-east-1/' }] });
      expect(regions.Contents).toBeUndefined();
      expect(days.CommonPrefixes).toEqual([{ Prefix: 'runs/123456789012/eu-west-2/2026-11-24/' }, { Prefix: 'runs/123456789012/eu-west-2/2026-11-25/' }]);
      expect(top.map((page) => [...(page.CommonPrefixes ?? []).map((p) => p.Prefix), ...(page.Contents ?? []).map((o) => o.Key)])).toEqual([
        ['runs/123456789012/', 'runs/210987654321/'],
        ['runs/a b+c.txt', 'runs/ü.txt'],
        ['runs/\uE000.txt', 'runs/😀.txt'],
      ]);
      expect(day.Contents?.map((object) => object.Key)).toEqual([`${RUN}.csv`, `${RUN}.jsonl`]);
    });
  });

  it('starts after a key, and echoes StartAfter', async () => {
    await using(fixture, async (_emulator, client) => {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: 'runs/210987654321/', Prefix: 'runs/' }));

      expect(listed.StartAfter).toBe('runs/210987654321/');
      expect(listed.Contents?.map((object) => object.Key)).toEqual(utf8Order.filter((key) => key.startsWith('runs/2') || key.startsWith('runs/a') || key.startsWith('runs/ü') || key.startsWith('runs/\uE000') || key.startsWith('runs/😀')));
    });
  });

  it('lists 1000 keys a page by default, and never more than 1000 even when asked for more', async () => {
    const many = Array.from({ length: 2_345 }, (_, n) => ({ bucket: 'many', key: `k/${String(n).padStart(5, '0')}`, body: '' }));

    await using({ objects: many }, async (_emulator, client) => {
      const first = await client.send(new ListObjectsV2Command({ Bucket: 'many' }));
      const asked = await client.send(new ListObjectsV2Command({ Bucket: 'many', MaxKeys: 5_000 }));
      const all: string[] = [];
      for await (const page of paginateListObjectsV2({ client }, { Bucket: 'many' })) all.push(...(page.Contents ?? []).map((object) => object.Key!));

      expect(first).toMatchObject({ KeyCount: 1000, MaxKeys: 1000, IsTruncated: true });
      expect(asked).toMatchObject({ KeyCount: 1000, MaxKeys: 5_000, IsTruncated: true });
      expect(all).toEqual(many.map((object) => object.key));
    });
  });

  it.each([
    ['a continuation token it did not give', { ContinuationToken: 'bm90LWEtdG9rZW4=' }],
    ['a negative max-keys', { MaxKeys: -1 }],
  ])('refuses %s with InvalidArgument (400)', async (_title, input) => {
    await using(fixture, async (_emulator, client) => {
      expect(await failure(client.send(new ListObjectsV2Command({ Bucket: BUCKET, ...input })))).toMatchObject({ name: 'InvalidArgument', status: 400 });
    });
  });

  it('answers max-keys 0 with an empty, untruncated page', async () => {
    await using(fixture, async (_emulator, client) => {
      expect(await client.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 0 }))).toMatchObject({ KeyCount: 0, MaxKeys: 0, IsTruncated: false });
    });
  });
});

describe('multipart uploads', () => {
  const parts = [bytes(MIN_PART_BYTES, 1), bytes(MIN_PART_BYTES, 2), bytes(12_345, 3)];
  const whole = Buffer.concat(parts);
  const multipartEtag = `"${createHash('md5')
    .update(Buffer.concat(parts.map(md5)))
    .digest('hex')}-3"`;

  /** The calls `@aws-sdk/lib-storage`'s Upload makes: create, each part, complete with the parts' ETags and checksums. */
  async function upload(client: S3Client, Key: string, pieces: readonly Buffer[], create: { ChecksumAlgorithm?: 'CRC32' } = {}) {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key, ContentType: 'application/x-ndjson', ...create }));
    const done: CompletedPart[] = [];
    for (const [n, piece] of pieces.entries()) {
      const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key, UploadId, PartNumber: n + 1, Body: piece }));
      done.push({ PartNumber: n + 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 });
    }
    const complete = (Parts = done) => client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key, UploadId, MultipartUpload: { Parts } }));
    return { UploadId: UploadId!, done, complete };
  }

  it('assembles parts of 5 MiB, 5 MiB and a small last part, with the multipart ETag and S3’s default full-object CRC64NVME', async () => {
    await using({}, async (emulator, client) => {
      const { complete, done, UploadId } = await upload(client, `${RUN}.jsonl`, parts);
      const result = await complete();
      const get = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${RUN}.jsonl` }));

      expect(done.map((part) => part.ChecksumCRC32)).toEqual(parts.map(crc32Base64));
      expect(result).toMatchObject({ Bucket: BUCKET, Key: `${RUN}.jsonl`, ETag: multipartEtag, ChecksumType: 'FULL_OBJECT', ChecksumCRC64NVME: expect.stringMatching(/^[A-Za-z0-9+/]{11}=$/) });
      expect(result.Location).toBe(`${emulator.url}/${BUCKET}/${RUN}.jsonl`);
      // The SDK checks the full-object CRC64NVME as it reads the body.
      expect(Buffer.from(await get.Body!.transformToByteArray()).equals(whole)).toBe(true);
      expect(get).toMatchObject({ ETag: multipartEtag, ContentType: 'application/x-ndjson', ChecksumCRC64NVME: result.ChecksumCRC64NVME });
      expect(emulator.s3.uploads()).toEqual([]);
      expect(emulator.callsOf('S3.UploadPart').map((call) => call.params)).toEqual(
        parts.map((part, n) => ({ Bucket: BUCKET, Key: `${RUN}.jsonl`, UploadId, PartNumber: n + 1, Size: part.length })),
      );
      expect(emulator.callsOf('S3.CompleteMultipartUpload')).toEqual([{ operation: 'S3.CompleteMultipartUpload', params: { Bucket: BUCKET, Key: `${RUN}.jsonl`, UploadId }, outcome: 'ok' }]);
    });
  });

  it('gives an upload created with CRC32 a composite checksum of the parts’ checksums, and requires each part’s checksum to complete', async () => {
    const composite = `${crc32Base64(Buffer.concat(parts.map((part) => Buffer.from(crc32Base64(part), 'base64'))))}-3`;

    await using({}, async (emulator, client) => {
      const { complete, done } = await upload(client, 'composite', parts, { ChecksumAlgorithm: 'CRC32' });
      const missing = await failure(complete(done.map(({ PartNumber, ETag }) => ({ PartNumber, ETag }))));
      const result = await complete();

      expect(missing).toEqual({
        name: 'InvalidRequest',
        status: 400,
        message: 'The upload was created using a crc32 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.',
      });
      expect(result).toMatchObject({ ETag: multipartEtag, ChecksumCRC32: composite, ChecksumType: 'COMPOSITE' });
      expect(emulator.s3.object(BUCKET, 'composite')?.body.equals(whole)).toBe(true);
    });
  });

  it('refuses a part under 5 MiB that is not the last with EntityTooSmall, keeping the upload until it is aborted', async () => {
    await using({}, async (emulator, client) => {
      const { complete, UploadId } = await upload(client, 'small', [bytes(1024, 1), bytes(1024, 2)]);

      const error = await failure(complete());
      const pending = emulator.s3.uploads();
      await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'small', UploadId }));

      expect(error).toEqual({ name: 'EntityTooSmall', status: 400, message: 'Your proposed upload is smaller than the minimum allowed size' });
      expect(pending).toEqual([{ uploadId: UploadId, bucket: BUCKET, key: 'small', partNumbers: [1, 2] }]);
      expect(emulator.s3.uploads()).toEqual([]);
      expect(emulator.s3.keys(BUCKET)).toEqual([]);
    });
  });

  it('answers NoSuchUpload (404) to an aborted, completed or unknown upload', async () => {
    await using({}, async (_emulator, client) => {
      const aborted = await upload(client, 'aborted', [bytes(10)]);
      await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: aborted.UploadId }));
      const completed = await upload(client, 'completed', [bytes(10)]);
      await completed.complete();

      const errors = await Promise.all([
        failure(client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: aborted.UploadId, PartNumber: 2, Body: 'x' }))),
        failure(aborted.complete()),
        failure(completed.complete()),
        failure(client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'x', UploadId: 'unknown' }))),
        failure(client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'other-key', UploadId: completed.UploadId, PartNumber: 1, Body: 'x' }))),
      ]);

      expect(errors.map((error) => [error.name, error.status])).toEqual(Array(5).fill(['NoSuchUpload', 404]));
    });
  });

  it('refuses a part whose ETag does not match (InvalidPart), parts out of order (InvalidPartOrder), and part number 10001', async () => {
    await using({}, async (_emulator, client) => {
      const { complete, done, UploadId } = await upload(client, 'order', [bytes(MIN_PART_BYTES), bytes(10)]);

      const wrong = await failure(complete([{ ...done[0], ETag: '"0123456789abcdef0123456789abcdef"' }, done[1]]));
      const reversed = await failure(complete([done[1], done[0]]));
      const tooHigh = await failure(client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'order', UploadId, PartNumber: 10_001, Body: 'x' })));

      expect([wrong, reversed, tooHigh].map((error) => [error.name, error.status])).toEqual([
        ['InvalidPart', 400],
        ['InvalidPartOrder', 400],
        ['InvalidArgument', 400],
      ]);
    });
  });
});

describe('buckets', () => {
  it('knows the fixture’s buckets and those of its objects, and answers any other NoSuchBucket (404) for every operation', async () => {
    await using({ buckets: ['empty', BUCKET], objects: [{ bucket: 'ops-config', key: 'a', body: '' }] }, async (emulator, client) => {
      const Bucket = 'no-such-bucket';
      const errors = await Promise.all([
        failure(client.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'x' }))),
        failure(client.send(new GetObjectCommand({ Bucket, Key: 'k' }))),
        failure(client.send(new ListObjectsV2Command({ Bucket }))),
        failure(client.send(new CreateMultipartUploadCommand({ Bucket, Key: 'k' }))),
        failure(client.send(new UploadPartCommand({ Bucket, Key: 'k', UploadId: 'u', PartNumber: 1, Body: 'x' }))),
        failure(client.send(new CompleteMultipartUploadCommand({ Bucket, Key: 'k', UploadId: 'u', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"e"' }] } }))),
        failure(client.send(new AbortMultipartUploadCommand({ Bucket, Key: 'k', UploadId: 'u' }))),
      ]);

      expect(emulator.s3.buckets()).toEqual([BUCKET, 'empty', 'ops-config']);
      expect(emulator.s3.keys('empty')).toEqual([]);
      expect(() => emulator.s3.keys(Bucket)).toThrow('the emulator has no bucket "no-such-bucket"');
      expect(errors).toEqual(Array(7).fill({ name: 'NoSuchBucket', status: 404, message: 'The specified bucket does not exist' }));
    });
  });

  it('answers 501 NotImplemented, recorded by method, to an S3 request it does not implement', async () => {
    await using({}, async (emulator) => {
      const answer = await raw(emulator, 'PUT', `/${BUCKET}/k?tagging`, { authorization: 'AWS4-HMAC-SHA256 Credential=x/20261125/eu-west-2/s3/aws4_request' }, Buffer.from('<Tagging/>'));

      expect(answer.status).toBe(501);
      expect(answer.text).toContain('<Code>NotImplemented</Code><Message>The emulator does not implement PUT /audit-trail/k?tagging=.</Message>');
      expect(emulator.callsOf('S3.PUT')).toEqual([{ operation: 'S3.PUT', params: { Bucket: BUCKET, Key: 'k', Method: 'PUT', Query: 'tagging=' }, outcome: 'NotImplemented' }]);
    });
  });
});

describe('faults', () => {
  /** Each new operation, with what it needs done first (outside the fault). */
  const operations: Record<string, (client: S3Client) => Promise<() => Promise<unknown>>> = {
    'S3.PutObject': (client) => Promise.resolve(() => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' }))),
    'S3.ListObjectsV2': (client) => Promise.resolve(() => client.send(new ListObjectsV2Command({ Bucket: BUCKET }))),
    'S3.CreateMultipartUpload': (client) => Promise.resolve(() => client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'k' }))),
    'S3.UploadPart': async (client) => {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'k' }));
      return () => client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'k', UploadId, PartNumber: 1, Body: 'x' }));
    },
    'S3.CompleteMultipartUpload': async (client) => {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'k' }));
      const { ETag } = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'k', UploadId, PartNumber: 1, Body: 'x' }));
      return () => client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'k', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
    },
    'S3.AbortMultipartUpload': async (client) => {
      const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'k' }));
      return () => client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'k', UploadId }));
    },
    'S3.GetObject': async (client) => {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' }));
      return () => client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k' }));
    },
  };

  async function withFault(operation: string, faults: Faults): Promise<{ outcome: { name: string; status?: number; message: string }; outcomes: string[] }> {
    return using({}, async (emulator, client) => {
      const act = await operations[operation](client);
      emulator.setFaults(faults);
      const outcome = await failure(act());
      return { outcome, outcomes: emulator.callsOf(operation).map((call) => call.outcome) };
    });
  }

  it.each(Object.keys(operations))('answers %s with AccessDenied (403) when a rule denies it', async (operation) => {
    const { outcome, outcomes } = await withFault(operation, { errors: [{ operation }] });

    expect(outcome).toEqual({ name: 'AccessDenied', status: 403, message: 'Access Denied' });
    expect(outcomes.at(-1)).toBe('AccessDenied');
  });

  it.each(Object.keys(operations))('answers %s with SlowDown (503), which the SDK retries', async (operation) => {
    const { outcome, outcomes } = await withFault(operation, { errors: [{ operation, code: 'ThrottlingException', times: 1 }] });

    expect(outcome.name).toBe('no error');
    expect(outcomes.slice(-2)).toEqual(['SlowDown', 'ok']);
  });

  it('answers SlowDown to every call under a throttle rate of 1, until the SDK gives up after 3 attempts', async () => {
    const { outcome, outcomes } = await withFault('S3.UploadPart', { throttle: { rate: 1, seed: 1 } });

    expect(outcome).toMatchObject({ name: 'SlowDown', status: 503, message: 'Please reduce your request rate.' });
    expect(outcomes).toEqual(['SlowDown', 'SlowDown', 'SlowDown']);
  });

  it('applies a rule only to the bucket it names', async () => {
    const { outcome } = await withFault('S3.PutObject', { errors: [{ operation: 'S3.PutObject', bucket: 'another-bucket' }] });

    expect(outcome.name).toBe('no error');
  });
});

function raw(emulator: Emulator, method: string, path: string, headers: Record<string, string>, payload: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const url = new URL(emulator.url);
    const call = request({ host: url.hostname, port: url.port, path, method, headers }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
    });
    call.on('error', reject);
    call.end(payload);
  });
}
