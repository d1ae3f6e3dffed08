/** Which account the cleaner runs in, as STS sees its credentials. */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { AwsCallError } from '../errors';
import type { ApiCalls } from './api-calls';

export interface CallerIdentity {
  /** The 12-digit account ID. */
  readonly account: string;
  /** The caller's ARN, such as `arn:aws:sts::123456789012:assumed-role/ecr-maintainer/cleaner`. */
  readonly arn: string;
}

/**
 * Asks STS who the caller is (`GetCallerIdentity`, which needs no permission).
 *
 * @throws AwsCallError when the credentials are missing, invalid or expired (the code is the SDK's or
 *   STS's: `CredentialsProviderError`, `InvalidClientTokenId`, `ExpiredToken`), or when STS answers
 *   without an account or ARN
 */
export async function readCallerIdentity(sts: STSClient, calls: ApiCalls): Promise<CallerIdentity> {
  const output = await calls.send('STS.GetCallerIdentity', 'the caller', () => sts.send(new GetCallerIdentityCommand({})));
  if (!output.Account || !output.Arn) {
    throw new AwsCallError('STS.GetCallerIdentity', 'the caller', new Error('the answer names no Account or Arn'));
  }
  return { account: output.Account, arn: output.Arn };
}
