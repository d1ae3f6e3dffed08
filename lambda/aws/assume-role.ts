/**
 * Credentials in another account: STS AssumeRole, through `ApiCalls` (so a throttled call is retried and
 * counted), renewed before they expire. The fan-out assumes each member role once per account and shares
 * the credentials across that account's regions.
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import { AwsCallError, EcrMaintainerError, errorCode, errorMessage } from '../errors';
import type { ApiCalls } from './api-calls';

/** Credentials as the SDK's clients take them. */
export interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Credentials on demand: the SDK asks again as they near their expiry. */
export type AwsCredentialIdentityProvider = () => Promise<AwsCredentialIdentity>;

/** The session name that CloudTrail shows for the cleaner's calls in a member account. */
export const SESSION_NAME = 'ecr-maintainer';

/** Credentials are renewed this long before they expire (the SDK's own margin is 5 minutes). */
const RENEW_BEFORE_MS = 10 * 60_000;

/** A role could not be assumed: the target (or the workload account) cannot be read at all. */
export class AssumeRoleFailedError extends EcrMaintainerError {
  readonly roleArn: string;
  /** The AWS error code, such as `AccessDenied`. */
  readonly code: string;

  constructor(roleArn: string, cause: unknown, externalId?: string) {
    const inner = cause instanceof AwsCallError ? cause.cause : cause;
    const denied = ['AccessDenied', 'AccessDeniedException'].includes(errorCode(inner));
    const hint = denied
      ? ` (check that the role exists in that account and trusts this caller: the member stack, EcrMaintainerMember, makes it${externalId === undefined ? '; and whether its trust requires an external ID: --external-id or MEMBER_EXTERNAL_ID' : ', with the same external ID'})`
      : '';
    super(`could not assume ${roleArn}: ${errorCode(inner)}: ${errorMessage(inner)}${hint}`, { cause });
    this.name = 'AssumeRoleFailed';
    this.roleArn = roleArn;
    this.code = errorCode(inner);
  }
}

/**
 * A provider of the role's credentials, renewed when they near their expiry. The first credentials are
 * fetched now, so that a role that cannot be assumed fails here, with its reason, and not in the middle
 * of a run as the first call's error.
 *
 * @throws AssumeRoleFailedError when STS refuses (the trust policy, an external ID, an SCP) or fails
 *   after its retries
 */
export async function assumeRole(sts: STSClient, calls: ApiCalls, roleArn: string, externalId?: string): Promise<AwsCredentialIdentityProvider> {
  const fetch = async (): Promise<AwsCredentialIdentity> => {
    try {
      const input = { RoleArn: roleArn, RoleSessionName: SESSION_NAME, ...(externalId !== undefined && { ExternalId: externalId }) };
      const output = await calls.send('STS.AssumeRole', roleArn, () => sts.send(new AssumeRoleCommand(input)));
      const credentials = output.Credentials;
      if (!credentials?.AccessKeyId || !credentials.SecretAccessKey) throw new Error('the answer holds no credentials');
      return {
        accessKeyId: credentials.AccessKeyId,
        secretAccessKey: credentials.SecretAccessKey,
        ...(credentials.SessionToken !== undefined && { sessionToken: credentials.SessionToken }),
        ...(credentials.Expiration !== undefined && { expiration: credentials.Expiration }),
      };
    } catch (error) {
      throw new AssumeRoleFailedError(roleArn, error, externalId);
    }
  };
  let current = await fetch();
  let renewing: Promise<AwsCredentialIdentity> | undefined;
  return async () => {
    const expiring = current.expiration !== undefined && current.expiration.getTime() - Date.now() < RENEW_BEFORE_MS;
    if (!expiring) return current;
    renewing ??= fetch().finally(() => {
      renewing = undefined;
    });
    current = await renewing;
    return current;
  };
}
