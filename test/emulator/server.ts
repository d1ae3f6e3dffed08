/**
 * The local emulator of ECR, ECS, Secrets Manager, STS, Lambda, EventBridge, EventBridge Scheduler, S3
 * and Slack, on `node:http`. The real AWS SDK reaches it through `AWS_ENDPOINT_URL`, and
 * `@slack/web-api` through `SLACK_API_URL`. It records every call and injects the faults that its
 * fixture names.
 *
 * It serves many accounts and regions. A request is served as the account of its access key (the
 * primary account for `emulator`, the role's account for a key that STS AssumeRole handed out; an
 * unknown key is refused as AWS refuses it), in the region of its SigV4 credential scope (an unsigned
 * request: the primary account in its region). Each account and region has its own services; S3 and
 * Slack are shared.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAccountFixtures, createAccountServices, credentialOf, placeKey, type AccountPart, type AccountServices, type Place } from './accounts';
import { Ecr } from './ecr';
import { Ecs } from './ecs';
import type { Events } from './events';
import { Lambda, lambdaError, sendLambda, type LambdaRequest } from './lambda';
import type { Faults, Fixture } from './fixture';
import { AwsError, seededRandom, type Params } from './protocol';
import { S3, S3Error } from './s3';
import { REST_JSON_ERROR_STATUS, Scheduler } from './scheduler';
import type { Secrets } from './secrets';
import { Slack, type SlackAnswer } from './slack';
import { DEFAULT_ACCESS_KEY, Sts, UNRECOGNIZED_CLIENT, UNRECOGNIZED_MESSAGE, type Session } from './sts';

/**
 * One call, as the emulator served it. `account` and `region` are not enumerable, so that a test that
 * compares a whole call with `toEqual` need not name them; read them, or use `toMatchObject`.
 */
export interface RecordedCall {
  /** `ECR.DescribeImages`, `ECS.ListTasks`, `SecretsManager.GetSecretValue`, `Slack.chat.postMessage`, … */
  readonly operation: string;
  readonly params: Params;
  /** `ok`, or the error code answered. */
  readonly outcome: string;
  /** The account that the call was served as; empty for Slack, and for an access key that was not recognised. */
  readonly account: string;
  /** The region of the call's credential scope (the primary region for an unsigned call); empty for Slack. */
  readonly region: string;
}

/** Who a request comes from: a place to serve it in, and the AssumeRole session of its key, if any. */
interface Caller {
  readonly place: Place;
  readonly session?: Session;
  /** The access key was not recognised: the call is refused. */
  readonly unrecognized?: boolean;
}

const TARGETS: Record<string, string> = {
  AmazonEC2ContainerRegistry_V20150921: 'ECR',
  AmazonEC2ContainerServiceV20141113: 'ECS',
  secretsmanager: 'SecretsManager',
  AWSEvents: 'Events',
};

export class Emulator {
  readonly calls: RecordedCall[] = [];
  /** When the first request arrived (`performance.timeOrigin + performance.now()`, in ms): how long a client took to start. */
  firstRequestAt: number | undefined;
  readonly ecr: Ecr;
  readonly ecs: Ecs;
  readonly secrets: Secrets;
  readonly slack: Slack;
  readonly events: Events;
  readonly scheduler: Scheduler;
  readonly sts: Sts;
  readonly s3: S3;
  readonly lambda: Lambda;
  readonly accountId: string;
  readonly region: string;
  url = '';
  private readonly now: Date;
  private readonly places = new Map<string, AccountServices>();
  private faults: Faults;
  private random: () => number;
  private readonly ruleHits = new Map<object, number>();
  private readonly server: Server;

