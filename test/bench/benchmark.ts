/**
 * `npm run bench`: measures the real CLI against the emulator with a latency on every AWS call, on an
 * account of a realistic size with every source of images in use (`account.ts` describes it). For each
 * run it reports the wall time, the AWS calls made against their lower bound (the fewest calls the APIs
 * allow for this account, counted source by source in `account.ts`), the retries, and the peak memory.
 * It flags every operation called more often than its bound, or less (a source that read less than
 * the account holds), and every operation whose count in the report disagrees with the emulator's log.
 *
 * The emulator's ages count back from its start, and the CLI runs at the real time (the fixture's images
 * are days old, so the seconds between them do not change the plan). The CLI's stdin is not a terminal,
 * so a delete run is not asked for confirmation.
 *
 *   npm run bench                      # the default account, 25 ms per call
 *   npm run bench -- --latency 50 --repositories 400
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { RunReport } from '../../lambda/core/report';
import { Emulator } from '../emulator/server';
import { buildAccount, type Shape } from './account';

const ROOT = path.join(__dirname, '..', '..');
/** Outcomes of a throttled attempt, as each protocol names them, which the SDK retries: not calls of their own. */
const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'SlowDown', 'Throttling']);

interface Measurement {
  readonly label: string;
  readonly wallSeconds: number;
  readonly cleanerSeconds: number;
  readonly calls: number;
  readonly lowerBound: number;
  readonly retries: number;
  readonly peakMiB: number;
  readonly images: number;
  readonly toDelete: number;
  /** The run's calls by operation. */
  readonly byOperation: Readonly<Record<string, number>>;
  /** Operations called more often than their bound, or less. */
  readonly offBound: string[];
  /** Operations whose count in the report differs from the calls the emulator answered. */
  readonly disagreements: string[];
  /** STS.GetCallerIdentity calls the emulator answered (the CLI's own, outside the cleaner's count unless the report has them). */
  readonly stsCalls: number;
}

