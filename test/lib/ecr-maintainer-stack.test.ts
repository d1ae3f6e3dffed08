import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CONTEXT_KEYS } from '../../lib/context';
import { EcrMaintainerStack } from '../../lib/ecr-maintainer-stack';
import { InvalidSettingsError } from '../../lib/errors';
import { imagesThatFit, memoryNeededMiB } from '../../lib/lambda-sizing';
import { catchError, render, statementsOfRole, testApp } from '../support/cdk';

function synth(context: Record<string, unknown> = {}): { stack: EcrMaintainerStack; template: Template } {
  const stack = new EcrMaintainerStack(testApp(context), 'EcrMaintainer');
  return { stack, template: Template.fromStack(stack) };
}


const variables = (template: Template): Record<string, unknown> =>
  Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables as Record<string, unknown>;

describe('EcrMaintainerStack: settings from context', () => {
  it('reads every setting from `-c key=value` strings', () => {
    const { template } = synth({
      schedule: 'cron(30 2 ? * MON-FRI *)',
      timeoutMinutes: '10',
      memorySize: '1024',
      keepMinImageCount: '5',
      keepImagesNewerThanDays: '14',
      deleteEnabled: 'true',
      keepServiceDeploymentImages: 'false',
      keepScheduledTaskImages: 'FALSE',
      keepTaskDefinitionRevisions: '4',
      keepLambdaImages: 'false',
      keepImagesPulledWithinDays: '30',
      gracePeriodDays: '14',
      auditRetentionDays: '90',
      inUseImagesUri: ' s3://inventory/ecr/in-use.json ',
      repositories: 'app, team/api',
      clusters: 'prod',
      maxConcurrentCalls: '4',
      storagePricePerGbMonth: ' 0.12 ',
      slackEnabled: 'TRUE',
      slackChannel: 'C0123456789',
      slackMaxMessageLength: '3000',
      logRetentionDays: '30',
      logLevel: 'debug',
    });

    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 2 ? * MON-FRI *)' });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 600, MemorySize: 1024, LoggingConfig: { ApplicationLogLevel: 'DEBUG', LogFormat: 'JSON', SystemLogLevel: 'WARN', LogGroup: {} } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 90 } })] } });
    expect(variables(template)).toMatchObject({
      KEEP_MIN_IMAGE_COUNT: '5',
      KEEP_IMAGES_NEWER_THAN_DAYS: '14',
      DELETE_ENABLED: 'true',
      KEEP_SERVICE_DEPLOYMENT_IMAGES: 'false',
      KEEP_SCHEDULED_TASK_IMAGES: 'false',
      KEEP_TASK_DEFINITION_REVISIONS: '4',
      KEEP_LAMBDA_IMAGES: 'false',
      KEEP_IMAGES_PULLED_WITHIN_DAYS: '30',
      IN_USE_IMAGES_URI: 's3://inventory/ecr/in-use.json',
      GRACE_PERIOD_DAYS: '14',
      ECR_REPOSITORIES: 'app,team/api',
      ECS_CLUSTERS: 'prod',
      MAX_CONCURRENT_CALLS: '4',
      STORAGE_PRICE_PER_GB_MONTH: '0.12',
      SLACK_ENABLED: 'true',
      SLACK_CHANNEL: 'C0123456789',
      SLACK_MAX_MESSAGE_LENGTH: '3000',
    });
  });

  it('reads typed values from the context block of cdk.json', () => {
    const { template } = synth({
      keepMinImageCount: 7,
      deleteEnabled: false,
      repositories: ['a', 'b'],
      timeoutMinutes: 15,
      keepLambdaImages: false,
      keepTaskDefinitionRevisions: 0,
      keepImagesPulledWithinDays: 14,
      gracePeriodDays: 7,
      auditRetentionDays: 30,
      storagePricePerGbMonth: 0.135,
    });

    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900 });
    expect(variables(template)).toMatchObject({
      KEEP_MIN_IMAGE_COUNT: '7',
      DELETE_ENABLED: 'false',
      ECR_REPOSITORIES: 'a,b',
      KEEP_LAMBDA_IMAGES: 'false',
      KEEP_TASK_DEFINITION_REVISIONS: '0',
      KEEP_IMAGES_PULLED_WITHIN_DAYS: '14',
      GRACE_PERIOD_DAYS: '7',
      STORAGE_PRICE_PER_GB_MONTH: '0.135',
    });
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30 })] } });
  });

  it('outputs the audit bucket, and the folder of this account and region where each run writes its objects', () => {
    const { template } = synth();

    const [bucketId] = Object.keys(template.findResources('AWS::S3::Bucket'));
    template.hasOutput('AuditBucketName', { Value: { Ref: bucketId }, Description: Match.stringLikeRegexp('^The audit trail: .* under runs/<account>/<region>/<yyyy-mm-dd>/<hhmmss>-<mode>\\.csv and \\.jsonl; kept when the stack is deleted$') });
    const uri = template.findOutputs('AuditTrailUri').AuditTrailUri;
    expect(render(uri.Value)).toBe(`s3://\${${bucketId}}/runs/\${AWS::AccountId}/\${AWS::Region}/`);
    expect(uri.Description).toMatch(/aws s3 ls <this>/);
  });

  it('gives the role the reads of the earlier plans with gracePeriodDays from context, and none without', () => {
    const withGrace = statementsOfRole(synth({ gracePeriodDays: '3' }).template, 'lambda.amazonaws.com');
    const without = statementsOfRole(synth().template, 'lambda.amazonaws.com');

    expect(withGrace.filter((statement) => /EarlierPlans/.test(statement.Sid ?? '')).map((statement) => statement.Action)).toEqual(['s3:GetObject', 's3:ListBucket']);
    expect(without.filter((statement) => /EarlierPlans/.test(statement.Sid ?? ''))).toEqual([]);
  });

  it('imports an existing Slack token secret by name or by ARN, and creates none', () => {
    const byName = synth({ slackEnabled: 'true', slackChannel: 'C1', slackTokenSecret: 'platform/slack-bot' });
    const byArn = synth({ slackEnabled: 'true', slackChannel: 'C1', slackTokenSecret: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:platform/slack-bot-AbCdEf' });

    byName.template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    expect(JSON.stringify(variables(byName.template).SLACK_TOKEN_SECRET_ARN)).toContain(':secret:platform/slack-bot');
    expect(variables(byArn.template).SLACK_TOKEN_SECRET_ARN).toBe('arn:aws:secretsmanager:eu-west-2:123456789012:secret:platform/slack-bot-AbCdEf');
  });

  it('outputs what an operator needs: the function, the log group, and where to put the token', () => {
    const { template } = synth({ slackEnabled: 'true', slackChannel: 'C1' });

    expect(Object.keys(template.findOutputs('*')).sort()).toEqual([
      'AuditBucketName',
      'AuditTrailUri',
      'DashboardName',
      'FunctionName',
      'ImagesThatFit',
      'LogGroupName',
      'NearTimeoutAlarmName',
      'NoSuccessfulRunAlarmName',
      'RunFailedAlarmName',
      'SlackTokenSecretArn',
    ]);
    template.hasOutput('SlackTokenSecretArn', { Description: "Put the Slack bot token here: aws secretsmanager put-secret-value --secret-id <this> --secret-string '{\"token\":\"xoxb-...\"}'" });
  });

  it('outputs the name of each alarm and of the dashboard', () => {
    const { template } = synth();

    const alarms = Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, alarm]) => [alarm.Properties.MetricName as string, id]);
    const alarmOf = Object.fromEntries(alarms) as Record<string, string>;
    template.hasOutput('RunFailedAlarmName', { Value: { Ref: alarmOf.Errors } });
    template.hasOutput('NoSuccessfulRunAlarmName', { Value: { Ref: alarmOf.RunSucceeded } });
    template.hasOutput('NearTimeoutAlarmName', { Value: { Ref: alarmOf.Duration } });
    template.hasOutput('DashboardName', { Value: { Ref: Object.keys(template.findResources('AWS::CloudWatch::Dashboard'))[0] } });
    expect(template.findOutputs('AlarmTopicArn')).toEqual({});
  });

  it('reads alarmEmail: a new topic that e-mails the address, whose ARN is an output', () => {
    const { template } = synth({ alarmEmail: 'platform-alerts@example.com' });

    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform-alerts@example.com', TopicArn: { Ref: topicId } });
    template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId }, Description: Match.stringLikeRegexp('aws sns subscribe --topic-arn <this> --protocol email') });
  });

  it('reads alarmTopicArn: the alarms notify that topic, and none is created', () => {
    const arn = 'arn:aws:sns:eu-west-2:123456789012:platform-alerts';

    const { template } = synth({ alarmTopicArn: ` ${arn} ` });

    template.resourceCountIs('AWS::SNS::Topic', 0);
    expect(Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((alarm) => alarm.Properties.AlarmActions)).toEqual([[arn], [arn], [arn]]);
    template.hasOutput('AlarmTopicArn', { Value: arn });
  });

  it.each([
    ['alarmEmail', 'platform-alerts', 'context alarmEmail must be one e-mail address, such as platform-alerts@example.com, got "platform-alerts": an address has one "@"'],
    ['alarmEmail', 'a@example.com;b@example.com', 'context alarmEmail must be one e-mail address, such as platform-alerts@example.com, got "a@example.com;b@example.com": give one address'],
    ['alarmEmail', 42, 'context alarmEmail must be a string, got 42'],
    ['alarmTopicArn', 'platform-alerts', 'context alarmTopicArn must be the ARN of an SNS topic, such as arn:aws:sns:eu-west-2:123456789012:platform-alerts, got "platform-alerts": give the topic\'s whole ARN, not its name (aws sns list-topics prints it)'],
    ['alarmTopicArn', 'arn:aws:sqs:eu-west-2:123456789012:alerts', 'got "arn:aws:sqs:eu-west-2:123456789012:alerts": it is an ARN of "sqs", not of an SNS topic'],
    ['alarmTopicArn', 'arn:aws:sns:eu-west-2:1234:alerts', 'got "arn:aws:sns:eu-west-2:1234:alerts": "1234" is not an account id of 12 digits'],
    ['alarmTopicArn', 'arn:aws:sns:eu-west-2:123456789012:alerts:extra', 'an SNS topic ARN has six parts separated by ":" (arn:partition:sns:region:account:name)'],
  ])('fails at synth on a malformed %s (%j), naming the key, the value and the fix', (key, value, message) => {
    expect(() => synth({ [key]: value })).toThrow(message);
  });

  it('fails at synth when both alarmEmail and alarmTopicArn are given, saying how to have both', () => {
    expect(() => synth({ alarmEmail: 'platform-alerts@example.com', alarmTopicArn: 'arn:aws:sns:eu-west-2:123456789012:platform-alerts' })).toThrow(
      'invalid context:\n  context alarmTopicArn must not be given with alarmEmail: give one. alarmEmail creates a topic that e-mails the address; with a topic of your own, subscribe the address to it',
    );
  });

  it('reads expectedImageCount, and warns at synth when memorySize is below what that many images need', () => {
    const needed = memoryNeededMiB(2_000_000);

    const short = synth({ expectedImageCount: '2000000' });
    const enough = synth({ expectedImageCount: 2_000_000, memorySize: String(needed) });

    Annotations.fromStack(short.stack).hasWarning('/EcrMaintainer/EcrCleaner', Match.stringLikeRegexp(`^expectedImageCount is 2,000,000 images, .*Set memorySize: ${needed} \\(or -c memorySize=${needed}\\)`));
    expect(Annotations.fromStack(enough.stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('outputs about how many images the configured memory fits', () => {
    synth().template.hasOutput('ImagesThatFit', { Value: String(imagesThatFit(512)) });
    synth({ memorySize: '2048' }).template.hasOutput('ImagesThatFit', { Value: String(imagesThatFit(2048)) });
  });

  it.each([
    ['expectedImageCount', 'a million', 'context expectedImageCount must be a number, got "a million"'],
    ['expectedImageCount', '1e6', 'context expectedImageCount must be a number, got "1e6"'],
    ['expectedImageCount', '0', 'context expectedImageCount must be a whole number of at least 1 (the most images one run lists, across the repositories in scope, such as 250000; leave it out to skip the memory check), got 0'],
    ['keepMinImageCount', 'ten', 'context keepMinImageCount must be a number, got "ten"'],
    ['deleteEnabled', 'yes', 'context deleteEnabled must be true or false, got "yes"'],
    ['schedule', 'daily', 'context schedule must be a recurring EventBridge Scheduler expression such as "cron(0 3 * * ? *)" or "rate(12 hours)", got "daily": it must be cron(…) or rate(…)'],
    ['schedule', 'cron(0 3 * * *)', 'context schedule must be a recurring EventBridge Scheduler expression such as "cron(0 3 * * ? *)" or "rate(12 hours)", got "cron(0 3 * * *)": cron(…) needs exactly 6 fields'],
    ['schedule', 'rate(0 minutes)', 'got "rate(0 minutes)": rate(…) needs a whole value of at least 1, got "0"'],
    ['keepScheduledTaskImages', 'on', 'context keepScheduledTaskImages must be true or false, got "on"'],
    ['keepLambdaImages', 1, 'context keepLambdaImages must be true or false, got 1'],
    ['keepTaskDefinitionRevisions', 'all', 'context keepTaskDefinitionRevisions must be a number, got "all"'],
    ['keepLambdaVersions', '-1', 'context keepLambdaVersions must be a whole number from 0 to 100, got -1'],
    ['keepImagesPulledWithinDays', '-3', 'context keepImagesPulledWithinDays must be a whole number of days of at least 0 (0 turns the rule off), got -3'],
    ['keepImagesPulledWithinDays', '1.5', 'context keepImagesPulledWithinDays must be a whole number of days (0 turns the rule off), got 1 day 12 hours'],
    ['inUseImagesUri', 'bucket/key', 'context inUseImagesUri must be s3://<bucket>/<key>, naming one object, got "bucket/key": it must start with s3://'],
    ['inUseImagesUri', ['s3://b/k'], 'context inUseImagesUri must be a string, got ["s3://b/k"]'],
    ['timeoutMinutes', '-5', "context timeoutMinutes must be from 1 to 15 minutes (Lambda's limit), got -5"],
    ['logRetentionDays', '45', "context logRetentionDays must be one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, …), got 45"],
    ['logLevel', 'loud', 'context logLevel must be one of INFO, DEBUG, WARN, TRACE, ERROR, FATAL, got "LOUD"'],
    ['repositories', 42, 'context repositories must be a list of names, or a comma-separated string, got 42'],
    ['gracePeriodDays', 'a week', 'context gracePeriodDays must be a number, got "a week"'],
    ['gracePeriodDays', '1.5', 'context gracePeriodDays must be a whole number from 0 to 365 (0 turns it off), got 1.5'],
    ['gracePeriodDays', -1, 'context gracePeriodDays must be a whole number from 0 to 365 (0 turns it off), got -1'],
    ['gracePeriodDays', '366', 'context gracePeriodDays must be a whole number from 0 to 365 (0 turns it off), got 366'],
    ['auditRetentionDays', 'forever', 'context auditRetentionDays must be a number, got "forever"'],
    ['auditRetentionDays', '0', "context auditRetentionDays must be a whole number from 1 to 3650 (the days each run's objects are kept), got 0"],
    ['auditRetentionDays', 3651, "context auditRetentionDays must be a whole number from 1 to 3650 (the days each run's objects are kept), got 3651"],
    ['storagePricePerGbMonth', '$0.12', 'context storagePricePerGbMonth must be a number, got "$0.12"'],
    ['storagePricePerGbMonth', '0,12', 'context storagePricePerGbMonth must be a number, got "0,12"'],
    ['storagePricePerGbMonth', '-0.1', 'context storagePricePerGbMonth must be a number from 0 to 100 (US dollars per GB-month of ECR storage), such as 0.10, got -0.1'],
    ['storagePricePerGbMonth', 250, 'context storagePricePerGbMonth must be a number from 0 to 100 (US dollars per GB-month of ECR storage), such as 0.10, got 250'],
  ])('fails at synth on a malformed %s, naming the key and the value', (key, value, message) => {
    expect(() => synth({ [key]: value })).toThrow(message);
  });

  it('reports out-of-range values under their context keys, with the limit', () => {
    expect(() => synth({ keepMinImageCount: '0', timeoutMinutes: '20' })).toThrow(
      "invalid context:\n  context keepMinImageCount must be a whole number of at least 1, got 0\n  context timeoutMinutes must be from 1 minute to 15 minutes (Lambda's limit), got 20 minutes",
    );
  });

  it('fails at synth when the grace period from context is not shorter than the retention, naming both values and the fix', () => {
    expect(() => synth({ gracePeriodDays: '30', auditRetentionDays: '30' })).toThrow(
      'invalid context:\n  context gracePeriodDays must be shorter than auditRetentionDays, got gracePeriodDays 30 and auditRetentionDays 30: ' +
        'a deletion waits for a plan 30 days old, which the audit bucket has expired by then. Set auditRetentionDays above 30 (by at least the time between runs), or shorten gracePeriodDays',
    );
    expect(() => synth({ gracePeriodDays: 7, auditRetentionDays: 8 })).not.toThrow();
  });

  it('lists every bad value and every unknown key in one InvalidSettingsError', () => {
    const error = catchError(() =>
      synth({ deleteEnable: 'true', keepMinImageCount: 'ten', keepLambdaVersions: '500', schedule: 'rate(1 minutes)', inUseImagesUri: 's3://Bad/key', slackEnabled: 'true' }),
    );

    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).message).toBe(
      [
        'invalid context:',
        '  unknown context key "deleteEnable": did you mean "deleteEnabled"?',
        '  context keepMinImageCount must be a number, got "ten"',
        '  context slackChannel must be set when slackEnabled is true, got nothing: give the channel ID, such as C0123456789',
        '  context schedule must be a recurring EventBridge Scheduler expression such as "cron(0 3 * * ? *)" or "rate(12 hours)", got "rate(1 minutes)": rate(…) needs "minute" with the value 1, got "minutes"',
        '  context keepLambdaVersions must be a whole number from 0 to 100, got 500',
        '  context inUseImagesUri must be s3://<bucket>/<key>, naming one object, got "s3://Bad/key": "Bad" is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)',
      ].join('\n'),
    );
  });

  it.each([
    ['deleteEnable', 'unknown context key "deleteEnable": did you mean "deleteEnabled"?'],
    ['keepMinImagesCount', 'unknown context key "keepMinImagesCount": did you mean "keepMinImageCount"?'],
    ['Clusters', 'unknown context key "Clusters": did you mean "clusters"?'],
    ['expectedImagesCount', 'unknown context key "expectedImagesCount": did you mean "expectedImageCount"?'],
    ['keepImagesPulledWithin', 'unknown context key "keepImagesPulledWithin": did you mean "keepImagesPulledWithinDays"?'],
    ['alarmMail', 'unknown context key "alarmMail": did you mean "alarmEmail"?'],
    ['alarmTopic', 'unknown context key "alarmTopic": did you mean "alarmTopicArn"?'],
    ['gracePeriodDay', 'unknown context key "gracePeriodDay": did you mean "gracePeriodDays"?'],
    ['auditRetention', 'unknown context key "auditRetention": did you mean "auditRetentionDays"?'],
    ['storagePricePerGB', 'unknown context key "storagePricePerGB": did you mean "storagePricePerGbMonth"?'],
    ['region', `unknown context key "region": the known keys are ${CONTEXT_KEYS.join(', ')}`],
  ])('fails at synth on the unknown context key %s, naming the nearest known one', (key, message) => {
    expect(() => synth({ [key]: 'true' })).toThrow(message);
  });

  it("leaves the CDK's own context keys alone: feature flags, aws:cdk: keys, cached lookups and the CLI's plain keys", () => {
    expect(() =>
      synth({
        '@aws-cdk/core:newStyleStackSynthesis': true,
        'aws:cdk:enable-path-metadata': true,
        'aws-cdk:enableDiffNoFail': 'true',
        'availability-zones:account=123456789012:region=eu-west-2': ['eu-west-2a'],
        'cli-telemetry': false,
        'acknowledged-issue-numbers': [32775],
        'assets-ecr-repository-name': 'assets',
      }),
    ).not.toThrow();
  });
});

