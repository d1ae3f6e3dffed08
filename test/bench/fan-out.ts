/**
 * `npm run bench:fan-out`: the CLI's fan-out over many accounts and regions, against the emulator with a
 * latency on every AWS call. Each target (account × region) holds its own world of `--images` images in
 * `--repositories` repositories, with `--tasks` running tasks that use some of them. It reports the wall
 * time and the peak resident memory of the CLI (measured from outside the process), each target's own
 * duration (what one Lambda invocation of the organisation stack would take for it), and the AWS calls
 * against their lower bound: one AssumeRole per account (its regions share the session), and per target
 * the fewest calls of its world (`account.ts`). It exits with 1 when a count is off its bound or
 * disagrees with the emulator's log.
 *
 *   npm run bench:fan-out
 *   npm run bench:fan-out -- --accounts 10 --regions 3 --images 2000 --latency 25 --concurrency 4
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import type { AccountFixture, Fixture } from '../emulator/fixture';
import { registryHost } from '../emulator/fixture';
import { Emulator } from '../emulator/server';
import { readPlanRecords } from '../support/report';
import { lowerBound } from './account';
import { measureProcess } from './measure';
import { buildScaleAccount } from './scale-account';

const ROOT = path.join(__dirname, '..', '..');
const ROLE = 'ecr-maintainer-member';
const USAGE = 'usage: npm run bench:fan-out -- [--accounts N] [--regions N (1 to 6)] [--images N] [--repositories N] [--tasks N] [--latency MS] [--concurrency N]\n';
const REGIONS = ['eu-west-1', 'eu-west-2', 'us-east-1', 'us-west-2', 'ap-southeast-2', 'eu-central-1'];

interface TargetRun {
  readonly account: string;
  readonly region: string;
  readonly durationMs: number;
  readonly images: number;
  readonly toDelete: number;
  readonly byOperation: Readonly<Record<string, number>>;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    strict: true,
    options: {
      accounts: { type: 'string', default: '5' },
      regions: { type: 'string', default: '3' },
      images: { type: 'string', default: '2000' },
      repositories: { type: 'string', default: '20' },
      tasks: { type: 'string', default: '50' },
      latency: { type: 'string', default: '25' },
      concurrency: { type: 'string', default: '4' },
    },
  });
  const [accountCount, regionCount, images, repositories, tasks, latencyMs, concurrency] = [values.accounts, values.regions, values.images, values.repositories, values.tasks, values.latency, values.concurrency].map(Number);
  for (const [flag, value, min] of [['--accounts', accountCount, 1], ['--regions', regionCount, 1], ['--images', images, 0], ['--repositories', repositories, 1], ['--tasks', tasks, 0], ['--latency', latencyMs, 0], ['--concurrency', concurrency, 1]] as const) {
    if (!Number.isInteger(value) || value < min) throw new Error(`${flag} must be a whole number of at least ${min}`);
  }
  if (regionCount > REGIONS.length) throw new Error(`--regions: at most ${REGIONS.length}`);
  const accounts = Array.from({ length: accountCount }, (_, n) => String(200000000000 + n));
  const regions = REGIONS.slice(0, regionCount);

  // Each target's world, with its tasks pulling from its own registry.
  const world = buildScaleAccount({ images, repositories, tasks });
  const places: AccountFixture[] = accounts.flatMap((accountId) =>
    regions.map((region) => {
      const host = registryHost({ accountId, region });
      return {
        accountId,
        region,
        repositories: world.fixture.repositories,
        clusters: (world.fixture.clusters ?? []).map((cluster) => ({
          ...cluster,
          tasks: (cluster.tasks ?? []).map((task) => ({ ...task, containers: task.containers.map((container) => ({ ...container, image: container.image.replace(registryHost({}), host) })) })),
        })),
      };
    }),
  );
  const fixture: Fixture = {
    accountId: '111111111111',
    region: 'eu-west-2',
    repositories: [],
    accounts: places,
    roles: accounts.map((account) => ({ arn: `arn:aws:iam::${account}:role/${ROLE}` })),
    faults: { latencyMs },
  };
  process.stderr.write(
    `Fan-out: ${accounts.length} accounts × ${regions.length} regions = ${places.length} targets, each ${world.description}; ${latencyMs} ms per AWS call, ${concurrency} targets at once, 8 calls in flight each.\n`,
  );

  const emulator = await Emulator.start(fixture);
  const folder = mkdtempSync(path.join(tmpdir(), 'ecr-maintainer-fan-out-'));
  try {
    const plan = path.join(folder, 'plan.jsonl');
    const measured = await measureProcess(
      [path.join(ROOT, 'bin', 'cleaner.mjs'), '--accounts', accounts.join(','), '--regions', regions.join(','), '--role-name', ROLE, '--max-concurrent-targets', String(concurrency), '--json', plan],
      emulator.env(),
      folder,
    );
    if (measured.status !== 0) throw new Error(`the CLI exited with ${measured.status}:\n${measured.stderr.slice(-2000)}`);

    const runs: TargetRun[] = [];
    readPlanRecords(plan, (record) => {
      if (record.type !== 'run') return;
      const run = record as unknown as { account: string; region: string; durationMs: number; totals: { images: number; toDelete: number }; apiCalls: { byOperation: Record<string, number> } };
      runs.push({ account: run.account, region: run.region, durationMs: run.durationMs, images: run.totals.images, toDelete: run.totals.toDelete, byOperation: run.apiCalls.byOperation });
    });

    // The bound: one AssumeRole per account, and for each target its own registry's fewest calls and the
    // fewest discovery calls of its account in every region of the fan-out (a task may pull across
    // regions). Each target's count must meet it; the sum must agree with what the emulator answered.
    const problems: string[] = [];
    const assumed = emulator.callsOf('STS.AssumeRole').length;
    if (assumed !== accounts.length) problems.push(`STS.AssumeRole: ${assumed} calls, bound ${accounts.length}`);
    let calls = assumed;
    let bound = accounts.length;
    const made = new Map<string, number>();
    for (const run of runs) {
      const fewest: Record<string, number> = {};
      for (const place of places.filter((candidate) => candidate.accountId === run.account)) {
        const own = place.region === run.region;
        const world = { repositories: own ? (place.repositories ?? []) : [], clusters: place.clusters ?? [] };
        for (const [operation, count] of Object.entries(lowerBound(world, [], { mode: 'dry-run', deleteCalls: 0, byOperation: run.byOperation }))) {
          if (own || !operation.startsWith('ECR.')) fewest[operation] = (fewest[operation] ?? 0) + count;
        }
      }
      for (const operation of new Set([...Object.keys(fewest), ...Object.keys(run.byOperation)])) {
        const count = run.byOperation[operation] ?? 0;
        calls += count;
        bound += fewest[operation] ?? 0;
        made.set(operation, (made.get(operation) ?? 0) + count);
        if (count !== (fewest[operation] ?? 0)) problems.push(`${run.account}/${run.region} ${operation}: ${count} calls, bound ${fewest[operation] ?? 0}`);
      }
    }
    for (const [operation, count] of made) {
      const answered = emulator.callsOf(operation).length;
      if (count !== answered) problems.push(`${operation}: the reports say ${count}, the emulator answered ${answered}`);
    }
    if (runs.length !== places.length) problems.push(`${runs.length} targets reported, of ${places.length}`);

    const durations = runs.map((run) => run.durationMs / 1000).sort((a, b) => a - b);
    const sum = durations.reduce((total, seconds) => total + seconds, 0);
    const median = durations[Math.floor(durations.length / 2)];
    const totalImages = runs.reduce((total, run) => total + run.images, 0);
    process.stdout.write(
      [
        '',
        '| targets | images in all | AWS calls | lower bound | wall time | sum of target times | target time (median, max) | peak memory |',
        '|---:|---:|---:|---:|---:|---:|---:|---:|',
        `| ${runs.length} (${accounts.length} × ${regions.length}) | ${totalImages.toLocaleString('en')} | ${calls.toLocaleString('en')} | ${bound.toLocaleString('en')} | ${measured.wallSeconds.toFixed(1)} s | ${sum.toFixed(1)} s | ${median.toFixed(2)} s, ${durations[durations.length - 1].toFixed(2)} s | ${Math.round(measured.peakMiB)} MiB |`,
        '',
      ].join('\n'),
    );
    for (const problem of problems) process.stdout.write(`OFF: ${problem}\n`);
    return problems.length === 0 ? 0 : 1;
  } finally {
    await emulator.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}


main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    // A usage mistake is said in a line, with the usage; anything else keeps its stack.
    const usage = error instanceof Error && ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true || /must be a whole number|at most/.test(error.message));
    process.stderr.write(usage ? `bench:fan-out: ${(error).message}\n${USAGE}` : `bench:fan-out failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
