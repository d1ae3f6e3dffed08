/**
 * AWS Lambda, as far as the cleaner reads it: ListFunctions, GetFunction, ListAliases and
 * ListVersionsByFunction, over Lambda's REST-JSON protocol (`GET /2015-03-31/functions…`, the input in the
 * path and the query string). Pages follow the API reference: `MaxItems` between 1 and 10000, `Marker`
 * and `NextMarker`, and at most 50 functions or versions a response whatever `MaxItems` says. Errors are
 * sent as Lambda sends them: an HTTP status, the code in the `x-amzn-ErrorType` header, and a JSON body
 * with `Type` and `Message` (which the SDK turns into an error whose `name` is the code).
 */
import type { ServerResponse } from 'node:http';
import type { Fixture, FixtureFunction, FixtureFunctionImage } from './fixture';
import { AwsError, text, type Params } from './protocol';

/** The most functions or versions one response holds, whatever `MaxItems` asks for. */
const MAX_PAGE = 50;
/**
 * ListAliases documents no such cap. The emulator caps it at 50 too, which a client must handle anyway
 * (a page may hold fewer items than `MaxItems`), and which lets tests page through aliases.
 */
const MAX_ALIAS_PAGE = 50;
const MAX_ITEMS_RANGE = { min: 1, max: 10_000 };
const LAST_MODIFIED = '2026-11-01T09:30:00.000+0000';

/** A Lambda request, parsed from its method, path and query. */
export interface LambdaRequest {
  readonly operation: 'ListFunctions' | 'GetFunction' | 'ListAliases' | 'ListVersionsByFunction' | 'Unknown';
  readonly params: Params;
}

const API_PREFIX = '/2015-03-31/functions';

export class Lambda {
  readonly functions = new Map<string, FixtureFunction>();

  constructor(
    private readonly accountId: string,
    private readonly region: string,
    fixture: Fixture,
  ) {
    for (const fn of fixture.functions ?? []) this.functions.set(fn.name, fn);
  }

  /** The Lambda request that a URL names, or undefined when the path is not Lambda's. */
  static parse(method: string, url: string): LambdaRequest | undefined {
    const parsed = new URL(url, 'http://lambda.local');
    if (parsed.pathname !== API_PREFIX && !parsed.pathname.startsWith(`${API_PREFIX}/`)) return undefined;
    const query = Object.fromEntries(parsed.searchParams);
    const segments = parsed.pathname.slice(API_PREFIX.length).split('/').filter(Boolean).map(decodeURIComponent);
    if (method !== 'GET') return { operation: 'Unknown', params: { method, path: parsed.pathname } };
    if (segments.length === 0) return { operation: 'ListFunctions', params: query };
    const [FunctionName, child] = segments;
    if (segments.length === 1) return { operation: 'GetFunction', params: { ...query, FunctionName } };
    if (segments.length === 2 && child === 'aliases') return { operation: 'ListAliases', params: { ...query, FunctionName } };
    if (segments.length === 2 && child === 'versions') return { operation: 'ListVersionsByFunction', params: { ...query, FunctionName } };
    return { operation: 'Unknown', params: { method, path: parsed.pathname } };
  }

  /** What a call is about, for fault rules. */
  static target(params: Params): { function?: string } {
    if (typeof params.FunctionName !== 'string') return {};
    return { function: splitName(params.FunctionName).name };
  }

  handle(operation: LambdaRequest['operation'], params: Params): unknown {
    switch (operation) {
      case 'ListFunctions':
        return this.listFunctions(params);
      case 'GetFunction':
        return this.getFunction(params);
      case 'ListAliases':
        return this.listAliases(params);
      case 'ListVersionsByFunction':
        return this.listVersionsByFunction(params);
      default:
        throw new AwsError('UnknownOperationException', `Lambda operation ${text(params.method)} ${text(params.path)} is not emulated`, 404);
    }
  }

