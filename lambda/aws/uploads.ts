/**
 * Writes text that comes a line at a time to S3 without holding it whole: one PutObject when it is small,
 * else a multipart upload of 8 MiB parts, one part held at a time. Every call goes through `ApiCalls`, so
 * it is counted, bounded and retried like every other. A multipart upload that fails is aborted, so that
 * no parts are left to be billed.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { parseS3Uri } from '../core/s3-uri';
import type { ApiCalls } from './api-calls';

/** The size of each part but the last: above S3's 5 MiB minimum, and small beside the function's memory. */
export const PART_BYTES = 8 * 1024 * 1024;

/**
 * Uploads the lines to `s3://bucket/key`.
 *
 * @returns the number of bytes written
 * @throws AwsCallError when S3 refuses a call after the retries (the multipart upload is then aborted)
 */
export async function uploadLines(s3: S3Client, calls: ApiCalls, uri: string, lines: Iterable<string>, contentType: string, partBytes = PART_BYTES): Promise<number> {
  const { bucket, key } = parseS3Uri(uri);
  const parts = partsOf(lines, partBytes);
  const first = parts.next();
  const firstBody = first.done ? Buffer.alloc(0) : first.value;
  const second = first.done ? first : parts.next();
  if (second.done) {
    await calls.send('S3.PutObject', uri, () => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: firstBody, ContentType: contentType })));
    return firstBody.length;
  }

  const created = await calls.send('S3.CreateMultipartUpload', uri, () => s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ContentType: contentType })));
  const uploadId = created.UploadId as string;
  const done: { ETag: string; PartNumber: number }[] = [];
  let bytes = 0;
  try {
    let part = firstBody;
    let next: IteratorResult<Buffer, void> = second;
    for (;;) {
      const PartNumber = done.length + 1;
      const body = part;
      const answer = await calls.send('S3.UploadPart', `${uri} part ${PartNumber}`, () =>
        s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId: uploadId, PartNumber, Body: body })),
      );
      done.push({ ETag: answer.ETag as string, PartNumber });
      bytes += body.length;
      if (next.done) break;
      part = next.value;
      next = parts.next();
    }
    await calls.send('S3.CompleteMultipartUpload', uri, () =>
      s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId, MultipartUpload: { Parts: done } })),
    );
  } catch (error) {
    await calls.send('S3.AbortMultipartUpload', uri, () => s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))).catch(() => undefined);
    throw error;
  }
  return bytes;
}

/** The lines, joined into bodies of at least `partBytes` bytes (the last may be smaller), one at a time. */
function* partsOf(lines: Iterable<string>, partBytes: number): Generator<Buffer, void, undefined> {
  let pending: Buffer[] = [];
  let size = 0;
  for (const line of lines) {
    const bytes = Buffer.from(line, 'utf8');
    pending.push(bytes);
    size += bytes.length;
    if (size >= partBytes) {
      yield Buffer.concat(pending, size);
      pending = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(pending, size);
}
