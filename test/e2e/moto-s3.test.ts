/**
 * A cross-check of the emulated S3 against moto_server (moto 5.2.1), which nobody here wrote: the same
 * client-level scenario of the audit trail (PutObject with a buffer and with an aws-chunked stream,
 * ListObjectsV2 with paging, a prefix and a delimiter, a three-part multipart upload, GetObject) runs
 * against both, through the real SDK, and what a client observes must be the same: keys and their order,
 * sizes, bodies, ETags, truncation, error codes.
 *
 * Deliberate differences, where the emulator follows S3 and moto does not (found by this cross-check,
 * so left out of the comparison):
 * - moto verifies no checksum: a wrong `x-amz-checksum-crc32` is stored; S3 and the emulator answer BadDigest.
 * - moto accepts aws-chunked chunks under 8 KiB; S3 and the emulator answer InvalidChunkSizeError (403),
 *   which is why the scenario streams 16 KiB chunks.
 * - moto lists past 1000 keys a page when asked to, and takes max-keys -1; S3 caps a page at 1000 and
 *   refuses a negative max-keys (InvalidArgument).
 * - moto answers a continuation token it did not give, and UploadPart or CompleteMultipartUpload for an
 *   aborted or unknown upload, with an HTML 500; S3 answers InvalidArgument (400) and NoSuchUpload (404).
 *   (AbortMultipartUpload of an aborted upload is NoSuchUpload in both, and is compared.)
 * - moto does not check the order of the parts (two reversed 1 KiB parts gave EntityTooSmall, where S3
 *   says InvalidPartOrder); and it completes an upload created with a checksum algorithm without the
 *   parts' checksums, which S3 refuses with InvalidRequest.
 * - moto's EntityTooSmall says "…minimum allowed object size."; S3 says "…minimum allowed size", as the
 *   emulator does. Only codes and statuses are compared.
 * - moto gives a completed multipart upload no checksum (and, without the awscrt package, could not
 *   compute S3's default CRC64NVME); S3 and the emulator give it a full-object CRC64NVME, which the SDK
 *   then checks on GetObject. moto's listings carry ChecksumAlgorithm but no ChecksumType. Checksums of
 *   listings and of the completed upload are therefore left out; the parts' CRC32s are compared.
 * - A completed upload's Location: moto gives the virtual-hosted AWS form, the emulator its own address;
 *   moto also answers VersionId "null" for a bucket without versioning. Neither is compared.
 */
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { MIN_PART_BYTES } from '../emulator/s3';
import { Emulator } from '../emulator/server';
import { MOTO_AVAILABLE, reportMotoMissing, startMoto } from '../support/moto';
import { bytes } from '../support/bytes';

jest.setTimeout(90_000);

const REGION = 'eu-west-2';
const BUCKET = 'ecr-maintainer-audit';
const DAY = 'runs/123456789012/eu-west-2/2026-11-25';

const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

async function errorOf(promise: Promise<unknown>): Promise<[string, number | undefined]> {
  return promise.then(
    () => ['no error', undefined],
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => [error.name, error.$metadata?.httpStatusCode],
  );
}

async function read(client: S3Client, Key: string): Promise<{ sha256: string; size: number; contentType?: string; etag?: string }> {
  const output = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
  const data = await output.Body!.transformToByteArray();
  return { sha256: sha256(data), size: data.length, contentType: output.ContentType, etag: output.ETag };
}

