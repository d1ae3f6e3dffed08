/**
 * The CLI's fan-out: several targets (accounts × regions), a few at a time, each a run of its own with
 * its own failure. As each target finishes, its part of the files is appended (every row names its
 * account and region) and its plan is dropped, so that memory holds only the targets in flight. At the
 * end, one summary covers every target, and Slack gets one message.
 */
import { createWriteStream } from 'node:fs';
import * as path from 'node:path';
import type { AwsClients } from './aws/clients';
import { AssumeRoleFailedError } from './aws/assume-role';
import type { RunOutcome, RunOptions } from './cleaner';
import type { Config } from './config';
import { planLines, type RunReport } from './core/report';
import { failedTarget, targetName, targetResult, type Target, type TargetResult } from './core/targets';
import { readSlackToken } from './aws/secrets';
import { ApiCalls } from './aws/api-calls';
import { errorMessage } from './errors';
import { runHeadline } from './render/text';
import { emfRecord, runMetrics } from './metrics';
import { postTextToSlack } from './notify/slack';
import { csvLines } from './render/csv';
import { decisionChunks } from './render/explain';
import { renderFleetSlack, renderFleetSummary } from './render/fleet';
import { appendChunks, endChunks, FILE_LABELS, writeFileInChunks, writeOut } from './report-files';
import { htmlReportChunks } from './render/html';
import { RoleSessions, runTarget } from './target-run';

export interface FleetIo {
  readonly stdout: { write(text: string): unknown; once?(event: 'drain', listener: () => void): unknown };
  readonly stderr: { write(text: string): unknown };
}

export interface FleetOptions {
  readonly targets: readonly Target[];
  readonly concurrency: number;
  /** The report files, by flag: `--csv`, `--json`, `--metrics`. */
  readonly files: readonly { readonly flag: string; readonly path: string }[];
  /** `--html`: a page per target, next to this path (`<name>-<account>-<region>.html`). */
  readonly html?: string;
  readonly explain: boolean;
  /** Asked before a target deletes anything, one target at a time; none: no question. */
  readonly confirm?: (plan: RunReport, target: Target) => Promise<boolean>;
  readonly now: Date;
  readonly warnings: readonly string[];
}

/** What a fan-out did: each target's result, and whether every file was written. */
export interface FleetOutcome {
  readonly results: readonly TargetResult[];
  readonly written: boolean;
}

/** The lines that each report file gets of one target; the CSV's header comes once, with the first. */
const PARTS: Readonly<Record<string, (outcome: RunOutcome, first: boolean) => Iterable<string>>> = {
  '--csv': (outcome, first) => csvLines(outcome.report, outcome.artifacts, { header: first }),
  '--json': (outcome) => planLines(outcome.report, outcome.artifacts),
  '--metrics': (outcome) => [`${JSON.stringify({ ...emfRecord(runMetrics(outcome.report), outcome.report.mode), account: outcome.report.account, region: outcome.report.region })}\n`],
};