  private constructor(fixture: Fixture) {
    const now = fixture.now ? new Date(fixture.now) : new Date();
    this.now = now;
    this.accountId = fixture.accountId ?? '123456789012';
    this.region = fixture.region ?? 'eu-west-2';
    this.faults = fixture.faults ?? {};
    this.random = seededRandom(this.faults.throttle?.seed ?? 1);
    checkAccountFixtures(fixture.accounts ?? [], { account: this.accountId, region: this.region });
    const primary = this.create({ account: this.accountId, region: this.region }, fixture);
    for (const entry of fixture.accounts ?? []) this.create({ account: entry.accountId, region: entry.region }, entry);
    ({ ecr: this.ecr, ecs: this.ecs, secrets: this.secrets, events: this.events, scheduler: this.scheduler, lambda: this.lambda } = primary);
    this.slack = new Slack(fixture);
    this.sts = new Sts(this.accountId, fixture);
    this.s3 = new S3(fixture, now);
    this.server = createServer((request, response) => {
      this.firstRequestAt ??= performance.timeOrigin + performance.now();
      this.route(request, response).catch((error: unknown) => {
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(String(error));
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  /** Starts an emulator on a free loopback port (or `port`). */
  static async start(fixture: Fixture, port = 0): Promise<Emulator> {
    const emulator = new Emulator(fixture);
    // A port in use (EADDRINUSE) rejects here, rather than escaping as an uncaught error.
    await new Promise<void>((resolve, reject) => {
      emulator.server.once('error', reject);
      emulator.server.listen(port, '127.0.0.1', () => {
        emulator.server.off('error', reject);
        resolve();
      });
    });
    emulator.url = `http://127.0.0.1:${(emulator.server.address() as AddressInfo).port}`;
    return emulator;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Replaces the faults, for a test that changes them between runs. */
  setFaults(faults: Faults): void {
    this.faults = faults;
    this.random = seededRandom(faults.throttle?.seed ?? 1);
    this.ruleHits.clear();
  }

  /**
   * The environment that points the AWS SDK and the cleaner's Slack client here, with dummy credentials
   * and no shared config files, so that nothing of the user's own AWS setup is read.
   */
  env(): Record<string, string> {
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_REGION: this.region,
      AWS_ACCESS_KEY_ID: 'emulator',
      AWS_SECRET_ACCESS_KEY: 'emulator',
      AWS_CONFIG_FILE: '/nonexistent/aws-config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
      SLACK_API_URL: `${this.url}/api/`,
    };
  }

  /**
   * The services of an account in a region, as the emulator serves them: the fixture's, or empty ones
   * (created now) for an account and region that the fixture does not name.
   */
  at(account: string, region: string): AccountServices {
    return this.places.get(placeKey({ account, region })) ?? this.create({ account, region }, {});
  }

  /** The recorded calls of one operation, such as `ECR.BatchDeleteImage`; only those served in `where`, when given. */
  callsOf(operation: string, where: Partial<Place> = {}): RecordedCall[] {
    return this.calls.filter(
      (call) => call.operation === operation && (where.account === undefined || call.account === where.account) && (where.region === undefined || call.region === where.region),
    );
  }

  /** The digests left in a repository of the primary account, or of the account and region `where`. */
  digestsIn(repository: string, where?: Place): string[] {
    const ecr = where ? this.at(where.account, where.region).ecr : this.ecr;
    return [...(ecr.repositories.get(repository)?.images.keys() ?? [])].sort();
  }

  private create(place: Place, part: AccountPart): AccountServices {
    const services = createAccountServices(place, part, this.now, () => this.faults);
    this.places.set(placeKey(place), services);
    return services;
  }

  /**
   * Who a request comes from, by its access key:
   * - a key that AssumeRole handed out, with its own session token: the role's account;
   * - any other key in AWS's form (`AKIA…` or `ASIA…` and 16 more): not recognised, and refused;
   * - any other key (`emulator`, as `env()` sets it, or a dummy such as `x`), or none (an unsigned
   *   request): the primary account.
   * The region is the credential scope's, or the primary region for an unsigned request.
   */
  private callerOf(request: IncomingMessage): Caller {
    const credential = credentialOf(request);
    const region = credential?.region ?? this.region;
    const primary = { place: { account: this.accountId, region } };
    if (!credential || credential.accessKeyId === DEFAULT_ACCESS_KEY) return primary;
    const session = this.sts.sessionOf(credential.accessKeyId);
    if (session) return session.sessionToken === credential.sessionToken ? { place: { account: session.account, region }, session } : { place: { account: '', region }, unrecognized: true };
    return AWS_ACCESS_KEY.test(credential.accessKeyId) ? { place: { account: '', region }, unrecognized: true } : primary;
  }

  /** Records a call, with where it was served as properties that `toEqual` does not compare. */
  private record(operation: string, params: Params, outcome: string, place: Place): void {
    const call = { operation, params, outcome } as RecordedCall;
    Object.defineProperties(call, { account: { value: place.account, enumerable: false }, region: { value: place.region, enumerable: false } });
    this.calls.push(call);
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/health') return send(response, 200, { ok: true });
    if (path.startsWith('/api/')) return this.routeSlack(path.slice('/api/'.length), request, body, response);
    if (path.startsWith('/upload/')) {
      const content = await fileField(request, body);
      this.record('Slack.upload', { id: path.slice('/upload/'.length) }, 'ok', NOWHERE);
      return sendSlack(response, this.slack.upload(path.slice('/upload/'.length), content));
    }

    const caller = this.callerOf(request);
    const lambdaRequest = Lambda.parse(request.method ?? 'GET', request.url ?? '/');
    if (lambdaRequest) return this.routeLambda(lambdaRequest, caller, response);

    if (credentialOf(request)?.service === 's3') return this.routeS3(request, body, caller, response);
    const scheduler = Scheduler.operation(request.method ?? 'GET', path);
    if (scheduler) {
      const params = Scheduler.params(path, new URL(request.url ?? '/', 'http://emulator').searchParams);
      return this.answer(`Scheduler.${scheduler}`, params, caller, response, (place) => ({ json: this.at(place.account, place.region).scheduler.handle(scheduler, params) }), (error) => {
        const status = error.status === 400 ? (REST_JSON_ERROR_STATUS[error.code] ?? 400) : error.status;
        return { status, code: error.code, json: { Message: error.message }, headers: { 'x-amzn-errortype': error.code } };
      });
    }
    if (credentialOf(request)?.service === 'sts' || (request.method === 'POST' && !request.headers['x-amz-target'] && parseForm(request, body).Action)) {
      const form = parseForm(request, body);
      const params: Params = form;
      const action = form.Action ?? '';
      return this.answer(`STS.${action}`, params, caller, response, () => ({ xml: this.sts.handle(action, params, caller.session) }), (error) => ({ ...Sts.errorXml(error), xml: Sts.errorXml(error).body }));
    }

    const target = String(request.headers['x-amz-target'] ?? '');
    const [prefix, operation] = target.split('.');
    const service = TARGETS[prefix];
    if (request.method !== 'POST' || !service || !operation) {
      return send(response, 400, { __type: 'UnknownOperationException', message: `no such target: ${target}` });
    }
    let params: Params;
    try {
      params = body.length > 0 ? (JSON.parse(body.toString('utf8')) as Params) : {};
    } catch {
      return send(response, 400, { __type: 'SerializationException', message: 'body is not JSON' });
    }

    const name = `${service}.${operation}`;
    const { place } = caller;
    if (this.faults.latencyMs) await sleep(this.faults.latencyMs);
    try {
      this.authenticate(caller);
      this.injectFaults(name, params, place);
      const services = this.at(place.account, place.region);
      const result =
        service === 'ECR'
          ? services.ecr.handle(operation, params)
          : service === 'ECS'
            ? services.ecs.handle(operation, params)
            : service === 'Events'
              ? services.events.handle(operation, params)
              : services.secrets.handle(operation, params);
      this.record(name, params, 'ok', place);
      send(response, 200, result);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      this.record(name, params, error.code, place);
      // JSON 1.1 services answer an unknown access key with 400, not 403.
      send(response, error.code === UNRECOGNIZED_CLIENT ? 400 : error.status, { __type: error.code, message: error.message });
    }
  }

  /** Refuses a call whose access key is not recognised, as `UnrecognizedClientException` (403); each protocol encodes it its own way. */
  private authenticate(caller: Caller): void {
    if (caller.unrecognized) throw new AwsError(UNRECOGNIZED_CLIENT, UNRECOGNIZED_MESSAGE, 403);
  }

  private injectFaults(operation: string, params: Params, place: Place): void {
    const throttle = this.faults.throttle;
    if (throttle && this.random() < throttle.rate) throw new AwsError('ThrottlingException', 'Rate exceeded');
    const target = { ...Ecr.target(params), ...Ecs.target(params) };
    for (const rule of this.faults.errors ?? []) {
      if (rule.operation !== operation) continue;
      if (rule.account !== undefined && rule.account !== place.account) continue;
      if (rule.region !== undefined && rule.region !== place.region) continue;
      if (rule.role !== undefined && rule.role !== params.RoleArn) continue;
      if (rule.cluster !== undefined && rule.cluster !== target.cluster) continue;
      if (rule.repository !== undefined && rule.repository !== target.repository) continue;
      if (rule.function !== undefined && rule.function !== Lambda.target(params).function) continue;
      if (rule.bucket !== undefined && rule.bucket !== params.Bucket) continue;
      const hits = (this.ruleHits.get(rule) ?? 0) + 1;
      this.ruleHits.set(rule, hits);
      if (hits <= (rule.after ?? 0)) continue;
      if (rule.times !== undefined && hits > (rule.after ?? 0) + rule.times) continue;
      const code = rule.code ?? 'AccessDeniedException';
      throw new AwsError(
        code,
        rule.message ??
          `User: arn:aws:sts::${place.account}:assumed-role/ecr-maintainer/cleaner is not authorized to perform: ${operation.split('.')[0].toLowerCase()}:${operation.split('.')[1]} on resource: ${target.cluster ?? target.repository ?? '*'}`,
        rule.status ?? 400,
      );
    }
  }

  /** Lambda speaks REST-JSON: the operation is in the method and path, and errors carry `x-amzn-ErrorType`. */
  private async routeLambda({ operation, params }: LambdaRequest, caller: Caller, response: ServerResponse): Promise<void> {
    const name = `Lambda.${operation}`;
    const { place } = caller;
    if (this.faults.latencyMs) await sleep(this.faults.latencyMs);
    try {
      this.authenticate(caller);
      this.injectFaults(name, params, place);
      const result = this.at(place.account, place.region).lambda.handle(operation, params);
      this.record(name, params, 'ok', place);
      sendLambda(response, 200, result);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      const answer = lambdaError(error);
      this.record(name, params, answer.errorType, place);
      sendLambda(response, answer.status, answer.body, answer.errorType);
    }
  }

  /**
   * S3 speaks REST-XML: the operation is in the method, the path and the query; errors are `<Error>`
   * documents. A request the emulator does not implement is recorded as `S3.<METHOD>` and answered 501.
   */
  private async routeS3(request: IncomingMessage, body: Buffer, caller: Caller, response: ServerResponse): Promise<void> {
    const call = S3.call(request.method ?? 'GET', request.url ?? '/', request.headers, body);
    const operation = S3.operation(call);
    const encodeError = (error: AwsError): Answer & { status: number; code: string } => {
      const refused =
        error.code === UNRECOGNIZED_CLIENT
          ? new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, { AWSAccessKeyId: credentialOf(request)?.accessKeyId ?? '' })
          : error;
      const { status, code, body: xml } = S3.errorXml(refused, call);
      return { status, code, xml, headers: { 'content-type': 'application/xml' } };
    };
    if (!operation) {
      return this.answer(`S3.${call.method}`, S3.params(undefined, call), caller, response, () => {
        throw S3.unsupported(call);
      }, encodeError);
    }
    return this.answer(`S3.${operation}`, S3.params(operation, call), caller, response, () => this.s3.handle(operation, call), encodeError);
  }

  /**
   * Answers one call of the services that are not JSON 1.1 (Scheduler's REST-JSON, STS's query
   * protocol, S3's REST-XML): records it, injects the fixture's faults, and sends the answer or the
   * error as that protocol encodes it.
   */
  private async answer(
    name: string,
    params: Params,
    caller: Caller,
    response: ServerResponse,
    run: (place: Place) => Answer,
    encodeError: (error: AwsError) => Answer & { status: number; code: string },
  ): Promise<void> {
    const { place } = caller;
    if (this.faults.latencyMs) await sleep(this.faults.latencyMs);
    let answer: Answer;
    try {
      this.authenticate(caller);
      this.injectFaults(name, params, place);
      answer = run(place);
      this.record(name, params, 'ok', place);
    } catch (error) {
      if (!(error instanceof AwsError)) throw error;
      answer = encodeError(error);
      this.record(name, params, (answer as { code: string }).code, place);
    }
    const [body, type] =
      answer.raw !== undefined ? [answer.raw, 'application/octet-stream'] : answer.xml !== undefined ? [Buffer.from(answer.xml), 'text/xml'] : [Buffer.from(JSON.stringify(answer.json ?? {})), 'application/json'];
    response.writeHead(answer.status ?? 200, { 'content-type': type, 'content-length': body.length, 'x-amzn-requestid': 'emulator', ...answer.headers });
    response.end(body);
  }

  private async routeSlack(method: string, request: IncomingMessage, raw: Buffer, response: ServerResponse): Promise<void> {
    const body = parseForm(request, raw);
    const authorization = request.headers.authorization;
    const fault = (this.faults.slack ?? []).find((candidate) => {
      if (candidate.method !== method) return false;
      const hits = (this.ruleHits.get(candidate) ?? 0) + 1;
      this.ruleHits.set(candidate, hits);
      return hits > (candidate.after ?? 0) && (candidate.times === undefined || hits <= (candidate.after ?? 0) + candidate.times);
    });
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.error === 'ratelimited') {
      this.record(`Slack.${method}`, body, 'ratelimited', NOWHERE);
      return sendSlack(response, { status: 429, headers: { 'retry-after': String(fault.retryAfterSeconds ?? 1) }, body: { ok: false, error: 'ratelimited' } });
    }
    if (fault?.error) {
      this.slack.requests.push({ method, ...(authorization !== undefined && { authorization }), body });
      this.record(`Slack.${method}`, body, fault.error, NOWHERE);
      return sendSlack(response, { status: 200, body: { ok: false, error: fault.error } });
    }
    const answer = this.slack.handle(method, body, authorization, this.url);
    const outcome = (answer.body as { ok?: boolean; error?: string }).ok === false ? ((answer.body as { error?: string }).error ?? 'error') : 'ok';
    this.record(`Slack.${method}`, body, outcome, NOWHERE);
    if (!response.destroyed) sendSlack(response, answer);
  }
}

/** What an answer of `Emulator.answer` carries: JSON, XML or raw bytes, a status (200 unless given), and headers. */
interface Answer {
  readonly status?: number;
  readonly json?: unknown;
  readonly xml?: string;
  readonly raw?: Buffer;
  readonly headers?: Record<string, string>;
}

/** An access key ID in AWS's own form: long-term (`AKIA`) or temporary (`ASIA`). */
const AWS_ACCESS_KEY = /^A[KS]IA[A-Z0-9]{16}$/;

/** Where Slack's calls are recorded as served: no AWS account or region. */
const NOWHERE: Place = { account: '', region: '' };

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function parseForm(request: IncomingMessage, raw: Buffer): Record<string, string> {
  const text = raw.toString('utf8');
  if (String(request.headers['content-type'] ?? '').includes('application/json')) {
    const parsed = JSON.parse(text || '{}') as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** The text of an upload: the file field of a multipart form, or the raw body. */
async function fileField(request: IncomingMessage, raw: Buffer): Promise<string> {
  const type = String(request.headers['content-type'] ?? '');
  if (!type.startsWith('multipart/form-data')) return raw.toString('utf8');
  const form = await new Request('http://upload.local/', { method: 'POST', headers: { 'content-type': type }, body: raw }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return await value.text();
  }
  return '';
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'content-length': Buffer.byteLength(text), 'x-amzn-requestid': 'emulator' });
  response.end(text);
}

function sendSlack(response: ServerResponse, answer: SlackAnswer): void {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  response.writeHead(answer.status, { 'content-type': typeof answer.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8', ...answer.headers });
  response.end(text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
