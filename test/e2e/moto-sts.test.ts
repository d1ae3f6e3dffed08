/**
 * A cross-check of the emulator's accounts and STS AssumeRole against moto_server (moto 5.2.1), which
 * nobody here wrote. moto serves many accounts the same way: the credentials that its AssumeRole hands
 * out belong to the role's account, and a call signed with them is served in that account, in the
 * region the client signed for. The same sequence runs against both through the real SDK (AssumeRole
 * with an external ID, GetCallerIdentity under the assumed credentials, ECR DescribeRepositories under
 * them in two regions and under the first credentials), and what a client observes must be the same.
 *
 * Where moto and the emulator differ, the emulator follows AWS (left out of the comparison, and tested
 * against the emulator alone in test/emulator/sts.test.ts and accounts.test.ts):
 * - moto checks none of AssumeRole's constraints: a one-character or slashed RoleSessionName, a
 *   DurationSeconds of 899 and a one-character ExternalId all pass. STS answers ValidationError, by the
 *   model's limits (`roleSessionNameType` 2–64 `[\w+=,.@-]*`, `roleDurationSecondsType` 900–43200,
 *   `externalIdType` 2–1224, `arnType` 20–2048).
 * - moto lets any caller assume any role, whatever its external ID. IAM checks the role's trust policy,
 *   and STS answers AccessDenied (403); the emulator takes the trust from `Fixture.roles`.
 * - moto serves an access key it never issued (`AKIAIOSFODNN7EXAMPLE`) as its default account. AWS
 *   refuses it (UnrecognizedClientException, InvalidClientTokenId, InvalidAccessKeyId); so does the
 *   emulator for a key in AWS's form, while a dummy key (`emulator`, `moto`, `x`) is its primary account.
 * - moto's GetCallerIdentity answers a new role ID in UserId on each call, unlike the AssumedRoleId that
 *   AssumeRole gave; IAM's role ID is stable, and the emulator answers the same one. Only the form
 *   (`AROA` and 17 characters, `:` and the session name) is compared.
 * - moto answers PackedPolicySize 6 without a session policy or tags; STS gives it only for those
 *   (the emulator never does). Not compared.
 * - moto's default caller is `arn:aws:sts::123456789012:user/moto`; the emulator's is the fixture's
 *   (`…:assumed-role/ecr-maintainer/cleaner` by default). Not compared.
 */
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Emulator } from '../emulator/server';
import { MOTO_AVAILABLE, reportMotoMissing, startMoto } from '../support/moto';

jest.setTimeout(90_000);

