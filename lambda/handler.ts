/**
 * The Lambda entry point: parse the settings, run the same cleaner as the CLI, log one summary line,
 * publish the run's metrics, and fail the invocation when the run had errors, so that the Errors metric
 * tells the truth.
 *
 * Given a target (`{ account, region, roleArn, workloadAccounts? }`, as the organisation stack's state
 * machine sends one per item), it assumes the role, cleans that account and region, and returns the
 * target's result, errors and all (a role that was refused included): the state machine's last step
 * reports on every target, and fails the execution when any failed. It throws only for a target event
 * that is not one, or when the cleaner itself breaks; the Map catches that too.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { createAwsClients } from './aws/clients';
import { runCleanup, type CleanerDeps, type Progress, type RunOptions, type RunOutcome } from './cleaner';
import { parseConfig, type Config } from './config';
import type { AuditObjects } from './core/audit';
import type { RunReport } from './core/report';
import { ruleLines, runHeadline } from './render/text';
import { CleanupFailedError, ConfigError } from './errors';
import { keepHeapTight } from './heap';
import { failedRunMetrics, publishMetrics, runMetrics } from './metrics';
import { AssumeRoleFailedError } from './aws/assume-role';
import { failedTarget, parseTarget, targetName, targetResult, type TargetResult } from './core/targets';
import { RoleSessions, runTarget } from './target-run';

const logger = new Logger({ serviceName: 'ecr-maintainer' });
keepHeapTight();

/** The time kept back from deletion for the report and Slack (whose retries are bounded to fit it). */
const REPORTING_RESERVE_MS = 45_000;

/** Built on the first invocation and kept for the container's life: SDK clients and the Slack token. */
let deps: CleanerDeps | undefined;

export interface RunSummary {
  readonly mode: RunReport['mode'];
  readonly account?: string;
  readonly region: string;
  readonly totals: RunReport['totals'];
  readonly deletionBlocked?: string;
  /** Settings without effect, rules that apply to no repository, and what the settings leave unprotected. */
  readonly warnings: readonly string[];
  readonly errors: readonly string[];
  readonly apiCalls: RunReport['apiCalls'];
  readonly durationMs: number;
  /** The run's CSV, JSON Lines plan and page in the audit bucket, as s3:// URIs; only when they were written. */
  readonly auditObjects?: AuditObjects;
}

/** A target event whose fields are wrong: the state machine and this function disagree. */
export class InvalidTargetError extends ConfigError {
  constructor(problems: readonly string[]) {
    super(problems);
    this.name = 'InvalidTarget';
  }
}

