/**
 * The emulator serves many accounts and regions: a call is served as the account of its access key and
 * in the region of its signature, each account and region with its own resources, through the real SDK.
 */
import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, ListEventBusesCommand } from '@aws-sdk/client-eventbridge';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { image, type Fixture } from './fixture';
import { Emulator } from './server';

const PRIMARY = '111111111111';
const MEMBER = '222222222222';
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/ecr-maintainer`;

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}
const DEFAULT_CREDENTIALS: Credentials = { accessKeyId: 'emulator', secretAccessKey: 'emulator' };

function fixture(): Fixture {
  return {
    accountId: PRIMARY,
    region: 'eu-west-2',
    repositories: [{ name: 'core', images: [image('core-1')] }],
    secrets: { slack: 'xoxb-primary' },
    accounts: [
      { accountId: PRIMARY, region: 'us-east-1', repositories: [{ name: 'core-us', images: [] }] },
      { accountId: MEMBER, region: 'eu-west-2', repositories: [{ name: 'shop', images: [image('shop-1'), image('shop-2')] }], secrets: { slack: 'xoxb-member' } },
      {
        accountId: MEMBER,
        region: 'us-east-1',
        repositories: [{ name: 'shop-us', images: [image('shop-us-1')] }],
        clusters: [{ name: 'prod' }],
        functions: [{ name: 'resizer', latest: { uri: `${MEMBER}.dkr.ecr.us-east-1.amazonaws.com/shop-us:1` } }],
        eventBuses: [{ name: 'orders' }],
        scheduleGroups: [{ name: 'nightly', schedules: [{ name: 'report', target: { arn: 'prod', taskDefinition: 'report:1' } }] }],
      },
    ],
    roles: [{ arn: MEMBER_ROLE }],
    buckets: ['shared-config'],
    objects: [{ bucket: 'shared-config', key: 'in-use.txt', body: 'hello' }],
  };
}

let emulator: Emulator;
const clients: { destroy(): void }[] = [];

/** A client of the emulator for `region`, signed with `credentials`, that makes one attempt per call. */
function client<T extends { destroy(): void }>(Client: new (config: object) => T, region: string, credentials: Credentials = DEFAULT_CREDENTIALS): T {
  const made = new Client({ region, endpoint: emulator.url, credentials, maxAttempts: 1, forcePathStyle: true });
  clients.push(made);
  return made;
}

async function repositoriesIn(region: string, credentials?: Credentials): Promise<{ name?: string; uri?: string; registryId?: string }[]> {
  const { repositories = [] } = await client(ECRClient, region, credentials).send(new DescribeRepositoriesCommand({}));
  return repositories.map((repository) => ({ name: repository.repositoryName, uri: repository.repositoryUri, registryId: repository.registryId }));
}

async function assumeMemberRole(): Promise<Credentials> {
  const { Credentials: credentials } = await client(STSClient, 'eu-west-2').send(new AssumeRoleCommand({ RoleArn: MEMBER_ROLE, RoleSessionName: 'fan-out' }));
  return { accessKeyId: credentials!.AccessKeyId!, secretAccessKey: credentials!.SecretAccessKey!, sessionToken: credentials!.SessionToken! };
}

beforeEach(async () => {
  emulator = await Emulator.start(fixture());
});
afterEach(async () => {
  for (const made of clients.splice(0)) made.destroy();
  await emulator.stop();
});

describe('accounts and regions', () => {
  it('serves the primary account in the region that each request was signed for, and an empty registry where the fixture names nothing', async () => {
    const london = await repositoriesIn('eu-west-2');
    const virginia = await repositoriesIn('us-east-1');
    const mumbai = await repositoriesIn('ap-south-1');

    expect(london).toEqual([{ name: 'core', uri: `${PRIMARY}.dkr.ecr.eu-west-2.amazonaws.com/core`, registryId: PRIMARY }]);
    expect(virginia).toEqual([{ name: 'core-us', uri: `${PRIMARY}.dkr.ecr.us-east-1.amazonaws.com/core-us`, registryId: PRIMARY }]);
    expect(mumbai).toEqual([]);
  });

  it("serves the role's account to the credentials that AssumeRole handed out, in each client's region", async () => {
    const member = await assumeMemberRole();

    const london = await repositoriesIn('eu-west-2', member);
    const virginia = await repositoriesIn('us-east-1', member);
    const clusters = await client(ECSClient, 'us-east-1', member).send(new ListClustersCommand({}));
    const identity = await client(STSClient, 'us-east-1', member).send(new GetCallerIdentityCommand({}));

    expect(london).toEqual([{ name: 'shop', uri: `${MEMBER}.dkr.ecr.eu-west-2.amazonaws.com/shop`, registryId: MEMBER }]);
    expect(virginia).toEqual([{ name: 'shop-us', uri: `${MEMBER}.dkr.ecr.us-east-1.amazonaws.com/shop-us`, registryId: MEMBER }]);
    expect(clusters.clusterArns).toEqual([`arn:aws:ecs:us-east-1:${MEMBER}:cluster/prod`]);
    expect(identity.Account).toBe(MEMBER);
  });

  it("answers every per-account service from that account's resources, with ARNs of its account and region", async () => {
    const member = await assumeMemberRole();

    const secret = await client(SecretsManagerClient, 'eu-west-2', member).send(new GetSecretValueCommand({ SecretId: 'slack' }));
    const primarySecret = await client(SecretsManagerClient, 'eu-west-2').send(new GetSecretValueCommand({ SecretId: 'slack' }));
    const functions = await client(LambdaClient, 'us-east-1', member).send(new ListFunctionsCommand({}));
    const buses = await client(EventBridgeClient, 'us-east-1', member).send(new ListEventBusesCommand({}));
    const schedules = await client(SchedulerClient, 'us-east-1', member).send(new ListSchedulesCommand({}));
    const noSchedules = await client(SchedulerClient, 'eu-west-2', member).send(new ListSchedulesCommand({}));

    expect([secret.SecretString, secret.ARN]).toEqual(['xoxb-member', `arn:aws:secretsmanager:eu-west-2:${MEMBER}:secret:slack-AbCdEf`]);
    expect(primarySecret.SecretString).toBe('xoxb-primary');
    expect(functions.Functions?.map((fn) => fn.FunctionArn)).toEqual([`arn:aws:lambda:us-east-1:${MEMBER}:function:resizer`]);
    expect(buses.EventBuses?.map((bus) => bus.Arn)).toEqual([`arn:aws:events:us-east-1:${MEMBER}:event-bus/default`, `arn:aws:events:us-east-1:${MEMBER}:event-bus/orders`]);
    expect(schedules.Schedules?.map((schedule) => schedule.Arn)).toEqual([`arn:aws:scheduler:us-east-1:${MEMBER}:schedule/nightly/report`]);
    expect(noSchedules.Schedules).toEqual([]);
  });

  it('keeps S3 one namespace, whatever the account', async () => {
    const member = await assumeMemberRole();

    const object = await client(S3Client, 'us-east-1', member).send(new GetObjectCommand({ Bucket: 'shared-config', Key: 'in-use.txt' }));

    expect(await object.Body?.transformToString()).toBe('hello');
    expect(emulator.callsOf('S3.GetObject', { account: MEMBER })).toHaveLength(1);
  });

  it('records each call with the account and region it was served as, which callsOf can filter on', async () => {
    const member = await assumeMemberRole();
    await repositoriesIn('us-east-1', member);
    await repositoriesIn('eu-west-2');

    const [memberCall] = emulator.callsOf('ECR.DescribeRepositories', { account: MEMBER });
    const [primaryCall] = emulator.callsOf('ECR.DescribeRepositories', { account: PRIMARY, region: 'eu-west-2' });

    expect([memberCall.account, memberCall.region]).toEqual([MEMBER, 'us-east-1']);
    expect([primaryCall.account, primaryCall.region]).toEqual([PRIMARY, 'eu-west-2']);
    expect(emulator.callsOf('ECR.DescribeRepositories', { region: 'ap-south-1' })).toEqual([]);
    expect(emulator.callsOf('STS.AssumeRole')[0]).toMatchObject({ account: PRIMARY, region: 'eu-west-2', outcome: 'ok' });
    // Not enumerable: a whole-call comparison need not name them.
    expect(primaryCall).toEqual({ operation: 'ECR.DescribeRepositories', params: {}, outcome: 'ok' });
  });

  it("gives any account and region's services through at(), empty where the fixture names none, and digestsIn reads any of them", () => {
    const shop = emulator.at(MEMBER, 'eu-west-2');
    const fresh = emulator.at('333333333333', 'eu-central-1');

    expect([...shop.ecr.repositories.keys()]).toEqual(['shop']);
    expect(emulator.at(PRIMARY, 'eu-west-2').ecr).toBe(emulator.ecr);
    expect(fresh.ecr.repositories.size).toBe(0);
    expect(emulator.at('333333333333', 'eu-central-1')).toBe(fresh);
    expect(emulator.digestsIn('shop', { account: MEMBER, region: 'eu-west-2' })).toEqual([image('shop-1').digest, image('shop-2').digest].sort());
    expect(emulator.digestsIn('shop')).toEqual([]);
    expect(emulator.digestsIn('core')).toEqual([image('core-1').digest]);
  });

  it('fails only the calls of the account and region that a fault rule names, in that account', async () => {
    emulator.setFaults({ errors: [{ operation: 'ECR.DescribeRepositories', account: MEMBER, region: 'us-east-1' }] });
    const member = await assumeMemberRole();

    const refused = client(ECRClient, 'us-east-1', member).send(new DescribeRepositoriesCommand({}));

    await expect(refused).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: `User: arn:aws:sts::${MEMBER}:assumed-role/ecr-maintainer/cleaner is not authorized to perform: ecr:DescribeRepositories on resource: *`,
    });
    await expect(repositoriesIn('eu-west-2', member)).resolves.toHaveLength(1);
    await expect(repositoriesIn('us-east-1')).resolves.toHaveLength(1);
    expect(emulator.calls.filter((call) => call.operation === 'ECR.DescribeRepositories').map((call) => `${call.account} ${call.region} ${call.outcome}`)).toEqual([
      `${MEMBER} us-east-1 AccessDeniedException`,
      `${MEMBER} eu-west-2 ok`,
      `${PRIMARY} us-east-1 ok`,
    ]);
  });
});

describe('credentials the emulator did not hand out', () => {
  const unknown: Credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };

  it.each([
    ['ECR (JSON 1.1)', () => client(ECRClient, 'eu-west-2', unknown).send(new DescribeRepositoriesCommand({})), 'UnrecognizedClientException', 400],
    ['Lambda (REST-JSON)', () => client(LambdaClient, 'eu-west-2', unknown).send(new ListFunctionsCommand({})), 'UnrecognizedClientException', 403],
    ['Scheduler (REST-JSON)', () => client(SchedulerClient, 'eu-west-2', unknown).send(new ListSchedulesCommand({})), 'UnrecognizedClientException', 403],
    ['STS (query)', () => client(STSClient, 'eu-west-2', unknown).send(new GetCallerIdentityCommand({})), 'InvalidClientTokenId', 403],
    ['S3 (REST-XML)', () => client(S3Client, 'eu-west-2', unknown).send(new GetObjectCommand({ Bucket: 'shared-config', Key: 'in-use.txt' })), 'InvalidAccessKeyId', 403],
  ] as const)('refuses an access key in AWS form that it never issued, over %s', async (_protocol, send, code, status) => {
    await expect(send()).rejects.toMatchObject({ name: code, $metadata: { httpStatusCode: status } });
    expect(emulator.calls).toEqual([expect.objectContaining({ outcome: code })]);
    expect(emulator.calls[0].account).toBe('');
  });

  it('refuses an assumed access key signed with another session token', async () => {
    const member = await assumeMemberRole();

    const forged = repositoriesIn('eu-west-2', { ...member, sessionToken: 'FwoGZXIvYXdzEforged' });
    const without = repositoriesIn('eu-west-2', { accessKeyId: member.accessKeyId, secretAccessKey: member.secretAccessKey });

    await expect(forged).rejects.toMatchObject({ name: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' });
    await expect(without).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('serves a dummy key that is not in AWS form (such as "x") as the primary account, as local tools send', async () => {
    await expect(repositoriesIn('eu-west-2', { accessKeyId: 'x', secretAccessKey: 'x' })).resolves.toEqual([expect.objectContaining({ registryId: PRIMARY })]);
  });
});

describe('a fixture of many accounts', () => {
  it.each([
    ['the primary account and region again', { accountId: PRIMARY, region: 'eu-west-2' }, /accounts\[0\] \(111111111111 in eu-west-2\): is the primary account and region/],
    ['an account that is not 12 digits', { accountId: '2222', region: 'eu-west-2' }, /accounts\[0\] \(2222 in eu-west-2\): accountId must be 12 digits/],
  ])('refuses %s', async (_title, entry, message) => {
    await expect(Emulator.start({ accountId: PRIMARY, repositories: [], accounts: [entry] })).rejects.toThrow(message);
  });

  it('refuses an account and region named twice, and a role that is not a role ARN', async () => {
    const twice = { accountId: MEMBER, region: 'us-east-1' };

    await expect(Emulator.start({ repositories: [], accounts: [twice, twice] })).rejects.toThrow(/accounts\[1\] \(222222222222 in us-east-1\): names this account and region a second time/);
    await expect(Emulator.start({ repositories: [], roles: [{ arn: `arn:aws:iam::${MEMBER}:user/bob` }] })).rejects.toThrow(/is not a role ARN/);
  });
});
