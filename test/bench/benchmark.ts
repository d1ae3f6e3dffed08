/**
 * `npm run bench`: measures the real CLI (and the Lambda handler that `cdk synth` bundles) against the
 * emulator with a latency on every AWS call. For each run it reports the time from process start to its
 * first AWS request, the wall time from process start, the floor (`floor.mjs`: the least listing of the same world at the same concurrency, measured the same
 * way), the AWS calls made against their lower bound (the fewest the APIs allow, counted source by source
 * in `account.ts`), the retries, and the peak resident memory of the process, measured from outside it
 * (`rss.cjs`). It flags every operation called more often than its bound, or less, and every operation
 * whose count disagrees with the emulator's log, and then exits with 1. The CLI runs twice on fresh
 * emulators: as a user runs it (writing `to_delete.csv`), which is timed, and with `--json`, whose plan
 * gives the figures its calls are checked against; both must make the same calls.
 *
 * The world is the realistic mixed account of `account.ts`, or with `--images`, the world of a given
 * size of `scale-account.ts`. The emulator's ages count back from its start. The CLI's stdin is not a
 * terminal, so a delete run is not asked for confirmation.
 *
 *   npm run bench                                   # the mixed account, 25 ms per call
 *   npm run bench -- --latency 50 --repositories 400
 *   npm run bench -- --images 100000 --repositories 200 --tasks 500 --latency 20
 *   npm run bench -- --images 1000000 --repositories 1000 --tasks 2000 --latency 20 --runs dry,lambda
 *   npm run bench -- --images 100000 --repositories 200 --latency 20 --runs converge --timeout 50
 *
 * Runs (`--runs`, comma-separated): serial (1 call in flight), dry (the default concurrency), wide (16),
 * throttled (the default concurrency, `--throttle` of the calls throttled, 0.2 unless given), delete,
 * lambda (the bundled handler, a dry run), converge (the bundled handler, deleting, invoked again and
 * again on one emulator until nothing is left to delete).
 *
 * The converge run is a scheduled Lambda that meets a large first cleanup: each invocation is a fresh
 * process (a cold start) with a time budget of `--timeout` seconds (the synthesized function's timeout
 * unless given; it must exceed the handler's 45 s reporting reserve). The handler stops deleting when
 * only the reserve is left and fails, and the next invocation goes on with the world that is left. It
 * stops when an invocation succeeds with nothing to delete (converged), or fails loudly after
 * 50 invocations, after an invocation that deleted nothing although something was left, or after an
 * invocation that failed for another reason than its time limit. A budget a few seconds above the reserve
 * makes the spread visible: at 100,000 images and 20 ms per call on two cores, `--timeout 50` to `53`
 * spreads the deletion over two invocations (which one depends on how long the listing takes), a shorter
 * one leaves no time to delete, and `--timeout 60` deletes it all in one. Each
 * invocation is held to the bounds of the other runs, over the world it found; its BatchDeleteImage
 * bound comes from what it deleted (per repository and wave, one call per 100 manifests). Its wall time
 * is flagged when it exceeds the budget, its peak RSS when it exceeds the function's memory size, and
 * its listing when it counts other than the manifests the emulator held. The run converges when the last
 * invocation found nothing to delete and the emulator holds as many manifests as the first one's plan kept.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS } from '../../lambda/core/defaults';
import type { RunSummary } from '../../lambda/handler';
import type { StoredImage } from '../emulator/ecr';
import type { Fixture } from '../emulator/fixture';
import { Emulator, type RecordedCall } from '../emulator/server';
import { buildAccount, lowerBound, type Account, type BoundedRun, type Shape } from './account';
import { readPlan } from './read-plan';
import { buildScaleAccount } from './scale-account';
import { bundleFloor, synthLambda, type SynthesizedLambda } from './builds';
import { measureProcess, type ProcessMeasure } from './measure';

const ROOT = path.join(__dirname, '..', '..');
/** Outcomes of a throttled attempt, as each protocol names them, which the SDK retries: not calls of their own. */
const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'SlowDown', 'Throttling']);

