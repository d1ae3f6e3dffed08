/**
 * Amazon S3 over REST-XML, as the AWS SDK v3 speaks it: GetObject, PutObject, ListObjectsV2 and the
 * multipart upload (CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload).
 *
 * Requests are path style (`/<bucket>/<key>`, which the SDK uses against an IP endpoint such as
 * `http://127.0.0.1:PORT`) or virtual-hosted style (`/<key>` with the host `<bucket>.localhost`).
 * Errors are `<Error><Code/><Message/>…</Error>` with the status S3 gives them.
 *
 * Faithful where a client can tell the difference:
 * - bodies sent with `content-encoding: aws-chunked` (the SDK's streaming uploads) are decoded, with
 *   S3's rule that every chunk but the last holds at least 8 KiB (InvalidChunkSizeError), and the
 *   decoded length checked against `x-amz-decoded-content-length`;
 * - flexible checksums (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) in a header or in the aws-chunked
 *   trailer are verified (BadDigest), stored and answered to GetObject with `x-amz-checksum-mode`;
 *   an object uploaded without one gets S3's default, a full-object CRC64NVME;
 * - ListObjectsV2 lists in UTF-8 binary order, 1000 keys a page at most, with opaque tokens;
 * - a multipart upload refuses a part other than the last under 5 MiB (EntityTooSmall), and its ETag
 *   is `"<md5 of the parts' binary md5s>-<parts>"`.
 * What the emulator does not implement (other operations, `Range`, conditional requests, response
 * overrides, `encoding-type`) is answered 501 NotImplemented, never silently ignored.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Fixture } from './fixture';
import { AwsError, type Params } from './protocol';
import { escapeXml } from './sts';

/** The smallest part of a multipart upload, but the last: 5 MiB. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
/** The most keys (and common prefixes) that one ListObjectsV2 page holds, and its default. */
export const MAX_KEYS = 1000;
/** The smallest aws-chunked chunk, but the last: 8 KiB. */
export const MIN_CHUNK_BYTES = 8192;
const MAX_PART_NUMBER = 10_000;
const MAX_KEY_BYTES = 1024;
const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

export type S3Operation = 'GetObject' | 'PutObject' | 'ListObjectsV2' | 'CreateMultipartUpload' | 'UploadPart' | 'CompleteMultipartUpload' | 'AbortMultipartUpload';

export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';

export interface S3Request {
  readonly bucket: string;
  readonly key: string;
}

/** One HTTP request to S3, parsed. */
export interface S3Call extends S3Request {
  readonly method: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** The body as it arrived, aws-chunked framing included. */
  readonly body: Buffer;
  /** The `host` header, for the Location of a completed upload. */
  readonly host: string;
}

export interface ObjectChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** Base64; a composite checksum ends with `-<parts>`. */
  readonly value: string;
  readonly type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** An object as the emulated S3 holds it. */
export interface S3Object {
  readonly body: Buffer;
  readonly contentType: string;
  /** The request's content-encoding without `aws-chunked`, such as `gzip`; absent when none is left. */
  readonly contentEncoding?: string;
  /** Quoted, as S3 sends it: `"<md5>"`, or `"<md5 of the parts' md5s>-<parts>"` for a multipart upload. */
  readonly etag: string;
  /** Whole seconds, as S3 keeps it. */
  readonly lastModified: Date;
  /** Absent for fixture objects, which stand for objects written before S3 added default checksums. */
  readonly checksum?: ObjectChecksum;
}

/** A multipart upload in progress. */
export interface S3Upload {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  /** The parts uploaded so far, in order. */
  readonly partNumbers: readonly number[];
}

/** What an S3 operation answers: XML or raw bytes, a status (200 unless given) and headers. */
export interface S3Answer {
  readonly status?: number;
  readonly xml?: string;
  readonly raw?: Buffer;
  readonly headers: Record<string, string>;
}

/** An S3 error, with the extra elements S3 puts in its `<Error>` document (`<Key>`, `<UploadId>`, …). */
export class S3Error extends AwsError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly detail: Readonly<Record<string, string | number>> = {},
  ) {
    super(code, message, status);
    this.name = 'S3Error';
  }
}

interface Part {
  readonly body: Buffer;
  readonly md5: Buffer;
  readonly etag: string;
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly value: string };
}

interface Upload {
  readonly bucket: string;
  readonly key: string;
  readonly contentType: string;
  readonly checksum?: { readonly algorithm: ChecksumAlgorithm; readonly type: 'FULL_OBJECT' | 'COMPOSITE' };
  readonly parts: Map<number, Part>;
}

interface Payload {
  readonly bytes: Buffer;
  readonly trailers: Readonly<Record<string, string>>;
  readonly contentEncoding?: string;
}

interface ContinuationToken {
  readonly bucket: string;
  /** The last key or common prefix of the previous page. */
  readonly after: string;
  /** Whether `after` is a common prefix, whose keys the next page skips. */
  readonly rolledUp: boolean;
}

export class S3 {
  private readonly store = new Map<string, Map<string, S3Object>>();
  private readonly multipart = new Map<string, Upload>();
  private readonly accountId: string;
  private readonly ownerId: string;
  private readonly startedAt = Date.now();