  functionArn(name: string, qualifier?: string): string {
    return `arn:aws:lambda:${this.region}:${this.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;
  }

  private listFunctions(params: Params): unknown {
    const { page, next } = pageOf([...this.functions.values()], params, 'ListFunctions', MAX_PAGE);
    return { Functions: page.map((fn) => this.configuration(fn, '$LATEST', false)), ...(next && { NextMarker: next }) };
  }

  private listVersionsByFunction(params: Params): unknown {
    const fn = this.find(params);
    // $LATEST first, then the published versions in ascending order, as Lambda lists them.
    const versions = ['$LATEST', ...(fn.versions ?? []).map((_, index) => String(index + 1))];
    const { page, next } = pageOf(versions, params, `ListVersionsByFunction:${fn.name}`, MAX_PAGE);
    return { Versions: page.map((version) => this.configuration(fn, version, true)), ...(next && { NextMarker: next }) };
  }

  private listAliases(params: Params): unknown {
    const fn = this.find(params);
    const aliases = [...(fn.aliases ?? [])]
      .filter((alias) => params.FunctionVersion === undefined || alias.version === params.FunctionVersion)
      .sort((a, b) => a.name.localeCompare(b.name));
    const { page, next } = pageOf(aliases, params, `ListAliases:${fn.name}`, MAX_ALIAS_PAGE);
    return {
      Aliases: page.map((alias) => ({
        AliasArn: this.functionArn(fn.name, alias.name),
        Name: alias.name,
        FunctionVersion: alias.version,
        Description: '',
        ...(alias.additionalVersionWeights && { RoutingConfig: { AdditionalVersionWeights: alias.additionalVersionWeights } }),
        RevisionId: `rev-${fn.name}-${alias.name}`,
      })),
      ...(next && { NextMarker: next }),
    };
  }

  private getFunction(params: Params): unknown {
    const fn = this.find(params);
    const fromName = splitName(text(params.FunctionName)).qualifier;
    const given = params.Qualifier === undefined ? undefined : text(params.Qualifier);
    if (fromName !== undefined && given !== undefined && fromName !== given) {
      throw new AwsError('InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.');
    }
    const qualifier = given ?? fromName;
    const alias = fn.aliases?.find((candidate) => candidate.name === qualifier);
    const version = alias ? alias.version : (qualifier ?? '$LATEST');
    if (this.imageOf(fn, version) === undefined) throw this.notFound(fn.name, qualifier);
    const configuration = { ...this.configuration(fn, version, true), FunctionArn: this.functionArn(fn.name, qualifier) };
    if ((fn.packageType ?? 'Image') === 'Zip') {
      return { Configuration: configuration, Code: { RepositoryType: 'S3', Location: `https://awslambda-${this.region}-tasks.s3.${this.region}.amazonaws.com/snapshots/${this.accountId}/${fn.name}` } };
    }
    const image = this.imageOf(fn, version) as FixtureFunctionImage;
    const repository = image.uri?.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^:/]+$/, '');
    return {
      Configuration: configuration,
      Code: {
        RepositoryType: 'ECR',
        ...(image.uri && { ImageUri: image.uri }),
        ...(image.digest && repository && { ResolvedImageUri: `${repository}@${image.digest}` }),
      },
    };
  }

  /** The image of a version (`$LATEST` or a number), `{}` for a Zip function's; undefined when there is no such version. */
  private imageOf(fn: FixtureFunction, version: string): FixtureFunctionImage | undefined {
    if (version === '$LATEST') return fn.latest ?? {};
    if (!/^[1-9][0-9]*$/.test(version)) return undefined;
    return fn.versions?.[Number(version) - 1];
  }

  private configuration(fn: FixtureFunction, version: string, qualifiedArn: boolean): Record<string, unknown> {
    const packageType = fn.packageType ?? 'Image';
    const image = this.imageOf(fn, version) ?? {};
    return {
      FunctionName: fn.name,
      FunctionArn: this.functionArn(fn.name, qualifiedArn ? version : undefined),
      Role: `arn:aws:iam::${this.accountId}:role/${fn.name}-role`,
      CodeSize: packageType === 'Zip' ? 1024 : 0,
      Description: '',
      Timeout: 3,
      MemorySize: 128,
      LastModified: LAST_MODIFIED,
      CodeSha256: image.digest?.replace('sha256:', '') ?? 'YWJjZGVmZ2hpams=',
      Version: version,
      TracingConfig: { Mode: 'PassThrough' },
      RevisionId: `rev-${fn.name}-${version}`,
      PackageType: packageType,
      Architectures: ['x86_64'],
      EphemeralStorage: { Size: 512 },
      ...(packageType === 'Zip' ? { Runtime: 'nodejs24.x', Handler: 'index.handler' } : { ImageConfigResponse: {} }),
    };
  }

  private find(params: Params): FixtureFunction {
    const name = splitName(text(params.FunctionName ?? '')).name;
    const fn = this.functions.get(name);
    if (!fn) throw this.notFound(name);
    return fn;
  }

  private notFound(name: string, qualifier?: string): AwsError {
    return new AwsError('ResourceNotFoundException', `Function not found: ${this.functionArn(name, qualifier)}`, 404);
  }
}