/** The converge run's cap: a run that needs more invocations fails. */
const MAX_INVOCATIONS = 50;
/** How the handler's errors name a repository whose deletion stopped at the time limit (lambda/cleaner.ts). */
const AT_TIME_LIMIT = /at the time limit/;
/** A cosign signature's, attestation's or SBOM's tag, which names its subject (lambda/core/artifact-graph.ts). */
const COSIGN_TAG = /^sha256-([0-9a-f]{64})\.(?:sig|att|sbom)$/;

type RunId = 'serial' | 'dry' | 'wide' | 'throttled' | 'delete' | 'lambda' | 'converge';

interface Run {
  readonly id: RunId;
  readonly label: string;
  readonly concurrency: number;
  readonly throttle: number;
  readonly delete: boolean;
  readonly lambda: boolean;
}


interface Measurement {
  readonly run: Run;
  readonly wallSeconds: number;
  /** From spawn to the first request that reached the emulator: the process's start-up. */
  readonly startupMs?: number;
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


/** The emulator for one run: the account, the latency, and the run's throttling. */
function startEmulator(account: Account, latencyMs: number, throttle: number): Promise<Emulator> {
  return Emulator.start({ ...account.fixture, faults: { latencyMs, ...(throttle > 0 && { throttle: { rate: throttle, seed: 11 } }) } });
}

/** The calls the emulator answered by operation (throttled attempts are retries, not calls). */
function answeredCalls(calls: readonly RecordedCall[]): Map<string, number> {
  const answered = new Map<string, number>();
  for (const call of calls) if (!THROTTLED.has(call.outcome)) answered.set(call.operation, (answered.get(call.operation) ?? 0) + 1);
  return answered;
}

interface RunFigures {
  readonly cleanerSeconds: number;
  readonly images: number;
  readonly toDelete: number;
  readonly apiCalls: { readonly total: number; readonly retries: number; readonly byOperation: Readonly<Record<string, number>> };
}

/** Compares a run's calls with their lower bound and with the calls the emulator answered for the run (`calls`, its log or a slice of it). */
function judge(run: Run, bound: Readonly<Record<string, number>>, calls: readonly RecordedCall[], measured: ProcessMeasure, figures: RunFigures, floorSeconds: number): Measurement {
  const made = figures.apiCalls.byOperation;
  const offBound = [...new Set([...Object.keys(made), ...Object.keys(bound)])]
    .filter((operation) => (made[operation] ?? 0) !== (bound[operation] ?? 0))
    .map((operation) => `${operation} ${made[operation] ?? 0} ${(made[operation] ?? 0) > (bound[operation] ?? 0) ? '>' : '<'} ${bound[operation] ?? 0}`);
  const answered = answeredCalls(calls);
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

/** The process's start-up: from its spawn to the first request that the emulator received. */
function startup(emulator: Emulator, measured: ProcessMeasure): { startupMs?: number } {
  return emulator.firstRequestAt === undefined ? {} : { startupMs: emulator.firstRequestAt - measured.startedAt };
}

/**
 * The CLI (`npm run cleaner`, the compiled build), twice, each on a fresh emulator: as a user runs it
 * (writing `to_delete.csv`), timed, with its start-up and peak memory; and again with `--json`, whose plan
 * gives the figures that its calls are checked against. Both runs must make the same calls.
 */
async function measureCli(run: Run, account: Account, latencyMs: number, floorSeconds: number): Promise<Measurement> {
  const args = ['--quiet', '--max-concurrent-calls', String(run.concurrency), ...(run.delete ? ['--delete'] : []), ...account.args];
  const timed = await runCli(run, account, latencyMs, args);
  const checked = await runCli(run, account, latencyMs, ['--json', 'plan.jsonl', ...args]);
  const { plan } = checked;
  if (!plan) throw new Error(`${run.label}: the CLI wrote no plan`);
  const figures = { cleanerSeconds: plan.durationMs / 1000, images: plan.totals.manifests, toDelete: plan.totals.manifestsToDelete, apiCalls: plan.apiCalls };
  const bound = account.lowerBound({ mode: plan.mode, deleteCalls: plan.deleteCalls, byOperation: plan.apiCalls.byOperation });
  const measurement = judge(run, bound, checked.calls, timed.measured, figures, floorSeconds);
  const differ = [...answeredCalls(timed.calls)].filter(([operation, count]) => answeredCalls(checked.calls).get(operation) !== count);
  return {
    ...measurement,
    disagreements: [...measurement.disagreements, ...differ.map(([operation, count]) => `${operation}: the timed run made ${count}, the run with --json ${answeredCalls(checked.calls).get(operation) ?? 0}`)],
    ...(timed.startupMs !== undefined && { startupMs: timed.startupMs }),
  };
}

/** One run of the CLI with `args` on a fresh emulator: its measure, the calls the emulator answered, and its plan when it wrote one. */
async function runCli(run: Run, account: Account, latencyMs: number, args: readonly string[]): Promise<{ measured: ProcessMeasure; calls: RecordedCall[]; startupMs?: number; plan?: ReturnType<typeof readPlan> }> {
  const emulator = await startEmulator(account, latencyMs, run.throttle);
  const work = mkdtempSync(path.join(tmpdir(), 'ecr-bench-'));
  try {
    const measured = await measureProcess([path.join(ROOT, 'bin', 'cleaner.mjs'), ...args], emulator.env(), work);
    if (measured.status !== 0) throw new Error(`${run.label}: the CLI exited with ${String(measured.status)}:\n${measured.stderr}`);
    const planFile = path.join(work, 'plan.jsonl');
    return { measured, calls: [...emulator.calls], ...startup(emulator, measured), ...(args.includes('--json') && { plan: readPlan(planFile) }) };
  } finally {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

interface HandlerOutcome {
  readonly measured: ProcessMeasure;
  /** The summary the handler returned, or when it failed, the one it logged with its error. */
  readonly summary?: RunSummary;
  /** Why the invocation failed, as the handler threw it. */
  readonly error?: { readonly name: string; readonly message: string };
}

/**
 * One invocation of the bundled handler, loaded as Lambda loads it (`test/e2e/invoke-lambda.js`), in a
 * fresh process (a cold start), with the template's settings and `budgetSeconds` to run.
 */
async function invokeHandler(run: Run, account: Account, emulator: Emulator, synthesized: SynthesizedLambda, budgetSeconds: number, work: string): Promise<HandlerOutcome> {
  const outcomeFile = path.join(work, `outcome-${process.hrtime.bigint()}.json`);
  const measured = await measureProcess([path.join(ROOT, 'test', 'e2e', 'invoke-lambda.js'), synthesized.bundleDir, outcomeFile], {
    ...emulator.env(),
    ...synthesized.variables,
    ...account.variables,
    MAX_CONCURRENT_CALLS: String(run.concurrency),
    ...(run.delete && { DELETE_ENABLED: 'true' }),
    AWS_LAMBDA_FUNCTION_NAME: 'EcrMaintainer-EcrCleanerFunction',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(synthesized.memorySize),
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_LOG_LEVEL: 'WARN',
    TIMEOUT_MS: String(budgetSeconds * 1000),
  }, work);
  let outcome: { result?: RunSummary; error?: HandlerOutcome['error'] } = {};
  try {
    outcome = JSON.parse(readFileSync(outcomeFile, 'utf8')) as typeof outcome;
  } catch {
    // No outcome: the process died; its status and output say why.
  }
  rmSync(outcomeFile, { force: true });
  const summary = outcome.result ?? loggedSummary(`${measured.stdout}\n${measured.stderr}`);
  return { measured, ...(summary && { summary }), ...(outcome.error && { error: outcome.error }) };
}

/** The summary that a failed invocation logged with its error: the line that CloudWatch would hold. */
function loggedSummary(logs: string): RunSummary | undefined {
  for (const line of logs.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const record = JSON.parse(line) as { message?: unknown; summary?: RunSummary };
      if (record.summary && typeof record.message === 'string' && record.message.startsWith('cleanup finished')) return record.summary;
    } catch {
      // Not a log record.
    }
  }
  return undefined;
}

/** The bundled handler, a dry run with the function's own timeout, on a fresh emulator. */
async function measureLambda(run: Run, account: Account, latencyMs: number, floorSeconds: number, synthesized: SynthesizedLambda): Promise<Measurement> {
  const emulator = await startEmulator(account, latencyMs, run.throttle);
  const work = mkdtempSync(path.join(tmpdir(), 'ecr-bench-'));
  try {
    const { measured, summary, error } = await invokeHandler(run, account, emulator, synthesized, synthesized.timeoutSeconds, work);
    if (!summary || error) throw new Error(`${run.label}: the handler failed (exit ${String(measured.status)}): ${JSON.stringify(error)}\n${measured.stdout}${measured.stderr}`);
    const figures = { cleanerSeconds: summary.durationMs / 1000, images: summary.totals.manifests, toDelete: summary.totals.manifestsToDelete, apiCalls: summary.apiCalls };
    return { ...judge(run, account.lowerBound({ mode: summary.mode, deleteCalls: 0, byOperation: summary.apiCalls.byOperation }), emulator.calls, measured, figures, floorSeconds), ...startup(emulator, measured) };
  } finally {
    await emulator.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

interface Invocation {
  readonly number: number;
  readonly wallSeconds: number;
  /** Manifests the invocation listed. */
  readonly listed: number;
  readonly toDelete: number;
  readonly deleted: number;
  /** Manifests its plan deleted that it left for the next invocation. */
  readonly left: number;
  readonly stoppedAtTimeLimit: boolean;
  readonly peakMiB: number;
  readonly overBudget: boolean;
  readonly overMemory: boolean;
  /** Manifests in the registry when it started, when the invocation listed another number. */
  readonly misread?: number;
  readonly measurement: Measurement;
}

interface Convergence {
  readonly run: Run;
  readonly budgetSeconds: number;
  readonly memorySize: number;
  readonly invocations: readonly Invocation[];
  /** Manifests that the first invocation's plan keeps. */
  readonly keptByPlan: number;
  /** Manifests the emulator holds at the end. */
  readonly remaining: number;
  /** Why the run did not converge; none when it did. */
  readonly failure?: string;
}

/** The registry's manifests by repository, as they stand: a copy of the emulator's maps, not of the images. */
function snapshotRegistry(emulator: Emulator): Map<string, Map<string, StoredImage>> {
  return new Map([...emulator.ecr.repositories].map(([name, repository]) => [name, new Map(repository.images)]));
}

function countManifests(repositories: Iterable<{ readonly size: number }>): number {
  return [...repositories].reduce((sum, images) => sum + images.size, 0);
}

/**
 * The fewest BatchDeleteImage calls for what an invocation deleted, from the registry before it and
 * after it: per repository and deletion wave, one call per 100 manifests. A manifest's wave is one after
 * the latest wave of its owners that went with it (the index that lists it, the image it refers to), as
 * the planner orders them (lambda/core/planner.ts, `deletionWaves`).
 */
function fewestDeleteCalls(before: ReadonlyMap<string, ReadonlyMap<string, StoredImage>>, emulator: Emulator): number {
  let calls = 0;
  for (const [name, images] of before) {
    const left = emulator.ecr.repositories.get(name)?.images;
    const deleted = new Map([...images].filter(([digest]) => !left?.has(digest)));
    if (deleted.size === 0) continue;
    const owners = new Map<string, string[]>();
    const own = (owner: string, member: string): void => {
      if (owner !== member && deleted.has(owner)) owners.set(member, [...(owners.get(member) ?? []), owner]);
    };
    for (const image of deleted.values()) {
      for (const child of image.children) if (deleted.has(child)) own(image.digest, child);
      if (image.subjectDigest !== undefined) own(image.subjectDigest, image.digest);
      for (const tag of image.tags) {
        const match = COSIGN_TAG.exec(tag);
        if (match) own(`sha256:${match[1]}`, image.digest);
      }
    }
    const waveOf = new Map<string, number>();
    const wave = (digest: string, path: ReadonlySet<string>): number => {
      const known = waveOf.get(digest);
      if (known !== undefined) return known;
      let result = 0;
      for (const owner of owners.get(digest) ?? []) if (!path.has(owner)) result = Math.max(result, wave(owner, new Set([...path, digest])) + 1);
      waveOf.set(digest, result);
      return result;
    };
    const sizes = new Map<number, number>();
    for (const digest of deleted.keys()) {
      const index = wave(digest, new Set());
      sizes.set(index, (sizes.get(index) ?? 0) + 1);
    }
    for (const size of sizes.values()) calls += Math.ceil(size / 100);
  }
  return calls;
}

/** The lower bound over the world an invocation found: the account's, with ECR's counted over the manifests it found. */
function boundOver(account: Account, found: ReadonlyMap<string, ReadonlyMap<string, StoredImage>>, run: BoundedRun): Record<string, number> {
  const world: Fixture = {
    ...account.fixture,
    repositories: account.fixture.repositories.map((repository) => ({ name: repository.name, images: repository.images.filter((image) => found.get(repository.name)?.has(image.digest)) })),
  };
  const ecr = Object.entries(lowerBound(world, [], run)).filter(([operation]) => operation.startsWith('ECR.'));
  return { ...account.lowerBound(run), ...Object.fromEntries(ecr) };
}

/**
 * The converge run: the bundled handler, deleting, invoked again and again on one emulator, each time in
 * a fresh process with `budgetSeconds`, until an invocation succeeds with nothing to delete. Each
 * invocation is judged on its own calls, over the world it found.
 */
async function measureConvergence(run: Run, account: Account, latencyMs: number, synthesized: SynthesizedLambda, budgetSeconds: number): Promise<Convergence> {
  const emulator = await startEmulator(account, latencyMs, run.throttle);
  const work = mkdtempSync(path.join(tmpdir(), 'ecr-bench-'));
  const invocations: Invocation[] = [];
  let keptByPlan: number | undefined;
  let failure: string | undefined;
  try {
    for (let number = 1; failure === undefined; number += 1) {
      if (number > MAX_INVOCATIONS) {
        failure = `not converged after ${MAX_INVOCATIONS} invocations`;
        break;
      }
      const before = snapshotRegistry(emulator);
      const from = emulator.calls.length;
      const { measured, summary, error } = await invokeHandler(run, account, emulator, synthesized, budgetSeconds, work);
      if (!summary) throw new Error(`${run.label}: invocation ${number} left no summary (exit ${String(measured.status)}): ${JSON.stringify(error)}\n${measured.stdout}${measured.stderr}`);
      const { totals } = summary;
      const stoppedAtTimeLimit = summary.errors.some((message) => AT_TIME_LIMIT.test(message));
      const figures = { cleanerSeconds: summary.durationMs / 1000, images: totals.manifests, toDelete: totals.manifestsToDelete, apiCalls: summary.apiCalls };
      const bound = boundOver(account, before, { mode: summary.mode, deleteCalls: fewestDeleteCalls(before, emulator), byOperation: summary.apiCalls.byOperation });
      const label = { ...run, label: `${run.label}, invocation ${number}` };
      const found = countManifests(before.values());
      invocations.push({
        number,
        wallSeconds: measured.wallSeconds,
        listed: totals.manifests,
        toDelete: totals.manifestsToDelete,
        deleted: totals.manifestsDeleted,
        left: totals.manifestsToDelete - totals.manifestsDeleted,
        stoppedAtTimeLimit,
        peakMiB: measured.peakMiB,
        overBudget: measured.wallSeconds > budgetSeconds,
        overMemory: measured.peakMiB > synthesized.memorySize,
        ...(totals.manifests !== found && { misread: found }),
        measurement: judge(label, bound, emulator.calls.slice(from), measured, figures, Number.NaN),
      });
      keptByPlan ??= totals.manifests - totals.manifestsToDelete;
      const otherErrors = summary.errors.filter((message) => !AT_TIME_LIMIT.test(message));
      if (summary.mode !== 'delete') failure = `invocation ${number} ran as a dry run`;
      else if (summary.deletionBlocked !== undefined) failure = `invocation ${number}: ${summary.deletionBlocked}`;
      else if (otherErrors.length > 0) failure = `invocation ${number} failed: ${otherErrors.slice(0, 3).join('; ')}`;
      else if (error && !stoppedAtTimeLimit) failure = `invocation ${number} failed: ${error.name}: ${error.message}`;
      else if (!error && totals.manifestsToDelete === 0) break;
      else if (totals.manifestsDeleted === 0) failure = `invocation ${number} deleted none of the ${totals.manifestsToDelete} manifests it planned: the budget leaves no time to delete after the listing`;
    }
    const remaining = countManifests([...emulator.ecr.repositories.values()].map((repository) => repository.images));
    if (failure === undefined && remaining !== keptByPlan) failure = `the emulator holds ${remaining} manifests, and the first invocation's plan kept ${String(keptByPlan)}`;
    return { run, budgetSeconds, memorySize: synthesized.memorySize, invocations, keptByPlan: keptByPlan ?? 0, remaining, ...(failure !== undefined && { failure }) };
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
    converge: { label: `bundled Lambda handler, deleting until converged, ${n} in flight`, concurrency: n, throttle: 0, delete: true, lambda: true },
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
      timeout: { type: 'string' },
    },
  });
  const latency = whole('latency', values.latency, 0);
  const repositories = whole('repositories', values.repositories, 1);
  const throttle = Number(values.throttle);
  if (!(throttle > 0 && throttle < 1)) throw new Error(`--throttle must be a rate between 0 and 1, got "${values.throttle}"`);
  const tasks = values.tasks === undefined ? undefined : whole('tasks', values.tasks, 0);
  const images = values.images === undefined ? undefined : whole('images', values.images, 1);
  // The handler keeps 45 s back for its report: a shorter budget leaves no time to delete.
  const timeout = values.timeout === undefined ? undefined : whole('timeout', values.timeout, 46);
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
    const convergences: Convergence[] = [];
    for (const run of runs) {
      if (run.id === 'converge' && synthesized) {
        const budget = timeout ?? synthesized.timeoutSeconds;
        process.stderr.write(`  ${run.label}, ${budget} s per invocation …\n`);
        convergences.push(await measureConvergence(run, account, latency, synthesized, budget));
        continue;
      }
      const key = `${run.concurrency}/${run.throttle}`;
      if (!floors.has(key)) {
        process.stderr.write(`  the floor, ${run.concurrency} in flight${run.throttle > 0 ? `, ${Math.round(run.throttle * 100)}% throttled` : ''} …\n`);
        floors.set(key, await measureFloor(floorScript, account, latency, run.concurrency, run.throttle));
      }
      process.stderr.write(`  ${run.label} …\n`);
      const floor = floors.get(key) ?? Number.NaN;
      results.push(run.lambda && synthesized ? await measureLambda(run, account, latency, floor, synthesized) : await measureCli(run, account, latency, floor));
    }
    if (results.length > 0) report(results, latency);
    for (const convergence of convergences) reportConvergence(convergence, latency);
    const judged = [...results, ...convergences.flatMap((convergence) => convergence.invocations.map((invocation) => invocation.measurement))];
    reportOffBound(judged);
    const failed =
      judged.some((m) => m.offBound.length > 0 || m.disagreements.length > 0) ||
      convergences.some((c) => c.failure !== undefined || c.invocations.some((invocation) => invocation.overBudget || invocation.overMemory || invocation.misread !== undefined));
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
      m.startupMs === undefined ? '-' : `${m.startupMs.toFixed(0)} ms`,
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
      `| run (${latency} ms per AWS call) | manifests | to delete | AWS calls | lower bound | retries | first request | cleaner time | wall time | floor | wall / floor | peak RSS |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows.map((row) => `| ${row} |`),
      '',
      `Calls by operation (${last.run.label}):`,
      ...Object.entries(last.byOperation).map(([operation, count]) => `  ${operation.padEnd(34)} ${count}`),
      `STS.GetCallerIdentity answered by the emulator per run: ${results.map((m) => m.stsCalls).join(', ')}${last.byOperation['STS.GetCallerIdentity'] === undefined ? " (the CLI's own call, outside the cleaner's count)" : ''}`,
      '',
    ].join('\n'),
  );
}

/** The runs' calls off the lower bound, and the counts that disagree with the emulator's log. */
function reportOffBound(results: readonly Measurement[]): void {
  const off = results.flatMap((m) => m.offBound.map((line) => `${m.run.label}: ${line}`));
  if (off.length > 0) process.stdout.write(`\nCalls off the lower bound (retries of throttled calls are counted apart):\n${off.join('\n')}\n`);
  const disagree = results.flatMap((m) => m.disagreements.map((line) => `${m.run.label}: ${line}`));
  if (disagree.length > 0) process.stdout.write(`\nCounts that disagree with the emulator's log:\n${disagree.join('\n')}\n`);
}

/** The converge run: a row per invocation and a summary row, then why it failed, if it did. */
function reportConvergence(convergence: Convergence, latency: number): void {
  const { invocations, budgetSeconds, memorySize } = convergence;
  const count = (n: number): string => n.toLocaleString('en');
  const flags = (invocation: Invocation): string =>
    [
      ...(invocation.overBudget ? [`OVER THE ${budgetSeconds} s BUDGET`] : []),
      ...(invocation.overMemory ? [`OVER ${memorySize} MB`] : []),
      ...(invocation.misread !== undefined ? [`LISTED ${count(invocation.listed)} OF ${count(invocation.misread)}`] : []),
      ...(invocation.measurement.offBound.length > 0 ? ['off the lower bound'] : []),
      ...(invocation.measurement.disagreements.length > 0 ? ["disagrees with the emulator's log"] : []),
    ].join(', ');
  const rows = invocations.map((invocation) =>
    [
      invocation.number,
      `${invocation.wallSeconds.toFixed(1)} s`,
      count(invocation.listed),
      count(invocation.toDelete),
      count(invocation.deleted),
      count(invocation.left),
      invocation.stoppedAtTimeLimit ? 'yes' : 'no',
      invocation.measurement.calls,
      invocation.measurement.lowerBound,
      `${invocation.peakMiB.toFixed(0)} MiB`,
      flags(invocation),
    ].join(' | '),
  );
  const sum = (of: (invocation: Invocation) => number): number => invocations.reduce((total, invocation) => total + of(invocation), 0);
  const last = invocations[invocations.length - 1];
  const outcome =
    convergence.failure === undefined
      ? `converged: ${count(convergence.remaining)} manifests left, as the first plan keeps`
      : `NOT CONVERGED: ${convergence.failure}`;
  process.stdout.write(
    [
      '',
      `${convergence.run.label}: ${budgetSeconds} s and ${memorySize} MB per invocation (${latency} ms per AWS call)`,
      '| invocation | wall time | manifests | to delete | deleted | left | at the time limit | AWS calls | lower bound | peak RSS | flags |',
      '|---:|---:|---:|---:|---:|---:|:---:|---:|---:|---:|---|',
      ...rows.map((row) => `| ${row} |`),
      `| **${invocations.length}** | **${sum((i) => i.wallSeconds).toFixed(1)} s** | | | **${count(sum((i) => i.deleted))}** | ${last ? count(last.left) : ''} | | ${sum((i) => i.measurement.calls)} | ${sum((i) => i.measurement.lowerBound)} | **${Math.max(...invocations.map((i) => i.peakMiB)).toFixed(0)} MiB** | ${outcome} |`,
      '',
    ].join('\n'),
  );
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