async function measure(label: string, shape: Shape, latencyMs: number, args: string[], throttle?: number): Promise<Measurement> {
  const account = buildAccount(shape);
  const emulator = await Emulator.start({ ...account.fixture, faults: { latencyMs, ...(throttle && { throttle: { rate: throttle, seed: 11 } }) } });
  const work = mkdtempSync(path.join(tmpdir(), 'ecr-bench-'));
  const rssFile = path.join(work, 'rss');
  const stderr: Buffer[] = [];
  const started = process.hrtime.bigint();
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--require', path.join(__dirname, 'rss.cjs'), path.join(ROOT, 'bin', 'cleaner.mjs'), '--json', 'plan.json', '--quiet', ...account.args, ...args],
      { cwd: work, stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', BENCH_RSS_FILE: rssFile, ...emulator.env() } },
    );
    // The CLI's header and warnings go to stderr; shown only when the run fails.
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await emulator.stop();
  if (status !== 0) throw new Error(`${label}: the CLI exited with ${String(status)}:\n${Buffer.concat(stderr).toString('utf8')}`);
  const report = JSON.parse(readFileSync(path.join(work, 'plan.json'), 'utf8')) as RunReport;
  const peakMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  rmSync(work, { recursive: true, force: true });
  const made = report.apiCalls.byOperation;
  const bound = account.lowerBound(report);
  const offBound = [...new Set([...Object.keys(made), ...Object.keys(bound)])]
    .filter((operation) => (made[operation] ?? 0) !== (bound[operation] ?? 0))
    .map((operation) => `${operation} ${made[operation] ?? 0} ${(made[operation] ?? 0) > (bound[operation] ?? 0) ? '>' : '<'} ${bound[operation] ?? 0}`);
  const answered = new Map<string, number>();
  for (const call of emulator.calls) if (!THROTTLED.has(call.outcome)) answered.set(call.operation, (answered.get(call.operation) ?? 0) + 1);
  const stsCalls = answered.get('STS.GetCallerIdentity') ?? 0;
  if (made['STS.GetCallerIdentity'] === undefined) answered.delete('STS.GetCallerIdentity');
  const disagreements = [...new Set([...Object.keys(made), ...answered.keys()])]
    .filter((operation) => (made[operation] ?? 0) !== (answered.get(operation) ?? 0))
    .map((operation) => `${operation}: the report counts ${made[operation] ?? 0}, the emulator answered ${answered.get(operation) ?? 0}`);
  return {
    label,
    wallSeconds,
    cleanerSeconds: report.durationMs / 1000,
    calls: report.apiCalls.total,
    lowerBound: Object.values(bound).reduce((sum, count) => sum + count, 0),
    retries: report.apiCalls.retries,
    peakMiB,
    images: report.totals.manifests,
    toDelete: report.totals.manifestsToDelete,
    byOperation: made,
    offBound,
    disagreements,
    stsCalls,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { latency: { type: 'string', default: '25' }, repositories: { type: 'string', default: '200' } } });
  const latency = Number(values.latency);
  const shape: Shape = {
    repositories: Number(values.repositories),
    imagesPerRepository: 60,
    bigRepositoryImages: 5000,
    multiArchRepositories: 20,
    clusters: 5,
    tasksPerCluster: 250,
    servicesPerCluster: 40,
    deployingServicesPerCluster: 2,
    jobFamilies: 40,
    defaultBusRules: 120,
    customBusRules: 20,
    schedules: 150,
    functions: 120,
    inUseListEntries: 25,
  };
  process.stderr.write(
    `Account: ${shape.repositories} repositories of ${shape.imagesPerRepository} images, one of ${shape.bigRepositoryImages}, ${shape.multiArchRepositories} multi-architecture ones (12 releases, 2 platforms, attestations), one per container-image Lambda function; ` +
      `${shape.clusters} clusters of ${shape.tasksPerCluster} tasks and ${shape.servicesPerCluster} services (${shape.deployingServicesPerCluster} deploying); ` +
      `${shape.repositories + shape.jobFamilies} task definition families; ${shape.defaultBusRules + shape.customBusRules} EventBridge rules on 2 buses; ${shape.schedules} schedules in 2 groups; ` +
      `${shape.functions} Lambda functions (a third container images); an in-use list of ${shape.inUseListEntries + 1} references in S3. ${latency} ms per AWS call.\n`,
  );
  const runs: [string, string[], number?][] = [
    ['dry run, 1 call in flight', ['--max-concurrent-calls', '1']],
    ['dry run, 8 in flight (default)', []],
    ['dry run, 16 in flight', ['--max-concurrent-calls', '16']],
    ['dry run, 8 in flight, 20% throttled', [], 0.2],
    ['delete, 8 in flight (default)', ['--delete']],
  ];
  const results: Measurement[] = [];
  for (const [label, args, throttle] of runs) {
    process.stderr.write(`  ${label} …\n`);
    results.push(await measure(label, shape, latency, args, throttle));
  }
  const rows = results.map((m) =>
    `| ${m.label} | ${m.images.toLocaleString('en')} | ${m.toDelete.toLocaleString('en')} | ${m.calls} | ${m.lowerBound} | ${m.retries} | ${m.cleanerSeconds.toFixed(1)} s | ${m.wallSeconds.toFixed(1)} s | ${m.peakMiB.toFixed(0)} MiB |`,
  );
  const last = results[results.length - 1];
  process.stdout.write(
    [
      `| run (${latency} ms per AWS call) | manifests | to delete | AWS calls | lower bound | retries | cleaner time | wall time | peak memory |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      `Calls by operation (${last.label}):`,
      ...Object.entries(last.byOperation).map(([operation, count]) => `  ${operation.padEnd(34)} ${count}`),
      `STS.GetCallerIdentity answered by the emulator per run: ${results.map((m) => m.stsCalls).join(', ')}${last.byOperation['STS.GetCallerIdentity'] === undefined ? " (the CLI's own call, outside the cleaner's count)" : ''}`,
      '',
    ].join('\n'),
  );
  const off = results.flatMap((m) => m.offBound.map((line) => `${m.label}: ${line}`));
  if (off.length > 0) process.stdout.write(`\nCalls off the lower bound (retries of throttled calls are counted apart):\n${off.join('\n')}\n`);
  const disagree = results.flatMap((m) => m.disagreements.map((line) => `${m.label}: ${line}`));
  if (disagree.length > 0) process.stdout.write(`\nCounts that disagree with the emulator's log:\n${disagree.join('\n')}\n`);
}

void main();
