/**
 * Test support for the cross-checks against moto_server (moto 5.2.1), an AWS emulator that nobody here
 * wrote: whether it is installed, a loud skip when it is not (a failure when CI=true), and a server on a
 * free loopback port.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createAwsClients, type AwsClients } from '../../lambda/aws/clients';
import { destroy, restoreEnv } from './aws';

export const MOTO_AVAILABLE = spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;

/** Registers the one test that stands for a cross-check when moto_server is missing: never silent. */
export function reportMotoMissing(what: string): void {
  it(`cannot cross-check ${what} against moto: moto_server is not installed (pip install "moto[server]==5.2.1")`, () => {
    process.stderr.write(`\n*** moto_server is not installed: the moto cross-check of ${what} was SKIPPED ***\n\n`);
    expect(process.env.CI).not.toBe('true');
  });
}

export interface Moto {
  readonly endpoint: string;
  readonly process: ChildProcess;
}

/** Starts moto_server on a free loopback port, with `env` added to its environment, and waits for it. */
export async function startMoto(env: Record<string, string> = {}): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore', env: { ...process.env, ...env } });
  await waitFor(`${endpoint}/moto-api/`, 30_000);
  return { endpoint, process: child };
}

/**
 * Within a `describe`: starts moto_server before its tests, points the cleaner's own SDK clients at it,
 * runs `seed` with them, and stops everything after. The returned function gives the clients.
 */
export function useMotoClients(region: string, seed: (aws: AwsClients) => Promise<void>): () => AwsClients {
  let moto: ChildProcess | undefined;
  let aws: AwsClients | undefined;
  beforeAll(async () => {
    const started = await startMoto();
    moto = started.process;
    Object.assign(process.env, motoEnv(started, region));
    aws = createAwsClients({ region });
    await seed(aws);
  });
  afterAll(() => {
    if (aws) destroy(aws);
    moto?.kill();
    restoreEnv();
  });
  return () => {
    if (!aws) throw new Error('moto_server has not started');
    return aws;
  };
}

/** The environment that points the SDK at moto, with its dummy credentials and no shared config files. */
export function motoEnv(moto: Moto, region: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: 'moto',
    AWS_SECRET_ACCESS_KEY: 'moto',
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

async function waitFor(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`moto_server did not answer at ${url} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
