import { parseConfig, type Config, type ConfigContext, type ConfigFlags } from '../../lambda/config';
import { ConfigError } from '../../lambda/errors';

/** The clock of these tests: `--now` must be later than it. */
const CLOCK = new Date('2026-11-26T12:00:00Z');

function problems(env: Record<string, string>, flags: ConfigFlags = {}, context: ConfigContext = { clock: CLOCK }): readonly string[] {
  try {
    parseConfig(env, flags, context);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    const { origins, ...config } = parseConfig({});

    expect(config).toEqual<Omit<Config, 'origins'>>({
      region: 'eu-west-2',
      deleteEnabled: false,
      policy: { keepMinImageCount: 3, keepImagesNewerThanDays: 7, keepImagesPulledWithinDays: 0 },
      rules: [],
      rulesSource: 'RULES',
      gracePeriodDays: 0,
      keepServiceDeploymentImages: true,
      keepScheduledTaskImages: true,
      keepTaskDefinitionRevisions: 1,
      keepLambdaImages: true,
      keepLambdaVersions: 3,
      maxConcurrentCalls: 8,
      storagePricePerGbMonth: 0.1,
      awsMaxAttempts: 8,
      warnings: [],
    });
    expect(origins.every((origin) => origin.from.startsWith('default'))).toBe(true);
    expect(origins.find((origin) => origin.setting === 'AWS_REGION')).toEqual({
      setting: 'AWS_REGION',
      value: 'eu-west-2',
      from: 'default: no --region, AWS_REGION, AWS_DEFAULT_REGION or profile region is set',
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
      KEEP_IMAGES_PULLED_WITHIN_DAYS: '30',
      KEEP_SCHEDULED_TASK_IMAGES: 'false',
      KEEP_TASK_DEFINITION_REVISIONS: '0',
      KEEP_LAMBDA_IMAGES: 'true',
      KEEP_LAMBDA_VERSIONS: '5',
      IN_USE_IMAGES_URI: 's3://my-bucket/lists/in-use.txt',
      RULES: ' [{"repositories": "ci/*", "keepImagesNewerThanDays": 1}] ',
      STORAGE_PRICE_PER_GB_MONTH: '0.11',
      AUDIT_BUCKET_URI: 's3://audit-bucket/ecr/',
      GRACE_PERIOD_DAYS: '7',
    });

    expect(config).toEqual<Config>({
      region: 'us-east-1',
      deleteEnabled: true,
      policy: { keepMinImageCount: 5, keepImagesNewerThanDays: 0, keepImagesPulledWithinDays: 30 },
      rules: [{ index: 0, repositories: ['ci/*'], exclude: false, keepImagesNewerThanDays: 1, keepTags: [] }],
      rulesSource: 'RULES',
      keepServiceDeploymentImages: false,
      keepScheduledTaskImages: false,
      keepTaskDefinitionRevisions: 0,
      keepLambdaImages: true,
      keepLambdaVersions: 5,
      inUseImagesUri: 's3://my-bucket/lists/in-use.txt',
      audit: { bucket: 'audit-bucket', prefix: 'ecr/' },
      gracePeriodDays: 7,
      repositories: ['app', 'team/api'],
      clusters: ['prod', 'arn:aws:ecs:us-east-1:123456789012:cluster/staging'],
      maxConcurrentCalls: 16,
      storagePricePerGbMonth: 0.11,
      awsMaxAttempts: 3,
      slack: { channel: 'C0123', token: 'xoxb-1', maxMessageLength: 300, apiUrl: 'http://127.0.0.1:9/api/' },
      origins: expect.any(Array),
      warnings: [
        'only the ECS clusters prod, arn:aws:ecs:us-east-1:123456789012:cluster/staging are searched for tasks and services (ECS_CLUSTERS): images that tasks or services in any other cluster run are unprotected',
        'AWS_RETRY_MODE has no effect: the cleaner retries throttled calls itself, and adapts the calls in flight to throttling in every mode',
      ],
    });
    expect(config.origins.filter((origin) => origin.from === 'default')).toEqual([]);
    expect(config.origins.find((origin) => origin.setting === 'SLACK_TOKEN')).toEqual({ setting: 'SLACK_TOKEN', value: '(set)', from: 'SLACK_TOKEN' });
  });

  it('lets flags override their variables', () => {
    const config = parseConfig(
      { AWS_REGION: 'eu-west-1', DELETE_ENABLED: 'false', KEEP_MIN_IMAGE_COUNT: 'ten', KEEP_IMAGES_NEWER_THAN_DAYS: '7', ECR_REPOSITORIES: 'a' },
      {
        region: 'eu-central-1',
        delete: true,
        keepMin: '1',
        keepDays: '30',
        keepPulledDays: '14',
        repositories: 'b',
        ignoreServiceDeployments: true,
        ignoreScheduledTasks: true,
        ignoreLambda: true,
        keepTaskDefinitionRevisions: '2',
        inUseImages: './in-use.txt',
      },
    );

    expect(config).toMatchObject({
      region: 'eu-central-1',
      deleteEnabled: true,
      policy: { keepMinImageCount: 1, keepImagesNewerThanDays: 30, keepImagesPulledWithinDays: 14 },
      repositories: ['b'],
      keepServiceDeploymentImages: false,
      keepScheduledTaskImages: false,
      keepLambdaImages: false,
      keepTaskDefinitionRevisions: 2,
      inUseImagesUri: './in-use.txt',
    });
    expect(config.origins).toEqual(
      expect.arrayContaining([
        { setting: 'AWS_REGION', value: 'eu-central-1', from: '--region' },
        { setting: 'DELETE_ENABLED', value: 'true', from: '--delete' },
        { setting: 'KEEP_MIN_IMAGE_COUNT', value: '1', from: '--keep-min' },
        { setting: 'KEEP_LAMBDA_IMAGES', value: 'false', from: '--ignore-lambda' },
        { setting: 'KEEP_LAMBDA_VERSIONS', value: '3', from: 'default' },
      ]),
    );
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
      'SLACK_ENABLED must be "true" or "false", got "1"',
      'SLACK_MAX_MESSAGE_LENGTH must be a whole number from 1 to 40000, got "40001"',
      'SLACK_API_URL must be an http(s) URL such as http://127.0.0.1:4566/api/, got "ftp://x"',
    ]);
  });

  it('names the flag, not the variable, when the flag gave the bad value', () => {
    expect(problems({ KEEP_MIN_IMAGE_COUNT: '3' }, { keepMin: 'many', keepDays: '1.5', region: 'x', now: 'tomorrow', keepLambdaVersions: '101' })).toEqual([
      '--region must be an AWS region such as eu-west-2, got "x"',
      '--keep-min must be a whole number >= 1, got "many"',
      '--keep-days must be a whole number >= 0, got "1.5"',
      '--keep-lambda-versions must be a whole number from 0 to 100, got "101"',
      '--now must be an ISO 8601 time with Z or an offset, such as 2026-12-01T00:00:00Z or 2026-12-01T09:00:00+01:00, got "tomorrow"',
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

  describe('--now, which is for previews', () => {
    it.each([
      ['2026-12-01T00:00:00Z', '2026-12-01T00:00:00.000Z'],
      ['2026-12-01T09:30Z', '2026-12-01T09:30:00.000Z'],
      ['2026-12-01T09:00:00.5+01:00', '2026-12-01T08:00:00.500Z'],
      ['2027-02-28T23:59:59-05:00', '2027-03-01T04:59:59.000Z'],
    ])('accepts %s', (value, instant) => {
      expect(parseConfig({}, { now: value }, { clock: CLOCK }).now?.toISOString()).toBe(instant);
    });

    it.each(['2026-12-01', '2026-12-01T00:00:00', '2026-12-01 00:00:00Z', 'next week', '1733011200'])('refuses %s, which has no explicit zone or is not ISO 8601', (value) => {
      expect(problems({}, { now: value })).toEqual([
        `--now must be an ISO 8601 time with Z or an offset, such as 2026-12-01T00:00:00Z or 2026-12-01T09:00:00+01:00, got "${value}"`,
      ]);
    });

    it.each(['2027-02-30T00:00:00Z', '2027-13-01T00:00:00Z', '2027-02-29T00:00:00Z', '2027-01-01T24:00:00Z', '2027-01-01T10:60:00Z', '2027-01-01T00:00:00+25:00'])(
      'refuses %s, which does not exist',
      (value) => {
        expect(problems({}, { now: value })).toEqual([`--now must be a time that exists, such as 2026-12-01T00:00:00Z or 2026-12-01T09:00:00+01:00, got "${value}"`]);
      },
    );

    it('refuses a time before the clock: --now exists to look ahead', () => {
      expect(problems({}, { now: '2025-01-01T00:00:00Z' })).toEqual([
        '--now must be later than the current time (2026-11-26T12:00:00.000Z): it exists to look ahead, got "2025-01-01T00:00:00Z"',
      ]);
    });

    it.each([
      ['--delete', {}, { delete: true }],
      ['DELETE_ENABLED=true', { DELETE_ENABLED: 'true' }, {}],
    ])('refuses --now together with deletion by %s', (_how, env: Record<string, string>, flags: ConfigFlags) => {
      expect(problems(env, { ...flags, now: '2026-12-24T00:00:00Z' })).toEqual([
        '--now cannot be used with deletion (--delete or DELETE_ENABLED=true), got "2026-12-24T00:00:00Z": a later --now removes the "recent" protection, so it is for dry runs only',
      ]);
    });
  });

  describe('the mode', () => {
    it('lets --dry-run win over DELETE_ENABLED=true left in the shell, and says so', () => {
      const config = parseConfig({ DELETE_ENABLED: 'true' }, { dryRun: true });

      expect(config.deleteEnabled).toBe(false);
      expect(config.origins).toContainEqual({ setting: 'DELETE_ENABLED', value: 'false', from: '--dry-run (over DELETE_ENABLED=true)' });
    });

    it('refuses --dry-run with --delete', () => {
      expect(problems({}, { dryRun: true, delete: true })).toEqual(['--dry-run and --delete contradict each other: give one of them']);
    });
  });

  describe('the region', () => {
    it.each([
      ['--region', { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-3' }, { region: 'us-west-2' }, 'us-west-2'],
      ['AWS_REGION', { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-3' }, {}, 'eu-west-1'],
      ['AWS_DEFAULT_REGION', { AWS_DEFAULT_REGION: 'eu-west-3' }, {}, 'eu-west-3'],
      ['profile dev', {}, {}, 'us-east-1'],
    ])('is taken from %s before what comes after it', (from, env: Record<string, string>, flags: ConfigFlags, region) => {
      const config = parseConfig(env, flags, { profileRegion: { profile: 'dev', region: 'us-east-1' } });

      expect(config.region).toBe(region);
      expect(config.origins).toContainEqual({ setting: 'AWS_REGION', value: region, from });
    });

    it("names the profile when the profile's region is not a region", () => {
      expect(problems({}, {}, { profileRegion: { profile: 'dev', region: 'moon-1' } })).toEqual(['the region of profile dev must be an AWS region such as eu-west-2, got "moon-1"']);
    });
  });

  describe('the list of references in use elsewhere', () => {
    it('takes a local file in the CLI and an S3 object anywhere', () => {
      expect(parseConfig({ IN_USE_IMAGES_URI: 'lists/in-use.txt' }).inUseImagesUri).toBe('lists/in-use.txt');
      expect(parseConfig({ IN_USE_IMAGES_URI: 's3://bucket.example/a/b.txt' }, {}, { shell: 'lambda' }).inUseImagesUri).toBe('s3://bucket.example/a/b.txt');
    });

    it.each([
      ['a local file in the Lambda', 'in-use.txt', 'lambda', 'IN_USE_IMAGES_URI must be an S3 object such as s3://my-bucket/in-use.txt, got "in-use.txt": the Lambda cannot read local files'],
      ['an S3 URI without a key', 's3://bucket', 'cli', 'IN_USE_IMAGES_URI must be an S3 object such as s3://my-bucket/in-use.txt, or a local file, got "s3://bucket": it must name an object after the bucket, such as s3://my-bucket/in-use-images.json'],
      ['an S3 URI with a bad bucket', 's3://My_Bucket/x', 'cli', 'IN_USE_IMAGES_URI must be an S3 object such as s3://my-bucket/in-use.txt, or a local file, got "s3://My_Bucket/x": "My_Bucket" is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)'],
    ] as const)('refuses %s', (_what, uri, shell, message) => {
      expect(problems({ IN_USE_IMAGES_URI: uri }, {}, { shell })).toEqual([message]);
    });
  });

  describe('settings without effect, and misspelled ones', () => {
    it('says that --slack turned Slack on, and does not warn of SLACK_API_URL alone', () => {
      expect(parseConfig({ SLACK_CHANNEL: 'C1', SLACK_TOKEN: 'x' }, { slack: true }).origins).toContainEqual({ setting: 'SLACK_ENABLED', value: 'true', from: '--slack' });
      expect(parseConfig({ SLACK_API_URL: 'http://127.0.0.1:9/api/' }).warnings).toEqual([]);
    });

    it('warns of Slack settings while Slack is off, naming each', () => {
      const config = parseConfig({ SLACK_CHANNEL: 'C1', SLACK_TOKEN: 'xoxb-secret' }, { slackTokenSecret: 'x' });

      expect(config.slack).toBeUndefined();
      expect(config.warnings).toEqual([
        'SLACK_CHANNEL, SLACK_TOKEN, --slack-token-secret are set but Slack is off, so nothing is posted: pass --slack or set SLACK_ENABLED=true to post',
      ]);
    });

    it('warns of KEEP_LAMBDA_VERSIONS while Lambda functions are not searched', () => {
      expect(parseConfig({ KEEP_LAMBDA_VERSIONS: '5' }, { ignoreLambda: true }).warnings).toEqual([
        'KEEP_LAMBDA_VERSIONS has no effect: Lambda functions are not searched (KEEP_LAMBDA_IMAGES=false or --ignore-lambda)',
      ]);
    });

    it('warns of a misspelled variable in a dry run, with the name it resembles', () => {
      const config = parseConfig({ KEEP_MIN_IMAGES_COUNT: '10', DELETE_ENABLE: 'true', KEEP_EVERYTHING: 'yes', HOME: '/root', ECS_CONTAINER_METADATA_URI_V4: 'http://x', AWS_DEFAULT_OUTPUT: 'json' });

      expect(config.warnings).toEqual([
        'DELETE_ENABLE is not a setting of ECR Maintainer (did you mean DELETE_ENABLED?), so it is ignored',
        'KEEP_EVERYTHING is not a setting of ECR Maintainer, so it is ignored',
        'KEEP_MIN_IMAGES_COUNT is not a setting of ECR Maintainer (did you mean KEEP_MIN_IMAGE_COUNT?), so it is ignored',
      ]);
    });

    it('refuses a misspelled variable when deleting, since the setting meant would silently be at its default', () => {
      expect(problems({ DELETE_ENABLED: 'true', KEEP_MIN_IMAGES_COUNT: '10' })).toEqual([
        'KEEP_MIN_IMAGES_COUNT is not a setting of ECR Maintainer (did you mean KEEP_MIN_IMAGE_COUNT?), so it is ignored; with deletion on, rename or unset it',
      ]);
    });
  });
});

describe('parseConfig: rules per repository', () => {
  it('reads RULES as JSON and records where the rules came from', () => {
    const config = parseConfig({ RULES: '[{"repositories": "ci/*", "untagged": {"olderThanDays": 0}}, {"repositories": "team-b/**", "exclude": true}]' });
    expect(config.rules.map((rule) => [rule.index, rule.repositories, rule.exclude, rule.untagged])).toEqual([
      [0, ['ci/*'], false, { olderThanDays: 0 }],
      [1, ['team-b/**'], true, undefined],
    ]);
    expect(config.origins).toContainEqual({ setting: 'RULES', value: '2 rules', from: 'RULES' });
  });

  it('takes the list that --rules read from a file over RULES, and names the file in its problems', () => {
    const config = parseConfig({ RULES: '[]' }, { rules: { value: [{ repositories: 'base/*', keepMinImageCount: 20 }], source: 'rules.yaml' } });
    expect(config.rules).toEqual([{ index: 0, repositories: ['base/*'], exclude: false, keepMinImageCount: 20, keepTags: [] }]);
    expect(config.rulesSource).toBe('rules.yaml');
    expect(config.origins).toContainEqual({ setting: 'RULES', value: '1 rule', from: '--rules rules.yaml' });
    expect(problems({}, { rules: { value: [{ repositories: 'base/*', keepMinImageCount: 0 }], source: 'rules.yaml' } })).toEqual([
      'rules.yaml[0].keepMinImageCount must be a whole number of at least 1, got 0',
    ]);
  });

  it('refuses RULES that is not JSON, naming the variable, the value and the shape it needs', () => {
    expect(problems({ RULES: "[{repositories: 'ci/*'}]" })).toEqual([
      `RULES must be a JSON list of rules such as [{"repositories": "ci/*", "keepImagesNewerThanDays": 1}], got "[{repositories: 'ci/*'}]": ${jsonError("[{repositories: 'ci/*'}]")}`,
    ]);
  });

  it('lists every problem of every rule beside the other settings\' problems', () => {
    expect(problems({ KEEP_MIN_IMAGE_COUNT: '0', RULES: '[{"repositories": "ci/*", "keepTag": ["x"]}, {"repositories": "a", "keepImagesNewerThanDays": -1}]' })).toEqual([
      'KEEP_MIN_IMAGE_COUNT must be a whole number >= 1, got "0"',
      'RULES[0] has an unknown key "keepTag": did you mean "keepTags"?',
      'RULES[1].keepImagesNewerThanDays must be a whole number of at least 0, got -1',
    ]);
  });

  it('warns when ECR_REPOSITORIES names a repository that a rule excludes', () => {
    const config = parseConfig({ ECR_REPOSITORIES: 'shop/api,team-b/api', RULES: '[{"repositories": "team-b/*", "exclude": true}]' });
    expect(config.warnings).toEqual(['ECR_REPOSITORIES names team-b/api, but RULES[0] excludes it, so it is neither cleaned nor counted']);
  });
});

function jsonError(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return (error as Error).message;
  }
  return '';
}

describe('parseConfig: the storage price', () => {
  it('takes --storage-price over STORAGE_PRICE_PER_GB_MONTH, and names the flag in its problem', () => {
    expect(parseConfig({ STORAGE_PRICE_PER_GB_MONTH: '0.11' }, { storagePrice: '0.09' }).storagePricePerGbMonth).toBe(0.09);
    expect(problems({}, { storagePrice: '$0.10' })).toEqual(['--storage-price must be a number from 0 to 100, such as 0.10, got "$0.10"']);
  });

  it.each(['-0.1', 'ten', '0,10', '101'])('refuses STORAGE_PRICE_PER_GB_MONTH=%s, naming the range', (value) => {
    expect(problems({ STORAGE_PRICE_PER_GB_MONTH: value })).toEqual([`STORAGE_PRICE_PER_GB_MONTH must be a number from 0 to 100, such as 0.10, got "${value}"`]);
  });
});

describe('parseConfig: the audit trail', () => {
  it('reads AUDIT_BUCKET_URI, and --upload over it', () => {
    expect(parseConfig({ AUDIT_BUCKET_URI: 's3://audit/ecr' }).audit).toEqual({ bucket: 'audit', prefix: 'ecr/' });
    expect(parseConfig({ AUDIT_BUCKET_URI: 's3://audit/ecr' }, { upload: 's3://mine' }).audit).toEqual({ bucket: 'mine', prefix: '' });
    expect(parseConfig({}).audit).toBeUndefined();
  });

  it('names the flag, the value and the form when it is not a bucket', () => {
    expect(problems({}, { upload: 'audit-bucket' })).toEqual([
      '--upload must be a bucket and an optional prefix, such as s3://my-audit-bucket or s3://my-audit-bucket/ecr/, got "audit-bucket": it must start with s3://',
    ]);
  });
});

describe('parseConfig: the grace period', () => {
  it('needs the earlier plans: the audit trail, or a file', () => {
    expect(problems({ GRACE_PERIOD_DAYS: '7' })).toEqual([
      'GRACE_PERIOD_DAYS=7 needs the earlier plans, and none is given: set AUDIT_BUCKET_URI (or --upload s3://bucket), where every run writes its plan, or pass --earlier-plan FILE',
    ]);
    expect(parseConfig({ GRACE_PERIOD_DAYS: '7', AUDIT_BUCKET_URI: 's3://audit' }).gracePeriodDays).toBe(7);
    expect(parseConfig({}, { gracePeriodDays: '3', earlierPlan: 'old.jsonl' })).toMatchObject({ gracePeriodDays: 3, earlierPlanFile: 'old.jsonl' });
  });

  it('refuses a grace period out of range, and warns of an earlier plan without one', () => {
    expect(problems({ GRACE_PERIOD_DAYS: '400', AUDIT_BUCKET_URI: 's3://audit' })).toEqual(['GRACE_PERIOD_DAYS must be a whole number from 0 to 365, got "400"']);
    expect(parseConfig({}, { earlierPlan: 'old.jsonl' }).warnings).toEqual(['--earlier-plan has no effect without a grace period: pass --grace-period-days N or set GRACE_PERIOD_DAYS']);
  });
});
