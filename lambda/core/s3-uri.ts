/** `s3://bucket/key` URIs: parsed, and checked against S3's naming rules. Pure. */

/** A general purpose bucket's name: 3 to 63 lower-case letters, digits, dots and hyphens. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export interface S3Location {
  readonly bucket: string;
  readonly key: string;
}

/** The bucket and key of `s3://bucket/key`; the key is everything after the first "/". */
export function parseS3Uri(uri: string): S3Location {
  const rest = uri.slice('s3://'.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? { bucket: rest, key: '' } : { bucket: rest.slice(0, slash), key: rest.slice(slash + 1) };
}

/** Why `uri` does not name one S3 object that a policy can grant, or undefined when it does. */
export function checkS3Uri(uri: string): string | undefined {
  if (!uri.startsWith('s3://')) return 'it must start with s3://';
  const { bucket, key } = parseS3Uri(uri);
  if (!BUCKET_NAME.test(bucket) || bucket.includes('..') || /^\d+\.\d+\.\d+\.\d+$/.test(bucket)) {
    return `"${bucket}" is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)`;
  }
  if (key === '') return 'it must name an object after the bucket, such as s3://my-bucket/in-use-images.json';
  if (/[*?]|\$\{/.test(key)) return `the key "${key}" has "*", "?" or "\${", which a policy would read as a wildcard or a variable`;
  if (Buffer.byteLength(key, 'utf8') > 1024) return 'the key is longer than S3 allows (1024 bytes)';
  return undefined;
}
