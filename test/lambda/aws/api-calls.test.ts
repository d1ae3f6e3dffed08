import { ECRClient, DescribeRepositoriesCommand } from '@aws-sdk/client-ecr';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiCalls, BACKOFF_BASE_MS, BACKOFF_CAP_MS, chunk, type ApiCallsOptions } from '../../../lambda/aws/api-calls';
import { AwsCallError } from '../../../lambda/errors';

/** An SDK-shaped error: `name` is the AWS code, `$metadata` carries the HTTP status. */
function awsError(code: string, status = 400, extra: object = {}): Error {
  return Object.assign(new Error(code), { name: code, $metadata: { httpStatusCode: status, attempts: 1 }, ...extra });
}

const OK = { $metadata: { attempts: 1 } };

/** Waits that return at once, and remember how long they were asked to be. */
function instantWaits(): { waits: number[]; options: Pick<ApiCallsOptions, 'sleep'> } {
  const waits: number[] = [];
  return { waits, options: { sleep: (ms) => (waits.push(ms), Promise.resolve()) } };
}

/** A call that answers after `ms`, and tracks the calls in flight. */
function tracker(): { call: (answer?: () => unknown, ms?: number) => Promise<typeof OK>; inFlight: () => number; highest: () => number; resetHighest: () => void } {
  let inFlight = 0;
  let highest = 0;
  return {
    call: async (answer = () => OK, ms = 5) => {
      inFlight += 1;
      highest = Math.max(highest, inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight -= 1;
      const result = answer();
      if (result instanceof Error) throw result;
      return OK;
    },
    inFlight: () => inFlight,
    highest: () => highest,
    resetHighest: () => (highest = 0),
  };
}

describe('ApiCalls', () => {
  it('never has more calls in flight than its bound', async () => {
    const calls = new ApiCalls(3);
    const { call, highest } = tracker();

    await Promise.all(Array.from({ length: 20 }, () => calls.send('ECR.DescribeImages', 'repository app', () => call())));

    expect(highest()).toBe(3);
    expect(calls.stats()).toEqual({ byOperation: { 'ECR.DescribeImages': 20 }, total: 20, retries: 0 });
  });

  it('keeps the bound over every service together', async () => {
    const calls = new ApiCalls(4);
    const { call, highest } = tracker();

    await Promise.all(
      ['ECR.DescribeImages', 'ECS.ListTasks', 'Lambda.GetFunction'].flatMap((operation) => Array.from({ length: 10 }, () => calls.send(operation, 'x', () => call()))),
    );

    expect(highest()).toBe(4);
  });

  it('counts calls by operation, the retries the SDK reports and its own, failures included', async () => {
    const { options } = instantWaits();
    const calls = new ApiCalls(2, options);
    const failure = Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { attempts: 1 } });
    let attempts = 0;

    await calls.send('ECS.ListTasks', 'cluster a', () => Promise.resolve({ $metadata: { attempts: 3 } }));
    await expect(calls.send('ECS.ListTasks', 'cluster b', () => Promise.reject(failure))).rejects.toThrow(
      new AwsCallError('ECS.ListTasks', 'cluster b', failure),
    );
    await calls.send('ECS.ListTasks', 'cluster c', () => ((attempts += 1) === 1 ? Promise.reject(awsError('ThrottlingException')) : Promise.resolve(OK)));

    expect(calls.stats()).toEqual({ byOperation: { 'ECS.ListTasks': 3 }, total: 3, retries: 3 });
  });

  it('names the operation, the target and the AWS error code when a call fails', async () => {
    const calls = new ApiCalls(1);
    const failure = Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' });

    const error = await calls.send('ECR.DescribeImages', 'repository app', () => Promise.reject(failure)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(AwsCallError);
    expect((error as AwsCallError).message).toBe('ECR.DescribeImages failed for repository app: AccessDeniedException: User is not authorized');
    expect((error as AwsCallError).code).toBe('AccessDeniedException');
    expect((error as AwsCallError).cause).toBe(failure);
  });

  it.each([
    ['ThrottlingException', awsError('ThrottlingException')],
    ['TooManyRequestsException', awsError('TooManyRequestsException', 429)],
    ['Throttling (STS)', awsError('Throttling')],
    ['SlowDown (S3)', awsError('SlowDown', 503)],
    ['RequestLimitExceeded', awsError('RequestLimitExceeded')],
    ['ProvisionedThroughputExceededException', awsError('ProvisionedThroughputExceededException')],
    ['RequestThrottled', awsError('RequestThrottled')],
    ['an HTTP 429 of any name', awsError('Whatever', 429)],
    ['InternalFailure (HTTP 500)', awsError('InternalFailure', 500)],
    ['ServiceUnavailable (HTTP 503)', awsError('ServiceUnavailable', 503)],
    ["the SDK's TimeoutError", Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
  ])('retries %s, up to maxAttempts attempts in all', async (_title, failure) => {
    const { waits, options } = instantWaits();
    const calls = new ApiCalls(2, { maxAttempts: 4, ...options });
    let attempts = 0;

    const error = await calls.send('ECR.DescribeImages', 'repository app', () => ((attempts += 1), Promise.reject(failure))).catch((caught: unknown) => caught);

    expect(attempts).toBe(4);
    expect(waits).toHaveLength(3);
    expect((error as AwsCallError).cause).toBe(failure);
    expect(calls.stats()).toMatchObject({ total: 1, retries: 3 });
  });

  it.each([
    ['AccessDeniedException', awsError('AccessDeniedException')],
    ['a validation error', awsError('InvalidParameterException')],
    ['RepositoryNotFoundException', awsError('RepositoryNotFoundException')],
    ['an HTTP 501', awsError('NotImplemented', 501)],
    ['an error that is not an AWS answer', new TypeError('x is undefined')],
  ])('does not retry %s', async (_title, failure) => {
    const calls = new ApiCalls(2, instantWaits().options);
    let attempts = 0;

    await expect(calls.send('ECR.DescribeImages', 'repository app', () => ((attempts += 1), Promise.reject(failure)))).rejects.toThrow(AwsCallError);

    expect(attempts).toBe(1);
  });

  it('makes eight attempts in all by default, as AWS_MAX_ATTEMPTS does', async () => {
    const calls = new ApiCalls(1, instantWaits().options);
    let attempts = 0;

    await expect(calls.send('ECR.DescribeImages', 'app', () => ((attempts += 1), Promise.reject(awsError('ThrottlingException'))))).rejects.toThrow(AwsCallError);

    expect(attempts).toBe(8);
  });

  it('backs off exponentially with full jitter, from 100 ms up to 20 s', async () => {
    const { waits, options } = instantWaits();
    const calls = new ApiCalls(1, { maxAttempts: 12, random: () => 0.999999, ...options });

    await expect(calls.send('ECR.DescribeImages', 'app', () => Promise.reject(awsError('InternalFailure', 500)))).rejects.toThrow(AwsCallError);

    expect(waits).toEqual([99, 199, 399, 799, 1599, 3199, 6399, 12799, 19999, 19999, 19999]);
    expect(BACKOFF_BASE_MS).toBe(100);
    expect(BACKOFF_CAP_MS).toBe(20_000);
  });

  it('draws each wait anywhere from zero to its ceiling', async () => {
    const { waits, options } = instantWaits();
    const calls = new ApiCalls(1, { maxAttempts: 3, random: () => 0, ...options });

    await expect(calls.send('ECR.DescribeImages', 'app', () => Promise.reject(awsError('ThrottlingException')))).rejects.toThrow(AwsCallError);

    expect(waits).toEqual([0, 0]);
  });

  it('does not hold a slot while a throttled call backs off', async () => {
    let releaseWait: () => void = () => undefined;
    const calls = new ApiCalls(1, { sleep: () => new Promise<void>((resolve) => (releaseWait = resolve)) });
    let first = 0;
    const order: string[] = [];

    const throttled = calls.send('ECR.BatchDeleteImage', 'app', () => {
      first += 1;
      order.push(`throttled attempt ${first}`);
      return first === 1 ? Promise.reject(awsError('ThrottlingException')) : Promise.resolve(OK);
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    // The only slot is free while the first call waits: another call goes through now.
    await calls.send('ECR.DescribeImages', 'other', () => (order.push('other call'), Promise.resolve(OK)));
    releaseWait();
    await throttled;

    expect(order).toEqual(['throttled attempt 1', 'other call', 'throttled attempt 2']);
  });

  it('cuts the calls in flight of a service that throttles, once for a window of throttles, and grows them back on success', async () => {
    const calls = new ApiCalls(8, instantWaits().options);
    const { call, inFlight } = tracker();
    const ecr = (answer?: () => unknown): Promise<unknown> => calls.send('ECR.BatchDeleteImage', 'app', () => call(answer, 10));
    /** How many of 16 calls start at once: the service's limit now. */
    const startingAtOnce = async (): Promise<number> => {
      const burst = Promise.all(Array.from({ length: 16 }, () => ecr()));
      await new Promise((resolve) => setTimeout(resolve, 2));
      const started = inFlight();
      await burst;
      return started;
    };
    expect(await startingAtOnce()).toBe(8);

    // One window of 8 calls, every one throttled once: the limit is cut once (to 70%), not eight times.
    const throttled = new Set<number>();
    await Promise.all(Array.from({ length: 8 }, (_, n) => ecr(() => (throttled.has(n) ? OK : (throttled.add(n), awsError('ThrottlingException'))))));
    const afterThrottling = await startingAtOnce();

    // Many successes later, the service is back at the bound, and no higher.
    await Promise.all(Array.from({ length: 100 }, () => ecr()));
    const afterRecovery = await startingAtOnce();

    expect(afterThrottling).toBeGreaterThanOrEqual(4);
    expect(afterThrottling).toBeLessThan(8);
    expect(afterRecovery).toBe(8);
  });

  it('never goes below one call in flight', async () => {
    const calls = new ApiCalls(8, { maxAttempts: 20, ...instantWaits().options });
    let attempts = 0;

    // Throttled again and again, one at a time: each attempt cuts the limit, down to 1 and no lower.
    await calls.send('ECR.BatchDeleteImage', 'app', () => ((attempts += 1) < 10 ? Promise.reject(awsError('ThrottlingException')) : Promise.resolve(OK)));
    const { call, highest } = tracker();
    await Promise.all(Array.from({ length: 4 }, () => calls.send('ECR.BatchDeleteImage', 'app', () => call())));

    expect(highest()).toBeGreaterThanOrEqual(1);
    expect(highest()).toBeLessThanOrEqual(2);
  });

  it('lets a service that does not throttle keep its calls in flight while another is throttled', async () => {
    const calls = new ApiCalls(8, { maxAttempts: 20, ...instantWaits().options });
    let throttles = 0;
    await calls.send('ECR.BatchDeleteImage', 'app', () => ((throttles += 1) < 6 ? Promise.reject(awsError('ThrottlingException')) : Promise.resolve(OK)));
    const ecr = tracker();
    const ecs = tracker();

    await Promise.all([
      ...Array.from({ length: 8 }, () => calls.send('ECR.BatchDeleteImage', 'app', () => ecr.call())),
      ...Array.from({ length: 8 }, () => calls.send('ECS.DescribeTasks', 'cluster', () => ecs.call())),
    ]);

    expect(ecr.highest()).toBeLessThanOrEqual(3);
    expect(ecs.highest()).toBeGreaterThanOrEqual(5);
  });

  it('waits as long as Retry-After asks when that is longer than the backoff, capped at 20 s', async () => {
    const { waits, options } = instantWaits();
    const calls = new ApiCalls(1, { random: () => 0, ...options });
    const answers = ['3', '3600'];

    await calls.send('Lambda.GetFunction', 'function f', () => {
      const seconds = answers.shift();
      if (seconds === undefined) return Promise.resolve(OK);
      const $response = { statusCode: 429, headers: { 'retry-after': seconds }, body: undefined };
      return Promise.reject(awsError('TooManyRequestsException', 429, { $response }));
    });

    expect(waits).toHaveLength(2);
    expect(waits[0]).toBeGreaterThan(2_900);
    expect(waits[0]).toBeLessThanOrEqual(3_000);
    expect(waits[1]).toBe(BACKOFF_CAP_MS);
  });

  describe('with a deadline', () => {
    const deadline = (msFromNow: number): ApiCallsOptions['deadline'] => ({ at: new Date(Date.now() + msFromNow), operations: ['ECR.BatchDeleteImage'] });

    it('starts no call of the named operations after the deadline, and fails it with the code DeadlinePassed', async () => {
      const calls = new ApiCalls(2, { deadline: deadline(-1) });
      let attempts = 0;

      const error = await calls.send('ECR.BatchDeleteImage', 'repository app', () => ((attempts += 1), Promise.resolve(OK))).catch((caught: unknown) => caught);

      expect(attempts).toBe(0);
      expect(error).toBeInstanceOf(AwsCallError);
      expect((error as AwsCallError).code).toBe('DeadlinePassed');
      expect((error as AwsCallError).message).toMatch(/^ECR.BatchDeleteImage failed for repository app: DeadlinePassed: not started: the run's deadline .* has passed$/);
    });

    it('still sends the other operations after the deadline', async () => {
      const calls = new ApiCalls(2, { deadline: deadline(-1) });

      await expect(calls.send('SecretsManager.GetSecretValue', 'secret', () => Promise.resolve(OK))).resolves.toBe(OK);
    });

    it('lets a call in flight finish, and starts none of those that waited for a slot past the deadline', async () => {
      const calls = new ApiCalls(2, { deadline: deadline(30) });
      const started: number[] = [];

      const outcomes = await Promise.allSettled(
        Array.from({ length: 6 }, (_, n) =>
          calls.send('ECR.BatchDeleteImage', `batch ${n}`, async () => {
            started.push(n);
            await new Promise((resolve) => setTimeout(resolve, 50));
            return OK;
          }),
        ),
      );

      expect(started).toEqual([0, 1]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'rejected', 'rejected', 'rejected']);
      // Only the calls sent are counted: the report's count agrees with what the service answered.
      expect(calls.stats()).toMatchObject({ total: 2, byOperation: { 'ECR.BatchDeleteImage': 2 } });
    });

    it('does not try a throttled call again when its backoff would end after the deadline', async () => {
      const { waits, options } = instantWaits();
      const calls = new ApiCalls(2, { deadline: deadline(50), random: () => 0.9999, ...options });
      let attempts = 0;

      const error = await calls
        .send('ECR.BatchDeleteImage', 'repository app', () => ((attempts += 1), Promise.reject(awsError('ThrottlingException'))))
        .catch((caught: unknown) => caught);

      // The first backoff (up to 100 ms) would already pass the deadline 50 ms away.
      expect(attempts).toBe(1);
      expect(waits).toEqual([]);
      expect((error as AwsCallError).code).toBe('DeadlinePassed');
      expect((error as AwsCallError).message).toMatch(/the last attempt failed: ThrottlingException/);
    });
  });
});

describe('ApiCalls with the real SDK', () => {
  let server: Server;
  let url = '';
  const answers: { status: number; headers?: Record<string, string>; body: object }[] = [];
  let requests = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests += 1;
      request.resume();
      const answer = answers.shift() ?? { status: 200, body: {} };
      response.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      response.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests = 0;
    answers.length = 0;
  });

  const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

  it("sees the SDK's throttling answer, retries it itself, and the client makes one attempt each time", async () => {
    const ecr = new ECRClient({ region: 'eu-west-2', endpoint: url, credentials, maxAttempts: 1 });
    const { options } = instantWaits();
    const calls = new ApiCalls(2, options);
    answers.push({ status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } }, { status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } });

    const output = await calls.send('ECR.DescribeRepositories', 'the registry', () => ecr.send(new DescribeRepositoriesCommand({})));

    expect(output.$metadata.httpStatusCode).toBe(200);
    expect(requests).toBe(3);
    expect(calls.stats().retries).toBe(2);
    ecr.destroy();
  });

  it("reads Lambda's Retry-After header from the SDK's error", async () => {
    const lambda = new LambdaClient({ region: 'eu-west-2', endpoint: url, credentials, maxAttempts: 1 });
    const { waits, options } = instantWaits();
    const calls = new ApiCalls(2, { random: () => 0, ...options });
    answers.push({ status: 429, headers: { 'x-amzn-errortype': 'TooManyRequestsException', 'retry-after': '2' }, body: { Reason: 'CallerRateLimitExceeded', Type: 'User', message: 'Rate exceeded' } });

    await calls.send('Lambda.ListFunctions', 'the account', () => lambda.send(new ListFunctionsCommand({})));

    expect(requests).toBe(2);
    expect(waits[0]).toBeGreaterThan(1_900);
    expect(waits[0]).toBeLessThanOrEqual(2_000);
    lambda.destroy();
  });
});

describe('chunk', () => {
  it('splits into chunks of at most the given size', () => {
    expect(chunk([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunk([], 100)).toEqual([]);
  });
});