export async function handler(event: unknown, context?: Context): Promise<RunSummary | TargetResult> {
  if (context) logger.addContext(context);
  const target = isTargetEvent(event) ? parseTarget(event) : undefined;
  if (target && 'problems' in target) {
    logger.error('invalid target', { problems: target.problems, event });
    publishMetrics(failedRunMetrics(), 'unknown');
    throw new InvalidTargetError(target.problems);
  }
  // The function's own settings, in its own region; a target's run is the same settings in the target's region.
  let own: Config;
  try {
    own = parseConfig(process.env, {}, { shell: 'lambda' });
  } catch (error) {
    if (error instanceof ConfigError) logger.error('invalid configuration', { problems: error.problems });
    // No settings, so no mode: RunFailed alone, under Mode "unknown".
    publishMetrics(failedRunMetrics(), 'unknown');
    throw error;
  }
  const config: Config = target ? { ...own, region: target.region } : own;
  const mode = config.deleteEnabled ? 'delete' : 'dry-run';

  // Say first, then act: the region, the mode and every setting with its origin, before any AWS call.
  logger.info(`cleanup starting: ${config.deleteEnabled ? 'DELETE' : 'DRY RUN'} in ${target ? `${targetName(target)}${target.roleArn ? ` as ${target.roleArn}` : ''}` : config.region}`, {
    mode,
    region: config.region,
    ...(target && { target }),
    settings: Object.fromEntries(config.origins.map((origin) => [origin.setting, origin.value])),
    ...(config.rules.length > 0 && { rules: ruleLines(config.rules, config.policy) }),
  });
  for (const warning of config.warnings) logger.warn(warning);
  const now = new Date();
  let outcome: RunOutcome;
  try {
    // The caller's own clients stay in the function's region (its audit bucket, STS, the Slack token).
    deps ??= { aws: createAwsClients(own), slackTokens: new Map() };
    const options: RunOptions = {
      now,
      warnings: config.warnings,
      onProgress: logProgress,
      // Leave time to report and to post to Slack before Lambda stops the run.
      ...(context && { deleteDeadline: new Date(now.getTime() + context.getRemainingTimeInMillis() - REPORTING_RESERVE_MS) }),
    };
    outcome = target ? await runTarget(deps, new RoleSessions(deps.aws, config), target, config, options) : await runCleanup(deps, config, options);
  } catch (error) {
    // A run that ended without a report still counts as failed.
    publishMetrics(failedRunMetrics(), mode);
    // A target whose role is refused did not run: its result says so, small, for the Map's output.
    if (target && error instanceof AssumeRoleFailedError) {
      logger.error(`cleanup of ${targetName(target)} did not run: ${error.message}`, { target });
      return failedTarget(target, error.message);
    }
    throw error;
  }
  const { report } = outcome;
  // Once per run, before the run may throw for its errors.
  publishMetrics(runMetrics(report), report.mode);
  // Every decision at DEBUG; at other levels not even the log records are built (a million of them).
  if (logger.getLevelName() === 'DEBUG') {
    for (const { repository, artifacts } of outcome.artifacts()) {
      for (const artifact of artifacts) logger.debug('decision', { repository: repository.name, ...artifact });
    }
  }
  const summary: RunSummary = {
    mode: report.mode,
    ...(report.account !== undefined && { account: report.account }),
    region: report.region,
    totals: report.totals,
    ...(report.deletionBlocked !== undefined && { deletionBlocked: report.deletionBlocked }),
    warnings: report.warnings,
    errors: report.errors.map((error) => error.message),
    apiCalls: report.apiCalls,
    durationMs: report.durationMs,
    ...(report.auditObjects && { auditObjects: report.auditObjects }),
  };
  if (target) {
    // The state machine's item: the result, errors and all; its last step fails the execution on them.
    const result = targetResult(report, outcome.ok);
    const log = outcome.ok ? logger.info.bind(logger) : logger.error.bind(logger);
    log(`cleanup of ${targetName(target)} finished${outcome.ok ? '' : ' with errors'}: ${headlineOf(report)}`, { summary });
    return result;
  }
  const headline = headlineOf(report);
  if (!outcome.ok) {
    logger.error(`cleanup finished with errors: ${headline}`, { summary });
    throw new CleanupFailedError(`cleanup finished with errors: ${headline}: ${summary.errors.slice(0, 5).join('; ')}`);
  }
  logger.info(`cleanup finished: ${headline}`, { summary });
  return summary;
}

/** `DRY RUN: 12 of 40 images to delete, 0 errors`. */
function headlineOf(report: RunReport): string {
  return runHeadline(report.mode, report.totals, report.totals.errors);
}

/** An event that names an account or a region is a target; anything else (a schedule's event) is not. */
function isTargetEvent(event: unknown): boolean {
  return typeof event === 'object' && event !== null && ('account' in event || 'region' in event || 'roleArn' in event) && !('source' in event && 'detail-type' in event);
}


function logProgress(progress: Progress): void {
  switch (progress.phase) {
    case 'images':
    case 'in-use':
    case 'delete':
      if (progress.done === progress.total) logger.info(`${progress.phase} done`, { ...progress });
      else logger.debug(`${progress.phase} progress`, { ...progress });
      return;
    default:
      logger.info(progress.phase, { ...progress });
  }
}
