/**
 * The grace period through the real CLI: a deletion goes only when an earlier plan, at least
 * GRACE_PERIOD_DAYS old, planned it too; what only this run plans is marked. The earlier plan comes from
 * the audit trail's bucket, or a file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runCli, workFolder } from '../support/cli';
import { emulatorPerTest } from '../support/emulators';
import { readPlanFile } from '../support/report';
import { smallAccount } from './accounts';

jest.setTimeout(60_000);

const start = emulatorPerTest();

const DAY_MS = 86_400_000;
/** The key under which the audit trail keeps the plan of a dry run that started at `at`. */
const planKey = (at: string): string => `runs/123456789012/eu-west-2/${at.slice(0, 10)}/${at.slice(11, 23).replace(/:/g, '')}-dry-run.jsonl`;
const daysAgo = (days: number): string => new Date(Date.now() - days * DAY_MS).toISOString();

/**
 * The small account's dry-run plan as a run `days` ago would have written it (today's decisions, dated
 * then), without the artifact tagged `without`.
 */
async function earlierPlan(without: string, days = 8): Promise<string> {
  const emulator = await start(smallAccount());
  const cwd = workFolder();
  await runCli(['--json', 'plan.jsonl'], emulator.env(), cwd);
  const [run, ...rest] = readFileSync(path.join(cwd, 'plan.jsonl'), 'utf8').split('\n');
  const dated = { ...(JSON.parse(run) as Record<string, unknown>), startedAt: daysAgo(days), now: daysAgo(days) };
  return [JSON.stringify(dated), ...rest.filter((line) => !(line.includes('"type":"artifact"') && (JSON.parse(line) as { tags: string[] }).tags.includes(without)))].join('\n');
}

describe('the grace period, through the CLI', () => {
  it('deletes what a plan at least that old planned too, and marks what only this run plans', async () => {
    const account = smallAccount();
    const body = await earlierPlan('r0');
    const [old, young] = [planKey(daysAgo(8)), planKey(daysAgo(2))];
    const emulator = await start({
      ...account,
      objects: [
        { bucket: 'audit', key: old, body, contentType: 'application/x-ndjson', modifiedDaysAgo: 8 },
        { bucket: 'audit', key: young, body: 'not even JSON', modifiedDaysAgo: 2 },
      ],
    });

    const result = await runCli(['--delete', '--grace-period-days', '7', '--upload', 's3://audit', '--json', 'plan.jsonl'], emulator.env());

    expect(result.status).toBe(0);
    // r1, r6 and the old web release go; r0 was not in the plan of 8 days ago: it is marked, and stays.
    expect(emulator.digestsIn('app')).toContain(account.app.r0.digest);
    expect(emulator.digestsIn('app')).not.toContain(account.app.r1.digest);
    expect(emulator.digestsIn('web')).not.toContain(account.oldWeb.index.digest);
    const deletableFrom = new Date(Date.now() + 7 * DAY_MS).toISOString().slice(0, 10);
    const r0 = readPlanFile(path.join(result.cwd, 'plan.jsonl')).repositories[0].artifacts.find((artifact) => artifact.tags.includes('r0'));
    expect(r0?.result).toEqual({ status: 'marked', deletableFrom });
    expect(result.stdout).toContain(`\nMARKED: 1 image waits out the grace period of 7 days: a run from ${deletableFrom} that still plans it deletes it.\n`);
    expect(result.stdout).toContain('DELETED: 3 images of 4 planned');
    // The plan of 2 days ago is too young to count, and is never read.
    expect(emulator.callsOf('S3.GetObject').map((call) => call.params.Key)).toEqual([old]);
  });

  it('deletes nothing when no plan is old enough, says so, and marks every planned image', async () => {
    const emulator = await start({ ...smallAccount(), buckets: ['audit'] });

    const result = await runCli(['--delete', '--grace-period-days', '7', '--upload', 's3://audit'], emulator.env());

    expect(result.status).toBe(0);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(result.stdout).toMatch(
      /\nNOTHING DELETED: grace period: no plan in s3:\/\/audit\/runs\/123456789012\/eu-west-2\/ is of a run that started at or before \S+ \(7 days ago, less an hour\), so no image was deleted; this run's plan marks what a later run may delete\.\n/,
    );
    expect(result.stdout).toContain('\nMARKED: 4 images wait out the grace period of 7 days');
    // This run's plan is in the bucket now: the mark that a run in 7 days compares with.
    expect(emulator.s3.keys('audit').filter((key) => key.endsWith('-delete.jsonl'))).toHaveLength(1);
  });

  it('deletes nothing, and fails, when the earlier plan cannot be read', async () => {
    const body = await earlierPlan('none');
    const emulator = await start({ ...smallAccount(), objects: [{ bucket: 'audit', key: planKey(daysAgo(8)), body, modifiedDaysAgo: 8 }], faults: { errors: [{ operation: 'S3.GetObject', code: 'AccessDeniedException' }] } });

    const result = await runCli(['--delete', '--grace-period-days', '7', '--upload', 's3://audit'], emulator.env());

    expect(result.status).toBe(1);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(result.stdout).toContain('NOTHING DELETED: grace period: the earlier plan could not be read, so no image was deleted');
    expect(result.stdout).toMatch(/\n {2}- grace period: could not read the earlier plan: S3\.GetObject failed for s3:\/\/audit\/runs\/.*AccessDenied/);
  });

  it('previews with --now and a plan file: what a run then would delete, and what it would only mark', async () => {
    const emulator = await start(smallAccount());
    const cwd = workFolder();
    writeFileSync(path.join(cwd, 'earlier.jsonl'), await earlierPlan('r0'));

    // A dry run eight days on, against today's plan less r0: r0 would only be marked.
    const later = new Date(Date.now() + 8 * DAY_MS).toISOString();
    const result = await runCli(['--now', later, '--grace-period-days', '7', '--earlier-plan', 'earlier.jsonl', '--json', 'later.jsonl'], emulator.env(), cwd);

    expect(result.status).toBe(0);
    const plan = readPlanFile(path.join(cwd, 'later.jsonl'));
    expect(plan.totals).toMatchObject({ toDelete: 4, marked: 1 });
    expect(plan.repositories[0].artifacts.find((artifact) => artifact.tags.includes('r0'))?.result).toEqual({ status: 'marked', deletableFrom: new Date(Date.parse(later) + 7 * DAY_MS).toISOString().slice(0, 10) });
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
  });

  it('takes no plan file younger than the grace period', async () => {
    const emulator = await start(smallAccount());
    const cwd = workFolder();
    writeFileSync(path.join(cwd, 'earlier.jsonl'), await earlierPlan('r0', 3));

    const result = await runCli(['--grace-period-days', '7', '--earlier-plan', 'earlier.jsonl'], emulator.env(), cwd);

    expect(result.stdout).toMatch(/grace period: the plan earlier\.jsonl is of a run at \S+, later than \S+, too recent for the grace period, so a deleting run now would delete nothing/);
  });
});