/** The audit trail's calls, and what a client sees of them. The same scenario runs against moto and the emulator. */
async function scenario(client: S3Client): Promise<unknown> {
  const csv = bytes(100_000, 1);
  const jsonl = [bytes(16_384, 2), bytes(16_384, 3), bytes(700, 4)];
  const putCsv = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `${DAY}/120000-dry.csv`, Body: csv, ContentType: 'text/csv' }));
  const putJsonl = await client.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: `${DAY}/120000-dry.jsonl`, Body: Readable.from(jsonl), ContentLength: 33_468, ContentType: 'application/x-ndjson' }),
  );
  const others = [
    'runs/123456789012/eu-west-2/2026-11-24/120000-delete.csv',
    'runs/123456789012/us-east-1/2026-11-25/120000-dry.csv',
    'runs/210987654321/eu-west-2/2026-11-25/120000-dry.csv',
    'runs/a b+c.txt',
    'runs/ü.txt',
    'runs/\uE000.txt',
    'runs/😀.txt',
    'readme.txt',
  ];
  for (const [n, Key] of others.entries()) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: 'x'.repeat(n + 1) }));

  const pages = [];
  for await (const page of paginateListObjectsV2({ client, pageSize: 3 }, { Bucket: BUCKET, Prefix: 'runs/' })) {
    pages.push({
      KeyCount: page.KeyCount,
      MaxKeys: page.MaxKeys,
      IsTruncated: page.IsTruncated,
      token: page.NextContinuationToken !== undefined,
      contents: page.Contents?.map(({ Key, Size, ETag, StorageClass }) => ({ Key, Size, ETag, StorageClass })),
    });
  }
  const folders = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'runs/', Delimiter: '/' }));
  const regions = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'runs/123456789012/', Delimiter: '/', MaxKeys: 1 }));

  const parts = [bytes(MIN_PART_BYTES, 5), bytes(MIN_PART_BYTES, 6), bytes(4321, 7)];
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: `${DAY}/120000-delete.jsonl`, ContentType: 'application/x-ndjson' }));
  const uploaded = [];
  for (const [n, Body] of parts.entries()) {
    const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: `${DAY}/120000-delete.jsonl`, UploadId, PartNumber: n + 1, Body }));
    uploaded.push({ PartNumber: n + 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 });
  }
  const completed = await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: `${DAY}/120000-delete.jsonl`, UploadId, MultipartUpload: { Parts: uploaded } }));

  const small = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'small' }));
  const smallParts = [];
  for (const n of [1, 2]) {
    const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'small', UploadId: small.UploadId, PartNumber: n, Body: bytes(1024, n) }));
    smallParts.push({ PartNumber: n, ETag: part.ETag });
  }
  const tooSmall = await errorOf(client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'small', UploadId: small.UploadId, MultipartUpload: { Parts: smallParts } })));
  const aborted = await errorOf(client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'small', UploadId: small.UploadId })));
  const abortedAgain = await errorOf(client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'small', UploadId: small.UploadId })));

  const all = [];
  for await (const page of paginateListObjectsV2({ client }, { Bucket: BUCKET })) all.push(...(page.Contents ?? []).map((object) => object.Key));

  return {
    puts: {
      csv: { ETag: putCsv.ETag, ChecksumCRC32: putCsv.ChecksumCRC32 },
      jsonl: { ETag: putJsonl.ETag, ChecksumCRC32: putJsonl.ChecksumCRC32 },
    },
    pages,
    folders: { KeyCount: folders.KeyCount, IsTruncated: folders.IsTruncated, CommonPrefixes: folders.CommonPrefixes, keys: folders.Contents?.map((object) => object.Key) },
    regions: { KeyCount: regions.KeyCount, IsTruncated: regions.IsTruncated, CommonPrefixes: regions.CommonPrefixes },
    multipart: {
      parts: uploaded.map(({ ETag, ChecksumCRC32 }) => ({ ETag, ChecksumCRC32 })),
      ETag: completed.ETag,
      Bucket: completed.Bucket,
      Key: completed.Key,
    },
    errors: {
      tooSmall,
      aborted,
      abortedAgain,
      noSuchBucket: await errorOf(client.send(new ListObjectsV2Command({ Bucket: 'no-such-audit-bucket' }))),
      noSuchKey: await errorOf(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: `${DAY}/missing.csv` }))),
    },
    bodies: {
      csv: await read(client, `${DAY}/120000-dry.csv`),
      jsonl: await read(client, `${DAY}/120000-dry.jsonl`),
      multipart: await read(client, `${DAY}/120000-delete.jsonl`),
    },
    expected: { csv: sha256(csv), jsonl: sha256(Buffer.concat(jsonl)), multipart: sha256(Buffer.concat(parts)) },
    all,
  };
}

if (!MOTO_AVAILABLE) {
  reportMotoMissing('S3');
} else {
  describe('the emulated S3 against moto_server', () => {
    let moto: ChildProcess | undefined;
    let emulator: Emulator | undefined;
    const clients: S3Client[] = [];
    const client = (endpoint: string): S3Client => {
      const created = new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } });
      clients.push(created);
      return created;
    };

    afterAll(async () => {
      for (const created of clients) created.destroy();
      moto?.kill();
      await emulator?.stop();
    });

    it('observes the same keys, order, sizes, bodies, ETags, truncation and errors from both', async () => {
      const started = await startMoto();
      moto = started.process;
      const motoClient = client(started.endpoint);
      await motoClient.send(new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }));
      emulator = await Emulator.start({ repositories: [], region: REGION, buckets: [BUCKET] });

      const fromMoto = (await scenario(motoClient)) as Record<string, unknown>;
      const fromEmulator = (await scenario(client(emulator.url))) as Record<string, unknown>;

      expect(fromEmulator).toEqual(fromMoto);
      // What both agree on is also what it should be.
      expect(fromEmulator).toMatchObject({
        bodies: {
          csv: { sha256: (fromEmulator.expected as { csv: string }).csv, contentType: 'text/csv' },
          jsonl: { sha256: (fromEmulator.expected as { jsonl: string }).jsonl, contentType: 'application/x-ndjson' },
          multipart: { sha256: (fromEmulator.expected as { multipart: string }).multipart, size: 2 * MIN_PART_BYTES + 4321, etag: expect.stringMatching(/^"[0-9a-f]{32}-3"$/) },
        },
        errors: {
          tooSmall: ['EntityTooSmall', 400],
          aborted: ['no error', undefined],
          abortedAgain: ['NoSuchUpload', 404],
          noSuchBucket: ['NoSuchBucket', 404],
          noSuchKey: ['NoSuchKey', 404],
        },
      });
      expect((fromEmulator.pages as unknown[]).length).toBe(3);
      expect(fromEmulator.all).toHaveLength(11);
    });
  });
}
