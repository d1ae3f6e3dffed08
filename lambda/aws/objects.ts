/** Reads a small text object from S3, such as the operator's list of image references. */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { EcrMaintainerError } from '../errors';
import { checkS3Uri, parseS3Uri, type S3Location } from '../core/s3-uri';
import type { ApiCalls } from './api-calls';

/** The largest object read: 10 MiB. */
export const MAX_OBJECT_BYTES = 10 * 1024 * 1024;

/**
 * Parses `s3://bucket/key`.
 *
 * @throws EcrMaintainerError that states the expected form
 */
export function parseObjectUri(uri: string): S3Location {
  const why = checkS3Uri(uri);
  if (why !== undefined) {
    throw new EcrMaintainerError(`an S3 object must be given as s3://<bucket>/<key>, such as s3://my-bucket/in-use-images.txt; got "${uri}": ${why}`);
  }
  return parseS3Uri(uri);
}

/**
 * Reads the object at `s3://bucket/key` as UTF-8 text.
 *
 * @throws EcrMaintainerError for a bad URI, an object larger than 10 MiB, or bytes that are not UTF-8
 * @throws AwsCallError when S3 cannot serve it (`NoSuchKey`, `NoSuchBucket`, `AccessDenied`, …)
 */
export async function readObjectText(s3: S3Client, calls: ApiCalls, uri: string): Promise<string> {
  const { bucket, key } = parseObjectUri(uri);
  const read = await calls.send('S3.GetObject', uri, async () => {
    const output = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const body = output.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
    if ((output.ContentLength ?? 0) > MAX_OBJECT_BYTES) {
      body?.destroy?.();
      return { $metadata: output.$metadata, tooLarge: output.ContentLength ?? 0 };
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of body ?? []) {
      size += chunk.length;
      if (size > MAX_OBJECT_BYTES) {
        body?.destroy?.();
        return { $metadata: output.$metadata, tooLarge: size };
      }
      chunks.push(chunk);
    }
    return { $metadata: output.$metadata, bytes: Buffer.concat(chunks) };
  });
  if ('tooLarge' in read) {
    throw new EcrMaintainerError(`${uri} is larger than the 10 MiB (${MAX_OBJECT_BYTES} bytes) that the cleaner reads: ${read.tooLarge} bytes or more`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(read.bytes);
  } catch {
    throw new EcrMaintainerError(`${uri} is not UTF-8 text`);
  }
}
