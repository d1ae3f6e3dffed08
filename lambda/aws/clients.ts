/**
 * Builds the SDK clients once, from the configuration. No endpoint is set here: the SDK takes
 * `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_ECR`, `_ECS`, `_SECRETS_MANAGER`), credentials and profiles
 * from the environment, as usual.
 */
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Config } from '../config';

export interface AwsClients {
  readonly ecr: ECRClient;
  readonly ecs: ECSClient;
  readonly secrets: SecretsManagerClient;
}

/** A connection that hangs must not eat the Lambda's time budget. */
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 5_000;

export function createAwsClients(config: Pick<Config, 'region' | 'awsMaxAttempts' | 'awsRetryMode'>): AwsClients {
  const options = {
    region: config.region,
    maxAttempts: config.awsMaxAttempts,
    retryMode: config.awsRetryMode,
    requestHandler: { requestTimeout: REQUEST_TIMEOUT_MS, connectionTimeout: CONNECTION_TIMEOUT_MS },
  };
  return {
    ecr: new ECRClient(options),
    ecs: new ECSClient(options),
    secrets: new SecretsManagerClient(options),
  };
}