  /** `now` is the emulator's clock: objects written later are stamped `now` plus the time since the start. */
  constructor(
    fixture: Fixture,
    private readonly now: Date,
  ) {
    this.accountId = fixture.accountId ?? '123456789012';
    this.ownerId = createHash('sha256').update(`owner:${this.accountId}`).digest('hex');
    for (const bucket of fixture.buckets ?? []) this.store.set(bucket, new Map());
    for (const object of fixture.objects ?? []) {
      const body = Buffer.from(object.body, 'utf8');
      const objects = this.store.get(object.bucket) ?? new Map<string, S3Object>();
      this.store.set(object.bucket, objects);
      objects.set(object.key, {
        body,
        contentType: object.contentType ?? 'text/plain',
        etag: quotedMd5(body),
        lastModified: wholeSeconds(new Date(now.getTime() - (object.modifiedDaysAgo ?? 1) * 86_400_000)),
      });
    }
  }

  // ---- What a test reads --------------------------------------------------------------------------

  /** Every bucket, in UTF-8 binary order. */
  buckets(): string[] {
    return [...this.store.keys()].sort(compareUtf8);
  }

  /** The keys of a bucket, in UTF-8 binary order (as ListObjectsV2 lists them). Throws for an unknown bucket. */
  keys(bucket: string): string[] {
    const objects = this.store.get(bucket);
    if (!objects) throw new Error(`the emulator has no bucket "${bucket}"; it has ${JSON.stringify(this.buckets())}`);
    return [...objects.keys()].sort(compareUtf8);
  }

  /** An object's bytes, content type, ETag, time and checksum; undefined when there is none. */
  object(bucket: string, key: string): S3Object | undefined {
    return this.store.get(bucket)?.get(key);
  }

  /** The multipart uploads begun and neither completed nor aborted. */
  uploads(): S3Upload[] {
    return [...this.multipart].map(([uploadId, upload]) => ({ uploadId, bucket: upload.bucket, key: upload.key, partNumbers: [...upload.parts.keys()].sort((a, b) => a - b) }));
  }

  // ---- The wire ----------------------------------------------------------------------------------

  /** The bucket and key of a request, from the host (virtual-hosted style) or the path (path style). */
  static request(host: string, rawPath: string): S3Request {
    const hostname = host.split(':')[0];
    const segments = rawPath
      .split('/')
      .slice(1)
      .map((segment) => {
        try {
          return decodeURIComponent(segment);
        } catch {
          return segment; // a malformed escape stays as it came, rather than failing the request with a 500
        }
      });
    if (hostname.endsWith('.localhost')) return { bucket: hostname.slice(0, -'.localhost'.length), key: segments.join('/') };
    return { bucket: segments[0] ?? '', key: segments.slice(1).join('/') };
  }

  /** A request as the S3 operations read it. */
  static call(method: string, url: string, headers: IncomingHttpHeaders, body: Buffer): S3Call {
    const mark = url.indexOf('?');
    const [path, search] = mark < 0 ? [url, ''] : [url.slice(0, mark), url.slice(mark + 1)];
    const host = String(headers.host ?? '');
    return { ...S3.request(host, path), method, query: new URLSearchParams(search), headers, body, host };
  }

  /**
   * The operation a request asks for, or undefined when the emulator does not implement it. Query
   * parameters are an allow-list: a subresource or option the emulator does not know (`?tagging`,
   * `response-content-type`, …) is not taken for a plain GetObject or PutObject.
   */
  static operation(call: S3Call): S3Operation | undefined {
    const names = [...call.query.keys()].filter((name) => name !== 'x-id');
    const only = (...allowed: string[]): boolean => names.every((name) => allowed.includes(name));
    if (call.bucket === '') return undefined;
    if (call.key === '') {
      return call.method === 'GET' && call.query.get('list-type') === '2' && only('list-type', 'prefix', 'delimiter', 'max-keys', 'continuation-token', 'start-after', 'fetch-owner', 'encoding-type')
        ? 'ListObjectsV2'
        : undefined;
    }
    switch (call.method) {
      case 'GET':
        return names.length === 0 ? 'GetObject' : undefined;
      case 'PUT':
        if (call.headers['x-amz-copy-source'] !== undefined) return undefined;
        if (names.length === 0) return 'PutObject';
        return call.query.has('partNumber') && call.query.has('uploadId') && only('partNumber', 'uploadId') ? 'UploadPart' : undefined;
      case 'POST':
        if (call.query.has('uploads') && only('uploads')) return 'CreateMultipartUpload';
        return call.query.has('uploadId') && only('uploadId') ? 'CompleteMultipartUpload' : undefined;
      case 'DELETE':
        return call.query.has('uploadId') && only('uploadId') ? 'AbortMultipartUpload' : undefined;
      default:
        return undefined;
    }
  }

