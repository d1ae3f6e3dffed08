/**
 * Runs the real CLI as a child process, with only the environment it is given (no AWS settings of the
 * machine leak in), and collects what it prints.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
export const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
export const CLI = path.join(ROOT, 'lambda', 'cli.ts');

export interface ProcessResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** A fresh working folder, where the CLI writes `to_delete.csv`. */
export function workFolder(): string {
  return mkdtempSync(path.join(tmpdir(), 'ecr-maintainer-'));
}

export function run(command: string, args: readonly string[], env: Record<string, string>, cwd: string): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** `npm run cleaner -- args`, without npm: the same command line that the script runs. */
export function runCli(args: readonly string[], env: Record<string, string>, cwd = workFolder()): Promise<ProcessResult & { cwd: string }> {
  return run(TSX, [CLI, ...args], env, cwd).then((result) => ({ ...result, cwd }));
}
