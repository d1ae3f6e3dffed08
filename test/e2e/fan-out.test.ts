/**
 * The CLI's fan-out over accounts and regions, end to end: the real CLI, the real SDK, STS AssumeRole
 * and every account's ECR and ECS on the emulator. Each account's calls are served as the account of the
 * credentials that its role handed out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { image, registryHost, type AccountFixture, type Faults, type Fixture, type FixtureImage, type FixtureRole } from '../emulator/fixture';
import type { Emulator } from '../emulator/server';
import { runCli } from '../support/cli';
import { emulatorPerTest } from '../support/emulators';
import { readPlanRecords, type PlanRecord } from '../support/report';

jest.setTimeout(120_000);

const start = emulatorPerTest();

const CALLER = '111111111111';
const [A, B, C] = ['222222222222', '333333333333', '444444444444'];
const WORKLOADS = '555555555555';
const ROLE = 'ecr-maintainer-member';
const roleArn = (account: string): string => `arn:aws:iam::${account}:role/${ROLE}`;

/** Five releases of `name`, 10 to 50 days old: the defaults (the newest 3, 7 days) delete v1 and v2. */
function releases(name: string): FixtureImage[] {
  return [1, 2, 3, 4, 5].map((n) => image(`${name}:v${n}`, { tags: [`v${n}`], pushedDaysAgo: 60 - n * 10, sizeBytes: 1_000_000 }));
}

function registry(accountId: string, region: string, names: readonly string[], more: Partial<AccountFixture> = {}): AccountFixture {
  return { accountId, region, repositories: names.map((name) => ({ name, images: releases(`${accountId}/${region}/${name}`) })), ...more };
}

/** Three member accounts: A in two regions, B in one, C with no repository at all; the caller's own account is empty. */
function organisation(faults: Faults = {}, roles: readonly FixtureRole[] = [A, B, C, WORKLOADS].map((account) => ({ arn: roleArn(account) }))): Fixture {
  return {
    accountId: CALLER,
    region: 'eu-west-2',
    repositories: [],
    accounts: [registry(A, 'eu-west-1', ['app', 'web']), registry(A, 'eu-west-2', ['app']), registry(B, 'eu-west-1', ['api'])],
    roles,
    faults,
  };
}

/** A central registry (A, eu-west-1) whose `app:v1` only a task in the workload account runs. */
function centralRegistry(faults: Faults = {}, roles: readonly FixtureRole[] = [A, WORKLOADS].map((account) => ({ arn: roleArn(account) }))): Fixture {
  const host = registryHost({ accountId: A, region: 'eu-west-1' });
  return {
    accountId: CALLER,
    region: 'eu-west-2',
    repositories: [],
    accounts: [
      registry(A, 'eu-west-1', ['app']),
      {
        accountId: WORKLOADS,
        region: 'eu-west-1',
        clusters: [{ name: 'shop', tasks: [{ id: 'checkout', containers: [{ name: 'app', image: `${host}/app:v1` }] }] }],
      },
    ],
    roles,
    faults,
  };
}

const FAN_OUT = ['--accounts', [A, B, C].join(','), '--regions', 'eu-west-1,eu-west-2', '--role-name', ROLE];
const CENTRAL = ['--accounts', A, '--regions', 'eu-west-1', '--role-name', ROLE];

function planRecords(file: string): PlanRecord[] {
  const records: PlanRecord[] = [];
  readPlanRecords(file, (record) => records.push(record));
  return records;
}

