/**
 * Test support: starts an emulator and builds the cleaner's real SDK clients against it, through the
 * same environment variables a user would set.
 */
import { ApiCalls } from '../../lambda/aws/api-calls';
import { createAwsClients, type AwsClients } from '../../lambda/aws/clients';
import type { Fixture } from '../emulator/fixture';
import { Emulator } from '../emulator/server';

const saved = { ...process.env };

/** Points this process's AWS SDK at the emulator, as `AWS_ENDPOINT_URL` does for a user. */
export function useEmulatorEnv(emulator: Emulator): void {
  Object.assign(process.env, emulator.env());
}

export function restoreEnv(): void {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
}

export function clientsFor(emulator: Emulator): AwsClients {
  useEmulatorEnv(emulator);
  return createAwsClients({ region: emulator.region });
}

/** A started emulator with clients and a fresh call counter. */
export async function startWith(fixture: Fixture, options: { maxAttempts?: number } = {}): Promise<{ emulator: Emulator; aws: AwsClients; calls: ApiCalls }> {
  const emulator = await Emulator.start(fixture);
  return { emulator, aws: clientsFor(emulator), calls: new ApiCalls(8, { maxAttempts: options.maxAttempts ?? 8 }) };
}

export function destroy(aws: AwsClients): void {
  aws.ecr.destroy();
  aws.ecs.destroy();
  aws.secrets.destroy();
  aws.lambda.destroy();
  aws.events.destroy();
  aws.scheduler.destroy();
  aws.sts.destroy();
  aws.s3.destroy();
}
