/**
 * `npm run bench`: measures the real CLI (and the Lambda handler that `cdk synth` bundles) against the
 * emulator with a latency on every AWS call. For each run it reports the wall time from process start,
 * the floor (`floor.mjs`: the least listing of the same world at the same concurrency, measured the same
 * way), the AWS calls made against their lower bound (the fewest the APIs allow, counted source by source
 * in `account.ts`), the retries, and the peak resident memory of the process, measured from outside it
 * (`rss.cjs`). It flags every operation called more often than its bound, or less, and every operation
 * whose count disagrees with the emulator's log, and then exits with 1.
 *
 * The world is the realistic mixed account of `account.ts`, or with `--images`, the world of a given
 * size of `scale-account.ts`. The emulator's ages count back from its start. The CLI's stdin is not a
 * terminal, so a delete run is not asked for confirmation.
 *
 *   npm run bench                                   # the mixed account, 25 ms per call
 *   npm run bench -- --latency 50 --repositories 400
 *   npm run bench -- --images 100000 --repositories 200 --tasks 500 --latency 20
 *   npm run bench -- --images 1000000 --repositories 1000 --tasks 2000 --latency 20 --runs dry,lambda
 *
 * Runs (`--runs`, comma-separated): serial (1 call in flight), dry (the default concurrency), wide (16),
 * throttled (the default concurrency, `--throttle` of the calls throttled, 0.2 unless given), delete,
 * lambda (the bundled handler, a dry run).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../../lambda/core/defaults';
import { Emulator } from '../emulator/server';
import { buildAccount, type Account, type Shape } from './account';
import { readPlan } from './read-plan';
import { buildScaleAccount } from './scale-account';
import { bundleFloor, synthLambda, type SynthesizedLambda } from './builds';

const ROOT = path.join(__dirname, '..', '..');
const RSS = path.join(__dirname, 'rss.cjs');
/** Outcomes of a throttled attempt, as each protocol names them, which the SDK retries: not calls of their own. */
const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'SlowDown', 'Throttling']);

type RunId = 'serial' | 'dry' | 'wide' | 'throttled' | 'delete' | 'lambda';

interface Run {
  readonly id: RunId;
  readonly label: string;
  readonly concurrency: number;
  readonly throttle: number;
  readonly delete: boolean;
  readonly lambda: boolean;
}

interface ProcessMeasure {
  readonly status: number | null;
  readonly wallSeconds: number;
  readonly peakMiB: number;
  readonly stdout: string;
  readonly stderr: string;
}

interface Measurement {
  readonly run: Run;
  readonly wallSeconds: number;
  readonly cleanerSeconds: number;
  readonly floorSeconds: number;
  readonly calls: number;
  readonly lowerBound: number;
  readonly retries: number;
  readonly peakMiB: number;
  readonly images: number;
  readonly toDelete: number;
  readonly byOperation: Readonly<Record<string, number>>;
  /** Operations called more often than their bound, or less. */
  readonly offBound: string[];
  /** Operations whose count in the report differs from the calls the emulator answered. */
  readonly disagreements: string[];
  /** STS.GetCallerIdentity calls the emulator answered (the CLI's own, outside the cleaner's count unless the report has them). */
  readonly stsCalls: number;
}

/** Runs `args` with node, `rss.cjs` preloaded; its wall time from spawn to exit, and its peak RSS. */
async function measureProcess(args: readonly string[], env: Record<string, string>, cwd: string): Promise<ProcessMeasure> {
  const rssFile = path.join(cwd, `rss-${process.hrtime.bigint()}`);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const started = process.hrtime.bigint();
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', RSS, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: cwd, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', BENCH_RSS_FILE: rssFile, ...env },
    });
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  let peakMiB = Number.NaN;
  try {
    peakMiB = Number(readFileSync(rssFile, 'utf8')) / 1024;
  } catch {
    // The process died before its exit handler ran; the status says so.
  }
  return { status, wallSeconds, peakMiB, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
}

/** The emulator for one run: the account, the latency, and the run's throttling. */
function startEmulator(account: Account, latencyMs: number, throttle: number): Promise<Emulator> {
  return Emulator.start({ ...account.fixture, faults: { latencyMs, ...(throttle > 0 && { throttle: { rate: throttle, seed: 11 } }) } });
}