  /** What the emulator records of a call: the SDK's names of its parameters, and `Size`, the bytes of a body once decoded. */
  static params(operation: S3Operation | undefined, call: S3Call): Params {
    const params: Params = { Bucket: call.bucket, ...(call.key !== '' && { Key: call.key }) };
    const query = (name: string, field: string, number = false): void => {
      const value = call.query.get(name);
      if (value !== null) params[field] = number && /^\d+$/.test(value) ? Number(value) : value;
    };
    switch (operation) {
      case 'ListObjectsV2':
        query('prefix', 'Prefix');
        query('delimiter', 'Delimiter');
        query('max-keys', 'MaxKeys', true);
        query('continuation-token', 'ContinuationToken');
        query('start-after', 'StartAfter');
        break;
      case 'PutObject':
        if (call.headers['content-type'] !== undefined) params.ContentType = call.headers['content-type'];
        params.Size = declaredSize(call);
        break;
      case 'UploadPart':
        query('uploadId', 'UploadId');
        query('partNumber', 'PartNumber', true);
        params.Size = declaredSize(call);
        break;
      case 'CompleteMultipartUpload':
      case 'AbortMultipartUpload':
        query('uploadId', 'UploadId');
        break;
      case undefined:
        params.Method = call.method;
        if (call.query.size > 0) params.Query = call.query.toString();
        break;
      default:
        break;
    }
    return params;
  }

  /** The answer to a request that the emulator does not implement: 501, which the SDK does not retry. */
  static unsupported(call: S3Call): S3Error {
    const query = call.query.toString();
    return notImplemented(`${call.method} /${call.bucket}${call.key === '' ? '' : `/${call.key}`}${query === '' ? '' : `?${query}`}`);
  }

  /** Runs one operation. Throws an AwsError (an S3Error when S3 adds elements to its error document). */
  handle(operation: S3Operation, call: S3Call): S3Answer {
    checkContentSha256(call);
    const owner = header(call, 'x-amz-expected-bucket-owner');
    if (owner !== '' && owner !== this.accountId) throw new S3Error('AccessDenied', 'Access Denied', 403);
    switch (operation) {
      case 'GetObject':
        return this.getObject(call);
      case 'PutObject':
        return this.putObject(call);
      case 'ListObjectsV2':
        return this.listObjectsV2(call);
      case 'CreateMultipartUpload':
        return this.createMultipartUpload(call);
      case 'UploadPart':
        return this.uploadPart(call);
      case 'CompleteMultipartUpload':
        return this.completeMultipartUpload(call);
      case 'AbortMultipartUpload':
        return this.abortMultipartUpload(call);
    }
  }