const PRIMARY = '123456789012';
const MEMBER = '222222222222';
const ROLE = `arn:aws:iam::${MEMBER}:role/ecr-maintainer`;
const EXTERNAL_ID = 'org-7f3a';
const DURATION_SECONDS = 900;

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** What a client observes of the sequence, with the random parts reduced to their form. */
async function scenario(endpoint: string, first: Credentials, seed: (ecr: ECRClient) => Promise<void>): Promise<unknown> {
  const clients: { destroy(): void }[] = [];
  const ecr = (region: string, credentials: Credentials): ECRClient => {
    const client = new ECRClient({ region, endpoint, credentials, maxAttempts: 1 });
    clients.push(client);
    return client;
  };
  const repositories = async (client: ECRClient): Promise<unknown[]> =>
    ((await client.send(new DescribeRepositoriesCommand({}))).repositories ?? []).map((repository) => ({
      name: repository.repositoryName,
      arn: repository.repositoryArn,
      uri: repository.repositoryUri,
      registryId: repository.registryId,
    }));
  try {
    const sts = new STSClient({ region: 'eu-west-2', endpoint, credentials: first, maxAttempts: 1 });
    clients.push(sts);
    const before = Date.now();
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'fan-out', DurationSeconds: DURATION_SECONDS, ExternalId: EXTERNAL_ID }));
    const issued = assumed.Credentials!;
    const credentials = { accessKeyId: issued.AccessKeyId!, secretAccessKey: issued.SecretAccessKey!, sessionToken: issued.SessionToken! };
    const assumedSts = new STSClient({ region: 'us-east-1', endpoint, credentials, maxAttempts: 1 });
    clients.push(assumedSts);
    const identity = await assumedSts.send(new GetCallerIdentityCommand({}));
    await seed(ecr('us-east-1', credentials));

    return {
      credentials: {
        accessKeyId: /^ASIA[A-Z0-9]{16}$/.test(credentials.accessKeyId),
        secretAccessKey: credentials.secretAccessKey.length,
        sessionToken: credentials.sessionToken.length > 0,
        expiresInSeconds: Math.round((issued.Expiration!.getTime() - before) / 10_000) * 10,
      },
      assumedRoleUser: { arn: assumed.AssumedRoleUser?.Arn, assumedRoleId: /^AROA[A-Z0-9]{17}:fan-out$/.test(assumed.AssumedRoleUser?.AssumedRoleId ?? '') },
      identity: { account: identity.Account, arn: identity.Arn, userId: /^AROA[A-Z0-9]{17}:fan-out$/.test(identity.UserId ?? '') },
      repositories: {
        assumedUsEast1: await repositories(ecr('us-east-1', credentials)),
        assumedEuWest2: await repositories(ecr('eu-west-2', credentials)),
        firstUsEast1: await repositories(ecr('us-east-1', first)),
      },
    };
  } finally {
    for (const client of clients) client.destroy();
  }
}

const EXPECTED = {
  credentials: { accessKeyId: true, secretAccessKey: 40, sessionToken: true, expiresInSeconds: DURATION_SECONDS },
  assumedRoleUser: { arn: `arn:aws:sts::${MEMBER}:assumed-role/ecr-maintainer/fan-out`, assumedRoleId: true },
  identity: { account: MEMBER, arn: `arn:aws:sts::${MEMBER}:assumed-role/ecr-maintainer/fan-out`, userId: true },
  repositories: {
    assumedUsEast1: [
      { name: 'shop-us', arn: `arn:aws:ecr:us-east-1:${MEMBER}:repository/shop-us`, uri: `${MEMBER}.dkr.ecr.us-east-1.amazonaws.com/shop-us`, registryId: MEMBER },
    ],
    assumedEuWest2: [],
    firstUsEast1: [],
  },
};

if (!MOTO_AVAILABLE) {
  reportMotoMissing('STS AssumeRole and accounts');
} else {
  describe('STS AssumeRole and the accounts it serves, against moto_server', () => {
    it('gives the same credentials, assumed-role ARN, caller account and per-account, per-region ECR as moto', async () => {
      const moto = await startMoto();
      const emulator = await Emulator.start({
        accountId: PRIMARY,
        region: 'eu-west-2',
        repositories: [],
        accounts: [{ accountId: MEMBER, region: 'us-east-1', repositories: [{ name: 'shop-us', images: [] }] }],
        roles: [{ arn: ROLE, externalId: EXTERNAL_ID }],
      });
      try {
        const fromMoto = await scenario(moto.endpoint, { accessKeyId: 'moto', secretAccessKey: 'moto' }, async (ecr) => {
          await ecr.send(new CreateRepositoryCommand({ repositoryName: 'shop-us' }));
        });
        const fromEmulator = await scenario(emulator.url, { accessKeyId: 'emulator', secretAccessKey: 'emulator' }, () => Promise.resolve());

        expect(fromMoto).toEqual(EXPECTED);
        expect(fromEmulator).toEqual(fromMoto);
        expect(emulator.callsOf('ECR.DescribeRepositories').map((call) => `${call.account} ${call.region}`)).toEqual([`${MEMBER} us-east-1`, `${MEMBER} eu-west-2`, `${PRIMARY} us-east-1`]);
      } finally {
        moto.process.kill();
        await emulator.stop();
      }
    });
  });
}