describe('EcrMaintainerStack: rules from context', () => {
  const RULES = [
    { repositories: 'ci/*', keepImagesNewerThanDays: 1 },
    { repositories: ['legacy/**', '**/mirror'], exclude: true },
  ];
  const COMPACT = '[{"repositories":"ci/*","keepImagesNewerThanDays":1},{"repositories":["legacy/**","**/mirror"],"exclude":true}]';

  it('reads a JSON list from the context block of cdk.json, and passes it to the function', () => {
    const { template } = synth({ rules: RULES });

    expect(variables(template).RULES).toBe(COMPACT);
  });

  it('reads the same list as a JSON string from -c rules=\'[…]\', with any spacing', () => {
    const { template } = synth({ rules: ` ${JSON.stringify(RULES, undefined, 2)} ` });

    expect(variables(template).RULES).toBe(COMPACT);
  });

  it('scopes the delete permission by the rules from context', () => {
    const { template } = synth({ deleteEnabled: 'true', rules: '[{"repositories":"ci/**"},{"repositories":"**","exclude":true}]' });

    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'DeleteImages', Effect: 'Allow', Resource: { 'Fn::Join': ['', Match.arrayWith([':repository/ci/*'])] } })]) },
    });
  });

  it('fails on a string that is not JSON, naming the key, the value and the fix', () => {
    expect(() => synth({ rules: '[{repositories: ci/*}]' })).toThrow(
      'invalid context:\n  context rules must be a JSON list of rules, such as -c rules=\'[{"repositories":"ci/*","keepImagesNewerThanDays":1}]\' (in single quotes, for the shell), ' +
        "got '[{repositories: ci/*}]', which is not JSON: ",
    );
  });

  it('shortens a long value that is not JSON', () => {
    const value = `[{repositories: ${'a'.repeat(200)}}]`;

    const message = (catchError(() => synth({ rules: value })) as InvalidSettingsError).problems[0];

    expect(message).toContain(`got '${value.slice(0, 59)}…', which is not JSON: `);
    expect(message).not.toContain('a'.repeat(100));
  });

  it('reports every problem of the rules under context rules[i].key, in the one InvalidSettingsError with the other keys', () => {
    const error = catchError(() =>
      synth({
        keepMinImageCount: 'ten',
        rules: JSON.stringify([
          { repositories: 'ci/*', keepImagesNewerThanDays: -1 },
          { repositories: 'app', keepTags: ['/(/'] },
          { repositories: 'legacy/**', exclude: 'yes' },
          { repositoriez: 'x' },
        ]),
      }),
    );

    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).problems).toEqual([
      'context keepMinImageCount must be a number, got "ten"',
      'context rules[0].keepImagesNewerThanDays must be a whole number of at least 0, got -1',
      'context rules[1].keepTags has "/(/", which is not a regular expression: Invalid regular expression: /(/: Unterminated group',
      'context rules[2].exclude must be true or false, got "yes"',
      'context rules[3] has an unknown key "repositoriez": did you mean "repositories"?',
      'context rules[3].repositories must be a glob or a list of globs over repository names, such as "shop/*" or ["**/cache"], got nothing',
    ]);
  });

  it('fails on a value from cdk.json that is not a list, naming context rules', () => {
    expect(() => synth({ rules: { repositories: 'ci/*' } })).toThrow(
      'invalid context:\n  context rules must be a list of rules, such as [{"repositories": "ci/*", "keepImagesNewerThanDays": 1}], got {"repositories":"ci/*"}',
    );
  });

  it('fails at synth when the rules from context outgrow Lambda’s 4 KB limit on the environment', () => {
    const rules = Array.from({ length: 80 }, (_, index) => ({ repositories: `team-${index}/**`, keepMinImageCount: 5 }));

    expect(() => synth({ rules: JSON.stringify(rules) })).toThrow(/^EcrCleaner: invalid props:\n {2}rules bring the function's environment variables to \d,\d{3} bytes .* over Lambda's limit of 4,096 bytes/);
  });
});

