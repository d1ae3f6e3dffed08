/**
 * `npm run bench`: measures the real CLI against the emulator with a latency on every AWS call, on an
 * account of a realistic size. For each run it reports the wall time, the AWS calls made against their
 * lower bound (the fewest calls the APIs allow for this account), the retries, and the peak memory.
 *
 *   npm run bench                      # the default account, 25 ms per call
 *   npm run bench -- --latency 50 --repositories 400
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { RunReport } from '../../lambda/core/report';
import { image, multiArchImage, registryHost, type Fixture, type FixtureImage } from '../emulator/fixture';
import { Emulator } from '../emulator/server';

const ROOT = path.join(__dirname, '..', '..');
const NOW = '2026-11-25T12:00:00.000Z';

interface Shape {
  readonly repositories: number;
  readonly imagesPerRepository: number;
  readonly bigRepositoryImages: number;
  readonly multiArchRepositories: number;
  readonly clusters: number;
  readonly tasksPerCluster: number;
  readonly servicesPerCluster: number;
}

/** The account: many ordinary repositories, one very large one, some multi-architecture ones, busy clusters. */
function account(shape: Shape): { fixture: Fixture; lowerBound: (deleted: RunReport) => Record<string, number> } {
  const host = registryHost({});
  const repositories: { name: string; images: FixtureImage[] }[] = [];
  for (let r = 0; r < shape.repositories; r += 1) {
    repositories.push({
      name: `team-${String(r).padStart(3, '0')}/service`,
      images: Array.from({ length: shape.imagesPerRepository }, (_, n) => image(`r${r}:${n}`, { tags: [`v${n}`], pushedDaysAgo: 200 - n * 3, sizeBytes: 40_000_000 })),
    });
  }
  repositories.push({
    name: 'monorepo/builds',
    images: Array.from({ length: shape.bigRepositoryImages }, (_, n) => image(`big:${n}`, { tags: [`build-${n}`], pushedDaysAgo: 300 - n * 0.05, sizeBytes: 150_000_000 })),
  });
  for (let r = 0; r < shape.multiArchRepositories; r += 1) {
    const releases = Array.from({ length: 12 }, (_, n) => multiArchImage(`multi${r}:${n}`, { tags: [`2026.${n}`], pushedDaysAgo: 120 - n * 9, attestations: true }));
    repositories.push({ name: `platform-${r}/multi-arch`, images: releases.flatMap((release) => release.all) });
  }

  const taskDefinitions = Array.from({ length: shape.repositories }, (_, r) => ({ name: `svc-${r}:1`, containers: [{ name: 'app', image: `${host}/team-${String(r).padStart(3, '0')}/service:v5` }] }));
  const clusters = Array.from({ length: shape.clusters }, (_, c) => ({
    name: `cluster-${c}`,
    tasks: Array.from({ length: shape.tasksPerCluster }, (_, t) => {
      const r = (c * shape.tasksPerCluster + t) % shape.repositories;
      return { id: `c${c}t${t}`, desiredStatus: t % 10 === 9 ? ('STOPPED' as const) : ('RUNNING' as const), containers: [{ name: 'app', image: `${host}/team-${String(r).padStart(3, '0')}/service:v${t % 20}` }] };
    }),
    services: Array.from({ length: shape.servicesPerCluster }, (_, s) => ({
      name: `svc-${s}`,
      deployments: [{ status: 'PRIMARY' as const, taskDefinition: `svc-${(c * shape.servicesPerCluster + s) % shape.repositories}:1` }],
    })),
  }));
  const fixture: Fixture = { now: NOW, repositories, clusters, taskDefinitions, faults: {} };

  const pages = (count: number, size: number): number => Math.max(1, Math.ceil(count / size));
  const lowerBound = (report: RunReport): Record<string, number> => {
    const running = shape.tasksPerCluster - Math.floor(shape.tasksPerCluster / 10);
    const stopped = shape.tasksPerCluster - running;
    const definitions = new Set(clusters.flatMap((cluster) => cluster.services.map((service) => service.deployments[0].taskDefinition))).size;
    const deletes = report.mode === 'delete'
      ? report.repositories.reduce((sum, repository) => {
          const waves = new Map<number, number>();
          for (const decision of repository.decisions.filter((d) => d.action === 'delete')) {
            const depth = decision.digest === decision.artifact ? 0 : 1;
            waves.set(depth, (waves.get(depth) ?? 0) + 1);
          }
          return sum + [...waves.values()].reduce((total, count) => total + Math.ceil(count / 100), 0);
        }, 0)
      : 0;
    return {
      'ECR.DescribeRepositories': pages(repositories.length, 1000),
      'ECR.DescribeImages': repositories.reduce((sum, repository) => sum + pages(repository.images.length, 1000), 0),
      'ECR.BatchGetImage': shape.multiArchRepositories * pages(12, 100),
      ...(deletes > 0 && { 'ECR.BatchDeleteImage': deletes }),
      'ECS.ListClusters': pages(shape.clusters, 100),
      'ECS.ListTasks': shape.clusters * (pages(running, 100) + pages(stopped, 100)),
      'ECS.DescribeTasks': shape.clusters * Math.ceil(shape.tasksPerCluster / 100),
      'ECS.ListServices': shape.clusters * pages(shape.servicesPerCluster, 100),
      'ECS.DescribeServices': shape.clusters * Math.ceil(shape.servicesPerCluster / 10),
      'ECS.DescribeTaskDefinition': definitions,
    };
  };
  return { fixture, lowerBound };
}

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
  readonly overBound: string[];
}