/** The calls the emulator answered by operation (throttled attempts are retries, not calls). */
function answeredCalls(emulator: Emulator): Map<string, number> {
  const answered = new Map<string, number>();
  for (const call of emulator.calls) if (!THROTTLED.has(call.outcome)) answered.set(call.operation, (answered.get(call.operation) ?? 0) + 1);
  return answered;
}

interface RunFigures {
  readonly mode: 'dry-run' | 'delete';
  readonly cleanerSeconds: number;
  readonly images: number;
  readonly toDelete: number;
  readonly apiCalls: { readonly total: number; readonly retries: number; readonly byOperation: Readonly<Record<string, number>> };
  readonly deleteCalls: number;
}

/** Compares a run's calls with the lower bound and with the emulator's log. */
function judge(run: Run, account: Account, emulator: Emulator, measured: ProcessMeasure, figures: RunFigures, floorSeconds: number): Measurement {
  const made = figures.apiCalls.byOperation;
  const bound = account.lowerBound({ mode: figures.mode, deleteCalls: figures.deleteCalls, byOperation: made });
  const offBound = [...new Set([...Object.keys(made), ...Object.keys(bound)])]
    .filter((operation) => (made[operation] ?? 0) !== (bound[operation] ?? 0))
    .map((operation) => `${operation} ${made[operation] ?? 0} ${(made[operation] ?? 0) > (bound[operation] ?? 0) ? '>' : '<'} ${bound[operation] ?? 0}`);
  const answered = answeredCalls(emulator);
  const stsCalls = answered.get('STS.GetCallerIdentity') ?? 0;
  if (made['STS.GetCallerIdentity'] === undefined) answered.delete('STS.GetCallerIdentity');
  // The Lambda reads its Slack token, and the emulator answers Slack; neither is the cleaner's count.
  for (const operation of answered.keys()) if (operation.startsWith('Slack.') || (run.lambda && operation === 'SecretsManager.GetSecretValue' && made[operation] === undefined)) answered.delete(operation);
  const disagreements = [...new Set([...Object.keys(made), ...answered.keys()])]
    .filter((operation) => (made[operation] ?? 0) !== (answered.get(operation) ?? 0))
    .map((operation) => `${operation}: the report counts ${made[operation] ?? 0}, the emulator answered ${answered.get(operation) ?? 0}`);
  return {
    run,
    wallSeconds: measured.wallSeconds,
    cleanerSeconds: figures.cleanerSeconds,
    floorSeconds,
    calls: figures.apiCalls.total,
    lowerBound: Object.values(bound).reduce((sum, count) => sum + count, 0),
    retries: figures.apiCalls.retries,
    peakMiB: measured.peakMiB,
    images: figures.images,
    toDelete: figures.toDelete,
    byOperation: made,
    offBound,
    disagreements,
    stsCalls,
  };
}