/** Runs every target, at most `concurrency` at once, and reports on them all. */
export async function runFleet(aws: AwsClients, config: Config, options: FleetOptions, io: FleetIo): Promise<FleetOutcome> {
  const sessions = new RoleSessions(aws, config);
  // One target's Slack report would be one of many: the fan-out posts one message at the end instead.
  const targetConfig: Config = { ...config, slack: undefined };
  const files = options.files.map((file) => {
    const entry = { ...file, stream: createWriteStream(file.path), failed: undefined as string | undefined, first: true };
    // An error in opening or writing is kept, and said at the end; the targets go on.
    entry.stream.on('error', (error) => (entry.failed ??= errorMessage(error)));
    return entry;
  });
  const results: TargetResult[] = [];
  const pages: string[] = [];
  const pageErrors: string[] = [];
  // Output, files and questions go one target at a time, in the order the targets get to them.
  let turn: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
    const mine = turn.then(work);
    turn = mine.catch(() => undefined);
    return mine;
  };
  let done = 0;

  const runOne = async (target: Target): Promise<void> => {
    const name = targetName(target);
    let outcome: RunOutcome;
    try {
      const runOptions: RunOptions = {
        now: options.now,
        warnings: options.warnings,
        ...(options.confirm && { confirmDeletion: (plan: RunReport) => inTurn(() => (options.confirm as NonNullable<FleetOptions['confirm']>)(plan, target)) }),
      };
      outcome = await runTarget({ aws, slackTokens: new Map() }, sessions, target, targetConfig, runOptions);
    } catch (error) {
      // A target that breaks, for whatever reason, fails alone: the others go on.
      const message = error instanceof AssumeRoleFailedError ? error.message : `the run failed: ${errorMessage(error)}`;
      results.push(failedTarget(target, message));
      done += 1;
      io.stderr.write(`[${done}/${options.targets.length}] ${name}: FAILED: ${message}\n`);
      return;
    }
    const result = targetResult(outcome.report, outcome.ok);
    results.push(result);
    await inTurn(async () => {
      done += 1;
      io.stderr.write(`[${done}/${options.targets.length}] ${name}: ${describeResult(result)}\n`);
      if (options.explain) {
        await writeOut(io.stdout, `\n══ ${name} ══\n`);
        for (const chunk of decisionChunks(outcome.report, outcome.artifacts)) await writeOut(io.stdout, chunk);
      }
      if (options.html !== undefined) {
        const page = pagePath(options.html, target);
        try {
          await writeFileInChunks(page, htmlReportChunks(outcome.report, outcome.artifacts));
          pages.push(page);
        } catch (error) {
          pageErrors.push(`could not write --html ${page}: ${errorMessage(error)}`);
        }
      }
      for (const file of files) {
        if (file.failed !== undefined) continue;
        try {
          await appendChunks(file.stream, PARTS[file.flag](outcome, file.first));
          file.first = false;
        } catch (error) {
          file.failed = errorMessage(error);
        }
      }
    });
  };

  let next = 0;
  const worker = async (): Promise<void> => {
    for (let taken = next++; taken < options.targets.length; taken = next++) await runOne(options.targets[taken]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, options.targets.length)) }, worker));

  if (options.explain) await writeOut(io.stdout, '\n');
  await writeOut(io.stdout, renderFleetSummary(results));
  let written = pageErrors.length === 0;
  for (const error of pageErrors) io.stderr.write(`ecr-maintainer: ${error}\n`);
  if (pages.length > 0) io.stdout.write(`The plan as a page, one per target (open them in a browser): ${pages.sort().join(', ')}\n`);
  for (const file of files) {
    if (file.failed === undefined) {
      try {
        await endChunks(file.stream);
      } catch (error) {
        file.failed = errorMessage(error);
      }
    } else file.stream.destroy();
    if (file.failed !== undefined) {
      written = false;
      io.stderr.write(`ecr-maintainer: could not write ${file.flag} ${file.path}: ${file.failed}\n`);
    } else io.stdout.write(`${FILE_LABELS[file.flag]}, every target: ${file.path}\n`);
  }
  if (config.slack) {
    try {
      const token = config.slack.token ?? (await readSlackToken(aws.secrets, new ApiCalls(1, { maxAttempts: config.awsMaxAttempts }), config.slack.tokenSecretId as string));
      await postTextToSlack(renderFleetSlack(results, { auditRegion: config.region }), {
        token,
        channel: config.slack.channel,
        maxMessageLength: config.slack.maxMessageLength,
        ...(config.slack.apiUrl !== undefined && { apiUrl: config.slack.apiUrl }),
      });
      io.stdout.write(`Slack: one report of ${results.length} targets posted to ${config.slack.channel}\n`);
    } catch (error) {
      written = false;
      io.stderr.write(`ecr-maintainer: could not post to Slack: ${errorMessage(error)}\n`);
    }
  }
  return { results, written };
}


/** `report.html` becomes `report-111111111111-eu-west-1.html`: a page per target, side by side. */
export function pagePath(file: string, target: Pick<Target, 'account' | 'region'>): string {
  const extension = path.extname(file) || '.html';
  return `${file.slice(0, file.length - path.extname(file).length)}-${target.account}-${target.region}${extension}`;
}

/** `DRY RUN: 12 of 40 images to delete, 0 errors`, for the line that says a target is done. */
function describeResult(result: TargetResult): string {
  if (!result.totals) return 'FAILED';
  return `${runHeadline(result.mode ?? 'dry-run', result.totals, result.errorCount)}${result.deletionBlocked ? `; nothing deleted: ${result.deletionBlocked}` : ''}`;
}