/** A function's name and qualifier, from a name, `name:qualifier`, a partial ARN or an ARN. */
function splitName(value: string): { name: string; qualifier?: string } {
  const afterFunction = value.includes('function:') ? value.slice(value.indexOf('function:') + 'function:'.length) : value;
  const [name, qualifier] = afterFunction.split(':');
  return qualifier === undefined ? { name } : { name, qualifier };
}

/** One page, with Lambda's `MaxItems` range and an opaque `Marker` bound to the listing. */
function pageOf<T>(items: readonly T[], params: Params, key: string, cap: number): { page: T[]; next?: string } {
  let size = cap;
  if (params.MaxItems !== undefined) {
    const requested = Number(params.MaxItems);
    if (!Number.isInteger(requested) || requested < MAX_ITEMS_RANGE.min || requested > MAX_ITEMS_RANGE.max) {
      const bound = requested < MAX_ITEMS_RANGE.min ? `greater than or equal to ${MAX_ITEMS_RANGE.min}` : `less than or equal to ${MAX_ITEMS_RANGE.max}`;
      throw new AwsError('ValidationException', `1 validation error detected: Value '${text(params.MaxItems)}' at 'maxItems' failed to satisfy constraint: Member must have value ${bound}`);
    }
    size = Math.min(requested, cap);
  }
  let offset = 0;
  if (params.Marker !== undefined) {
    try {
      const decoded = JSON.parse(Buffer.from(text(params.Marker), 'base64url').toString('utf8')) as { key: string; offset: number };
      if (decoded.key !== key || !Number.isInteger(decoded.offset)) throw new Error('foreign marker');
      offset = decoded.offset;
    } catch {
      throw new AwsError('InvalidParameterValueException', 'Invalid marker');
    }
  }
  const page = items.slice(offset, offset + size);
  const end = offset + size;
  return end < items.length ? { page, next: Buffer.from(JSON.stringify({ key, offset: end })).toString('base64url') } : { page };
}

/** Sends a Lambda answer: JSON, or an error as Lambda sends it for REST-JSON. */
export function sendLambda(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': 'emulator',
    ...(errorType && { 'x-amzn-errortype': errorType }),
  });
  response.end(payload);
}

/**
 * An error as Lambda answers it. Faults shared with the JSON 1.1 services arrive in their form, so a
 * throttle becomes Lambda's `TooManyRequestsException` (HTTP 429, which the SDK retries) and a denial is
 * HTTP 403, as Lambda sends them.
 */
export function lambdaError(error: AwsError): { status: number; errorType: string; body: Record<string, string> } {
  if (error.code === 'ThrottlingException' || error.code === 'TooManyRequestsException') {
    return { status: 429, errorType: 'TooManyRequestsException', body: { Reason: 'CallerRateLimitExceeded', Type: 'User', message: 'Rate exceeded' } };
  }
  const status = error.code === 'AccessDeniedException' && error.status === 400 ? 403 : error.status;
  if (error.code === 'ValidationException') return { status, errorType: error.code, body: { message: error.message } };
  return { status, errorType: error.code, body: { Type: status >= 500 ? 'Service' : 'User', Message: error.message } };
}
