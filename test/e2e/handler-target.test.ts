/**
 * The contract between the organisation's state machine and the cleaner function, from the function's
 * side: given a target (`{ account, region, roleArn, workloadAccounts? }`), the handler assumes the role,
 * cleans that account and region over the emulator, and returns the target's result; the report step
 * turns the Map's items, results and caught errors alike, into one report. The state machine's side of
 * the same contract is tested against the synthesized definition in test/lib.
 */
import { image, registryHost, type Fixture } from '../emulator/fixture';
import { Emulator } from '../emulator/server';
import type { Target, TargetResult } from '../../lambda/core/targets';
import type * as cleanerFunction from '../../lambda/handler';
import type * as reportFunction from '../../lambda/org/report-handler';
import type * as targetsFunction from '../../lambda/org/targets-handler';

type Handlers = typeof cleanerFunction & { report: typeof reportFunction; targets: typeof targetsFunction };

jest.setTimeout(60_000);

const CENTRAL = '111111111111';
const [REGISTRY, WORKLOADS, DENIED] = ['222222222222', '555555555555', '999999999999'];
const SLACK_TOKEN_VALUE = 'xoxb-org-report-test';
const roleArn = (account: string): string => `arn:aws:iam::${account}:role/ecr-maintainer-member`;
const releases = (name: string): ReturnType<typeof image>[] => [1, 2, 3, 4, 5].map((n) => image(`${name}:v${n}`, { tags: [`v${n}`], pushedDaysAgo: 60 - n * 10, sizeBytes: 1_000_000 }));

function organisation(): Fixture {
  return {
    accountId: CENTRAL,
    region: 'eu-west-2',
    repositories: [],
    buckets: ['org-audit'],
    accounts: [
      { accountId: REGISTRY, region: 'eu-west-1', repositories: [{ name: 'app', images: releases('app') }] },
      {
        accountId: WORKLOADS,
        region: 'eu-west-1',
        clusters: [{ name: 'shop', tasks: [{ id: 'checkout', containers: [{ name: 'app', image: `${registryHost({ accountId: REGISTRY, region: 'eu-west-1' })}/app:v1` }] }] }],
      },
    ],
    roles: [{ arn: roleArn(REGISTRY) }, { arn: roleArn(WORKLOADS) }, { arn: roleArn(DENIED), deny: true }],
    slack: { token: SLACK_TOKEN_VALUE, channels: [{ id: 'C0ORG', name: 'platform' }] },
  };
}

let emulator: Emulator;
let handler: Handlers['handler'];
let reportHandler: Handlers['report']['handler'];
let itemResult: Handlers['report']['itemResult'];
let targetsHandler: Handlers['targets']['handler'];
const saved = { ...process.env };