function csvRows(cwd: string): string[][] {
  return readFileSync(path.join(cwd, 'to_delete.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(','));
}

/** The tags that the plan deletes in one repository of one target. */
function deletedTags(records: readonly PlanRecord[], account: string, region: string, repository: string): string[] {
  return records
    .filter((record) => record.type === 'artifact' && record.account === account && record.region === region && record.repository === repository && record.action === 'delete')
    .flatMap((record) => record.tags as string[])
    .sort();
}

describe('the CLI cleans many accounts and regions', () => {
  it('plans two regions of three accounts, one run each, with one summary and every row naming its target', async () => {
    const emulator = await start(organisation());
    const result = await runCli([...FAN_OUT, '--json', 'plan.jsonl', '--html', 'report.html'], emulator.env());
    expect(result.stderr).not.toContain('unexpected');
    expect(result.status).toBe(0);

    // The header says where it goes before it goes.
    expect(result.stderr).toContain(`Caller    ${CALLER}`);
    expect(result.stderr).toContain(`Accounts  ${A}, ${B}, ${C}, each through the role arn:aws:iam::{account}:role/${ROLE}`);
    expect(result.stderr).toContain('Targets   6: 3 accounts × 2 regions, each a run of its own');
    expect(result.stderr.match(/^\[\d\/6\] \d{12}\/eu-west-[12]: DRY RUN/gm)).toHaveLength(6);

    // One role session per account, shared by its regions.
    expect(emulator.callsOf('STS.AssumeRole').map((call) => call.params.RoleArn).sort()).toEqual([A, B, C].map(roleArn));
    // Each target was listed in its own account and region, and the caller's own account was not.
    for (const [account, region] of [[A, 'eu-west-1'], [A, 'eu-west-2'], [B, 'eu-west-1'], [B, 'eu-west-2'], [C, 'eu-west-1'], [C, 'eu-west-2']]) {
      expect(emulator.callsOf('ECR.DescribeRepositories', { account, region })).toHaveLength(1);
    }
    expect(emulator.callsOf('ECR.DescribeRepositories', { account: CALLER })).toHaveLength(0);

    // One summary: a row per target and the totals (2 deletions in each of 4 repositories).
    const summary = result.stdout;
    expect(summary).toContain('ECR Maintainer · DRY RUN (nothing is deleted) · 6 targets (3 accounts × 2 regions)');
    expect(summary).toMatch(new RegExp(`^${A}  eu-west-1\\s+2\\s+10\\s+6\\s+4\\b`, 'm'));
    expect(summary).toMatch(new RegExp(`^${A}  eu-west-2\\s+1\\s+5\\s+3\\s+2\\b`, 'm'));
    expect(summary).toMatch(new RegExp(`^${B}  eu-west-1\\s+1\\s+5\\s+3\\s+2\\b`, 'm'));
    expect(summary).toMatch(new RegExp(`^${C}  eu-west-2\\s+0\\s+0\\s+0\\s+0\\b`, 'm'));
    expect(summary).toMatch(/^TOTAL\s+4\s+20\s+12\s+8\b/m);
    expect(summary).toContain('DRY RUN: 8 images would be deleted');

    // The CSV: one header, and every row names its account and region.
    const [header, ...rows] = csvRows(result.cwd);
    expect(header.slice(0, 3)).toEqual(['account', 'region', 'repository']);
    expect(rows.map((row) => `${row[0]}/${row[1]}/${row[2]}/${row[4]}`).sort()).toEqual(
      [`${A}/eu-west-1/app`, `${A}/eu-west-1/web`, `${A}/eu-west-2/app`, `${B}/eu-west-1/api`].flatMap((where) => [`${where}/v1`, `${where}/v2`]).sort(),
    );
    // The plan: a run record per target, and every record names its target.
    const records = planRecords(path.join(result.cwd, 'plan.jsonl'));
    expect(records.filter((record) => record.type === 'run').map((record) => `${String(record.account)}/${String(record.region)}`).sort()).toEqual(
      [A, B, C].flatMap((account) => [`${account}/eu-west-1`, `${account}/eu-west-2`]).sort(),
    );
    expect(records.every((record) => typeof record.account === 'string' && typeof record.region === 'string')).toBe(true);
    expect(deletedTags(records, A, 'eu-west-2', 'app')).toEqual(['v1', 'v2']);
    // A page per target, named for it, side by side.
    const pages = [A, B, C].flatMap((account) => ['eu-west-1', 'eu-west-2'].map((region) => `report-${account}-${region}.html`));
    expect(readdirSync(result.cwd).filter((file) => file.endsWith('.html')).sort()).toEqual(pages.sort());
    expect(readFileSync(path.join(result.cwd, `report-${B}-eu-west-1.html`), 'utf8')).toContain(B);
    expect(summary).toContain('The plan as a page, one per target (open them in a browser): ');
  });

  it('deletes in every target with --delete --yes, each in its own account and region', async () => {
    const emulator = await start(organisation());
    const before = emulator.digestsIn('app', { account: A, region: 'eu-west-2' });
    const result = await runCli([...FAN_OUT, '--delete', '--yes'], emulator.env());
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('DELETED: 8 images of 8 planned');
    expect(emulator.digestsIn('app', { account: A, region: 'eu-west-2' })).toHaveLength(before.length - 2);
    expect(emulator.digestsIn('api', { account: B, region: 'eu-west-1' })).toHaveLength(3);
    expect(emulator.callsOf('ECR.BatchDeleteImage', { account: CALLER })).toHaveLength(0);
  });

  it('finishes every other target when one account refuses its role, names the failure, and exits 1', async () => {
    const roles = [{ arn: roleArn(A) }, { arn: roleArn(B), deny: true }, { arn: roleArn(C) }];
    const emulator = await start(organisation({}, roles));
    const result = await runCli([...FAN_OUT, '--delete', '--yes'], emulator.env());
    expect(result.status).toBe(1);
    // B did not run, in either region; the others deleted what they planned.
    expect(result.stdout).toMatch(new RegExp(`^${B}  eu-west-1\\s+(-\\s+)+1 FAILED$`, 'm'));
    expect(result.stdout).toContain(`${B}/eu-west-1: could not assume ${roleArn(B)}: AccessDenied`);
    expect(result.stdout).toContain('6 targets (3 accounts × 2 regions) · 2 FAILED');
    expect(result.stdout).toContain('DELETED: 6 images of 6 planned');
    expect(emulator.digestsIn('web', { account: A, region: 'eu-west-1' })).toHaveLength(3);
    // B's role was asked once, not once per region.
    expect(emulator.callsOf('STS.AssumeRole').filter((call) => call.params.RoleArn === roleArn(B))).toHaveLength(1);
  });

  it('posts one Slack message for the whole fan-out, and writes each target\'s audit trail under its own account and region', async () => {
    const token = 'xoxb-fan-out-test';
    const emulator = await start({ ...organisation(), buckets: ['audit'], slack: { token, channels: [{ id: 'C0FLEET', name: 'platform' }] } });
    const result = await runCli([...FAN_OUT, '--slack', '--slack-channel', 'C0FLEET', '--upload', 's3://audit'], { ...emulator.env(), SLACK_TOKEN: token });
    expect(result.status).toBe(0);
    // One message (no per-target report), naming every target.
    expect(emulator.slack.messages).toHaveLength(1);
    const [message] = emulator.slack.messages;
    expect(message.text.split('\n')[0]).toBe('*ECR Maintainer* · *DRY RUN* · 6 targets (3 accounts × 2 regions)');
    for (const account of [A, B, C]) for (const region of ['eu-west-1', 'eu-west-2']) expect(message.text).toContain(`• \`${account}/${region}\`: `);
    // Each target's CSV, plan and page, in the caller's bucket, under the target.
    const keys = emulator.s3.keys('audit');
    expect(keys).toHaveLength(18);
    for (const account of [A, B, C]) for (const region of ['eu-west-1', 'eu-west-2']) expect(keys.filter((key) => key.startsWith(`runs/${account}/${region}/`))).toHaveLength(3);
    expect(message.text).toContain(`|the plan>`);
    expect(result.stdout).toContain(`Audit trail (each target's page; its CSV and JSON Lines plan lie beside it):\n  ${A}/eu-west-1: s3://audit/runs/${A}/eu-west-1/`);
  });

  it('retries a throttled AssumeRole and goes on', async () => {
    const emulator = await start(organisation({ errors: [{ operation: 'STS.AssumeRole', role: roleArn(A), code: 'Throttling', status: 400, times: 2 }] }));
    const result = await runCli(FAN_OUT, emulator.env());
    expect(result.status).toBe(0);
    expect(emulator.calls.filter((call) => call.operation === 'STS.AssumeRole' && call.params.RoleArn === roleArn(A)).map((call) => call.outcome)).toEqual(['Throttling', 'Throttling', 'ok']);
    expect(result.stdout).toMatch(/^TOTAL\s+4\s+20\s+12\s+8\b/m);
  });

  it('gives the external ID that the roles trust requires, from --external-id or MEMBER_EXTERNAL_ID', async () => {
    const roles = [A, B, C].map((account) => ({ arn: roleArn(account), externalId: 'ecr-maintainer-7f3a' }));
    const emulator = await start(organisation({}, roles));
    const without = await runCli(FAN_OUT, emulator.env());
    expect(without.status).toBe(1);
    expect(without.stdout).toContain('6 targets (3 accounts × 2 regions) · 6 FAILED');
    const withFlag = await runCli([...FAN_OUT, '--external-id', 'ecr-maintainer-7f3a'], emulator.env());
    expect(withFlag.status).toBe(0);
    expect(withFlag.stderr).toContain('MEMBER_EXTERNAL_ID=(set)');
    const withVariable = await runCli(FAN_OUT, { ...emulator.env(), MEMBER_EXTERNAL_ID: 'ecr-maintainer-7f3a' });
    expect(withVariable.status).toBe(0);
    expect(emulator.callsOf('STS.AssumeRole').map((call) => call.params.ExternalId)).toEqual([undefined, undefined, undefined, ...Array<string>(6).fill('ecr-maintainer-7f3a')]);
    const bad = await runCli([...FAN_OUT, '--external-id', 'x'], emulator.env());
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--external-id must be 2 to 1224 of the characters');
  });

  it('refuses fan-out flags that cannot work, with exit 2, before any AWS call', async () => {
    const emulator = await start(organisation());
    const cases: [string[], string][] = [
      [['--accounts', A], '--accounts needs the role to assume in each: --role-name NAME'],
      [['--accounts', `${A},12345`, '--role-name', ROLE], '--accounts: "12345" is not a 12-digit account ID'],
      [['--regions', 'eu-west-1,mars-1'], '--regions: "mars-1" is not an AWS region such as eu-west-1'],
      [['--regions', 'eu-west-1', '--region', 'eu-west-2'], 'give --region or --regions, not both'],
      [['--role-name', ROLE], '--role-name has no effect without --accounts or --workload-accounts'],
      [['--accounts', A, '--role-arn-template', 'arn:aws:iam::111111111111:role/x'], '--role-arn-template must be a role ARN with {account} where the account goes'],
      [['--workload-accounts', WORKLOADS], '--workload-accounts needs the role to assume in each'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args, emulator.env());
      expect({ args, status: result.status, said: result.stderr.includes(message) }).toEqual({ args, status: 2, said: true });
    }
    expect(emulator.calls).toHaveLength(0);
  });
});

describe('a task that pulls from another region', () => {
  /** A, eu-west-1 holds `app`; only a task in A, us-east-1 runs `app:v1`, pulling across regions. */
  function crossRegion(): Fixture {
    const host = registryHost({ accountId: A, region: 'eu-west-1' });
    return {
      accountId: CALLER,
      region: 'eu-west-2',
      repositories: [],
      accounts: [registry(A, 'eu-west-1', ['app']), { accountId: A, region: 'us-east-1', clusters: [{ name: 'east', tasks: [{ id: 'reader', containers: [{ name: 'app', image: `${host}/app:v1` }] }] }] }],
      roles: [{ arn: roleArn(A) }],
    };
  }

  it('keeps the image when the fan-out covers that region too, and says where the task runs', async () => {
    const emulator = await start(crossRegion());
    const result = await runCli(['--accounts', A, '--regions', 'eu-west-1,us-east-1', '--role-name', ROLE, '--delete', '--yes', '--json', 'plan.jsonl'], emulator.env());
    expect(result.status).toBe(0);
    const records = planRecords(path.join(result.cwd, 'plan.jsonl'));
    const v1 = records.find((record) => record.type === 'artifact' && record.region === 'eu-west-1' && (record.tags as string[]).includes('v1')) as PlanRecord;
    expect(v1.usedBy).toEqual(['running task east/reader (app) in us-east-1']);
    expect(emulator.digestsIn('app', { account: A, region: 'eu-west-1' })).toHaveLength(4);
  });

  it('deletes nothing in the registry when another region of the fan-out cannot be read', async () => {
    const emulator = await start({ ...crossRegion(), faults: { errors: [{ operation: 'ECS.ListClusters', account: A, region: 'us-east-1' }] } });
    const result = await runCli(['--accounts', A, '--regions', 'eu-west-1,us-east-1', '--role-name', ROLE, '--delete', '--yes'], emulator.env());
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`NOTHING DELETED in ${A}/eu-west-1: in-use discovery was incomplete`);
    expect(result.stdout).toContain(`${A}/eu-west-1: in-use discovery: workloads in us-east-1: `);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toHaveLength(0);
  });
});

describe('a central registry and its workload accounts', () => {
  it("keeps an image that only a task in a workload account runs, and says where it runs", async () => {
    const emulator = await start(centralRegistry());
    const result = await runCli([...CENTRAL, '--workload-accounts', WORKLOADS, '--explain', '--json', 'plan.jsonl'], emulator.env());
    expect(result.status).toBe(0);
    expect(result.stderr).toContain(`Workloads also searched for images in use: ${WORKLOADS}`);
    // The workload account's ECS was read under its own role, in the registry's region.
    expect(emulator.callsOf('ECS.ListClusters', { account: WORKLOADS, region: 'eu-west-1' })).toHaveLength(1);
    const records = planRecords(path.join(result.cwd, 'plan.jsonl'));
    expect(deletedTags(records, A, 'eu-west-1', 'app')).toEqual(['v2']);
    const v1 = records.find((record) => record.type === 'artifact' && (record.tags as string[]).includes('v1')) as PlanRecord;
    expect(v1.action).toBe('keep');
    expect(v1.usedBy).toEqual([`running task shop/checkout (app) in account ${WORKLOADS}`]);
    expect(result.stdout).toContain(`running task shop/checkout (app) in account ${WORKLOADS}`);
  });

  it('gives workload accounts to one registry with REGISTRY=WORKLOAD, so that another registry does not wait on them', async () => {
    const fixture = centralRegistry({}, [{ arn: roleArn(A) }, { arn: roleArn(B) }, { arn: roleArn(WORKLOADS), deny: true }]);
    const emulator = await start({ ...fixture, accounts: [...(fixture.accounts ?? []), registry(B, 'eu-west-1', ['api'])] });
    const result = await runCli(['--accounts', `${A},${B}`, '--regions', 'eu-west-1', '--role-name', ROLE, '--workload-accounts', `${A}=${WORKLOADS}`, '--delete', '--yes'], emulator.env());
    expect(result.status).toBe(1);
    // A waits on its unreadable workload account; B does not.
    expect(result.stdout).toContain(`NOTHING DELETED in ${A}/eu-west-1`);
    expect(result.stdout).not.toContain(`NOTHING DELETED in ${B}/eu-west-1`);
    expect(emulator.digestsIn('api', { account: B, region: 'eu-west-1' })).toHaveLength(3);
    expect(emulator.digestsIn('app', { account: A, region: 'eu-west-1' })).toHaveLength(5);
    const unknown = await runCli(['--accounts', A, '--regions', 'eu-west-1', '--role-name', ROLE, '--workload-accounts', `${C}=${WORKLOADS}`], emulator.env());
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(`--workload-accounts names the registry ${C}=…, which is not cleaned here`);
  });

  it('deletes that image without the workload account, which shows that the account is what keeps it', async () => {
    const emulator = await start(centralRegistry());
    const result = await runCli([...CENTRAL, '--json', 'plan.jsonl'], emulator.env());
    expect(result.status).toBe(0);
    expect(deletedTags(planRecords(path.join(result.cwd, 'plan.jsonl')), A, 'eu-west-1', 'app')).toEqual(['v1', 'v2']);
  });

  it.each([
    ['its role is refused', centralRegistry({}, [{ arn: roleArn(A) }, { arn: roleArn(WORKLOADS), deny: true }]), `workloads in account ${WORKLOADS}: could not assume ${roleArn(WORKLOADS)}: AccessDenied`],
    ['its ECS may not be listed', centralRegistry({ errors: [{ operation: 'ECS.ListClusters', account: WORKLOADS }] }), `workloads in account ${WORKLOADS}: `],
    ['its Lambda functions may not be listed', centralRegistry({ errors: [{ operation: 'Lambda.ListFunctions', account: WORKLOADS }] }), `workloads in account ${WORKLOADS}: `],
  ])('deletes nothing in the registry when a workload account cannot be read (%s), and names the account', async (_case, fixture, message) => {
    const emulator: Emulator = await start(fixture);
    const result = await runCli([...CENTRAL, '--workload-accounts', WORKLOADS, '--delete', '--yes'], emulator.env());
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('NOTHING DELETED');
    expect(result.stdout).toContain(message);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toHaveLength(0);
    expect(emulator.digestsIn('app', { account: A, region: 'eu-west-1' })).toHaveLength(5);
  });
});
