/**
 * What the CLI tells its operator before it acts, and how it asks: the header, the warnings, the
 * confirmation (injected, on a real terminal, without one, and --yes), the region from a profile, missing
 * or refused credentials, and unwritable reports. The real CLI as a child process against the emulator,
 * and `main` in this process where a test drives the question.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { main, type CliIo } from '../../lambda/cli';
import { type Emulator } from '../emulator/server';
import type { Fixture } from '../emulator/fixture';
import { ROOT, TSX, run, runCli, runOnTerminal, workFolder } from '../support/cli';
import { emulatorPerTest } from '../support/emulators';
import { readPlanFile } from '../support/report';
import { SLACK_TOKEN, smallAccount } from './accounts';

jest.setTimeout(30_000);

const ACCOUNT = '123456789012';
const ARN = `arn:aws:sts::${ACCOUNT}:assumed-role/ecr-maintainer/cleaner`;

const startEmulator = emulatorPerTest();
const start = (fixture: Fixture = smallAccount()): Promise<Emulator> => startEmulator(fixture);
/**
 * The emulator's environment without some of its variables. Runs without Slack leave out SLACK_API_URL,
 * which would otherwise raise the warning that Slack settings are set while Slack is off.
 */
function envWithout(emulator: Emulator, ...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(emulator.env()).filter(([name]) => !names.includes(name)));
}
/** The escape sequences with which readline moves the cursor on a terminal. */
const CURSOR_MOVES = new RegExp(`${String.fromCharCode(27)}\\[\\d*[A-Za-z]`, 'g');
const awsCalls = (emulator: Emulator): string[] => emulator.calls.map((call) => call.operation).filter((operation) => !operation.startsWith('Slack.'));

/**
 * Runs `main` in this process with a terminal on stdin and `answer` as what the operator types. The AWS
 * SDK reads its endpoint and credentials from `process.env`, so the emulator's are set for the call.
 */
async function runAsked(emulator: Emulator, args: readonly string[], answer: string | undefined, options: { folder?: string; whileAsking?: () => void } = {}) {
  const saved = { ...process.env };
  Object.assign(process.env, emulator.env());
  const stdout: string[] = [];
  const stderr: string[] = [];
  const ask = jest.fn((question: string) => {
    stderr.push(question);
    options.whileAsking?.();
    return Promise.resolve(answer);
  });
  const io: CliIo = { stdout: { write: (text) => stdout.push(text) }, stderr: { write: (text) => stderr.push(text), isTTY: false }, stdin: { isTTY: true }, ask };
  try {
    const status = await main([...args, '--csv', path.join(options.folder ?? workFolder(), 'to_delete.csv')], emulator.env(), io);
    return { status, stdout: stdout.join(''), stderr: stderr.join(''), ask };
  } finally {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  }
}

