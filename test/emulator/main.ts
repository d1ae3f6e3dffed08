/**
 * Runs the emulator on its own, for trying the CLI by hand:
 *
 *   npm run emulator                    # the sample account on port 4566
 *   npm run emulator -- --port 5000 --fixture my-account.json
 *
 * and, in another terminal, the variables it prints, then `npm run cleaner`.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Fixture } from './fixture';
import { sampleAccount } from './sample-account';
import { Emulator } from './server';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '4566' }, fixture: { type: 'string' } } });
  const fixture = values.fixture ? (JSON.parse(readFileSync(values.fixture, 'utf8')) as Fixture) : sampleAccount();
  const emulator = await Emulator.start(fixture, Number(values.port));
  process.stdout.write(`Emulating ECR, ECS, Secrets Manager and Slack at ${emulator.url}. Point the cleaner at it with:\n\n`);
  for (const [name, value] of Object.entries(emulator.env())) process.stdout.write(`export ${name}=${value}\n`);
  process.stdout.write('\nCtrl-C stops it.\n');
  const stop = (): void => {
    void emulator.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
