/**
 * `npm run demo`: the main job on an embedded default. Starts the local emulator with a sample account
 * (several repositories, multi-architecture images, signatures, tasks in two clusters, services mid-
 * deployment, images of every age) and runs the real CLI against it, with Slack going to the emulator
 * too, and with the rules of `test/demo/rules.yaml`. Nothing leaves this machine. Extra flags go to the CLI: `npm run demo -- --delete`. The CLI's
 * files (`to_delete.csv`, `plan.jsonl`) go to a fresh temporary folder, never into the repository.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Emulator } from '../emulator/server';
import { SAMPLE_AUDIT_BUCKET, sampleAccount } from '../emulator/sample-account';

const ROOT = path.join(__dirname, '..', '..');

async function main(): Promise<number> {
  const emulator = await Emulator.start(sampleAccount());
  const folder = mkdtempSync(path.join(tmpdir(), 'ecr-maintainer-demo-'));
  const say = (text: string): boolean => process.stderr.write(process.stderr.isTTY ? `\x1b[2m${text}\x1b[0m\n` : `${text}\n`);
  const csv = path.join(folder, 'to_delete.csv');
  const plan = path.join(folder, 'plan.jsonl');
  const metrics = path.join(folder, 'metrics.json');
  const page = path.join(folder, 'report.html');
  const rules = path.join(__dirname, 'rules.yaml');
  const args = ['--explain', '--rules', rules, '--csv', csv, '--json', plan, '--html', page, '--metrics', metrics, '--upload', `s3://${SAMPLE_AUDIT_BUCKET}`, '--slack', '--slack-channel', 'C0ECRMAINT', '--slack-token-secret', 'ecr-maintainer/slack-token', ...userArgs(process.argv.slice(2))];
  say(`Demo: a sample account on a local emulator of AWS (ECR, ECS, Lambda, EventBridge, Scheduler, S3, STS, Secrets Manager) and Slack at ${emulator.url}; nothing leaves this machine.`);
  say(`Running: npm run cleaner -- ${args.join(' ')}`);
  say('');

  const status = await new Promise<number>((resolve, reject) => {
    // What `npm run cleaner` runs: the launcher, which rebuilds dist/cli.js if a source changed.
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'cleaner.mjs'),
        ...args,
      ],
      { stdio: 'inherit', cwd: folder, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...emulator.env() } },
    );
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
  });

  for (const message of emulator.slack.messages) {
    // On stdout, with the message it introduces, so that the two stay in order when the output is redirected.
    process.stdout.write(`\nSlack (emulated) received in #platform-alerts${message.threadTs ? ', in the thread' : ''}:\n`);
    process.stdout.write(`${message.text.split('\n').map((line) => `  │ ${line}`).join('\n')}\n`);
  }
  for (const file of emulator.slack.files.values()) say(`Slack (emulated) received the file ${file.filename} (${file.length} bytes) in the thread.`);
  for (const key of emulator.s3.keys(SAMPLE_AUDIT_BUCKET)) say(`The audit trail (emulated S3) holds s3://${SAMPLE_AUDIT_BUCKET}/${key}.`);
  if (existsSync(metrics)) {
    process.stdout.write(`\nThe run's metrics, in CloudWatch's embedded metric format (what the Lambda logs once a run):\n${readFileSync(metrics, 'utf8')}`);
  }
  if (existsSync(csv)) say(`\nThe CLI wrote its files into ${folder}: to_delete.csv (the planned deletions), plan.jsonl (the whole plan, JSON Lines), report.html and metrics.json.`);
  if (existsSync(page)) say(`Open the plan as a page in a browser: file://${page}`);
  await emulator.stop();
  return status;
}

/**
 * The flags given to the demo, with the files they name made absolute: the CLI runs in its own folder,
 * and `npm run demo -- --rules my-rules.yaml` means the file where the user is.
 */
function userArgs(args: readonly string[]): string[] {
  const fileFlags = new Set(['--rules', '--in-use-images', '--csv', '--json', '--html', '--metrics', '--earlier-plan']);
  return args.map((arg, position) => {
    if (position === 0 || !fileFlags.has(args[position - 1]) || arg.startsWith('s3://')) return arg;
    return path.resolve(process.env.INIT_CWD ?? process.cwd(), arg);
  });
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`demo failed: ${String(error)}\n`);
    process.exitCode = 1;
  },
);
