/**
 * Reads the Slack bot token from Secrets Manager. The secret holds the bare token, or JSON with a
 * `token` key. No error message ever includes the secret's value.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { EcrMaintainerError } from '../errors';
import type { ApiCalls } from './api-calls';

/**
 * @param secretId the secret's name or ARN
 * @throws AwsCallError when the secret cannot be read, EcrMaintainerError when it holds no token
 */
export async function readSlackToken(secrets: SecretsManagerClient, calls: ApiCalls, secretId: string): Promise<string> {
  const output = await calls.send('SecretsManager.GetSecretValue', `secret ${secretId}`, () =>
    secrets.send(new GetSecretValueCommand({ SecretId: secretId })),
  );
  const value = output.SecretString?.trim() ?? '';
  let token = value;
  if (value.startsWith('{')) {
    try {
      const parsed = JSON.parse(value) as { token?: unknown };
      token = typeof parsed.token === 'string' ? parsed.token.trim() : '';
    } catch {
      token = '';
    }
  }
  if (token === '' || /\s/.test(token)) {
    throw new EcrMaintainerError(
      `secret ${secretId} holds no Slack token: put the bot token (xoxb-…) in it as plain text, or as JSON {"token": "xoxb-…"}`,
    );
  }
  return token;
}
