/**
 * The organisation stack's last step: one report over every target of the run, to the log and, when
 * Slack is on, to Slack. It returns `ok: false` when any target failed, or when Slack could not be
 * posted to; the state machine then fails the execution, so that its alarm fires.
 *
 * Each item of `results` is what the Map state made of one target: the cleaner's `TargetResult`, or the
 * target with the name of the error that the Map caught (`{ account, region, error: { Error } }`; the
 * cause, a stack trace, stays in the cleaner's log).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ApiCalls } from '../aws/api-calls';
import { readSlackToken } from '../aws/secrets';
import { parseConfig } from '../config';
import { failedTarget, targetName, type TargetResult } from '../core/targets';
import { errorMessage } from '../errors';
import { postTextToSlack } from '../notify/slack';
import { fleetTotals, renderFleetSlack, renderFleetSummary } from '../render/fleet';

const logger = new Logger({ serviceName: 'ecr-maintainer' });

export interface ReportEvent {
  readonly results: readonly unknown[];
  /** The execution's ARN, for the log and the message. */
  readonly execution?: string;
}

export interface ReportOutput {
  readonly ok: boolean;
  readonly targets: number;
  readonly failed: number;
  readonly failedTargets: readonly string[];
  /** One line: what the Fail state names as its cause. */
  readonly message: string;
}

/** One Map item as a target's result: what the cleaner returned, or the error that the Map caught. */
export function itemResult(item: unknown): TargetResult {
  const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
  const text = (value: unknown, otherwise: string): string => (typeof value === 'string' ? value : otherwise);
  const target = { account: text(record.account, 'unknown'), region: text(record.region, 'unknown') };
  if (typeof record.ok === 'boolean' && typeof record.errorCount === 'number' && Array.isArray(record.errors)) return record as unknown as TargetResult;
  const caught = record.error as { Error?: unknown; Cause?: unknown } | undefined;
  if (caught && typeof caught === 'object') return failedTarget(target, caughtMessage(text(caught.Error, 'Error'), caught.Cause));
  return failedTarget(target, 'the state machine passed on no result for this target');
}

/**
 * The words of a caught error. A Lambda function's error comes as JSON in `Cause`
 * (`{"errorType":"AssumeRoleFailed","errorMessage":"…"}`); the state machine's own (`States.Timeout`) as text.
 */
function caughtMessage(error: string, cause: unknown): string {
  if (typeof cause === 'string') {
    try {
      const parsed = JSON.parse(cause) as { errorType?: string; errorMessage?: string };
      if (parsed.errorMessage !== undefined) return `${parsed.errorType ?? error}: ${parsed.errorMessage}`;
    } catch {
      // Not JSON: the text itself.
    }
    if (cause.trim() !== '') return `${error}: ${cause}`;
  }
  return `${error}: the cleaner function failed for this target; its log says why`;
}

let slackToken: string | undefined;

export async function handler(event: ReportEvent): Promise<ReportOutput> {
  const results = (Array.isArray(event?.results) ? event.results : []).map(itemResult);
  const totals = fleetTotals(results);
  const failedTargets = results.filter((result) => !result.ok).map(targetName);
  const summary = renderFleetSummary(results);
  let message = failedTargets.length > 0 ? `${failedTargets.length} of ${results.length} targets failed: ${failedTargets.join(', ')}` : `all ${results.length} targets succeeded`;
  const log = failedTargets.length > 0 ? logger.error.bind(logger) : logger.info.bind(logger);
  log(message, { execution: event?.execution, totals, summary });

  let slackFailed = false;
  const config = parseConfig(process.env, {}, { shell: 'lambda' });
  if (config.slack) {
    try {
      slackToken ??= config.slack.token ?? (await readSlackToken(new SecretsManagerClient({}), new ApiCalls(1, { maxAttempts: config.awsMaxAttempts }), config.slack.tokenSecretId as string));
      // The audit bucket is the function's, in its region: the console links say so.
      await postTextToSlack(renderFleetSlack(results, { ...(process.env.AWS_REGION !== undefined && { auditRegion: process.env.AWS_REGION }) }), {
        token: slackToken,
        channel: config.slack.channel,
        maxMessageLength: config.slack.maxMessageLength,
        ...(config.slack.apiUrl !== undefined && { apiUrl: config.slack.apiUrl }),
      });
    } catch (error) {
      slackFailed = true;
      message = `${message}; could not post to Slack: ${errorMessage(error)}`;
      logger.error('could not post to Slack', { error: errorMessage(error) });
    }
  }
  return { ok: failedTargets.length === 0 && !slackFailed, targets: results.length, failed: failedTargets.length, failedTargets, message };
}