async function measure(label: string, shape: Shape, latencyMs: number, args: string[], throttle?: number): Promise<Measurement> {
  const { fixture, lowerBound } = account(shape);
  const emulator = await Emulator.start({ ...fixture, faults: { latencyMs, ...(throttle && { throttle: { rate: throttle, seed: 11 } }) } });
  const work = mkdtempSync(path.join(tmpdir(), 'ecr-bench-'));
  const rssFile = path.join(work, 'rss');
  const started = process.hrtime.bigint();
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--require', path.join(__dirname, 'rss.cjs'), '--import', pathToFileURL(require.resolve('tsx')).href, path.join(ROOT, 'lambda', 'cli.ts'), '--now', NOW, '--json', 'plan.json', '--quiet', ...args],
      { cwd: work, stdio: ['ignore', 'ignore', 'inherit'], env: { PATH: process.env.PATH ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', BENCH_RSS_FILE: rssFile, ...emulator.env() } },
    );
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  await emulator.stop();
  if (status !== 0) throw new Error(`${label}: the CLI exited with ${String(status)}`);
  const report = JSON.parse(readFileSync(path.join(work, 'plan.json'), 'utf8')) as RunReport;
  const bound = lowerBound(report);
  const overBound = Object.entries(report.apiCalls.byOperation)
    .filter(([operation, count]) => count > (bound[operation] ?? 0))
    .map(([operation, count]) => `${operation} ${count} > ${bound[operation] ?? 0}`);
  return {
    label,
    wallSeconds,
    cleanerSeconds: report.durationMs / 1000,
    calls: report.apiCalls.total,
    lowerBound: Object.values(bound).reduce((sum, count) => sum + count, 0),
    retries: report.apiCalls.retries,
    peakMiB: Number(readFileSync(rssFile, 'utf8')) / 1024,
    images: report.totals.manifests,
    toDelete: report.totals.manifestsToDelete,
    overBound,
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
  };
  process.stderr.write(
    `Account: ${shape.repositories} repositories of ${shape.imagesPerRepository} images, one of ${shape.bigRepositoryImages}, ${shape.multiArchRepositories} multi-architecture ones (12 releases, 2 platforms, attestations); ` +
      `${shape.clusters} clusters of ${shape.tasksPerCluster} tasks and ${shape.servicesPerCluster} services. ${latency} ms per AWS call.\n`,
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
  process.stdout.write(
    [
      `| run (${latency} ms per AWS call) | manifests | to delete | AWS calls | lower bound | retries | cleaner time | wall time | peak memory |`,
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
    ].join('\n'),
  );
  const over = results.flatMap((m) => m.overBound.map((line) => `${m.label}: ${line}`));
  if (over.length > 0) process.stdout.write(`\nCalls above the lower bound (retries of throttled calls are counted apart):\n${over.join('\n')}\n`);
}

void main();
