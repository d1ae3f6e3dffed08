/**
 * Amazon S3's GetObject, over REST-XML: `GET /<bucket>/<key>` (path style, which the SDK uses against an
 * IP endpoint such as `http://127.0.0.1:PORT`), or `GET /<key>` with the bucket in the host
 * (`<bucket>.localhost`, virtual-hosted style). Errors are `<Error><Code/><Message/></Error>` with the
 * status S3 gives them: NoSuchKey and NoSuchBucket 404, AccessDenied 403, SlowDown 503.
 */
import { createHash } from 'node:crypto';
import { AwsError } from './protocol';
import type { Fixture, FixtureObject } from './fixture';
import { escapeXml } from './sts';

export interface S3Request {
  readonly bucket: string;
  readonly key: string;
}

export class S3 {
  private readonly objects: readonly FixtureObject[];
  private readonly modified: Date;

  constructor(fixture: Fixture, now: Date) {
    this.objects = fixture.objects ?? [];
    this.modified = new Date(now.getTime() - 86_400_000);
  }

  /** The bucket and key of a request, from the host (virtual-hosted style) or the path (path style). */
  static request(host: string, rawPath: string): S3Request {
    const hostname = host.split(':')[0];
    const segments = rawPath.split('/').slice(1).map((segment) => decodeURIComponent(segment));
    if (hostname.endsWith('.localhost')) return { bucket: hostname.slice(0, -'.localhost'.length), key: segments.join('/') };
    return { bucket: segments[0] ?? '', key: segments.slice(1).join('/') };
  }

  /** GetObject: the object's body and headers. */
  getObject(request: S3Request): { body: Buffer; headers: Record<string, string> } {
    if (!this.objects.some((object) => object.bucket === request.bucket)) {
      throw new AwsError('NoSuchBucket', 'The specified bucket does not exist', 404);
    }
    const object = this.objects.find((candidate) => candidate.bucket === request.bucket && candidate.key === request.key);
    if (!object) throw new AwsError('NoSuchKey', 'The specified key does not exist.', 404);
    const body = Buffer.from(object.body, 'utf8');
    return {
      body,
      headers: {
        'content-type': 'text/plain',
        'content-length': String(body.length),
        etag: `"${createHash('md5').update(body).digest('hex')}"`,
        'last-modified': this.modified.toUTCString(),
        'accept-ranges': 'bytes',
      },
    };
  }

  /** An error as S3 sends it. A fault rule's generic codes become S3's own: AccessDenied, SlowDown. */
  static errorXml(error: AwsError, request: S3Request): { status: number; code: string; body: string } {
    const code = error.code === 'AccessDeniedException' ? 'AccessDenied' : error.code === 'ThrottlingException' ? 'SlowDown' : error.code;
    const status = code === 'AccessDenied' ? 403 : code === 'SlowDown' ? 503 : error.status;
    const message = code === 'AccessDenied' ? 'Access Denied' : code === 'SlowDown' ? 'Please reduce your request rate.' : error.message;
    const detail = code === 'NoSuchKey' ? `<Key>${escapeXml(request.key)}</Key>` : code === 'NoSuchBucket' ? `<BucketName>${escapeXml(request.bucket)}</BucketName>` : '';
    return {
      status,
      code,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>${detail}<RequestId>emulator</RequestId><HostId>emulator</HostId></Error>`,
    };
  }
}
