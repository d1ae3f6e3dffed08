import { LAMBDA_ENVIRONMENT_MAX_BYTES, checkEnvironmentSize, environmentBytes } from '../../lib/lambda-environment';

/** Values that are no tokens resolve to themselves. */
const plain = (value: string): unknown => value;

/** Variables whose JSON takes exactly `bytes` bytes: {"PAD":"xxx…"}. */
const ofSize = (bytes: number): Record<string, string> => ({ PAD: 'x'.repeat(bytes - '{"PAD":""}'.length) });

describe('environmentBytes: the size Lambda measures', () => {
  it('counts the variables as one JSON object, quotes and separators included', () => {
    expect(environmentBytes({ A: 'b', CC: 'dd' }, plain)).toBe('{"A":"b","CC":"dd"}'.length);
  });

  it('counts escapes and multi-byte characters in UTF-8', () => {
    expect(environmentBytes({ RULES: '[{"repositories":"ci/*"}]' }, plain)).toBe('{"RULES":"[{\\"repositories\\":\\"ci/*\\"}]"}'.length);
    expect(environmentBytes({ A: 'é' }, plain)).toBe('{"A":""}'.length + 2);
  });

  it('estimates a value known only at deploy time from above: its literal parts, each pseudo parameter at its longest, any other reference at 256 bytes', () => {
    const arn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':secretsmanager:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':secret:slack']] };

    expect(environmentBytes({ ARN: 'token' }, () => arn)).toBe('{"ARN":""}'.length + 'arn::secretsmanager:::secret:slack'.length + 16 + 24 + 12);
    expect(environmentBytes({ ARN: 'token' }, () => ({ Ref: 'SlackToken1234' }))).toBe('{"ARN":""}'.length + 256);
    expect(environmentBytes({ ARN: 'token' }, () => ({ 'Fn::GetAtt': ['Secret', 'Arn'] }))).toBe('{"ARN":""}'.length + 256);
  });

  it("counts a bucket's name right after s3:// at S3's longest, 63 bytes, and any other reference as before", () => {
    const uri = { 'Fn::Join': ['', ['s3://', { Ref: 'AuditBucket1234' }]] };
    const notABucket = { 'Fn::Join': ['', ['https://', { Ref: 'Api1234' }]] };
    const pseudo = { 'Fn::Join': ['', ['s3://', { Ref: 'AWS::AccountId' }, '-audit']] };

    expect(environmentBytes({ URI: 'token' }, () => uri)).toBe('{"URI":""}'.length + 's3://'.length + 63);
    expect(environmentBytes({ URI: 'token' }, () => notABucket)).toBe('{"URI":""}'.length + 'https://'.length + 256);
    expect(environmentBytes({ URI: 'token' }, () => pseudo)).toBe('{"URI":""}'.length + 's3://-audit'.length + 12);
  });
});

describe('checkEnvironmentSize: Lambda’s 4 KB limit', () => {
  it('accepts an environment of exactly 4096 bytes', () => {
    expect(environmentBytes(ofSize(4096), plain)).toBe(4096);
    expect(checkEnvironmentSize(ofSize(LAMBDA_ENVIRONMENT_MAX_BYTES), plain)).toBeUndefined();
  });

  it('names the size, the largest variables, the limit and the fix for rules, one byte over', () => {
    const variables = { RULES: 'r'.repeat(4000), ECR_REPOSITORIES: 'app', PAD: 'x'.repeat(4097 - 4000 - '{"RULES":"","ECR_REPOSITORIES":"app","PAD":""}'.length) };

    expect(checkEnvironmentSize(variables, plain)).toBe(
      "rules bring the function's environment variables to 4,097 bytes (the largest: RULES 4,009 bytes, PAD 58 bytes, ECR_REPOSITORIES 23 bytes), " +
        "over Lambda's limit of 4,096 bytes for all of a function's variables, names and values together: " +
        'write fewer or shorter rules: one rule with a list of globs ("repositories": ["a/*", "b/*"]) for repositories that share their settings, or a broader glob ("team/**")',
    );
  });

  it('gives the fix for the largest variable that has one, and says rules only when there are rules', () => {
    const message = checkEnvironmentSize({ ECR_REPOSITORIES: 'a,'.repeat(2100) }, plain);

    expect(message).toMatch(/^the function's environment variables take 4,2\d\d bytes \(the largest: ECR_REPOSITORIES 4,2\d\d bytes\), over Lambda's limit/);
    expect(message).toMatch(/: name fewer repositories, or leave repositories out and exclude repositories with rules$/);
  });
});
