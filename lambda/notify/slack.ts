/**
 * Posts the run report to Slack: the summary, split into parts that are threaded under the first, and the
 * full plan as a CSV file in the thread whenever the run deleted or planned anything. Retries are bounded so that a
 * slow or failing Slack cannot outlast the Lambda. No error carries the token.
 */
import { WebClient, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError, WebAPIHTTPError, LogLevel, type Logger } from '@slack/web-api';
import { SlackError } from '../errors';
import type { RunReport } from '../core/report';
import { formatBytes } from '../core/words';
import { renderSlackMessage, splitMessage } from '../render/slack';

export interface SlackPostOptions {
  readonly token: string;
  readonly channel: string;
  readonly maxMessageLength: number;
  /** Another base URL for the Web API (tests). */
  readonly apiUrl?: string;
  /** Per request. @default 10000 */
  readonly timeoutMs?: number;
  /** Retries of a request that failed on the network or with a server error. @default 2 */
  readonly retries?: number;
  /** The longest `Retry-After` that is waited out; a longer one fails the post. @default 5 */
  readonly maxRateLimitWaitSeconds?: number;
  /** The most bytes of the plan attached. @default MAX_ATTACHED_PLAN_BYTES */
  readonly maxAttachedBytes?: number;
}

export interface SlackPostResult {
  /** The timestamp of the first message, which the other parts and the file are threaded under. */
  readonly threadTs: string;
  readonly parts: number;
  /** Whether the full plan was attached as a CSV file. */
  readonly uploaded: boolean;
}

/** The name of the CSV file attached to the thread. */
export const PLAN_FILENAME = 'ecr-cleanup-plan.csv';

/**
 * The most bytes of the plan that are attached: a plan of a million deletions is 200 MB, more than a
 * Lambda of the default size may hold beside its listing, and more than anyone reads in Slack. Whole lines
 * up to this size are attached, and the file's title says that it is cut.
 */
export const MAX_ATTACHED_PLAN_BYTES = 16 * 1024 * 1024;

/**
 * Posts the report.
 *
 * @throws SlackError with Slack's error code, such as `channel_not_found`, `invalid_auth`,
 *   `ratelimited` or `timeout`
 */
export async function postReportToSlack(
  report: RunReport,
  csv: () => Iterable<string>,
  options: SlackPostOptions,
): Promise<SlackPostResult> {
  const { client, call, threadTs, channel, parts } = await postThread(renderSlackMessage(report), options);

  // The plan goes with every run that deleted or planned anything: the message names a few images, the file all.
  const uploaded = report.totals.toDelete > 0;
  if (uploaded) {
    const plan = firstLines(csv(), options.maxAttachedBytes ?? MAX_ATTACHED_PLAN_BYTES);
    const cut = plan.cut ? `; the first ${plan.lines - 1} rows, cut at ${formatBytes(plan.content.length)}` : '';
    await call('files.uploadV2', () =>
      client.filesUploadV2({
        channel_id: channel,
        thread_ts: threadTs,
        filename: PLAN_FILENAME,
        title: `ECR cleanup plan (${report.mode === 'dry-run' ? 'dry run' : 'delete'}, ${report.now}${cut})`,
        file: plan.content,
      }),
    );
  }
  return { threadTs, parts, uploaded };
}

/**
 * Posts a text, such as the report of a whole fan-out, split into parts threaded under the first.
 *
 * @throws SlackError as `postReportToSlack`
 */
export async function postTextToSlack(text: string, options: SlackPostOptions): Promise<SlackPostResult> {
  const { threadTs, parts } = await postThread(text, options);
  return { threadTs, parts, uploaded: false };
}

/** Posts the first part, and the others in its thread, one after another so that the thread reads in order. */
async function postThread(
  text: string,
  options: SlackPostOptions,
): Promise<{ client: WebClient; call: <T>(method: string, send: () => Promise<T>) => Promise<T>; threadTs: string; channel: string; parts: number }> {
  const client = new WebClient(options.token, {
    ...(options.apiUrl !== undefined && { slackApiUrl: options.apiUrl }),
    timeout: options.timeoutMs ?? 10_000,
    retryConfig: { retries: options.retries ?? 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
    rejectRateLimitedCalls: true,
    logger: silentLogger,
    logLevel: LogLevel.ERROR,
  });
  const call = <T>(method: string, send: () => Promise<T>): Promise<T> => withRateLimitWait(method, send, options.maxRateLimitWaitSeconds ?? 5);
  const parts = splitMessage(text, options.maxMessageLength);
  const first = await call('chat.postMessage', () => client.chat.postMessage({ channel: options.channel, text: parts[0], mrkdwn: true, unfurl_links: false }));
  const threadTs = first.ts;
  if (!threadTs) throw new SlackError('chat.postMessage', 'no_ts');
  for (const part of parts.slice(1)) {
    await call('chat.postMessage', () => client.chat.postMessage({ channel: options.channel, text: part, thread_ts: threadTs, mrkdwn: true, unfurl_links: false }));
  }
  return { client, call, threadTs, channel: first.channel ?? options.channel, parts: parts.length };
}

/** The whole lines of `chunks` (each chunk a line) that fit in `maxBytes`, as bytes; whether any was left out. */
function firstLines(chunks: Iterable<string>, maxBytes: number): { content: Buffer; lines: number; cut: boolean } {
  const pieces: Buffer[] = [];
  let bytes = 0;
  for (const chunk of chunks) {
    const piece = Buffer.from(chunk, 'utf8');
    if (bytes + piece.length > maxBytes) return { content: Buffer.concat(pieces), lines: pieces.length, cut: true };
    pieces.push(piece);
    bytes += piece.length;
  }
  return { content: Buffer.concat(pieces), lines: pieces.length, cut: false };
}

async function withRateLimitWait<T>(method: string, send: () => Promise<T>, maxWaitSeconds: number): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (error instanceof WebAPIRateLimitedError && error.retryAfter <= maxWaitSeconds && attempt < 3) {
        await new Promise((resolve) => setTimeout(resolve, error.retryAfter * 1000));
        continue;
      }
      throw toSlackError(method, error);
    }
  }
}

/** Maps the client's errors to Slack's own codes. The original error is dropped: its request holds the token. */
function toSlackError(method: string, error: unknown): SlackError {
  if (error instanceof WebAPIPlatformError) return new SlackError(method, error.data.error);
  if (error instanceof WebAPIRateLimitedError) return new SlackError(method, 'ratelimited');
  if (error instanceof WebAPIHTTPError) return new SlackError(method, `http_${error.statusCode}`);
  if (error instanceof WebAPIRequestError) {
    const original = error.original as Error & { cause?: { code?: string } };
    // The client wraps errors from another realm (as under jest) in a plain Error that keeps only the text.
    const timedOut = ['TimeoutError', 'AbortError'].includes(original.name) || /^(TimeoutError|AbortError)\b/.test(original.message);
    return new SlackError(method, timedOut ? 'timeout' : `request_failed (${original.cause?.code ?? original.name})`);
  }
  return new SlackError(method, error instanceof Error ? error.name : 'unknown_error');
}

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};
