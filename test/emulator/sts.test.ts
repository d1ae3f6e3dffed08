/**
 * The emulated STS AssumeRole and GetCallerIdentity, through the real SDK: the answer's shapes, the
 * model's limits, the fixture's trust (roles, external IDs, denials) and faults.
 */
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput, type AssumeRoleCommandOutput } from '@aws-sdk/client-sts';
import type { Fixture } from './fixture';
import { Emulator } from './server';

const PRIMARY = '111111111111';
const CALLER = `arn:aws:sts::${PRIMARY}:assumed-role/ecr-maintainer/cleaner`;
const MEMBER_ROLE = 'arn:aws:iam::222222222222:role/ecr-maintainer';
const PARTNER_ROLE = 'arn:aws:iam::333333333333:role/team/audit/reader';
const DENIED_ROLE = 'arn:aws:iam::444444444444:role/ecr-maintainer';
const LONG_ROLE = 'arn:aws:iam::555555555555:role/long-runs';

const FIXTURE: Fixture = {
  accountId: PRIMARY,
  repositories: [],
  roles: [{ arn: MEMBER_ROLE }, { arn: PARTNER_ROLE, externalId: 'org-7f3a' }, { arn: DENIED_ROLE, deny: true }, { arn: LONG_ROLE, maxSessionDurationSeconds: 43_200 }],
};

let emulator: Emulator;
const clients: STSClient[] = [];

function sts(credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = { accessKeyId: 'emulator', secretAccessKey: 'emulator' }, maxAttempts = 1): STSClient {
  const client = new STSClient({ region: 'eu-west-2', endpoint: emulator.url, credentials, maxAttempts });
  clients.push(client);
  return client;
}

function assume(input: Partial<AssumeRoleCommandInput>, client = sts()): Promise<AssumeRoleCommandOutput> {
  return client.send(new AssumeRoleCommand({ RoleArn: MEMBER_ROLE, RoleSessionName: 'fan-out', ...input }));
}

beforeEach(async () => {
  emulator = await Emulator.start(FIXTURE);
});
afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await emulator.stop();
});