  /** An error as S3 sends it. A fault rule's generic codes become S3's own: AccessDenied 403, SlowDown 503. */
  static errorXml(error: AwsError, request: S3Request): { status: number; code: string; body: string } {
    const code = error.code === 'AccessDeniedException' ? 'AccessDenied' : error.code === 'ThrottlingException' ? 'SlowDown' : error.code;
    const status = code === 'AccessDenied' ? 403 : code === 'SlowDown' ? 503 : error.status;
    const message = code === 'AccessDenied' ? 'Access Denied' : code === 'SlowDown' ? 'Please reduce your request rate.' : error.message;
    const detail =
      error instanceof S3Error ? error.detail : code === 'NoSuchKey' ? { Key: request.key } : code === 'NoSuchBucket' ? { BucketName: request.bucket } : {};
    const elements = Object.entries(detail)
      .map(([name, value]) => `<${name}>${escapeXml(String(value))}</${name}>`)
      .join('');
    return {
      status,
      code,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>${elements}<RequestId>emulator</RequestId><HostId>emulator</HostId></Error>`,
    };
  }

  // ---- Objects -----------------------------------------------------------------------------------

  private getObject(call: S3Call): S3Answer {
    refuseHeaders(call, ['range', 'if-match', 'if-none-match', 'if-modified-since', 'if-unmodified-since', 'x-amz-server-side-encryption-customer-algorithm']);
    const object = this.bucket(call.bucket).get(call.key);
    if (!object) throw new S3Error('NoSuchKey', 'The specified key does not exist.', 404, { Key: call.key });
    const checksum = object.checksum && header(call, 'x-amz-checksum-mode').toUpperCase() === 'ENABLED' ? checksumHeaders(object.checksum) : {};
    return {
      raw: object.body,
      headers: {
        'content-type': object.contentType,
        'content-length': String(object.body.length),
        ...(object.contentEncoding !== undefined && { 'content-encoding': object.contentEncoding }),
        etag: object.etag,
        'last-modified': object.lastModified.toUTCString(),
        'accept-ranges': 'bytes',
        ...checksum,
      },
    };
  }

  private putObject(call: S3Call): S3Answer {
    refuseHeaders(call, ['if-match', 'if-none-match']);
    const objects = this.bucket(call.bucket);
    checkKey(call.key);
    const payload = decodePayload(call);
    checkContentMd5(call, payload.bytes);
    const sent = requestChecksum(call, payload);
    const object: S3Object = {
      body: payload.bytes,
      contentType: header(call, 'content-type') || 'binary/octet-stream',
      ...(payload.contentEncoding !== undefined && { contentEncoding: payload.contentEncoding }),
      etag: quotedMd5(payload.bytes),
      lastModified: this.clock(),
      checksum: sent ? { ...sent, type: 'FULL_OBJECT' } : { algorithm: 'CRC64NVME', value: checksumOf('CRC64NVME', payload.bytes), type: 'FULL_OBJECT' },
    };
    objects.set(call.key, object);
    // S3 answers the checksum that the request carried, not the default it adds.
    return { raw: Buffer.alloc(0), headers: { etag: object.etag, 'x-amz-server-side-encryption': 'AES256', ...(sent && checksumHeaders(object.checksum!)) } };
  }

  private listObjectsV2(call: S3Call): S3Answer {
    const objects = this.bucket(call.bucket);
    const prefix = call.query.get('prefix') ?? '';
    const delimiter = call.query.get('delimiter') ?? '';
    const startAfter = call.query.get('start-after');
    const rawToken = call.query.get('continuation-token');
    const fetchOwner = call.query.get('fetch-owner') === 'true';
    if (call.query.get('encoding-type') !== null) throw notImplemented('encoding-type on ListObjectsV2');
    const rawMaxKeys = call.query.get('max-keys');
    if (rawMaxKeys !== null && !/^\d{1,10}$/.test(rawMaxKeys)) {
      throw new S3Error('InvalidArgument', 'Provided max-keys not an integer or within integer range', 400, { ArgumentName: 'max-keys', ArgumentValue: rawMaxKeys });
    }
    // The response echoes the max-keys asked for; a page never holds more than 1000.
    const maxKeys = rawMaxKeys === null ? MAX_KEYS : Number(rawMaxKeys);
    const pageSize = Math.min(maxKeys, MAX_KEYS);
    const token = rawToken === null ? undefined : readToken(rawToken, call.bucket);

    const keys = [...objects.keys()]
      .filter((key) => key.startsWith(prefix))
      .filter((key) =>
        token ? compareUtf8(key, token.after) > 0 && !(token.rolledUp && key.startsWith(token.after)) : startAfter === null || compareUtf8(key, startAfter) > 0,
      )
      .sort(compareUtf8);
    const entries: { key?: string; prefix?: string }[] = [];
    let truncated = false;
    for (const key of keys) {
      const cut = delimiter === '' ? -1 : key.indexOf(delimiter, prefix.length);
      const rolled = cut < 0 ? undefined : key.slice(0, cut + delimiter.length);
      if (rolled !== undefined && entries.at(-1)?.prefix === rolled) continue;
      if (entries.length === pageSize) {
        truncated = pageSize > 0;
        break;
      }
      entries.push(rolled === undefined ? { key } : { prefix: rolled });
    }
    const last = entries.at(-1);
    const next = truncated && last ? writeToken({ bucket: call.bucket, after: last.key ?? last.prefix ?? '', rolledUp: last.prefix !== undefined }) : undefined;

    const element = (name: string, value: string | number | boolean): string => `<${name}>${escapeXml(String(value))}</${name}>`;
    const contents = entries.flatMap((entry) => {
      if (entry.key === undefined) return [];
      const object = objects.get(entry.key)!;
      return [
        '<Contents>',
        element('Key', entry.key),
        element('LastModified', object.lastModified.toISOString()),
        element('ETag', object.etag),
        ...(object.checksum ? [element('ChecksumAlgorithm', object.checksum.algorithm), element('ChecksumType', object.checksum.type)] : []),
        element('Size', object.body.length),
        ...(fetchOwner ? [`<Owner>${element('ID', this.ownerId)}</Owner>`] : []),
        element('StorageClass', 'STANDARD'),
        '</Contents>',
      ].join('');
    });
    const commonPrefixes = entries.flatMap((entry) => (entry.prefix === undefined ? [] : [`<CommonPrefixes>${element('Prefix', entry.prefix)}</CommonPrefixes>`]));
    const xml = [
      `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="${XMLNS}">`,
      element('Name', call.bucket),
      element('Prefix', prefix),
      ...(rawToken !== null ? [element('ContinuationToken', rawToken)] : []),
      ...(startAfter !== null ? [element('StartAfter', startAfter)] : []),
      element('KeyCount', entries.length),
      element('MaxKeys', maxKeys),
      ...(delimiter !== '' ? [element('Delimiter', delimiter)] : []),
      element('IsTruncated', truncated),
      ...(next !== undefined ? [element('NextContinuationToken', next)] : []),
      ...contents,
      ...commonPrefixes,
      '</ListBucketResult>',
    ].join('');
    return { xml, headers: { 'content-type': 'application/xml' } };
  }

  // ---- Multipart uploads -------------------------------------------------------------------------

  private createMultipartUpload(call: S3Call): S3Answer {
    refuseHeaders(call, ['if-match', 'if-none-match']);
    this.bucket(call.bucket);
    checkKey(call.key);
    const requested = header(call, 'x-amz-checksum-algorithm').toUpperCase();
    const requestedType = header(call, 'x-amz-checksum-type').toUpperCase();
    if (requested !== '' && !isAlgorithm(requested)) {
      throw invalidRequest('Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
    }
    if (requestedType !== '' && requested === '') throw invalidRequest('The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.');
    if (requestedType !== '' && requestedType !== 'COMPOSITE' && requestedType !== 'FULL_OBJECT') throw invalidRequest('Value for x-amz-checksum-type header is invalid.');
    let checksum: Upload['checksum'];
    if (isAlgorithm(requested)) {
      const type = requestedType === 'COMPOSITE' || requestedType === 'FULL_OBJECT' ? requestedType : requested === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
      if (type === 'COMPOSITE' && requested === 'CRC64NVME') throw invalidRequest('The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.');
      if (type === 'FULL_OBJECT' && requested.startsWith('SHA')) throw invalidRequest(`The FULL_OBJECT checksum type cannot be used with the ${requested.toLowerCase()} checksum algorithm.`);
      checksum = { algorithm: requested, type };
    }
    const uploadId = randomBytes(48).toString('base64url');
    this.multipart.set(uploadId, { bucket: call.bucket, key: call.key, contentType: header(call, 'content-type') || 'binary/octet-stream', checksum, parts: new Map() });
    const xml = [
      `<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult xmlns="${XMLNS}">`,
      `<Bucket>${escapeXml(call.bucket)}</Bucket><Key>${escapeXml(call.key)}</Key><UploadId>${uploadId}</UploadId>`,
      '</InitiateMultipartUploadResult>',
    ].join('');
    return {
      xml,
      headers: {
        'content-type': 'application/xml',
        'x-amz-server-side-encryption': 'AES256',
        ...(checksum && { 'x-amz-checksum-algorithm': checksum.algorithm, 'x-amz-checksum-type': checksum.type }),
      },
    };
  }

  private uploadPart(call: S3Call): S3Answer {
    this.bucket(call.bucket);
    const rawPartNumber = call.query.get('partNumber') ?? '';
    const partNumber = /^\d{1,5}$/.test(rawPartNumber) ? Number(rawPartNumber) : NaN;
    if (!(partNumber >= 1 && partNumber <= MAX_PART_NUMBER)) {
      throw new S3Error('InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, 400, { ArgumentName: 'partNumber', ArgumentValue: rawPartNumber });
    }
    const upload = this.upload(call);
    const payload = decodePayload(call);
    checkContentMd5(call, payload.bytes);
    const sent = requestChecksum(call, payload);
    const wanted = upload.checksum?.algorithm;
    if (wanted && sent && sent.algorithm !== wanted) {
      throw invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${wanted.toLowerCase()}, actual checksum Type: ${sent.algorithm.toLowerCase()}`);
    }
    // An upload created with an algorithm keeps a checksum of every part, computing it when the part came without.
    const checksum = sent ?? (wanted ? { algorithm: wanted, value: checksumOf(wanted, payload.bytes) } : undefined);
    const md5 = createHash('md5').update(payload.bytes).digest();
    const part: Part = { body: payload.bytes, md5, etag: `"${md5.toString('hex')}"`, ...(checksum && { checksum }) };
    upload.parts.set(partNumber, part);
    return {
      raw: Buffer.alloc(0),
      headers: { etag: part.etag, 'x-amz-server-side-encryption': 'AES256', ...(checksum && { [`x-amz-checksum-${checksum.algorithm.toLowerCase()}`]: checksum.value }) },
    };
  }

  private completeMultipartUpload(call: S3Call): S3Answer {
    refuseHeaders(call, ['if-match', 'if-none-match']);
    this.bucket(call.bucket);
    const uploadId = call.query.get('uploadId') ?? '';
    const upload = this.upload(call);
    const requested = readCompletedParts(decodePayload(call).bytes.toString('utf8'));
    const algorithm = upload.checksum?.algorithm;
    // The list is checked as a whole before any part is looked at.
    if (requested.some((wanted, position) => position > 0 && wanted.partNumber <= requested[position - 1].partNumber)) {
      throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.', 400, { UploadId: uploadId });
    }
    const parts = requested.map((wanted, position) => {
      const part = upload.parts.get(wanted.partNumber);
      const invalidPart = (): S3Error =>
        new S3Error('InvalidPart', "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.", 400, {
          UploadId: uploadId,
          PartNumber: wanted.partNumber,
          ETag: wanted.etag,
        });
      if (!part || unquote(part.etag) !== unquote(wanted.etag)) throw invalidPart();
      if (algorithm && upload.checksum?.type === 'COMPOSITE' && wanted.checksums[algorithm] === undefined) {
        throw invalidRequest(
          `The upload was created using a ${algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${wanted.partNumber} in the request.`,
        );
      }
      for (const [named, value] of Object.entries(wanted.checksums)) {
        if (part.checksum?.algorithm === named && part.checksum.value !== value) throw invalidPart();
      }
      if (position < requested.length - 1 && part.body.length < MIN_PART_BYTES) {
        throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, {
          ProposedSize: part.body.length,
          MinSizeAllowed: MIN_PART_BYTES,
          PartNumber: wanted.partNumber,
          ETag: unquote(part.etag),
        });
      }
      return part;
    });

    const body = Buffer.concat(parts.map((part) => part.body));
    const etag = `"${createHash('md5')
      .update(Buffer.concat(parts.map((part) => part.md5)))
      .digest('hex')}-${parts.length}"`;
    const checksum: ObjectChecksum =
      upload.checksum?.type === 'COMPOSITE'
        ? {
            algorithm: upload.checksum.algorithm,
            type: 'COMPOSITE',
            value: `${checksumOf(upload.checksum.algorithm, Buffer.concat(parts.map((part) => Buffer.from(part.checksum!.value, 'base64'))))}-${parts.length}`,
          }
        : { algorithm: algorithm ?? 'CRC64NVME', type: 'FULL_OBJECT', value: checksumOf(algorithm ?? 'CRC64NVME', body) };
    const expected = header(call, `x-amz-checksum-${checksum.algorithm.toLowerCase()}`);
    if (expected !== '' && expected !== checksum.value && `${expected}-${parts.length}` !== checksum.value) {
      throw new S3Error('BadDigest', `The ${checksum.algorithm} you specified did not match the calculated checksum.`, 400);
    }

    this.multipart.delete(uploadId);
    this.bucket(call.bucket).set(call.key, { body, contentType: upload.contentType, etag, lastModified: this.clock(), checksum });
    const location = `http://${call.host}/${encodeURIComponent(call.bucket)}/${call.key.split('/').map(encodeURIComponent).join('/')}`;
    const xml = [
      `<?xml version="1.0" encoding="UTF-8"?>\n<CompleteMultipartUploadResult xmlns="${XMLNS}">`,
      `<Location>${escapeXml(location)}</Location><Bucket>${escapeXml(call.bucket)}</Bucket><Key>${escapeXml(call.key)}</Key><ETag>${escapeXml(etag)}</ETag>`,
      `<Checksum${checksum.algorithm}>${checksum.value}</Checksum${checksum.algorithm}><ChecksumType>${checksum.type}</ChecksumType>`,
      '</CompleteMultipartUploadResult>',
    ].join('');
    return { xml, headers: { 'content-type': 'application/xml', 'x-amz-server-side-encryption': 'AES256' } };
  }

  private abortMultipartUpload(call: S3Call): S3Answer {
    this.bucket(call.bucket);
    this.upload(call);
    this.multipart.delete(call.query.get('uploadId') ?? '');
    return { status: 204, raw: Buffer.alloc(0), headers: {} };
  }

  // ---- Helpers -----------------------------------------------------------------------------------

  private bucket(name: string): Map<string, S3Object> {
    const objects = this.store.get(name);
    if (!objects) throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', 404, { BucketName: name });
    return objects;
  }

  /** The upload a call names; S3 knows an upload id only with its own bucket and key. */
  private upload(call: S3Call): Upload {
    const uploadId = call.query.get('uploadId') ?? '';
    const upload = this.multipart.get(uploadId);
    if (!upload || upload.bucket !== call.bucket || upload.key !== call.key) {
      throw new S3Error('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', 404, { UploadId: uploadId });
    }
    return upload;
  }

  private clock(): Date {
    return wholeSeconds(new Date(this.now.getTime() + (Date.now() - this.startedAt)));
  }
}

