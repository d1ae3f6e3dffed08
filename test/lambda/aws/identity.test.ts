import { STSClient } from '@aws-sdk/client-sts';
import { ApiCalls } from '../../../lambda/aws/api-calls';
import { readCallerIdentity } from '../../../lambda/aws/identity';
import { AwsCallError } from '../../../lambda/errors';
import type { Fixture } from '../../emulator/fixture';
import { Emulator } from '../../emulator/server';
import { destroy, restoreEnv, startWith } from '../../support/aws';

afterAll(restoreEnv);

async function identityOf(fixture: Fixture, maxAttempts = 8): Promise<{ outcome: unknown; emulator: Emulator; calls: ApiCalls }> {
  const { emulator, aws, calls } = await startWith(fixture, { maxAttempts });
  try {
    const outcome = await readCallerIdentity(aws.sts, calls).catch((error: unknown) => error);
    return { outcome, emulator, calls };
  } finally {
    destroy(aws);
    await emulator.stop();
  }
}

describe('readCallerIdentity', () => {
  it("answers the fixture's account and the caller's ARN, over the query protocol", async () => {
    const { outcome, emulator, calls } = await identityOf({ repositories: [], accountId: '210987654321' });

    expect(outcome).toEqual({ account: '210987654321', arn: 'arn:aws:sts::210987654321:assumed-role/ecr-maintainer/cleaner' });
    expect(emulator.callsOf('STS.GetCallerIdentity')).toEqual([{ operation: 'STS.GetCallerIdentity', params: { Action: 'GetCallerIdentity', Version: '2011-06-15' }, outcome: 'ok' }]);
    expect(calls.stats().byOperation).toEqual({ 'STS.GetCallerIdentity': 1 });
  });

  it.each([
    ['InvalidClientTokenId', 'The security token included in the request is invalid.'],
    ['ExpiredToken', 'The security token included in the request is expired'],
  ] as const)('throws an AwsCallError with the code %s when STS refuses the credentials', async (code, message) => {
    const { outcome } = await identityOf({ repositories: [], callerIdentity: { error: code } });

    expect(outcome).toBeInstanceOf(AwsCallError);
    expect(outcome).toMatchObject({ operation: 'STS.GetCallerIdentity', code, message: `STS.GetCallerIdentity failed for the caller: ${code}: ${message}` });
  });

  it('throws an AwsCallError before any request when there are no credentials at all', async () => {
    const emulator = await Emulator.start({ repositories: [] });
    const saved = { ...process.env };
    Object.assign(process.env, emulator.env());
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_PROFILE;
    const sts = new STSClient({ region: emulator.region, maxAttempts: 1 });
    try {
      const outcome = await readCallerIdentity(sts, new ApiCalls(1)).catch((error: unknown) => error);

      expect(outcome).toBeInstanceOf(AwsCallError);
      expect(outcome).toMatchObject({ operation: 'STS.GetCallerIdentity', code: 'CredentialsProviderError' });
      expect(emulator.calls).toEqual([]);
    } finally {
      sts.destroy();
      Object.assign(process.env, saved);
      await emulator.stop();
    }
  });

  it('retries STS throttling, which the SDK knows by its code Throttling', async () => {
    const { outcome, emulator } = await identityOf({ repositories: [], faults: { errors: [{ operation: 'STS.GetCallerIdentity', code: 'ThrottlingException', times: 2 }] } });

    expect(outcome).toEqual(expect.objectContaining({ account: '123456789012' }));
    expect(emulator.callsOf('STS.GetCallerIdentity').map((call) => call.outcome)).toEqual(['Throttling', 'Throttling', 'ok']);
  });
});
