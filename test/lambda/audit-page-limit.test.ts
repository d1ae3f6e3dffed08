/**
 * The audit trail writes the plan as a page only up to `AUDIT_PAGE_MAX_IMAGES` images; beyond, it says
 * why there is none, and writes the CSV and the plan as always. The limit is lowered here to 3, so that
 * a small account crosses it.
 */
import { runCleanup } from '../../lambda/cleaner';
import { parseConfig } from '../../lambda/config';
import { createAwsClients } from '../../lambda/aws/clients';
import { image, type Fixture } from '../emulator/fixture';
import { Emulator } from '../emulator/server';
import { destroy, restoreEnv, useEmulatorEnv } from '../support/aws';

jest.mock('../../lambda/core/audit', () => ({ ...jest.requireActual<object>('../../lambda/core/audit'), AUDIT_PAGE_MAX_IMAGES: 3 }));

const NOW = new Date('2026-11-25T12:00:00Z');

function account(images: number): Fixture {
  return {
    now: NOW.toISOString(),
    buckets: ['audit'],
    repositories: [{ name: 'app', images: Array.from({ length: images }, (_, n) => image(`app:${n}`, { tags: [`v${n}`], pushedDaysAgo: 100 - n * 10 })) }],
  };
}

async function keysAfterRun(images: number): Promise<{ keys: string[]; warnings: readonly string[]; html?: string }> {
  const emulator = await Emulator.start(account(images));
  useEmulatorEnv(emulator);
  const config = parseConfig({ ...emulator.env(), AUDIT_BUCKET_URI: 's3://audit' });
  const aws = createAwsClients(config);
  try {
    const { report } = await runCleanup({ aws, slackTokens: new Map() }, config, { now: NOW });
    return { keys: emulator.s3.keys('audit').map((key) => key.slice(key.lastIndexOf('.'))), warnings: report.warnings, ...(report.auditObjects?.html !== undefined && { html: report.auditObjects.html }) };
  } finally {
    destroy(aws);
    restoreEnv();
    await emulator.stop();
  }
}

describe('the page in the audit trail', () => {
  it('is written with the CSV and the plan while the plan is small enough', async () => {
    const { keys, warnings, html } = await keysAfterRun(3);
    expect(keys).toEqual(['.csv', '.html', '.jsonl']);
    expect(html).toMatch(/\.html$/);
    expect(warnings).toEqual([]);
  });

  it('is left out, with the reason, when the plan has more images than a browser opens comfortably', async () => {
    const { keys, warnings, html } = await keysAfterRun(4);
    expect(keys).toEqual(['.csv', '.jsonl']);
    expect(html).toBeUndefined();
    expect(warnings).toEqual(['the audit trail has no page of this plan: its 4 images are more than a browser opens comfortably (3); the CSV and the JSON Lines plan hold it all']);
  });
});
