/**
 * AWS JSON 1.1 as the services speak it: errors with `__type`, pages with `nextToken`, and the limits
 * of the API models.
 */

export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export type Params = Record<string, unknown>;

export function invalidParameter(message: string): AwsError {
  return new AwsError('InvalidParameterException', message);
}

/** Rejects a list parameter longer than the API allows, as the service does. */
export function checkMaxItems(params: Params, field: string, max: number): unknown[] {
  const value = params[field];
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidParameter(`${field} must be a list`);
  if (value.length > max) {
    throw invalidParameter(
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`,
    );
  }
  return value;
}

/**
 * One page of `items`. The token is opaque to the client, and bound to the operation and its key, so a
 * token from another listing is refused.
 */
export function paginate<T>(
  items: readonly T[],
  params: Params,
  limits: { readonly defaultSize: number; readonly maxSize: number; readonly key: string },
): { page: T[]; nextToken?: string } {
  const requested = params.maxResults;
  if (requested !== undefined && (typeof requested !== 'number' || !Number.isInteger(requested) || requested < 1 || requested > limits.maxSize)) {
    throw invalidParameter(
      `1 validation error detected: Value '${text(requested)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and ${limits.maxSize}`,
    );
  }
  const size = typeof requested === 'number' ? requested : limits.defaultSize;
  let offset = 0;
  if (params.nextToken !== undefined && params.nextToken !== null) {
    try {
      const decoded = JSON.parse(Buffer.from(text(params.nextToken), 'base64url').toString('utf8')) as { key: string; offset: number };
      if (decoded.key !== limits.key || !Number.isInteger(decoded.offset)) throw new Error('foreign token');
      offset = decoded.offset;
    } catch {
      throw invalidParameter('Invalid NextToken');
    }
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size;
  return next < items.length
    ? { page, nextToken: Buffer.from(JSON.stringify({ key: limits.key, offset: next })).toString('base64url') }
    : { page };
}

/** A parameter as text, whatever JSON type the client sent. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
}

/** Seconds since the epoch, as AWS JSON timestamps are. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

/** A small deterministic generator (mulberry32), so that fault injection repeats for a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