beforeAll(async () => {
  emulator = await Emulator.start(organisation());
  // The function's environment in the organisation stack: its own region, Slack off, the central audit
  // bucket; set before the handlers load, since their loggers read the level once.
  Object.assign(process.env, emulator.env(), { DELETE_ENABLED: 'true', SLACK_ENABLED: 'false', AUDIT_BUCKET_URI: 's3://org-audit', POWERTOOLS_METRICS_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT' });
  ({ handler } = jest.requireActual<Handlers>('../../lambda/handler'));
  ({ handler: reportHandler, itemResult } = jest.requireActual<Handlers['report']>('../../lambda/org/report-handler'));
  ({ handler: targetsHandler } = jest.requireActual<Handlers['targets']>('../../lambda/org/targets-handler'));
});

afterAll(async () => {
  process.env = saved;
  await emulator.stop();
});

describe('the cleaner function given a target', () => {
  it('assumes the role, cleans that account and region with the workload account searched too, and returns the result', async () => {
    const target: Target = { account: REGISTRY, region: 'eu-west-1', roleArn: roleArn(REGISTRY), workloadAccounts: [{ account: WORKLOADS, roleArn: roleArn(WORKLOADS) }] };
    const result = (await handler(target)) as TargetResult;

    expect(result).toMatchObject({ account: REGISTRY, region: 'eu-west-1', ok: true, mode: 'delete', errorCount: 0, errors: [] });
    // v1 (run in the workload account) and the newest three stay; v2 goes.
    expect(result.totals).toMatchObject({ repositories: 1, images: 5, toDelete: 1, deleted: 1, kept: 4 });
    expect(emulator.digestsIn('app', { account: REGISTRY, region: 'eu-west-1' })).toHaveLength(4);
    expect(emulator.callsOf('ECR.BatchDeleteImage', { account: REGISTRY, region: 'eu-west-1' })).toHaveLength(1);
    expect(emulator.callsOf('ECS.ListClusters', { account: WORKLOADS, region: 'eu-west-1' })).toHaveLength(1);
    // The audit trail is written with the function's own credentials, to the central bucket, under the target's account and region.
    expect(emulator.s3.keys('org-audit').every((key) => key.startsWith(`runs/${REGISTRY}/eu-west-1/`))).toBe(true);
    expect(emulator.s3.keys('org-audit')).toHaveLength(3);
    expect(result.auditPage).toMatch(new RegExp(`^s3://org-audit/runs/${REGISTRY}/eu-west-1/.+-delete\\.html$`));
    // It stays small, as a state machine's item must.
    expect(JSON.stringify(result).length).toBeLessThan(1_000);
  });

  it('returns a failed result, with the reason, when the role is refused', async () => {
    const result = (await handler({ account: DENIED, region: 'eu-west-1', roleArn: roleArn(DENIED) })) as TargetResult;
    expect(result).toEqual({ account: DENIED, region: 'eu-west-1', ok: false, errorCount: 1, errors: [expect.stringContaining(`could not assume ${roleArn(DENIED)}: AccessDenied: User: `) as unknown] });
    expect(JSON.stringify(result).length).toBeLessThan(400);
  });

  it('refuses a target whose fields are wrong, naming each, before any AWS call', async () => {
    const calls = emulator.calls.length;
    await expect(handler({ account: '2222', region: 'eu-west-1', roleArn: roleArn(REGISTRY), extra: 1 })).rejects.toMatchObject({
      name: 'InvalidTarget',
      problems: [
        'a target has no field "extra"; its fields are account, region, roleArn, workloadAccounts and workloadRegions',
        'account must be a 12-digit account ID, got "2222"',
        `roleArn ${roleArn(REGISTRY)} is in account ${REGISTRY}, not in the target's account 2222`,
      ],
    });
    expect(emulator.calls.length).toBe(calls);
  });
});

describe('the targets and report steps', () => {
  it('lists every account in every region with its member role and workload accounts', async () => {
    Object.assign(process.env, {
      TARGET_ACCOUNTS: `${REGISTRY},${WORKLOADS}`,
      TARGET_REGIONS: 'eu-west-1,us-east-1',
      MEMBER_ROLE_ARN_TEMPLATE: 'arn:aws:iam::{account}:role/ecr-maintainer-member',
      WORKLOAD_ACCOUNTS: JSON.stringify({ [REGISTRY]: [WORKLOADS] }),
    });
    const { targets } = await targetsHandler();
    const REGIONS = ['eu-west-1', 'us-east-1'];
    expect(targets).toEqual([
      { account: REGISTRY, region: 'eu-west-1', roleArn: roleArn(REGISTRY), workloadAccounts: [{ account: WORKLOADS, roleArn: roleArn(WORKLOADS) }], workloadRegions: REGIONS },
      { account: REGISTRY, region: 'us-east-1', roleArn: roleArn(REGISTRY), workloadAccounts: [{ account: WORKLOADS, roleArn: roleArn(WORKLOADS) }], workloadRegions: REGIONS },
      { account: WORKLOADS, region: 'eu-west-1', roleArn: roleArn(WORKLOADS), workloadRegions: REGIONS },
      { account: WORKLOADS, region: 'us-east-1', roleArn: roleArn(WORKLOADS), workloadRegions: REGIONS },
    ]);
  });

  it('reports results and caught errors alike, and is not ok when a target failed', async () => {
    const ok = (await handler({ account: REGISTRY, region: 'eu-west-1', roleArn: roleArn(REGISTRY) })) as TargetResult;
    // What the Map's Catch (ResultPath $.error) makes of a target whose function threw.
    const caught = {
      account: DENIED,
      region: 'eu-west-1',
      roleArn: roleArn(DENIED),
      error: { Error: 'AssumeRoleFailed', Cause: JSON.stringify({ errorType: 'AssumeRoleFailed', errorMessage: `could not assume ${roleArn(DENIED)}: AccessDenied: no`, trace: [] }) },
    };
    const timedOut = { account: WORKLOADS, region: 'eu-west-1', error: { Error: 'States.Timeout', Cause: '' } };
    expect(itemResult(caught)).toEqual({ account: DENIED, region: 'eu-west-1', ok: false, errorCount: 1, errors: [`AssumeRoleFailed: could not assume ${roleArn(DENIED)}: AccessDenied: no`] });
    expect(itemResult(timedOut).errors).toEqual(['States.Timeout: the cleaner function failed for this target; its log says why']);

    const output = await reportHandler({ results: [ok, caught, timedOut], execution: 'arn:aws:states:eu-west-2:111111111111:execution:x:y' });
    expect(output).toEqual({
      ok: false,
      targets: 3,
      failed: 2,
      failedTargets: [`${DENIED}/eu-west-1`, `${WORKLOADS}/eu-west-1`],
      message: `2 of 3 targets failed: ${DENIED}/eu-west-1, ${WORKLOADS}/eu-west-1`,
    });
    expect((await reportHandler({ results: [ok] })).ok).toBe(true);
  });

  it('posts one Slack message for the whole run when Slack is on, and is not ok when Slack cannot be posted to', async () => {
    const ok = (await handler({ account: REGISTRY, region: 'eu-west-1', roleArn: roleArn(REGISTRY) })) as TargetResult;
    const failed = { account: DENIED, region: 'eu-west-1', error: { Error: 'Sandbox.Timedout' } };
    Object.assign(process.env, { SLACK_ENABLED: 'true', SLACK_CHANNEL: 'C0ORG', SLACK_TOKEN: SLACK_TOKEN_VALUE });
    try {
      const before = emulator.slack.messages.length;
      const output = await reportHandler({ results: [ok, failed] });
      expect(output.ok).toBe(false);
      expect(emulator.slack.messages.slice(before).map((message) => message.text.split('\n')[0])).toEqual(['*ECR Maintainer* · *DELETE* · 2 targets (2 accounts × 1 region) · *1 failed*']);
      expect(emulator.slack.messages[before].text).toContain(`• \`${DENIED}/eu-west-1\`: :x: *did not run*: Sandbox.Timedout`);
      // The audit page's link names the bucket's region (the function's), not the target's.
      expect(emulator.slack.messages[before].text).toContain('?region=eu-west-2&prefix=runs%2F222222222222%2Feu-west-1%2F');

      Object.assign(process.env, { SLACK_CHANNEL: 'C0NOWHERE' });
      const unposted = await reportHandler({ results: [ok] });
      expect(unposted).toMatchObject({ ok: false, failed: 0, message: 'all 1 targets succeeded; could not post to Slack: Slack chat.postMessage failed: channel_not_found' });
    } finally {
      for (const name of ['SLACK_ENABLED', 'SLACK_CHANNEL', 'SLACK_TOKEN']) delete process.env[name];
    }
  });
});