// ---- The body and its checksums -------------------------------------------------------------------

/**
 * The bytes of a request body. An aws-chunked body (`content-encoding: aws-chunked`, or an
 * `x-amz-content-sha256` of `STREAMING-…`) is framed as `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n`
 * chunks, a last chunk of size 0, then trailer lines (`x-amz-checksum-crc32:<base64>`) and an empty
 * line. Signatures are not checked, as the emulator checks no signature.
 */
function decodePayload(call: S3Call): Payload {
  const encodings = header(call, 'content-encoding')
    .split(',')
    .map((encoding) => encoding.trim())
    .filter((encoding) => encoding !== '');
  const rest = encodings.filter((encoding) => encoding.toLowerCase() !== 'aws-chunked');
  const contentEncoding = rest.length > 0 ? rest.join(',') : undefined;
  const chunked = rest.length < encodings.length || header(call, 'x-amz-content-sha256').startsWith('STREAMING-');
  if (!chunked) return { bytes: call.body, trailers: {}, ...(contentEncoding !== undefined && { contentEncoding }) };

  const declared = header(call, 'x-amz-decoded-content-length');
  if (!/^\d+$/.test(declared)) throw new S3Error('MissingContentLength', 'You must provide the Content-Length HTTP header.', 411);
  const incomplete = (why: string): S3Error => new S3Error('IncompleteBody', `The request body is not valid aws-chunked encoding: ${why}`, 400);
  const body = call.body;
  const chunks: Buffer[] = [];
  let at = 0;
  for (;;) {
    const end = body.indexOf('\r\n', at);
    if (end < 0) throw incomplete(`chunk ${chunks.length + 1} has no header line`);
    const size = body.subarray(at, end).toString('latin1').split(';')[0].trim();
    if (!/^[0-9a-fA-F]{1,8}$/.test(size)) throw incomplete(`chunk ${chunks.length + 1} has the size "${size}"`);
    at = end + 2;
    const length = parseInt(size, 16);
    if (length === 0) break;
    if (body.length < at + length + 2 || body[at + length] !== 0x0d || body[at + length + 1] !== 0x0a) throw incomplete(`chunk ${chunks.length + 1} is shorter than its size`);
    chunks.push(body.subarray(at, at + length));
    at += length + 2;
  }
  const trailers: Record<string, string> = {};
  while (at < body.length) {
    const end = body.indexOf('\r\n', at);
    const line = body.subarray(at, end < 0 ? body.length : end).toString('latin1');
    at = end < 0 ? body.length : end + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon < 0) throw incomplete(`the trailer line "${line}" has no colon`);
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  // S3 finds a small chunk when the next one arrives, and names that next chunk.
  const small = chunks.findIndex((chunk, position) => position < chunks.length - 1 && chunk.length < MIN_CHUNK_BYTES);
  if (small >= 0) {
    throw new S3Error('InvalidChunkSizeError', `Only the last chunk is allowed to have a size less than ${MIN_CHUNK_BYTES} bytes`, 403, { Chunk: small + 2, BadChunkSize: chunks[small].length });
  }
  const bytes = Buffer.concat(chunks);
  if (bytes.length !== Number(declared)) {
    throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', 400);
  }
  return { bytes, trailers, ...(contentEncoding !== undefined && { contentEncoding }) };
}

