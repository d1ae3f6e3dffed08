/**
 * Every AWS call goes through `ApiCalls.send`: it bounds the calls in flight, counts them by operation
 * for the report, and turns a failure into an `AwsCallError` that names the operation and its target.
 */
import { AwsCallError } from '../errors';

export interface ApiCallStats {
  /** Calls by operation, such as `ECR.DescribeImages`, whatever their outcome. */
  readonly byOperation: Readonly<Record<string, number>>;
  readonly total: number;
  /** HTTP attempts beyond the first, made by the SDK's retry with backoff. */
  readonly retries: number;
}

interface Metadata {
  readonly $metadata?: { readonly attempts?: number };
}

export class ApiCalls {
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly counts = new Map<string, number>();
  private retries = 0;

  /** @param maxInFlight the most calls in flight at once */
  constructor(private readonly maxInFlight: number) {}

  /**
   * Sends one call when a slot is free.
   *
   * @param operation `Service.Operation`, as counted and as named in errors
   * @param target what the call is about (a repository, a cluster), for the error message
   * @throws AwsCallError once the SDK's retries are spent
   */
  async send<T extends Metadata>(operation: string, target: string, call: () => Promise<T>): Promise<T> {
    await this.acquire();
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    try {
      const output = await call();
      this.retries += Math.max(0, (output.$metadata?.attempts ?? 1) - 1);
      return output;
    } catch (error) {
      this.retries += Math.max(0, ((error as Metadata).$metadata?.attempts ?? 1) - 1);
      throw new AwsCallError(operation, target, error);
    } finally {
      this.release();
    }
  }

  stats(): ApiCallStats {
    const byOperation = Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
    const total = [...this.counts.values()].reduce((sum, count) => sum + count, 0);
    return { byOperation, total, retries: this.retries };
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.maxInFlight) {
      this.inFlight += 1;
      return;
    }
    // The releasing call hands its slot over, so inFlight stays as it is.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight -= 1;
  }
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
