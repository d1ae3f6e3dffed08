/**
 * Builds the SDK clients once, from the configuration. No endpoint is set here: the SDK takes
 * `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_ECR`, `_ECS`, `_SECRETS_MANAGER`, `_LAMBDA`, `_EVENTBRIDGE`,
 * `_SCHEDULER`, `_STS`, `_S3`), credentials and profiles
 * from the environment, as usual.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { STSClient } from '@aws-sdk/client-sts';
import type { Config } from '../config';
import type { AwsCredentialIdentityProvider } from './assume-role';

export interface AwsClients {
  readonly ecr: ECRClient;
  readonly ecs: ECSClient;
  readonly secrets: SecretsManagerClient;
  readonly lambda: LambdaClient;
  readonly events: EventBridgeClient;
  readonly scheduler: SchedulerClient;
  readonly sts: STSClient;
  readonly s3: S3Client;
}

/** A connection that hangs must not eat the Lambda's time budget. */
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 5_000;

/**
 * The clients make one attempt per call: `ApiCalls` retries (up to `AWS_MAX_ATTEMPTS`), so that a call
 * that backs off does not hold a slot, and adapts the calls in flight to throttling.
 */
export function createAwsClients(config: Pick<Config, 'region'>): AwsClients {
  const options = clientOptions(config.region);
  return {
    ecr: new ECRClient(options),
    ecs: new ECSClient(options),
    secrets: new SecretsManagerClient(options),
    lambda: new LambdaClient(options),
    events: new EventBridgeClient(options),
    scheduler: new SchedulerClient(options),
    sts: new STSClient(options),
    // The list of images in use may live in a bucket of another region.
    s3: new S3Client({ ...options, followRegionRedirects: true }),
  };
}

/** The clients that read a registry and its workloads: those that a target's role answers for. */
export type TargetClients = Pick<AwsClients, 'ecr' | 'ecs' | 'lambda' | 'events' | 'scheduler'>;

/**
 * The clients of a target: ECR, ECS, Lambda, EventBridge and Scheduler in its region, with its role's
 * credentials (none: the caller's own). The audit trail (S3), STS and the Slack token (Secrets Manager)
 * stay the caller's own: they live in the account that runs the cleaner.
 */
export function createTargetClients(region: string, credentials?: AwsCredentialIdentityProvider): TargetClients {
  const options = { ...clientOptions(region), ...(credentials && { credentials }) };
  return {
    ecr: new ECRClient(options),
    ecs: new ECSClient(options),
    lambda: new LambdaClient(options),
    events: new EventBridgeClient(options),
    scheduler: new SchedulerClient(options),
  };
}

function clientOptions(region: string): { region: string; maxAttempts: number; requestHandler: { requestTimeout: number; connectionTimeout: number } } {
  return { region, maxAttempts: 1, requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: CONNECTION_TIMEOUT_MS } };
}
