/**
 * Every AWS call goes through `ApiCalls.send`: it bounds and adapts the calls in flight, retries what is
 * worth retrying, refuses to start a call past the run's deadline, counts calls by operation for the
 * report, and turns a failure into an `AwsCallError` that names the operation and its target.
 *
 * The SDK clients make one attempt each (`clients.ts`); the retries are made here, so that a call that
 * backs off gives its slot to another call meanwhile.
 */
import { getRetryAfterHint, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { DEFAULTS } from '../core/defaults';
import { AwsCallError, EcrMaintainerError } from '../errors';

export interface ApiCallStats {
  /** Calls by operation, such as `ECR.DescribeImages`, whatever their outcome. Retries are not calls. */
  readonly byOperation: Readonly<Record<string, number>>;
  readonly total: number;
  /** Attempts beyond the first of each call: throttled or transient failures that were tried again. */
  readonly retries: number;
}

/** Calls of some operations must not start after an instant: the Lambda's time to report. */
export interface CallDeadline {
  /** No attempt of these operations starts after this instant. */
  readonly at: Date;
  /** `Service.Operation` names, such as `ECR.BatchDeleteImage`. */
  readonly operations: readonly string[];
}

export interface ApiCallsOptions {
  /**
   * Attempts per call in all, the first included (`AWS_MAX_ATTEMPTS`).
   *
   * @default 8
   */
  readonly maxAttempts?: number;
  /**
   * After its instant, no attempt of its operations starts: such a call fails with the code
   * `DeadlinePassed` instead. An attempt already sent may finish.
   *
   * @default - no deadline
   */
  readonly deadline?: CallDeadline;
  /**
   * Waits between attempts; tests pass one that records the delays and returns at once.
   *
   * @default - a timer
   */
  readonly sleep?: (ms: number) => Promise<void>;
  /**
   * A number in [0, 1), for the backoff's jitter.
   *
   * @default Math.random
   */
  readonly random?: () => number;
}

/** The first retry waits up to this long, the next up to twice as long, and so on (the SDK's standard mode). */
export const BACKOFF_BASE_MS = 100;
/** No backoff, and no `Retry-After`, waits longer than this. */
export const BACKOFF_CAP_MS = 20_000;
/** The code of the error when a call would start after its deadline. */
export const DEADLINE_PASSED = 'DeadlinePassed';

/** A call that was not started (or not tried again) because the run's deadline had passed. */
export class DeadlinePassedError extends EcrMaintainerError {
  constructor(deadline: Date, lastError?: unknown) {
    const after = lastError === undefined ? '' : ` (the last attempt failed: ${(lastError as Error).name || 'Error'})`;
    super(`not started: the run's deadline ${deadline.toISOString()} has passed${after}`, { cause: lastError });
    this.name = DEADLINE_PASSED;
  }
}

interface Metadata {
  readonly $metadata?: { readonly attempts?: number };
}

/**
 * The calls to one AWS service, such as ECR or Lambda: how many may be in flight, and who waits.
 *
 * The limit adapts per service, not per operation and not globally. AWS throttles each account per
 * service and region, mostly per action, and some services share one bucket between actions (Lambda's
 * control-plane quota covers ListFunctions, ListAliases and ListVersionsByFunction together), so a
 * limit per operation could overrun a shared bucket, operation by operation. A global limit would let
 * a throttled ECR slow the ECS, Lambda and EventBridge calls that run at the same time, although
 * they do not share ECR's quotas. Per service is the finest grain that never overruns a shared bucket.
 *
 * Additive increase, multiplicative decrease: a throttling answer cuts the limit to 70% (not below 1), at
 * most once per window (only an attempt started after the last decrease can decrease it again, so a
 * burst of throttles from one window counts once); each success adds 1/limit, so a window of successes
 * adds one slot, up to the global bound.
 */
/**
 * How much of its limit a throttled service keeps: 0.7, the decrease of CUBIC, which the AWS SDKs' own
 * adaptive retry mode also uses. Halving answered scattered throttles by shrinking too far.
 */
const DECREASE = 0.7;

class ServiceGate {
  limit: number;
  inFlight = 0;
  /** Attempts started through this gate; an attempt knows its number. */
  started = 0;
  /** Only attempts numbered at least this may cut the limit again. */
  private decreasableFrom = 0;
  readonly waiting: { readonly order: number; readonly start: () => void }[] = [];

  constructor(private readonly max: number) {
    this.limit = max;
  }

  hasRoom(): boolean {
    return this.inFlight < Math.max(1, Math.floor(this.limit));
  }

  onThrottled(attempt: number): void {
    if (attempt < this.decreasableFrom) return;
    this.limit = Math.max(1, this.limit * DECREASE);
    this.decreasableFrom = this.started;
  }

  onSuccess(): void {
    this.limit = Math.min(this.max, this.limit + 1 / this.limit);
  }
}

export class ApiCalls {
  private inFlight = 0;
  private order = 0;
  private readonly gates = new Map<string, ServiceGate>();
  private readonly counts = new Map<string, number>();
  private retries = 0;
  private readonly maxAttempts: number;
  private readonly deadline?: { readonly at: number; readonly operations: ReadonlySet<string> };
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  /**
   * @param maxInFlight the most calls in flight at once, over every service (`MAX_CONCURRENT_CALLS`);
   *   each service's own limit adapts below it
   */
  constructor(
    private readonly maxInFlight: number,
    options: ApiCallsOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULTS.awsMaxAttempts);
    if (options.deadline) this.deadline = { at: options.deadline.at.getTime(), operations: new Set(options.deadline.operations) };
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.random = options.random ?? Math.random;
  }

  /**
   * Sends one call when its service has a free slot, and tries it again after a throttling or
   * transient failure (the SDK's own classification: throttling codes and HTTP 429; HTTP 500, 502, 503
   * and 504; timeouts and connection resets), up to `maxAttempts` attempts in all. Between attempts it
   * holds no slot, and waits with exponential backoff and full jitter, or as long as the service's
   * `Retry-After` asks when that is longer (capped at 20 s).
   *
   * @param operation `Service.Operation`, as counted and as named in errors
   * @param target what the call is about (a repository, a cluster), for the error message
   * @param call makes one attempt; called again for each retry
   * @throws AwsCallError when the call fails for good, or with the code `DeadlinePassed` when it would
   *   start (or start again) after its deadline
   */
  async send<T extends Metadata>(operation: string, target: string, call: () => Promise<T>): Promise<T> {
    const gate = this.gateOf(operation);
    const order = (this.order += 1);
    for (let attempt = 1; ; attempt += 1) {
      this.refuseAfterDeadline(operation, target);
      await this.acquire(gate, order);
      // The wait for a slot may have outlasted the deadline.
      if (this.isPastDeadline(operation)) {
        this.release(gate);
        this.refuseAfterDeadline(operation, target);
      }
      const attemptNumber = gate.started;
      gate.started += 1;
      // A call counts once it is sent: one refused at the deadline never reached the service.
      if (attempt === 1) this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
      let failure: unknown;
      try {
        const output = await call();
        this.retries += Math.max(0, (output.$metadata?.attempts ?? 1) - 1);
        gate.onSuccess();
        return output;
      } catch (error) {
        failure = error;
        this.retries += Math.max(0, ((error as Metadata).$metadata?.attempts ?? 1) - 1);
        if (isThrottling(error)) gate.onThrottled(attemptNumber);
      } finally {
        this.release(gate);
      }
      if (attempt >= this.maxAttempts || !isRetryable(failure)) throw new AwsCallError(operation, target, failure);
      const delay = this.backoff(attempt, failure);
      if (this.deadline?.operations.has(operation) && Date.now() + delay > this.deadline.at) {
        throw new AwsCallError(operation, target, new DeadlinePassedError(new Date(this.deadline.at), failure));
      }
      this.retries += 1;
      await this.sleep(delay);
    }
  }

  stats(): ApiCallStats {
    const byOperation = Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
    const total = [...this.counts.values()].reduce((sum, count) => sum + count, 0);
    return { byOperation, total, retries: this.retries };
  }

  /** Full jitter over an exponential ceiling; a longer `Retry-After` wins, up to the cap. */
  private backoff(attempt: number, failure: unknown): number {
    const jittered = Math.floor(this.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1)));
    const hint = retryAfterMs(failure);
    return hint === undefined ? jittered : Math.max(jittered, Math.min(hint, BACKOFF_CAP_MS));
  }

  private isPastDeadline(operation: string): boolean {
    return this.deadline !== undefined && this.deadline.operations.has(operation) && Date.now() > this.deadline.at;
  }

  private refuseAfterDeadline(operation: string, target: string): void {
    if (this.deadline && this.isPastDeadline(operation)) {
      throw new AwsCallError(operation, target, new DeadlinePassedError(new Date(this.deadline.at)));
    }
  }

  private gateOf(operation: string): ServiceGate {
    const service = operation.split('.')[0];
    let gate = this.gates.get(service);
    if (!gate) {
      gate = new ServiceGate(this.maxInFlight);
      this.gates.set(service, gate);
    }
    return gate;
  }

  private async acquire(gate: ServiceGate, order: number): Promise<void> {
    if (this.inFlight < this.maxInFlight && gate.hasRoom() && gate.waiting.length === 0) {
      this.inFlight += 1;
      gate.inFlight += 1;
      return;
    }
    await new Promise<void>((start) => {
      // Oldest call first: a retry keeps its place, so a listing's next page is not starved. A new call
      // is the youngest, and goes last without a search.
      const last = gate.waiting[gate.waiting.length - 1];
      const at = last === undefined || last.order < order ? -1 : gate.waiting.findIndex((waiter) => waiter.order > order);
      gate.waiting.splice(at === -1 ? gate.waiting.length : at, 0, { order, start });
    });
  }

  private release(gate: ServiceGate): void {
    this.inFlight -= 1;
    gate.inFlight -= 1;
    this.startWaiting();
  }

  /** Starts waiting calls, oldest first across services, while the global bound and their service allow. */
  private startWaiting(): void {
    while (this.inFlight < this.maxInFlight) {
      let next: ServiceGate | undefined;
      for (const gate of this.gates.values()) {
        if (gate.waiting.length > 0 && gate.hasRoom() && (!next || gate.waiting[0].order < next.waiting[0].order)) next = gate;
      }
      if (!next) return;
      const waiter = next.waiting.shift() as { start: () => void };
      this.inFlight += 1;
      next.inFlight += 1;
      waiter.start();
    }
  }
}

