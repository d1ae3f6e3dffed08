import { parseConfig, type Config } from '../../lambda/config';
import { ConfigError } from '../../lambda/errors';

function problems(env: Record<string, string>, flags = {}): readonly string[] {
  try {
    parseConfig(env, flags);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const config = parseConfig({});

    expect(config).toEqual<Config>({
      region: 'eu-west-2',
      deleteEnabled: false,
      policy: { keepMinImageCount: 3, keepImagesNewerThanDays: 7, keepImagesPulledWithinDays: 0 },
      keepServiceDeploymentImages: true,
      maxConcurrentCalls: 8,
      awsMaxAttempts: 8,
      awsRetryMode: 'standard',
    });
  });

  it('reads every variable, trimmed', () => {
    const config = parseConfig({
      AWS_REGION: ' us-east-1 ',
      DELETE_ENABLED: 'TRUE',
      KEEP_MIN_IMAGE_COUNT: '5',
      KEEP_IMAGES_NEWER_THAN_DAYS: '0',
      KEEP_SERVICE_DEPLOYMENT_IMAGES: 'False',
      ECR_REPOSITORIES: 'app, team/api ,app',
      ECS_CLUSTERS: 'prod,arn:aws:ecs:us-east-1:123456789012:cluster/staging',
      MAX_CONCURRENT_CALLS: '16',
      AWS_MAX_ATTEMPTS: '3',
      AWS_RETRY_MODE: 'adaptive',
      SLACK_ENABLED: 'true',
      SLACK_CHANNEL: 'C0123',
      SLACK_TOKEN: 'xoxb-1',
      SLACK_MAX_MESSAGE_LENGTH: '300',
      SLACK_API_URL: 'http://127.0.0.1:9/api',
    });

    expect(config).toEqual<Config>({
      region: 'us-east-1',
      deleteEnabled: true,
      policy: { keepMinImageCount: 5, keepImagesNewerThanDays: 0, keepImagesPulledWithinDays: 0 },
      keepServiceDeploymentImages: false,
      repositories: ['app', 'team/api'],
      clusters: ['prod', 'arn:aws:ecs:us-east-1:123456789012:cluster/staging'],
      maxConcurrentCalls: 16,
      awsMaxAttempts: 3,
      awsRetryMode: 'adaptive',
      slack: { channel: 'C0123', token: 'xoxb-1', maxMessageLength: 300, apiUrl: 'http://127.0.0.1:9/api/' },
    });
  });

  it('lets flags override their variables', () => {
    const config = parseConfig(
      { AWS_REGION: 'eu-west-1', DELETE_ENABLED: 'false', KEEP_MIN_IMAGE_COUNT: 'ten', KEEP_IMAGES_NEWER_THAN_DAYS: '7', ECR_REPOSITORIES: 'a' },
      { region: 'eu-central-1', delete: true, keepMin: '1', keepDays: '30', repositories: 'b', ignoreServiceDeployments: true, now: '2026-12-01' },
    );

    expect(config).toMatchObject({
      region: 'eu-central-1',
      deleteEnabled: true,
      policy: { keepMinImageCount: 1, keepImagesNewerThanDays: 30, keepImagesPulledWithinDays: 0 },
      repositories: ['b'],
      keepServiceDeploymentImages: false,
      now: new Date('2026-12-01T00:00:00Z'),
    });
  });

  it('treats an empty or blank value as unset', () => {
    const config = parseConfig({ AWS_REGION: '', KEEP_MIN_IMAGE_COUNT: '  ', DELETE_ENABLED: '', SLACK_ENABLED: '' });

    expect(config).toMatchObject({ region: 'eu-west-2', policy: { keepMinImageCount: 3 }, deleteEnabled: false });
    expect(config.slack).toBeUndefined();
  });

  it('lists every problem at once, each naming the variable, the value and what is allowed', () => {
    const found = problems({
      AWS_REGION: 'mars',
      DELETE_ENABLED: 'yes',
      KEEP_MIN_IMAGE_COUNT: '0',
      KEEP_IMAGES_NEWER_THAN_DAYS: '-1',
      SLACK_ENABLED: '1',
      SLACK_MAX_MESSAGE_LENGTH: '40001',
      MAX_CONCURRENT_CALLS: '2.5',
      AWS_MAX_ATTEMPTS: '0',
      AWS_RETRY_MODE: 'legacy',
      ECR_REPOSITORIES: 'Bad Name',
      ECS_CLUSTERS: ',',
      SLACK_API_URL: 'ftp://x',
    });

    expect(found).toEqual([
      'AWS_REGION must be an AWS region such as eu-west-2, got "mars"',
      'DELETE_ENABLED must be "true" or "false", got "yes"',
      'KEEP_MIN_IMAGE_COUNT must be a whole number >= 1, got "0"',
      'KEEP_IMAGES_NEWER_THAN_DAYS must be a whole number >= 0, got "-1"',
      'ECR_REPOSITORIES must be a comma-separated list of ECR repository names, got "Bad Name"',
      'ECS_CLUSTERS must be a comma-separated list of ECS cluster names or ARNs, got ","',
      'MAX_CONCURRENT_CALLS must be a whole number from 1 to 64, got "2.5"',
      'AWS_MAX_ATTEMPTS must be a whole number from 1 to 20, got "0"',
      'AWS_RETRY_MODE must be "standard" or "adaptive", got "legacy"',
      'SLACK_ENABLED must be "true" or "false", got "1"',
      'SLACK_MAX_MESSAGE_LENGTH must be a whole number from 1 to 40000, got "40001"',
      'SLACK_API_URL must be an http(s) URL such as http://127.0.0.1:4566/api/, got "ftp://x"',
    ]);
  });

  it('names the flag, not the variable, when the flag gave the bad value', () => {
    expect(problems({ KEEP_MIN_IMAGE_COUNT: '3' }, { keepMin: 'many', keepDays: '1.5', region: 'x', now: 'tomorrow' })).toEqual([
      '--region must be an AWS region such as eu-west-2, got "x"',
      '--keep-min must be a whole number >= 1, got "many"',
      '--keep-days must be a whole number >= 0, got "1.5"',
      '--now must be an ISO 8601 date or time such as 2026-12-01 or 2026-12-01T09:00:00Z, got "tomorrow"',
    ]);
  });

  it('needs a channel and a token, or a secret, when Slack is enabled', () => {
    expect(problems({ SLACK_ENABLED: 'true' })).toEqual([
      'SLACK_CHANNEL must be set when Slack is enabled, got nothing: set it to a channel ID such as C0123456789',
      'SLACK_TOKEN or SLACK_TOKEN_SECRET_ARN must be set when Slack is enabled, got neither: give the bot token, or the secret that holds it',
    ]);
    expect(parseConfig({ SLACK_ENABLED: 'true', SLACK_CHANNEL: 'C1', SLACK_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:1:secret:x' }).slack).toEqual({
      channel: 'C1',
      maxMessageLength: 4000,
      tokenSecretId: 'arn:aws:secretsmanager:eu-west-2:1:secret:x',
    });
  });

  it('never repeats the Slack token in an error', () => {
    const error = (() => {
      try {
        parseConfig({ SLACK_ENABLED: 'maybe', SLACK_TOKEN: 'xoxb-do-not-print-me' });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('expected a ConfigError');
    })();

    expect(error.message).toContain('SLACK_ENABLED must be "true" or "false", got "maybe"');
    expect(error.message).not.toContain('xoxb-do-not-print-me');
  });

  it('formats the error as one message with a line per problem', () => {
    expect(() => parseConfig({ KEEP_MIN_IMAGE_COUNT: 'ten', DELETE_ENABLED: 'yes' })).toThrow(
      'invalid configuration:\n  DELETE_ENABLED must be "true" or "false", got "yes"\n  KEEP_MIN_IMAGE_COUNT must be a whole number >= 1, got "ten"',
    );
  });
});
