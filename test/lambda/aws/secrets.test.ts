import { readSlackToken } from '../../../lambda/aws/secrets';
import { destroy, restoreEnv, startWith } from '../../support/aws';

afterAll(restoreEnv);

const TOKEN = 'xoxb-1111-2222-secretvalue';

async function read(secrets: Record<string, string>, id: string): Promise<string> {
  const { emulator, aws, calls } = await startWith({ repositories: [], secrets });
  try {
    return await readSlackToken(aws.secrets, calls, id);
  } finally {
    destroy(aws);
    await emulator.stop();
  }
}

describe('readSlackToken', () => {
  it('reads a bare token', async () => {
    await expect(read({ slack: `  ${TOKEN}\n` }, 'slack')).resolves.toBe(TOKEN);
  });

  it('reads the token key of a JSON secret, by ARN', async () => {
    await expect(read({ slack: JSON.stringify({ token: TOKEN, note: 'x' }) }, 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:slack-AbCdEf')).resolves.toBe(TOKEN);
  });

  it.each([
    ['empty', ''],
    ['JSON without a token', '{"token": ""}'],
    ['broken JSON', '{"token": "xoxb-broken'],
    ['text with spaces', 'put the token here'],
  ])('says how to fix a secret that is %s, without repeating it', async (_title, value) => {
    const error = await read({ slack: value }, 'slack').then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );

    expect(error?.message).toBe('secret slack holds no Slack token: put the bot token (xoxb-…) in it as plain text, or as JSON {"token": "xoxb-…"}');
  });

  it('names the secret and the AWS error when it cannot be read', async () => {
    await expect(read({}, 'missing')).rejects.toThrow("SecretsManager.GetSecretValue failed for secret missing: ResourceNotFoundException: Secrets Manager can't find the specified secret.");
  });
});