function isThrottling(error: unknown): boolean {
  return typeof error === 'object' && error !== null && isThrottlingError(error as Parameters<typeof isThrottlingError>[0]);
}

/** What the SDK itself would retry: throttling, and transient failures (5xx, timeouts, resets). */
function isRetryable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  return isThrottling(error) || isTransientError(error as Parameters<typeof isTransientError>[0]);
}

/** The wait that a `Retry-After` (or `x-amz-retry-after`) header asks for, in ms, if the answer had one. */
function retryAfterMs(error: unknown): number | undefined {
  const response = (error as { $response?: unknown } | undefined)?.$response;
  if (response === undefined) return undefined;
  const hint = getRetryAfterHint(response);
  return hint instanceof Date ? Math.max(0, hint.getTime() - Date.now()) : undefined;
}

/** Splits a list into chunks of at most `size`, for the APIs that take a bounded number of ids. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}

/** Follows every page of a listing: `page` fetches one page for a token, and the items are joined. */
export async function listAll<T>(page: (nextToken?: string) => Promise<{ items: readonly T[]; nextToken?: string }>): Promise<T[]> {
  const items: T[] = [];
  let nextToken: string | undefined;
  do {
    const result = await page(nextToken);
    items.push(...result.items);
    nextToken = result.nextToken;
  } while (nextToken);
  return items;
}