describe('the CLI says what it will do before it does it', () => {
  it('prints the account and caller, the region and mode with their origins, the settings with theirs, then the warnings, on stderr', async () => {
    const emulator = await start();

    const result = await runCli(['--keep-min', '5'], {
      ...envWithout(emulator, 'AWS_REGION', 'SLACK_API_URL'),
      KEEP_IMAGES_NEWER_THAN_DAYS: '10',
      SLACK_CHANNEL: 'C0ECRMAINT',
      KEEP_MIN_IMAGES_COUNT: '4',
    });

    expect(result.status).toBe(0);
    const header = result.stderr.split('\n\n')[0].split('\n');
    expect(header.slice(0, 4)).toEqual([
      `Account   ${ACCOUNT} (${ARN})`,
      'Region    eu-west-2 (default: no --region, AWS_REGION, AWS_DEFAULT_REGION or profile region is set)',
      'Mode      DRY RUN, nothing is deleted (default: a dry run unless --delete or DELETE_ENABLED=true)',
      `Endpoint  ${emulator.url} (from AWS_ENDPOINT_URL)`,
    ]);
    expect(header.slice(4, 7)).toEqual([
      'Settings  KEEP_MIN_IMAGE_COUNT=5          (from --keep-min)',
      '          KEEP_IMAGES_NEWER_THAN_DAYS=10  (from KEEP_IMAGES_NEWER_THAN_DAYS)',
      '          SLACK_CHANNEL=C0ECRMAINT        (from SLACK_CHANNEL)',
    ]);
    expect(header.join('\n')).toMatch(/ {10}defaults: KEEP_IMAGES_PULLED_WITHIN_DAYS=0, .*ECR_REPOSITORIES=all/s);
    expect(header.filter((line) => line.startsWith('WARNING: '))).toEqual([
      'WARNING: SLACK_CHANNEL is set but Slack is off, so nothing is posted: pass --slack or set SLACK_ENABLED=true to post',
      'WARNING: KEEP_MIN_IMAGES_COUNT is not a setting of ECR Maintainer (did you mean KEEP_MIN_IMAGE_COUNT?), so it is ignored',
    ]);
    // The summary on stdout repeats them, and holds nothing of the header.
    expect(result.stdout).toContain('WARNING: KEEP_MIN_IMAGES_COUNT is not a setting of ECR Maintainer (did you mean KEEP_MIN_IMAGE_COUNT?), so it is ignored.');
    expect(result.stdout).not.toContain('Account   ');
    expect(awsCalls(emulator)[0]).toBe('STS.GetCallerIdentity');
  });

  it('takes the region from the profile in AWS_CONFIG_FILE, and says so', async () => {
    const emulator = await start({ ...smallAccount(), region: 'us-east-1' });
    const folder = workFolder();
    const profiles = ['[default]', 'region = eu-central-1', '', '[profile dev]', 'region = us-east-1', 'aws_access_key_id = emulator', 'aws_secret_access_key = emulator', ''];
    writeFileSync(path.join(folder, 'config'), profiles.join('\n'));

    const result = await runCli([], {
      ...envWithout(emulator, 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'SLACK_API_URL'),
      AWS_CONFIG_FILE: path.join(folder, 'config'),
      AWS_PROFILE: 'dev',
    });

    expect(result.status).toBe(0);
    expect(result.stderr).toContain('\nRegion    us-east-1 (from profile dev)\n');
    expect(result.stdout.split('\n')[0]).toBe(`ECR Maintainer · DRY RUN (nothing is deleted) · account ${ACCOUNT} · us-east-1`);
    expect(emulator.callsOf('ECR.DescribeRepositories')).toHaveLength(1);
  });

  it('makes a dry run when --dry-run meets DELETE_ENABLED=true, and says why', async () => {
    const emulator = await start();

    const result = await runCli(['--dry-run'], { ...envWithout(emulator, 'SLACK_API_URL'), DELETE_ENABLED: 'true' });

    expect(result.status).toBe(0);
    expect(result.stderr).toContain('\nMode      DRY RUN, nothing is deleted (from --dry-run (over DELETE_ENABLED=true))\n');
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(result.stdout).toContain('DRY RUN: 4 images would be deleted');
  });

  it('warns in the header, the terminal summary, in Slack and in the JSON plan that only some clusters are searched', async () => {
    const emulator = await start();

    const result = await runCli(['--clusters', 'prod', '--json', 'plan.jsonl', '--slack', '--slack-channel', 'C0ECRMAINT'], { ...emulator.env(), SLACK_TOKEN });

    expect(result.status).toBe(0);
    const warning = 'only the ECS cluster prod is searched for tasks and services (--clusters): images that tasks or services in any other cluster run are unprotected';
    expect(result.stderr).toContain(`WARNING: ${warning}\n`);
    expect(result.stdout).toContain(`WARNING: ${warning}.`);
    expect(emulator.slack.messages[0].text).toContain(`:warning: ${warning}.`);
    expect(readPlanFile(path.join(result.cwd, 'plan.jsonl')).warnings).toEqual([warning]);
    expect(result.stderr).toMatch(/\nSettings {2}ECS_CLUSTERS=prod +\(from --clusters\)\n/);
  });
});

describe('--help', () => {
  it('lists every flag within 80 columns', async () => {
    const stdout: string[] = [];
    const io: CliIo = { stdout: { write: (text) => stdout.push(text) }, stderr: { write: () => true }, stdin: {}, ask: () => Promise.resolve(undefined) };

    const status = await main(['--help'], {}, io);

    expect(status).toBe(0);
    const help = stdout.join('');
    expect(help.split('\n').filter((line) => line.length > 80)).toEqual([]);
    for (const flag of ['--dry-run', '--yes', '--keep-pulled-days', '--in-use-images', '--ignore-scheduled-tasks', '--ignore-lambda', '--keep-task-definition-revisions', '--keep-lambda-versions', '--rules', '--storage-price']) {
      expect(help).toContain(`  ${flag}`);
    }
  });
});