describe('AssumeRole', () => {
  it('answers temporary credentials that expire after DurationSeconds, and the assumed-role user', async () => {
    const before = Date.now();

    const output = await assume({ DurationSeconds: 900 });

    const { Credentials: credentials, AssumedRoleUser: user } = output;
    expect(credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(credentials?.SecretAccessKey).toEqual(expect.stringMatching(/^\S{40}$/));
    expect(credentials?.SessionToken).toEqual(expect.any(String));
    expect(credentials!.Expiration!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 900_000);
    expect(credentials!.Expiration!.getTime()).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(user).toEqual({ Arn: 'arn:aws:sts::222222222222:assumed-role/ecr-maintainer/fan-out', AssumedRoleId: expect.stringMatching(/^AROA[A-Z0-9]{17}:fan-out$/) });
  });

  it('gives credentials for an hour by default, and new ones on each call', async () => {
    const first = await assume({});
    const second = await assume({});

    expect(first.Credentials!.Expiration!.getTime() - Date.now()).toBeGreaterThan(3_590_000);
    expect(first.Credentials!.Expiration!.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
    expect(second.Credentials?.AccessKeyId).not.toBe(first.Credentials?.AccessKeyId);
    expect(second.AssumedRoleUser?.AssumedRoleId).toBe(first.AssumedRoleUser?.AssumedRoleId);
  });

  it('names the role, not its path, in the assumed-role ARN, and takes the external ID that the role requires', async () => {
    const output = await assume({ RoleArn: PARTNER_ROLE, RoleSessionName: 'audit@example.com', ExternalId: 'org-7f3a' });

    expect(output.AssumedRoleUser?.Arn).toBe('arn:aws:sts::333333333333:assumed-role/reader/audit@example.com');
  });

  it("answers GetCallerIdentity under assumed credentials with the role's account and the assumed-role ARN, and under the primary key as before", async () => {
    const { Credentials: credentials, AssumedRoleUser: user } = await assume({});
    const assumed = sts({ accessKeyId: credentials!.AccessKeyId!, secretAccessKey: credentials!.SecretAccessKey!, sessionToken: credentials!.SessionToken! });

    const identity = await assumed.send(new GetCallerIdentityCommand({}));
    const primary = await sts().send(new GetCallerIdentityCommand({}));

    expect(identity).toMatchObject({ Account: '222222222222', Arn: user?.Arn, UserId: user?.AssumedRoleId });
    expect(primary).toMatchObject({ Account: PRIMARY, Arn: CALLER });
  });

  it('lets assumed credentials assume another role, for at most an hour, and names them as the caller when denied', async () => {
    const { Credentials: credentials } = await assume({});
    const assumed = sts({ accessKeyId: credentials!.AccessKeyId!, secretAccessKey: credentials!.SecretAccessKey!, sessionToken: credentials!.SessionToken! });

    const chained = await assume({ RoleArn: LONG_ROLE, RoleSessionName: 'chained' }, assumed);
    const tooLong = assume({ RoleArn: LONG_ROLE, DurationSeconds: 7200 }, assumed);
    const denied = assume({ RoleArn: DENIED_ROLE }, assumed);

    expect(chained.AssumedRoleUser?.Arn).toBe('arn:aws:sts::555555555555:assumed-role/long-runs/chained');
    await expect(tooLong).rejects.toMatchObject({ name: 'ValidationError', message: 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.' });
    await expect(denied).rejects.toMatchObject({
      message: `User: arn:aws:sts::222222222222:assumed-role/ecr-maintainer/fan-out is not authorized to perform: sts:AssumeRole on resource: ${DENIED_ROLE}`,
    });
  });

  it("refuses a DurationSeconds above the role's MaxSessionDuration (an hour unless the fixture says otherwise)", async () => {
    await expect(assume({ DurationSeconds: 7200 })).rejects.toMatchObject({
      name: 'ValidationError',
      message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(assume({ RoleArn: LONG_ROLE, DurationSeconds: 43_200 })).resolves.toMatchObject({ AssumedRoleUser: expect.any(Object) });
  });

  it.each([
    ['a role the fixture does not list', { RoleArn: 'arn:aws:iam::222222222222:role/other' }],
    ['a role whose trust denies the caller', { RoleArn: DENIED_ROLE }],
    ['a role that needs an external ID, without one', { RoleArn: PARTNER_ROLE }],
    ['a role that needs an external ID, with another', { RoleArn: PARTNER_ROLE, ExternalId: 'org-0000' }],
  ])('answers AccessDenied (403) for %s, naming the caller and the role', async (_title, input) => {
    await expect(assume(input)).rejects.toMatchObject({
      name: 'AccessDenied',
      message: `User: ${CALLER} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`,
      $metadata: { httpStatusCode: 403 },
    });
    expect(emulator.callsOf('STS.AssumeRole').map((call) => call.outcome)).toEqual(['AccessDenied']);
  });

  it.each([
    ['a one-character session name', { RoleSessionName: 'a' }, "Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"],
    ['a 65-character session name', { RoleSessionName: 's'.repeat(65) }, `Value '${'s'.repeat(65)}' at 'roleSessionName' failed to satisfy constraint: Member must have length less than or equal to 64`],
    ['a session name with a slash', { RoleSessionName: 'team/me' }, "Value 'team/me' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"],
    ['DurationSeconds under 900', { DurationSeconds: 899 }, "Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"],
    ['DurationSeconds over 43200', { DurationSeconds: 43_201 }, "Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200"],
    ['a RoleArn under 20 characters', { RoleArn: 'arn:aws:iam::1:r/x' }, "Value 'arn:aws:iam::1:r/x' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"],
    ['a one-character ExternalId', { ExternalId: 'x' }, "Value 'x' at 'externalId' failed to satisfy constraint: Member must have length greater than or equal to 2"],
    ['an ExternalId over 1224 characters', { ExternalId: 'e'.repeat(1225) }, `Value '${'e'.repeat(1225)}' at 'externalId' failed to satisfy constraint: Member must have length less than or equal to 1224`],
    ['an ExternalId with a space', { ExternalId: 'org 7' }, "Value 'org 7' at 'externalId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*"],
    ['no RoleSessionName', { RoleSessionName: undefined }, "Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"],
  ])('answers ValidationError (400) for %s, as the STS model constrains it', async (_title, input, problem) => {
    await expect(assume(input)).rejects.toMatchObject({ name: 'ValidationError', message: `1 validation error detected: ${problem}`, $metadata: { httpStatusCode: 400 } });
  });

  it('lists every problem in one ValidationError, before it looks at the role', async () => {
    await expect(assume({ RoleArn: DENIED_ROLE, RoleSessionName: 'a', DurationSeconds: 60 })).rejects.toMatchObject({
      name: 'ValidationError',
      message:
        "2 validation errors detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2; Value '60' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900",
    });
  });

  it('throttles the AssumeRole calls of one role that a fault rule names, which the SDK retries as throttling', async () => {
    emulator.setFaults({ errors: [{ operation: 'STS.AssumeRole', role: MEMBER_ROLE, code: 'Throttling', message: 'Rate exceeded', times: 2 }] });

    const other = await assume({ RoleArn: LONG_ROLE });
    const once = assume({}, sts(undefined, 1));
    await expect(once).rejects.toMatchObject({ name: 'Throttling', message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } });
    const retried = await assume({}, sts(undefined, 3));

    expect(other.AssumedRoleUser?.Arn).toContain('long-runs');
    expect(retried.AssumedRoleUser?.Arn).toContain('ecr-maintainer');
    expect(emulator.callsOf('STS.AssumeRole').map((call) => [call.params.RoleArn, call.outcome])).toEqual([
      [LONG_ROLE, 'ok'],
      [MEMBER_ROLE, 'Throttling'],
      [MEMBER_ROLE, 'Throttling'],
      [MEMBER_ROLE, 'ok'],
    ]);
  });

  it('records AssumeRole with its parameters, served as the calling account', async () => {
    await assume({ RoleArn: PARTNER_ROLE, ExternalId: 'org-7f3a', DurationSeconds: 1800 });

    const [call] = emulator.callsOf('STS.AssumeRole');
    expect(call).toMatchObject({
      params: { Action: 'AssumeRole', Version: '2011-06-15', RoleArn: PARTNER_ROLE, RoleSessionName: 'fan-out', ExternalId: 'org-7f3a', DurationSeconds: '1800' },
      outcome: 'ok',
      account: PRIMARY,
      region: 'eu-west-2',
    });
  });

  it('refuses AssumeRole under primary credentials that the fixture makes invalid', async () => {
    const broken = await Emulator.start({ ...FIXTURE, callerIdentity: { error: 'ExpiredToken' } });
    const client = new STSClient({ region: 'eu-west-2', endpoint: broken.url, credentials: { accessKeyId: 'emulator', secretAccessKey: 'emulator' }, maxAttempts: 1 });
    try {
      await expect(client.send(new AssumeRoleCommand({ RoleArn: MEMBER_ROLE, RoleSessionName: 'fan-out' }))).rejects.toMatchObject({ name: 'ExpiredToken', $metadata: { httpStatusCode: 403 } });
    } finally {
      client.destroy();
      await broken.stop();
    }
  });
});
