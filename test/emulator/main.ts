/**
 * Runs the emulator on its own, for trying the CLI by hand:
 *
 *   npm run emulator                    # the sample account on port 4566
 *   npm run emulator -- --port 5000 --fixture my-account.json
 *
 * It prints the environment to set, the Slack channel and secret that a `--slack` run needs, and ready
 * command lines. A port in use stops it with one line that says what to do.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Fixture } from './fixture';
import { sampleAccount } from './sample-account';
import { Emulator } from './server';

const DEFAULT_PORT = 4566;

async function main(): Promise<number> {
  let values: { port?: string; fixture?: string };
  try {
    ({ values } = parseArgs({ options: { port: { type: 'string' }, fixture: { type: 'string' } } }));
  } catch (error) {
    process.stderr.write(`emulator: ${(error as Error).message}; usage: npm run emulator -- [--port N] [--fixture FILE.json]\n`);
    return 2;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`emulator: --port must be a whole number from 0 to 65535 (0: any free port), got "${values.port}"\n`);
    return 2;
  }
  const fixture = values.fixture ? (JSON.parse(readFileSync(values.fixture, 'utf8')) as Fixture) : sampleAccount();
  let emulator: Emulator;
  try {
    emulator = await Emulator.start(fixture, port);
  } catch (error) {
    const busy = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    process.stderr.write(
      `emulator: port ${port} on 127.0.0.1 is in use (${busy}): stop the other process (an emulator already running?), or choose another port: npm run emulator -- --port ${port === DEFAULT_PORT ? 4567 : port + 1}\n`,
    );
    return 1;
  }
  process.stdout.write(renderInstructions(emulator, fixture));
  const stop = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return 0;
}

/** What to paste into another terminal, with the fixture's own account, Slack channel and secret. */
function renderInstructions(emulator: Emulator, fixture: Fixture): string {
  const { SLACK_API_URL: slackApiUrl, ...env } = emulator.env();
  const channel = fixture.slack?.channels?.[0];
  const secret = Object.keys(fixture.secrets ?? {})[0];
  const lines = [
    `Emulating ECR, ECS, Secrets Manager, STS, Lambda, EventBridge, EventBridge Scheduler, S3 and Slack at ${emulator.url},`,
    `as account ${emulator.accountId} in ${emulator.region}. Nothing leaves this machine.`,
    ...otherAccounts(fixture),
    '',
    'In another terminal, set this environment (it keeps your own AWS profiles and credentials out):',
    '',
    ...Object.entries(env).map(([name, value]) => `  export ${name}=${value}`),
    '',
    'then run the cleaner:',
    '',
    '  npm run cleaner -- --explain',
  ];
  if (channel && secret) {
    lines.push(
      '',
      `To post the report to the emulated Slack, give the channel ID ${channel.id}${channel.name ? ` (#${channel.name})` : ''} and the secret ${secret}, which holds the bot token:`,
      '',
      `  SLACK_API_URL=${slackApiUrl} npm run cleaner -- --explain --slack --slack-channel ${channel.id} --slack-token-secret ${secret}`,
    );
  }
  lines.push(
    '',
    'Or all in one line, ready to paste:',
    '',
    `  env ${Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ')} npm run cleaner -- --explain`,
    '',
    'Ctrl-C stops it.',
    '',
  );
  return lines.join('\n');
}

/** A line on the other accounts and regions that the fixture serves, and the roles that lead there; none when it has none. */
function otherAccounts(fixture: Fixture): string[] {
  const places = (fixture.accounts ?? []).map((entry) => `${entry.accountId} in ${entry.region}`);
  if (places.length === 0) return [];
  const roles = (fixture.roles ?? []).map((role) => role.arn);
  return [`It also serves ${places.join(', ')}${roles.length > 0 ? `, reached through STS AssumeRole of ${roles.join(', ')}` : ''}.`];
}

main().then(
  (status) => {
    if (status !== 0) process.exit(status);
  },
  (error: unknown) => {
    process.stderr.write(`emulator: ${String(error)}\n`);
    process.exit(1);
  },
);
