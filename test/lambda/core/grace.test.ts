import { auditKeys } from '../../../lambda/core/audit';
import { earlierPlanKey, graceCutoff, readPlannedDeletions, unfitPlan, type EarlierPlan } from '../../../lambda/core/grace';

const PREFIX = 'runs/123456789012/eu-west-2/';
const key = (startedAt: string, mode: 'dry-run' | 'delete' = 'delete'): string =>
  auditKeys({ bucket: 'audit', prefix: '' }, { account: '123456789012', region: 'eu-west-2', startedAt, mode }).plan.slice('s3://audit/'.length);

describe('earlierPlanKey', () => {
  const keys = [
    key('2026-11-18T03:00:05.000Z'),
    key('2026-11-19T03:00:01.500Z', 'dry-run'),
    key('2026-11-19T03:00:02.000Z'),
    key('2026-11-20T03:00:00.000Z'),
    key('2026-11-19T03:00:02.000Z').replace(/\.jsonl$/, '.csv'),
    `runs/999999999999/eu-west-2/2026-11-19/030003.000-delete.jsonl`,
  ];

  it('takes the newest plan of this account and region that started by the cutoff, to the millisecond', () => {
    expect(earlierPlanKey(keys, PREFIX, new Date('2026-11-19T03:00:02.000Z'))).toBe(key('2026-11-19T03:00:02.000Z'));
    expect(earlierPlanKey(keys, PREFIX, new Date('2026-11-19T03:00:01.999Z'))).toBe(key('2026-11-19T03:00:01.500Z', 'dry-run'));
    expect(earlierPlanKey(keys, PREFIX, new Date('2026-11-18T03:00:04.000Z'))).toBeUndefined();
  });

  it("lets a daily run a few seconds earlier than last week's still take that week's plan", () => {
    const now = new Date('2026-11-26T03:00:01.000Z');
    expect(earlierPlanKey(keys, PREFIX, graceCutoff(now, 7))).toBe(key('2026-11-19T03:00:02.000Z'));
  });
});

describe('readPlannedDeletions and unfitPlan', () => {
  const run = { type: 'run', account: '123456789012', region: 'eu-west-2', startedAt: '2026-11-19T03:00:00.000Z', now: '2026-11-19T03:00:00.000Z' };
  const [aa, bb, cc] = ['a', 'b', 'c'].map((letter) => `sha256:${letter.repeat(64)}`);
  const artifact = { type: 'artifact', repository: 'app', digest: aa, decisions: [{ digest: aa, action: 'delete' }, { digest: bb, action: 'delete' }, { digest: cc, action: 'keep' }] };
  const lines = (...records: object[]): string[] => records.map((record) => `${JSON.stringify(record)}\r`);
  const expected = { account: '123456789012', region: 'eu-west-2', cutoff: new Date('2026-11-19T04:00:00Z') };

  it('reads the run and every manifest planned for deletion, line by line (CRLF and blank lines too)', async () => {
    const plan = await readPlannedDeletions([...lines(run, artifact), ''], 'plan.jsonl');

    expect(plan).toMatchObject({ startedAt: run.startedAt, now: run.now, account: run.account, region: run.region });
    expect([plan.deletions.size, plan.deletions.has('app', aa), plan.deletions.has('app', bb), plan.deletions.has('app', cc), plan.deletions.has('web', aa)]).toEqual([2, true, true, false, false]);
    expect(unfitPlan(plan, expected)).toBeUndefined();
  });

  it.each([
    ['no run record', lines(artifact), 'plan.jsonl is not one plan written by --json or the audit trail: line 1 comes before the run record'],
    ['two runs', lines(run, artifact, run), 'plan.jsonl is not one plan written by --json or the audit trail: line 3 starts a second run'],
    ['a CSV', ['repository,digest'], 'plan.jsonl is not one plan written by --json or the audit trail: line 1 is not JSON'],
  ])('refuses %s', async (_, text, message) => {
    await expect(readPlannedDeletions(text, 'plan.jsonl')).rejects.toThrow(message);
  });

  it.each<[string, Partial<EarlierPlan>, string]>([
    ['another region', { region: 'eu-west-1' }, 'the plan plan.jsonl is of account 123456789012 in eu-west-1, not of this run\'s account 123456789012 in eu-west-2'],
    ['another account', { account: '999999999999' }, 'the plan plan.jsonl is of account 999999999999 in eu-west-2, not of this run\'s account 123456789012 in eu-west-2'],
    ['a --now preview', { now: '2026-12-01T00:00:00.000Z' }, 'the plan plan.jsonl is a preview at 2026-12-01T00:00:00.000Z (--now), not a plan of its own time'],
    ['a run after the cutoff', { startedAt: '2026-11-20T03:00:00.000Z', now: '2026-11-20T03:00:00.000Z' }, 'the plan plan.jsonl is of a run at 2026-11-20T03:00:00.000Z, later than 2026-11-19T04:00:00.000Z, too recent for the grace period'],
  ])('does not take a plan of %s', async (_, change, why) => {
    const plan = await readPlannedDeletions(lines(run, artifact), 'plan.jsonl');
    expect(unfitPlan({ ...plan, ...change }, expected)).toBe(why);
  });
});