/** The CLI (`npm run cleaner`, the compiled build) on a fresh emulator. */
async function measureCli(run: Run, account: Account, latencyMs: number, floorSeconds: number): Promise<Measurement> {
  const emulator = await startEmulator(account, latencyMs, run.throttle);
  const work = mkdtempSync(path.join(tmpdir(), 'ecr-bench-'));
  try {
    const args = ['--json', 'plan.json', '--quiet', '--max-concurrent-calls', String(run.concurrency), ...(run.delete ? ['--delete'] : []), ...account.args];
    const measured = await measureProcess([path.join(ROOT, 'bin', 'cleaner.mjs'), ...args], emulator.env(), work);
    if (measured.status !== 0) throw new Error(`${run.label}: the CLI exited with ${String(measured.status)}:\n${measured.stderr}`);
    const plan = readPlan(path.join(work, 'plan.json'));
    const figures = { mode: plan.mode, cleanerSeconds: plan.durationMs / 1000, images: plan.totals.manifests, toDelete: plan.totals.manifestsToDelete, apiCalls: plan.apiCalls, deleteCalls: plan.deleteCalls };
    return judge(run, account, emulator, measured, figures, floorSeconds);
  } finally {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

interface LambdaSummary {
  readonly result?: { mode: 'dry-run' | 'delete'; durationMs: number; totals: { manifests: number; manifestsToDelete: number }; apiCalls: RunFigures['apiCalls'] };
  readonly error?: { name: string; message: string };
}

/** The bundled handler, loaded as Lambda loads it (`test/e2e/invoke-lambda.js`), with the template's settings, on a fresh emulator. */
async function measureLambda(run: Run, account: Account, latencyMs: number, floorSeconds: number, synthesized: SynthesizedLambda): Promise<Measurement> {
  const emulator = await startEmulator(account, latencyMs, run.throttle);
  const work = mkdtempSync(path.join(tmpdir(), 'ecr-bench-'));
  try {
    const outcomeFile = path.join(work, 'outcome.json');
    const measured = await measureProcess([path.join(ROOT, 'test', 'e2e', 'invoke-lambda.js'), synthesized.bundleDir, outcomeFile], {
      ...emulator.env(),
      ...synthesized.variables,
      ...account.variables,
      MAX_CONCURRENT_CALLS: String(run.concurrency),
      AWS_LAMBDA_FUNCTION_NAME: 'EcrMaintainer-EcrCleanerFunction',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(synthesized.memorySize),
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      AWS_LAMBDA_LOG_LEVEL: 'WARN',
      TIMEOUT_MS: String(synthesized.timeoutSeconds * 1000),
    }, work);
    let outcome: LambdaSummary = {};
    try {
      outcome = JSON.parse(readFileSync(outcomeFile, 'utf8')) as LambdaSummary;
    } catch {
      // No outcome: the process died; its status and output say why.
    }
    if (!outcome.result) throw new Error(`${run.label}: the handler failed (exit ${String(measured.status)}): ${JSON.stringify(outcome.error)}\n${measured.stdout}${measured.stderr}`);
    const { result } = outcome;
    const figures = { mode: result.mode, cleanerSeconds: result.durationMs / 1000, images: result.totals.manifests, toDelete: result.totals.manifestsToDelete, apiCalls: result.apiCalls, deleteCalls: 0 };
    return judge(run, account, emulator, measured, figures, floorSeconds);
  } finally {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The floor: `floor.mjs`, bundled, at the run's concurrency and throttling, on a fresh emulator. */
async function measureFloor(floorScript: string, account: Account, latencyMs: number, concurrency: number, throttle: number): Promise<number> {
  const emulator = await startEmulator(account, latencyMs, throttle);
  const work = mkdtempSync(path.join(tmpdir(), 'ecr-bench-'));
  try {
    const measured = await measureProcess([floorScript], { ...emulator.env(), FLOOR_CONCURRENCY: String(concurrency) }, work);
    if (measured.status !== 0) throw new Error(`the floor exited with ${String(measured.status)}:\n${measured.stderr}`);
    return measured.wallSeconds;
  } finally {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

function runsOf(ids: readonly string[], throttle: number): Run[] {
  const n = DEFAULTS.maxConcurrentCalls;
  const all: Record<RunId, Omit<Run, 'id'>> = {
    serial: { label: 'dry run, 1 call in flight', concurrency: 1, throttle: 0, delete: false, lambda: false },
    dry: { label: `dry run, ${n} in flight (default)`, concurrency: n, throttle: 0, delete: false, lambda: false },
    wide: { label: 'dry run, 16 in flight', concurrency: 16, throttle: 0, delete: false, lambda: false },
    throttled: { label: `dry run, ${n} in flight, ${Math.round(throttle * 100)}% throttled`, concurrency: n, throttle, delete: false, lambda: false },
    delete: { label: `delete, ${n} in flight (default)`, concurrency: n, throttle: 0, delete: true, lambda: false },
    lambda: { label: `bundled Lambda handler, dry run, ${n} in flight`, concurrency: n, throttle: 0, delete: false, lambda: true },
  };
  return ids.map((id) => {
    if (!(id in all)) throw new Error(`--runs: unknown run "${id}"; the runs are ${Object.keys(all).join(', ')}`);
    return { id: id as RunId, ...all[id as RunId] };
  });
}

function mixedAccount(repositories: number, tasks: number | undefined): Account {
  const shape: Shape = {
    repositories,
    imagesPerRepository: 60,
    bigRepositoryImages: 5000,
    multiArchRepositories: 20,
    clusters: 5,
    tasksPerCluster: tasks === undefined ? 250 : Math.ceil(tasks / 5),
    servicesPerCluster: 40,
    deployingServicesPerCluster: 2,
    jobFamilies: 40,
    defaultBusRules: 120,
    customBusRules: 20,
    schedules: 150,
    functions: 120,
    inUseListEntries: 25,
  };
  return buildAccount(shape);
}

/** A whole number ≥ `min` from an option, or a clear error. */
function whole(name: string, value: string, min: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${value}"`);
  return number;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      latency: { type: 'string', default: '25' },
      repositories: { type: 'string', default: '200' },
      images: { type: 'string' },
      tasks: { type: 'string' },
      throttle: { type: 'string', default: '0.2' },
      runs: { type: 'string' },
    },
  });
  const latency = whole('latency', values.latency, 0);
  const repositories = whole('repositories', values.repositories, 1);
  const throttle = Number(values.throttle);
  if (!(throttle > 0 && throttle < 1)) throw new Error(`--throttle must be a rate between 0 and 1, got "${values.throttle}"`);
  const tasks = values.tasks === undefined ? undefined : whole('tasks', values.tasks, 0);
  const images = values.images === undefined ? undefined : whole('images', values.images, 1);
  const runs = runsOf((values.runs ?? (images === undefined ? 'serial,dry,wide,throttled,delete,lambda' : 'dry,lambda')).split(','), throttle);

  const building = Date.now();
  const account = images === undefined ? mixedAccount(repositories, tasks) : buildScaleAccount({ images, repositories, tasks: tasks ?? 500 });
  process.stderr.write(`World: ${account.description}. ${latency} ms per AWS call. Built in ${((Date.now() - building) / 1000).toFixed(1)} s.\n`);
  const builds = mkdtempSync(path.join(tmpdir(), 'ecr-bench-build-'));
  try {
    const floorScript = await bundleFloor(builds);
    const synthesized = runs.some((run) => run.lambda) ? await synthLambda(builds) : undefined;
    const floors = new Map<string, number>();
    const results: Measurement[] = [];
    for (const run of runs) {
      const key = `${run.concurrency}/${run.throttle}`;
      if (!floors.has(key)) {
        process.stderr.write(`  the floor, ${run.concurrency} in flight${run.throttle > 0 ? `, ${Math.round(run.throttle * 100)}% throttled` : ''} …\n`);
        floors.set(key, await measureFloor(floorScript, account, latency, run.concurrency, run.throttle));
      }
      process.stderr.write(`  ${run.label} …\n`);
      const floor = floors.get(key) ?? Number.NaN;
      results.push(run.lambda && synthesized ? await measureLambda(run, account, latency, floor, synthesized) : await measureCli(run, account, latency, floor));
    }
    report(results, latency);
    const failed = results.some((m) => m.offBound.length > 0 || m.disagreements.length > 0);
    return failed ? 1 : 0;
  } finally {
    rmSync(builds, { recursive: true, force: true });
  }
}

function report(results: readonly Measurement[], latency: number): void {
  const rows = results.map((m) =>
    [
      m.run.label,
      m.images.toLocaleString('en'),
      m.toDelete.toLocaleString('en'),
      m.calls,
      m.lowerBound,
      m.retries,
      `${m.cleanerSeconds.toFixed(1)} s`,
      `${m.wallSeconds.toFixed(1)} s`,
      `${m.floorSeconds.toFixed(1)} s`,
      `${(m.wallSeconds / m.floorSeconds).toFixed(2)}×`,
      `${m.peakMiB.toFixed(0)} MiB`,
    ].join(' | '),
  );
  const last = results[results.length - 1];
  process.stdout.write(
    [
      `| run (${latency} ms per AWS call) | manifests | to delete | AWS calls | lower bound | retries | cleaner time | wall time | floor | wall / floor | peak RSS |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map((row) => `| ${row} |`),
      '',
      `Calls by operation (${last.run.label}):`,
      ...Object.entries(last.byOperation).map(([operation, count]) => `  ${operation.padEnd(34)} ${count}`),
      `STS.GetCallerIdentity answered by the emulator per run: ${results.map((m) => m.stsCalls).join(', ')}${last.byOperation['STS.GetCallerIdentity'] === undefined ? " (the CLI's own call, outside the cleaner's count)" : ''}`,
      '',
    ].join('\n'),
  );
  const off = results.flatMap((m) => m.offBound.map((line) => `${m.run.label}: ${line}`));
  if (off.length > 0) process.stdout.write(`\nCalls off the lower bound (retries of throttled calls are counted apart):\n${off.join('\n')}\n`);
  const disagree = results.flatMap((m) => m.disagreements.map((line) => `${m.run.label}: ${line}`));
  if (disagree.length > 0) process.stdout.write(`\nCounts that disagree with the emulator's log:\n${disagree.join('\n')}\n`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
