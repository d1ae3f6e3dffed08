import { createAwsClients } from '../../lambda/aws/clients';
import { runCleanup, type RunOutcome } from '../../lambda/cleaner';
import { parseConfig } from '../../lambda/config';
import { image, type Fixture } from '../emulator/fixture';
import { Emulator } from '../emulator/server';
import { destroy, restoreEnv, useEmulatorEnv } from '../support/aws';

afterAll(restoreEnv);

const NOW = new Date('2026-11-25T12:00:00Z');
const LATENCY_MS = 100;
/** 2,000 old images: the newest 3 stay, 1,997 go in one wave of 20 `BatchDeleteImage` calls. */
const IMAGES = Array.from({ length: 2000 }, (_, n) => image(`old-${n}`, { pushedDaysAgo: 100 }));
const SETTINGS = {
  DELETE_ENABLED: 'true',
  MAX_CONCURRENT_CALLS: '2',
  KEEP_SERVICE_DEPLOYMENT_IMAGES: 'false',
  KEEP_SCHEDULED_TASK_IMAGES: 'false',
  KEEP_TASK_DEFINITION_REVISIONS: '0',
  KEEP_LAMBDA_IMAGES: 'false',
};

const fixture: Fixture = { now: NOW.toISOString(), repositories: [{ name: 'big', images: IMAGES }], clusters: [], faults: { latencyMs: LATENCY_MS } };

/** The instants at which the cleaner's ECR client started each `BatchDeleteImage` (its first middleware). */
type Sends = number[];

async function run(emulator: Emulator, options: { deleteDeadline?: Date; confirmDeletion?: () => Promise<boolean> } = {}, sends: Sends = []): Promise<RunOutcome> {
  useEmulatorEnv(emulator);
  const config = parseConfig({ ...emulator.env(), ...SETTINGS });
  const aws = createAwsClients(config);
  aws.ecr.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'BatchDeleteImageCommand') sends.push(Date.now());
      return next(args);
    },
    { step: 'initialize', name: 'recordBatchDeleteImageSends' },
  );
  try {
    return await runCleanup({ aws, slackTokens: new Map() }, config, { now: NOW, ...options });
  } finally {
    destroy(aws);
  }
}

describe('the deadline', () => {
  let emulator: Emulator;
  beforeEach(async () => {
    emulator = await Emulator.start(fixture);
  });
  afterEach(() => emulator.stop());

  it('holds for each call: no BatchDeleteImage reaches ECR after it, even in the middle of a wave, and the next run goes on', async () => {
    const sends: Sends = [];
    const deadline = new Date(Date.now() + 2_500);
    // Deletion starts 2.5 calls' latency before the deadline: with 2 calls in flight, the deadline falls
    // in the middle of the third pair of the wave's 20 calls, and 50 ms before a fourth pair would start.
    const confirmDeletion = async (): Promise<boolean> => {
      await new Promise((resolve) => setTimeout(resolve, deadline.getTime() - 2.5 * LATENCY_MS - Date.now()));
      return true;
    };

    const first = await run(emulator, { deleteDeadline: deadline, confirmDeletion }, sends);
    const finished = Date.now();

    const sent = emulator.callsOf('ECR.BatchDeleteImage');
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(20);
    // Every call reached the emulator, and each was started before the deadline; a fourth pair would start 50 ms after it.
    expect(sends).toHaveLength(sent.length);
    expect(Math.max(...sends)).toBeLessThanOrEqual(deadline.getTime() + 5);
    // The calls in flight at the deadline finished, and the run did not wait for the rest of the wave (7 more pairs).
    expect(finished - deadline.getTime()).toBeLessThan(5 * LATENCY_MS);

    const deleted = sent.reduce((sum, call) => sum + (call.params.imageIds as unknown[]).length, 0);
    expect(emulator.digestsIn('big')).toHaveLength(2000 - deleted);
    expect(first.ok).toBe(false);
    expect(first.report.totals).toMatchObject({ toDelete: 1997, deleted, failed: 0 });
    expect(first.report.errors.map((error) => error.message)).toEqual([
      `stopped deleting in big at the time limit: ${1997 - deleted} manifests are left for the next run`,
    ]);

    const second = await run(emulator);

    expect(second.ok).toBe(true);
    expect(second.report.totals).toMatchObject({ toDelete: 1997 - deleted, deleted: 1997 - deleted, failed: 0 });
    expect(emulator.digestsIn('big')).toHaveLength(3);
  });

  it('lets a wave run to its end when the deadline does not fall in it', async () => {
    const first = await run(emulator, { deleteDeadline: new Date(Date.now() + 60_000) });

    expect(first.ok).toBe(true);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toHaveLength(20);
    expect(emulator.digestsIn('big')).toHaveLength(3);
  });
});