describe('credentials', () => {
  it('stops with exit 1, one line that names the fix, and no AWS request when there are no credentials', async () => {
    const emulator = await start();

    const result = await runCli([], envWithout(emulator, 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'));

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /^ecr-maintainer: no usable AWS credentials: run "aws sso login" \(with --profile or AWS_PROFILE\), or set AWS_PROFILE \/ AWS_ACCESS_KEY_ID \(the SDK said: [^\n]+\)\n$/,
    );
    expect(result.stdout).toBe('');
    expect(emulator.calls).toEqual([]);
  });

  it('says that a named profile, not the keys in the environment, has no credentials', async () => {
    const emulator = await start();
    const folder = workFolder();
    writeFileSync(path.join(folder, 'config'), '[profile other]\nregion = eu-west-2\n');

    const result = await runCli([], { ...emulator.env(), AWS_PROFILE: 'nosuch', AWS_CONFIG_FILE: path.join(folder, 'config') });

    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `ecr-maintainer: no usable AWS credentials in the profile "nosuch" (AWS_PROFILE), which the SDK reads instead of any keys in the environment: check that the profile exists in ${path.join(folder, 'config')} and run "aws sso login --profile nosuch", or unset AWS_PROFILE to use the keys (the SDK said: `,
    );
    expect(emulator.calls).toEqual([]);
  });

  it('stops with exit 2 before any AWS call when a local in-use list cannot be read', async () => {
    const emulator = await start();

    const result = await runCli(['--in-use-images', '/nonexistent/in-use.txt'], emulator.env());

    expect(result.status).toBe(2);
    expect(result.stderr).toBe('ecr-maintainer: the in-use list /nonexistent/in-use.txt (--in-use-images) cannot be read: it does not exist (ENOENT)\n');
    expect(emulator.calls).toEqual([]);
  });

  it.each(['InvalidClientTokenId', 'ExpiredToken'] as const)('stops with exit 1 and one line when STS answers %s, before any ECR call', async (code) => {
    const emulator = await start({ ...smallAccount(), callerIdentity: { error: code } });

    const result = await runCli(['--delete'], emulator.env());

    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^ecr-maintainer: AWS refused the credentials \\(${code}\\): run "aws sso login" .*\\(STS said: The security token included in the request is .*\\)\\n$`));
    expect(result.stdout).toBe('');
    expect(awsCalls(emulator)).toEqual(['STS.GetCallerIdentity']);
  });
});

describe('unwritable reports', () => {
  it.each([
    ['--csv in a folder that does not exist', (folder: string) => ['--csv', path.join(folder, 'missing', 'plan.csv')], /^ecr-maintainer: --csv \S+\/missing\/plan\.csv cannot be written: its folder does not exist \(ENOENT\)\n$/],
    ['the default ./to_delete.csv when it is a folder', (folder: string) => (mkdirSync(path.join(folder, 'to_delete.csv')), []), /^ecr-maintainer: --csv to_delete\.csv \(the default\) cannot be written: it is a folder \(EISDIR\)\n$/],
    ['--json under a file', (folder: string) => (writeFileSync(path.join(folder, 'file'), ''), ['--json', 'file/plan.jsonl']), /^ecr-maintainer: --json file\/plan\.jsonl cannot be written: a part of its path is not a folder \(ENOTDIR\)\n$/],
  ])('stops with exit 2 and no AWS call on %s', async (_title, prepare, message) => {
    const emulator = await start();
    const folder = workFolder();
    const args = prepare(folder);

    const result = await runCli(args, emulator.env(), folder);

    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(emulator.calls).toEqual([]);
    // The check leaves no file behind.
    expect(readdirSync(folder).filter((name) => name.endsWith('.csv') && name !== 'to_delete.csv')).toEqual([]);
    if (args.includes('--json')) expect(readdirSync(folder)).toEqual(['file']);
  });
});

describe('the confirmation before deleting', () => {
  it('shows the plan, asks for the account ID, and deletes when it is typed', async () => {
    const emulator = await start();

    const result = await runAsked(emulator, ['--delete'], ACCOUNT);

    expect(result.status).toBe(0);
    expect(result.ask).toHaveBeenCalledTimes(1);
    expect(result.stderr).toContain('Mode      DELETE (from --delete); you will be asked to type the account ID first');
    expect(result.stderr).toContain('The plan; nothing is deleted yet:');
    expect(result.stderr).toContain(`Type the account ID to delete 4 images (8 manifests, up to 83.0 MB) in ${ACCOUNT}/eu-west-2; anything else cancels: `);
    expect(emulator.callsOf('ECR.BatchDeleteImage').length).toBeGreaterThan(0);
    expect(result.stdout).toContain('DELETED: 4 images of 4 planned');
  });

  it('still prints what it deleted, and exits 1, when the report cannot be written after deleting', async () => {
    const emulator = await start();
    const folder = workFolder();

    // The folder was writable when the run began, and is gone by the time the report is written.
    const result = await runAsked(emulator, ['--delete'], ACCOUNT, { folder, whileAsking: () => rmSync(folder, { recursive: true }) });

    expect(result.status).toBe(1);
    expect(result.stdout).toContain('DELETED: 4 images of 4 planned');
    expect(result.stderr).toContain(`ecr-maintainer: could not write --csv ${path.join(folder, 'to_delete.csv')}: its folder does not exist (ENOENT)\n`);
  });

  it('deletes nothing and exits 0 when anything else is typed', async () => {
    const emulator = await start();

    const result = await runAsked(emulator, ['--delete'], 'yes');

    expect(result.status).toBe(0);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(result.stderr).toContain('ecr-maintainer: nothing deleted: not confirmed.');
    expect(result.stdout).toContain('NOTHING DELETED: the deletion was not confirmed, so no image was deleted.');
    expect(result.stdout.split('\n')[0]).toBe(`ECR Maintainer · DELETE (not confirmed; nothing was deleted) · account ${ACCOUNT} · eu-west-2`);
    expect(result.stdout).toContain('\nTO DELETE: 4 images (8 manifests, up to 83.0 MB, about $0.01/month)');
    expect(result.stdout).not.toContain('\nDELETED:');
  });

  it('does not ask with --yes', async () => {
    const emulator = await start();

    const result = await runAsked(emulator, ['--delete', '--yes'], undefined);

    expect(result.status).toBe(0);
    expect(result.ask).not.toHaveBeenCalled();
    expect(result.stderr).toContain('Mode      DELETE (from --delete); not asked first: --yes');
    expect(result.stdout).toContain('DELETED: 4 images of 4 planned');
  });

  it('warns that --yes has no effect in a dry run', async () => {
    const emulator = await start();

    const result = await runAsked(emulator, ['--yes'], undefined);

    expect(result.ask).not.toHaveBeenCalled();
    expect(result.stderr).toContain('WARNING: --yes has no effect in a dry run: nothing is deleted, so nothing is asked\n');
  });

  it.each([
    ['deletes when the account ID is typed on a real terminal', ACCOUNT, 'DELETED: 4 images of 4 planned', 4],
    ['deletes nothing when something else is typed on a real terminal', '210987654321', 'NOTHING DELETED: the deletion was not confirmed', 0],
  ])('%s', async (_title, answer, summary, deleted) => {
    const emulator = await start();

    const result = await runOnTerminal(['--delete', '--quiet'], envWithout(emulator, 'SLACK_API_URL'), answer);

    expect(result.status).toBe(0);
    // The terminal echoes what was typed, after moving the cursor.
    expect(result.stdout.replace(CURSOR_MOVES, '')).toContain(`in ${ACCOUNT}/eu-west-2; anything else cancels: ${answer}\r`);
    expect(result.stdout).toContain(summary);
    expect(emulator.callsOf('ECR.BatchDeleteImage').length > 0).toBe(deleted > 0);
  });

  it('keeps the configured mode without a terminal, as the original tool did, and says so first', async () => {
    const emulator = await start();

    const result = await runCli([], { ...envWithout(emulator, 'SLACK_API_URL'), DELETE_ENABLED: 'true' });

    expect(result.status).toBe(0);
    expect(result.stderr).toContain('Mode      DELETE (from DELETE_ENABLED); not asked first: stdin is not a terminal');
    expect(result.stdout).toContain('DELETED: 4 images of 4 planned');
  });
});

describe('npm run emulator', () => {
  it('prints the environment, the Slack channel and secret of the sample account, and a command line to paste', async () => {
    const child = spawn(TSX, [path.join(ROOT, 'test', 'emulator', 'main.ts'), '--port', '0'], { cwd: workFolder(), env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' } });
    let stdout = '';
    const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.includes('Ctrl-C stops it.')) resolve();
        });
        child.on('close', () => reject(new Error(`the emulator stopped: ${stdout}`)));
      });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }

    const url = /at (http:\/\/127\.0\.0\.1:\d+),/.exec(stdout)?.[1] ?? 'no URL';
    expect(stdout).toContain(`  export AWS_ENDPOINT_URL=${url}\n`);
    expect(stdout).toContain('channel ID C0ECRMAINT (#platform-alerts) and the secret ecr-maintainer/slack-token');
    expect(stdout).toContain(`  SLACK_API_URL=${url}/api/ npm run cleaner -- --explain --slack --slack-channel C0ECRMAINT --slack-token-secret ecr-maintainer/slack-token\n`);
    expect(stdout).toMatch(new RegExp(`\\n {2}env AWS_ENDPOINT_URL=${url} .*AWS_ACCESS_KEY_ID=emulator .* npm run cleaner -- --explain\\n`));
  });

  it('stops with exit 1 and one line naming the fix when its port is in use', async () => {
    const emulator = await start();
    const port = new URL(emulator.url).port;

    const result = await run(TSX, [path.join(ROOT, 'test', 'emulator', 'main.ts'), '--port', port], {}, workFolder());

    expect(result.status).toBe(1);
    expect(result.stderr).toBe(
      `emulator: port ${port} on 127.0.0.1 is in use (EADDRINUSE): stop the other process (an emulator already running?), or choose another port: npm run emulator -- --port ${Number(port) + 1}\n`,
    );
  });
});
