/** Runs a benchmarked process and measures it from outside: its wall time and its peak resident memory. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const RSS = path.join(__dirname, 'rss.cjs');

export interface ProcessMeasure {
  readonly status: number | null;
  /** When the process was spawned (`performance.timeOrigin + performance.now()`, in ms). */
  readonly startedAt: number;
  readonly wallSeconds: number;
  readonly peakMiB: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `args` with node, `rss.cjs` preloaded; its wall time from spawn to exit, and its peak RSS. */
export async function measureProcess(args: readonly string[], env: Record<string, string>, cwd: string): Promise<ProcessMeasure> {
  const rssFile = path.join(cwd, `rss-${process.hrtime.bigint()}`);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const started = process.hrtime.bigint();
  const startedAt = performance.timeOrigin + performance.now();
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
  return { status, startedAt, wallSeconds, peakMiB, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') };
}