/** Headers that start `x-amz-checksum-` without carrying a checksum. */
const NOT_CHECKSUMS = new Set(['x-amz-checksum-mode', 'x-amz-checksum-type', 'x-amz-checksum-algorithm']);

/**
 * The checksum that a request carries, in an `x-amz-checksum-<algorithm>` header or in the trailer
 * that `x-amz-trailer` names, verified against the bytes. At most one is allowed.
 */
function requestChecksum(call: S3Call, payload: Payload): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  const found = Object.keys(call.headers)
    .filter((name) => name.startsWith('x-amz-checksum-') && !NOT_CHECKSUMS.has(name))
    .map((name) => [name, header(call, name)] as const);
  const trailer = header(call, 'x-amz-trailer').toLowerCase();
  if (trailer !== '') {
    if (!trailer.startsWith('x-amz-checksum-')) throw notImplemented(`the trailer ${trailer}`);
    const value = payload.trailers[trailer];
    if (value === undefined) throw new S3Error('IncompleteBody', `The request names the trailer ${trailer} but its body does not carry it`, 400);
    found.push([trailer, value]);
  }
  const sdkAlgorithm = header(call, 'x-amz-sdk-checksum-algorithm').toUpperCase();
  if (found.length > 1) throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  if (found.length === 0) {
    if (sdkAlgorithm !== '') throw invalidRequest('x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.');
    return undefined;
  }
  const [name, value] = found[0];
  const algorithm = name.slice('x-amz-checksum-'.length).toUpperCase();
  if (!isAlgorithm(algorithm)) throw notImplemented(`the checksum ${name}`);
  if (sdkAlgorithm !== '' && sdkAlgorithm !== algorithm) throw invalidRequest('Value for x-amz-sdk-checksum-algorithm header is invalid.');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || Buffer.from(value, 'base64').length !== DIGEST_BYTES[algorithm]) {
    throw invalidRequest(`Value for ${name} header is invalid.`);
  }
  if (checksumOf(algorithm, payload.bytes) !== value) throw new S3Error('BadDigest', `The ${algorithm} you specified did not match the calculated checksum.`, 400);
  return { algorithm, value };
}

