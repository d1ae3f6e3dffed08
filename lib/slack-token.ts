/** The secret that holds the Slack bot token: the one given, or a new one with an empty token. */
import { Validations } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';

/** The given secret, or a new secret `SlackToken` in `scope` for the operator to put the token in. */
export function slackTokenSecretFor(scope: Construct, given?: secretsmanager.ISecret): secretsmanager.ISecret {
  if (given) return given;
  const secret = new secretsmanager.Secret(scope, 'SlackToken', {
    description: 'ECR Maintainer: the Slack bot token, as {"token": "xoxb-..."}. Put it in after the first deploy.',
    // A placeholder with an empty token: the cleaner says clearly that the token is missing.
    generateSecretString: { secretStringTemplate: JSON.stringify({ token: '' }), generateStringKey: 'placeholder' },
  });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason: 'Slack issues the bot token; Secrets Manager cannot rotate it. Rotate it in Slack and update the secret.',
  });
  return secret;
}