describe('EcrMaintainerStack: cdk-nag AwsSolutions', () => {
  it.each([
    ['deletion disabled, the defaults', {}],
    ['deletion enabled, with Slack and a new secret', { deleteEnabled: 'true', slackEnabled: 'true', slackChannel: 'C1' }],
    ['deletion enabled, scoped to repositories and clusters, services ignored', { deleteEnabled: 'true', repositories: 'app,web', clusters: 'prod,staging', keepServiceDeploymentImages: 'false' }],
    ['Slack with an imported secret', { slackEnabled: 'true', slackChannel: 'C1', slackTokenSecret: 'platform/slack-bot' }],
    ['every source on, a list of in-use images, scoped to clusters', { inUseImagesUri: 's3://inventory/in-use.json', clusters: 'prod', keepTaskDefinitionRevisions: '3' }],
    ['scheduled tasks off', { keepScheduledTaskImages: 'false' }],
    ['task definition revisions off', { keepTaskDefinitionRevisions: '0' }],
    ['Lambda images off', { keepLambdaImages: 'false' }],
    ['every source off', { keepServiceDeploymentImages: 'false', keepScheduledTaskImages: 'false', keepTaskDefinitionRevisions: '0', keepLambdaImages: 'false' }],
    [
      'deletion enabled, rules with a catch-all exclusion',
      { deleteEnabled: 'true', rules: '[{"repositories":"legacy/**","exclude":true},{"repositories":["ci/*","**/cache"]},{"repositories":"**","exclude":true}]' },
    ],
    ['deletion enabled, rules with exclusions and no catch-all', { deleteEnabled: 'true', rules: [{ repositories: ['vendor', 'sandbox/*'], exclude: true }, { repositories: 'team/**', keepMinImageCount: 1 }] }],
    ['deletion enabled, rules and repositories in scope', { deleteEnabled: 'true', repositories: 'app,legacy/api', rules: [{ repositories: 'legacy/**', exclude: true }] }],
    ['alarms by e-mail, through a new encrypted topic', { alarmEmail: 'platform-alerts@example.com' }],
    ['alarms to an existing topic, deletion enabled', { alarmTopicArn: 'arn:aws:sns:eu-west-2:123456789012:platform-alerts', deleteEnabled: 'true' }],
    ['a grace period, which reads the audit bucket back', { gracePeriodDays: '7' }],
    ['deletion enabled, a grace period, a short retention and a price', { deleteEnabled: 'true', gracePeriodDays: '30', auditRetentionDays: '45', storagePricePerGbMonth: '0.12' }],
  ])('leaves no unacknowledged finding with %s', (_title, context) => {
    const { stack } = synth(context);

    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    expect(report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.resourceLogicalId).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('reports a wildcard that nobody acknowledged, so the checks above can fail', () => {
    const stack = new Stack(testApp(), 'Unacknowledged');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['ecr:DescribeImages'], resources: ['*'] }));

    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    expect(report.success).toBe(false);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual(['AwsSolutions-IAM5[Resource::*]']);
  });
});