function checkContentMd5(call: S3Call, bytes: Buffer): void {
  const md5 = header(call, 'content-md5');
  if (md5 === '') return;
  if (Buffer.from(md5, 'base64').length !== 16) throw new S3Error('InvalidDigest', 'The Content-MD5 you specified was invalid.', 400);
  if (createHash('md5').update(bytes).digest('base64') !== md5) throw new S3Error('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
}

/** A payload hash given in hex (a signed, unchunked body) must be the body's. */
function checkContentSha256(call: S3Call): void {
  const hash = header(call, 'x-amz-content-sha256');
  if (!/^[0-9a-f]{64}$/.test(hash)) return;
  if (createHash('sha256').update(call.body).digest('hex') !== hash) {
    throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400, { ClientComputedContentSHA256: hash });
  }
}

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

function isAlgorithm(name: string): name is ChecksumAlgorithm {
  return Object.hasOwn(DIGEST_BYTES, name);
}

/** The base64 checksum of `bytes`, big-endian for the CRCs, as S3 and the SDK encode it. */
export function checksumOf(algorithm: ChecksumAlgorithm, bytes: Uint8Array): string {
  switch (algorithm) {
    case 'CRC32':
      return crc32(CRC32_TABLE, bytes).toString('base64');
    case 'CRC32C':
      return crc32(CRC32C_TABLE, bytes).toString('base64');
    case 'CRC64NVME':
      return crc64nvme(bytes).toString('base64');
    case 'SHA1':
      return createHash('sha1').update(bytes).digest('base64');
    case 'SHA256':
      return createHash('sha256').update(bytes).digest('base64');
  }
}

/** A reflected CRC-32 table for a (reflected) polynomial. */
function crc32Table(polynomial: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let crc = n;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1 ? (crc >>> 1) ^ polynomial : crc >>> 1;
    table[n] = crc >>> 0;
  }
  return table;
}

const CRC32_TABLE = crc32Table(0xedb88320);
const CRC32C_TABLE = crc32Table(0x82f63b78);

function crc32(table: Uint32Array, bytes: Uint8Array): Buffer {
  let crc = 0xffffffff;
  for (let n = 0; n < bytes.length; n += 1) crc = (crc >>> 8) ^ table[(crc ^ bytes[n]) & 0xff];
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out;
}

/** CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5), kept as two 32-bit halves to avoid BigInt's cost. */
const CRC64_TABLE = ((): { high: Uint32Array; low: Uint32Array } => {
  const high = new Uint32Array(256);
  const low = new Uint32Array(256);
  for (let n = 0; n < 256; n += 1) {
    let hi = 0;
    let lo = n;
    for (let bit = 0; bit < 8; bit += 1) {
      const carry = lo & 1;
      lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
      hi >>>= 1;
      if (carry) {
        hi = (hi ^ 0x9a6c9329) >>> 0;
        lo = (lo ^ 0xac4bc9b5) >>> 0;
      }
    }
    high[n] = hi;
    low[n] = lo;
  }
  return { high, low };
})();

function crc64nvme(bytes: Uint8Array): Buffer {
  const { high, low } = CRC64_TABLE;
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  for (let n = 0; n < bytes.length; n += 1) {
    const index = (lo ^ bytes[n]) & 0xff;
    lo = (((lo >>> 8) | (hi << 24)) ^ low[index]) >>> 0;
    hi = ((hi >>> 8) ^ high[index]) >>> 0;
  }
  const out = Buffer.alloc(8);
  out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
  out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
  return out;
}

function checksumHeaders(checksum: ObjectChecksum): Record<string, string> {
  return { [`x-amz-checksum-${checksum.algorithm.toLowerCase()}`]: checksum.value, 'x-amz-checksum-type': checksum.type };
}

// ---- Small pieces ---------------------------------------------------------------------------------

/** The parts of a CompleteMultipartUpload body: `<Part><ETag/><PartNumber/>[<ChecksumCRC32/>…]</Part>…`. */
function readCompletedParts(xml: string): { partNumber: number; etag: string; checksums: Partial<Record<ChecksumAlgorithm, string>> }[] {
  const malformed = new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', 400);
  if (!/<CompleteMultipartUpload[\s>]/.test(xml)) throw malformed;
  const parts = [...xml.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((match) => {
    const fields = Object.fromEntries([...match[1].matchAll(/<(\w+)>([^<]*)<\/\1>/g)].map((field) => [field[1], unescapeXml(field[2])]));
    const partNumber = Number(fields.PartNumber);
    if (fields.ETag === undefined || !Number.isInteger(partNumber)) throw malformed;
    const checksums = Object.fromEntries(
      Object.entries(fields)
        .filter(([name]) => name.startsWith('Checksum') && isAlgorithm(name.slice('Checksum'.length)))
        .map(([name, value]) => [name.slice('Checksum'.length), value]),
    ) as Partial<Record<ChecksumAlgorithm, string>>;
    return { partNumber, etag: fields.ETag, checksums };
  });
  if (parts.length === 0) throw malformed;
  return parts;
}

function unescapeXml(text: string): string {
  return text.replace(/&(quot|amp|lt|gt|apos|#x[0-9a-fA-F]+|#\d+);/g, (_match, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return ({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" } as Record<string, string>)[entity];
  });
}

function writeToken(token: ContinuationToken): string {
  // Standard base64 ('+', '/', '='), as S3's tokens are: the client must encode it in the query.
  return Buffer.from(JSON.stringify([token.bucket, token.after, token.rolledUp])).toString('base64');
}

function readToken(raw: string, bucket: string): ContinuationToken {
  try {
    const [owner, after, rolledUp] = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as [unknown, unknown, unknown];
    if (owner === bucket && typeof after === 'string' && typeof rolledUp === 'boolean') return { bucket, after, rolledUp };
  } catch {
    // not one of ours
  }
  throw new S3Error('InvalidArgument', 'The continuation token provided is incorrect', 400, { ArgumentName: 'continuation-token', ArgumentValue: raw });
}

/** Orders strings as S3 does: by their UTF-8 bytes (not by UTF-16 code units, as `<` does). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function checkKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new S3Error('KeyTooLongError', 'Your key is too long', 400, { MaxSizeAllowed: MAX_KEY_BYTES, Size: Buffer.byteLength(key, 'utf8') });
}

/** Answers 501 for a header that asks for what the emulator does not implement, rather than ignoring it. */
function refuseHeaders(call: S3Call, names: readonly string[]): void {
  const given = names.find((name) => call.headers[name] !== undefined);
  if (given !== undefined) throw notImplemented(`the ${given} header on ${call.method} requests`);
}

/** The bytes a body holds once decoded, as the request declares them. */
function declaredSize(call: S3Call): number {
  const decoded = header(call, 'x-amz-decoded-content-length');
  return /^\d+$/.test(decoded) ? Number(decoded) : call.body.length;
}

function header(call: S3Call, name: string): string {
  const value = call.headers[name];
  return (Array.isArray(value) ? value.join(',') : (value ?? '')).trim();
}

function quotedMd5(bytes: Buffer): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

function unquote(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function invalidRequest(message: string): S3Error {
  return new S3Error('InvalidRequest', message, 400);
}

function notImplemented(what: string): S3Error {
  return new S3Error('NotImplemented', `The emulator does not implement ${what}.`, 501);
}
