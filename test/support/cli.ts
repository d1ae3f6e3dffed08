/**
 * Runs the real CLI as a child process, with only the environment it is given (no AWS settings of the
 * machine leak in), and collects what it prints. The CLI runs as users run it: `node bin/cleaner.mjs`,
 * the launcher that rebuilds `dist/cli.js` when its sources changed and then runs it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const ROOT = path.join(__dirname, '..', '..');
/** tsx, for the TypeScript tools that still run from source (the emulator's `main.ts`). */
export const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
/** The launcher that `npm run cleaner` runs; it takes the CLI's arguments. */
export const CLI = path.join(ROOT, 'bin', 'cleaner.mjs');
/** The command line of `npm run cleaner`, without npm and without arguments. */
export const CLI_COMMAND: readonly string[] = [process.execPath, CLI];

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
  return run(CLI_COMMAND[0], [...CLI_COMMAND.slice(1), ...args], env, cwd).then((result) => ({ ...result, cwd }));
}

/**
 * Runs a command on a real pseudo-terminal (python3's `pty`): stdin, stdout and stderr are all the
 * terminal, so the CLI asks its question. When the question (`anything else cancels:`) appears, `answer`
 * is typed with Enter. What the terminal showed comes back as stdout.
 */
export function runOnTerminal(args: readonly string[], env: Record<string, string>, answer: string, cwd = workFolder()): Promise<ProcessResult & { cwd: string }> {
  return run('python3', ['-c', TERMINAL, answer, ...CLI_COMMAND, ...args], env, cwd).then((result) => ({ ...result, cwd }));
}

const TERMINAL = `
import os, pty, select, sys
answer, argv = sys.argv[1], sys.argv[2:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
shown, typed = b'', False
while True:
    ready, _, _ = select.select([fd], [], [], 30)
    if not ready:
        break
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    shown += data
    if not typed and b'anything else cancels: ' in shown:
        os.write(fd, answer.encode() + b'\\r')
        typed = True
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(shown)
sys.exit(os.waitstatus_to_exitcode(status))
`;
