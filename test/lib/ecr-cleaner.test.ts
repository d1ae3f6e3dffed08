import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { EcrCleaner, type EcrCleanerProps } from '../../lib/ecr-cleaner';
import { InvalidSettingsError } from '../../lib/errors';
import { actionsOf, catchError, render, statementsOfRole, synthCleaner, testApp } from '../support/cdk';

const REPOSITORY_WILDCARD = 'arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*';
const ecs = (resource: string): string => `arn:\${AWS::Partition}:ecs:\${AWS::Region}:\${AWS::AccountId}:${resource}`;
const ecr = (resource: string): string => `arn:\${AWS::Partition}:ecr:\${AWS::Region}:\${AWS::AccountId}:${resource}`;

describe('EcrCleaner: the function and its schedule', () => {
  it('runs the bundled cleaner on the newest Node.js runtime, on arm64, with the documented defaults', () => {
    const { template } = synthCleaner();

    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      Timeout: 300,
      MemorySize: 512,
      ReservedConcurrentExecutions: 1,
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      Environment: {
        Variables: {
          KEEP_MIN_IMAGE_COUNT: '3',
          KEEP_IMAGES_NEWER_THAN_DAYS: '7',
          DELETE_ENABLED: 'false',
          KEEP_SERVICE_DEPLOYMENT_IMAGES: 'true',
          KEEP_SCHEDULED_TASK_IMAGES: 'true',
          KEEP_TASK_DEFINITION_REVISIONS: '1',
          KEEP_LAMBDA_IMAGES: 'true',
          KEEP_LAMBDA_VERSIONS: '3',
          KEEP_IMAGES_PULLED_WITHIN_DAYS: '0',
          AUDIT_BUCKET_URI: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('^CleanerAuditBucket[0-9A-F]+$') }]] },
          GRACE_PERIOD_DAYS: '0',
          MAX_CONCURRENT_CALLS: '8',
          STORAGE_PRICE_PER_GB_MONTH: '0.1',
          SLACK_ENABLED: 'false',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    expect(lambda.Runtime.NODEJS_24_X.name).toBe('nodejs24.x');
  });

  it('never retries a failed run, neither in Lambda nor in the scheduler', () => {
    const { template } = synthCleaner();

    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      ScheduleExpressionTimezone: 'Etc/UTC',
      State: 'ENABLED',
      Target: { RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 } },
    });
  });

  it('logs to a log group of its own, kept for three months', () => {
    const { template } = synthCleaner();

    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
    const [logGroupId] = Object.keys(template.findResources('AWS::Logs::LogGroup'));
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: { Ref: logGroupId } } });
  });

  it('creates exactly a function, a log group, a schedule, two roles and the audit bucket, and no secret by default', () => {
    const { template } = synthCleaner();

    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('AWS::S3::Bucket', 1);
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    template.resourceCountIs('AWS::IAM::Role', 2);
    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
  });

  it('passes every setting to the function as the variables the CLI reads', () => {
    const { template } = synthCleaner({
      schedule: ScheduleExpression.expression('rate(12 hours)'),
      timeout: Duration.minutes(15),
      memorySize: 1024,
      keepMinImageCount: 5,
      keepImagesNewerThan: Duration.days(30),
      deleteEnabled: true,
      keepServiceDeploymentImages: false,
      keepScheduledTaskImages: false,
      keepTaskDefinitionRevisions: 5,
      keepLambdaImages: false,
      keepImagesPulledWithin: Duration.days(30),
      inUseImagesUri: 's3://platform-inventory/ecr/in-use.json',
      repositories: ['app', 'team/api'],
      clusters: ['prod'],
      maxConcurrentCalls: 16,
      gracePeriodDays: 7,
      auditRetentionDays: 90,
      storagePricePerGbMonth: 0.11,
      logRetention: logs.RetentionDays.ONE_YEAR,
      logLevel: lambda.ApplicationLogLevel.DEBUG,
    });

    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      MemorySize: 1024,
      LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'DEBUG' }),
      Environment: {
        Variables: {
          KEEP_MIN_IMAGE_COUNT: '5',
          KEEP_IMAGES_NEWER_THAN_DAYS: '30',
          DELETE_ENABLED: 'true',
          KEEP_SERVICE_DEPLOYMENT_IMAGES: 'false',
          KEEP_SCHEDULED_TASK_IMAGES: 'false',
          KEEP_TASK_DEFINITION_REVISIONS: '5',
          KEEP_LAMBDA_IMAGES: 'false',
          KEEP_IMAGES_PULLED_WITHIN_DAYS: '30',
          IN_USE_IMAGES_URI: 's3://platform-inventory/ecr/in-use.json',
          ECR_REPOSITORIES: 'app,team/api',
          ECS_CLUSTERS: 'prod',
          GRACE_PERIOD_DAYS: '7',
          MAX_CONCURRENT_CALLS: '16',
          STORAGE_PRICE_PER_GB_MONTH: '0.11',
          SLACK_ENABLED: 'false',
          NODE_OPTIONS: '--enable-source-maps',
        },
      },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(12 hours)' });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    template.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 90, NoncurrentVersionExpiration: { NoncurrentDays: 90 } })] } });
  });
});

describe('EcrCleaner: least privilege', () => {
  it('grants exactly the reading permissions, on the narrowest resources, while deletion is off', () => {
    const { template } = synthCleaner();

    const statements = statementsOfRole(template, 'lambda.amazonaws.com');

    expect(statements).toEqual([
      { Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Effect: 'Allow', Resource: expect.stringMatching(/^\$\{CleanerLogGroup[0-9A-F]+\.Arn\}$/) },
      { Sid: 'ReadImages', Action: ['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:DescribeRepositories'], Effect: 'Allow', Resource: REPOSITORY_WILDCARD },
      { Sid: 'ListClusters', Action: 'ecs:ListClusters', Effect: 'Allow', Resource: '*' },
      { Sid: 'ListTasksInScope', Action: ['ecs:ListServices', 'ecs:ListTasks'], Effect: 'Allow', Resource: '*', Condition: { ArnLike: { 'ecs:cluster': [ecs('cluster/*')] } } },
      { Sid: 'DescribeTasksInScope', Action: 'ecs:DescribeTasks', Effect: 'Allow', Resource: ecs('task/*/*') },
      { Sid: 'DescribeServicesInScope', Action: ['ecs:DescribeServices', 'ecs:ListServiceDeployments'], Effect: 'Allow', Resource: ecs('service/*/*') },
      { Sid: 'DescribeServiceDeploymentsInScope', Action: 'ecs:DescribeServiceDeployments', Effect: 'Allow', Resource: ecs('service-deployment/*/*') },
      { Sid: 'DescribeServiceRevisionsInScope', Action: 'ecs:DescribeServiceRevisions', Effect: 'Allow', Resource: ecs('service-revision/*/*') },
      { Sid: 'ListSchedules', Action: ['events:ListEventBuses', 'events:ListRules', 'scheduler:ListSchedules'], Effect: 'Allow', Resource: '*' },
      { Sid: 'ReadRuleTargets', Action: 'events:ListTargetsByRule', Effect: 'Allow', Resource: 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/*' },
      { Sid: 'ReadSchedules', Action: 'scheduler:GetSchedule', Effect: 'Allow', Resource: 'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/*/*' },
      { Sid: 'ListTaskDefinitions', Action: 'ecs:ListTaskDefinitions', Effect: 'Allow', Resource: '*' },
      { Sid: 'DescribeTaskDefinitions', Action: 'ecs:DescribeTaskDefinition', Effect: 'Allow', Resource: '*' },
      { Sid: 'ListFunctions', Action: 'lambda:ListFunctions', Effect: 'Allow', Resource: '*' },
      { Sid: 'ReadFunctions', Action: ['lambda:GetFunction', 'lambda:ListAliases', 'lambda:ListVersionsByFunction'], Effect: 'Allow', Resource: 'arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*' },
      { Sid: 'WriteAuditTrail', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Effect: 'Allow', Resource: expect.stringMatching(/^\$\{CleanerAuditBucket[0-9A-F]+\.Arn\}\/runs\/\*$/) },
    ]);
  });

  it('has no permission to delete while deletion is off', () => {
    const { template } = synthCleaner({ deleteEnabled: false });

    expect(JSON.stringify(template.toJSON())).not.toContain('ecr:BatchDeleteImage');
  });

  it('may delete only in the repositories in scope once deletion is on', () => {
    const everywhere = statementsOfRole(synthCleaner({ deleteEnabled: true }).template, 'lambda.amazonaws.com');
    const scoped = statementsOfRole(synthCleaner({ deleteEnabled: true, repositories: ['app', 'team/api'] }).template, 'lambda.amazonaws.com');

    expect(everywhere.find((statement) => statement.Sid === 'DeleteImages')).toEqual({ Sid: 'DeleteImages', Action: 'ecr:BatchDeleteImage', Effect: 'Allow', Resource: REPOSITORY_WILDCARD });
    expect(scoped.find((statement) => statement.Sid === 'DeleteImages')?.Resource).toEqual([ecr('repository/app'), ecr('repository/team/api')]);
    expect(scoped.find((statement) => statement.Sid === 'ReadImages')?.Resource).toEqual([ecr('repository/app'), ecr('repository/team/api')]);
  });

  it('limits ECS reads to the clusters in scope, and then lists no clusters', () => {
    const statements = statementsOfRole(synthCleaner({ clusters: ['prod', 'arn:aws:ecs:eu-west-2:123456789012:cluster/staging'] }).template, 'lambda.amazonaws.com');

    expect(actionsOf(statements)).not.toContain('ecs:ListClusters');
    expect(statements.find((statement) => statement.Sid === 'ListTasksInScope')?.Condition).toEqual({ ArnEquals: { 'ecs:cluster': [ecs('cluster/prod'), ecs('cluster/staging')] } });
    expect(statements.find((statement) => statement.Sid === 'DescribeTasksInScope')?.Resource).toEqual([ecs('task/prod/*'), ecs('task/staging/*')]);
    expect(statements.find((statement) => statement.Sid === 'DescribeServicesInScope')?.Resource).toEqual([ecs('service/prod/*'), ecs('service/staging/*')]);
    expect(statements.find((statement) => statement.Sid === 'DescribeServiceDeploymentsInScope')?.Resource).toEqual([ecs('service-deployment/prod/*'), ecs('service-deployment/staging/*')]);
    expect(statements.find((statement) => statement.Sid === 'DescribeServiceRevisionsInScope')?.Resource).toEqual([ecs('service-revision/prod/*'), ecs('service-revision/staging/*')]);
  });

  it('uses no AWS managed policy and no wildcard action in any role', () => {
    const { template } = synthCleaner({ deleteEnabled: true, slackEnabled: true, slackChannel: 'C1' });

    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const actions = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((statement) => statement.Action),
    );
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('lets the scheduler invoke this one function, and nothing else', () => {
    const { template } = synthCleaner();

    const statements = statementsOfRole(template, 'scheduler.amazonaws.com');

    expect(statements).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: [expect.stringMatching(/^\$\{CleanerFunction[0-9A-F]+\.Arn\}$/), expect.stringMatching(/^\$\{CleanerFunction[0-9A-F]+\.Arn\}:\*$/)] },
    ]);
    const role = Object.values(template.findResources('AWS::IAM::Role')).find((candidate) => JSON.stringify(candidate).includes('scheduler.amazonaws.com'));
    expect(render(role?.Properties.AssumeRolePolicyDocument.Statement[0].Condition)).toEqual({
      StringEquals: { 'aws:SourceAccount': '${AWS::AccountId}', 'aws:SourceArn': 'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule-group/default' },
    });
  });
});

describe('EcrCleaner: Slack', () => {
  it('creates a secret for the token, passes its ARN, and lets the function read only that secret', () => {
    const { template, cleaner, stack } = synthCleaner({ slackEnabled: true, slackChannel: 'C0123456789' });

    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    const secretId = stack.getLogicalId(cleaner.slackTokenSecret?.node.defaultChild as secretsmanager.CfnSecret);
    template.hasResourceProperties('AWS::SecretsManager::Secret', { GenerateSecretString: { SecretStringTemplate: '{"token":""}', GenerateStringKey: 'placeholder' } });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SLACK_ENABLED: 'true', SLACK_CHANNEL: 'C0123456789', SLACK_MAX_MESSAGE_LENGTH: '4000', SLACK_TOKEN_SECRET_ARN: { Ref: secretId } }) },
    });
    const statements = statementsOfRole(template, 'lambda.amazonaws.com');
    expect(statements.find((statement) => actionsOf([statement]).includes('secretsmanager:GetSecretValue'))).toEqual({
      Action: ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'],
      Effect: 'Allow',
      Resource: `\${${secretId}}`,
    });
  });

  it('uses an existing secret when one is given, and creates none', () => {
    const stack = new Stack(testApp(), 'Test');
    const secret = secretsmanager.Secret.fromSecretCompleteArn(stack, 'Existing', 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:slack-AbCdEf');
    new EcrCleaner(stack, 'Cleaner', { slackEnabled: true, slackChannel: 'C1', slackTokenSecret: secret, slackMaxMessageLength: 3000 });
    const template = Template.fromStack(stack);

    template.resourceCountIs('AWS::SecretsManager::Secret', 0);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SLACK_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-2:123456789012:secret:slack-AbCdEf', SLACK_MAX_MESSAGE_LENGTH: '3000' }) },
    });
  });

  it('warns when Slack settings are given while Slack is off', () => {
    const { stack } = synthCleaner({ slackChannel: 'C1' });

    Annotations.fromStack(stack).hasWarning('/Test/Cleaner', Match.stringLikeRegexp('^Slack settings are given but slackEnabled is false'));
    expect(Annotations.fromStack(synthCleaner({ slackEnabled: true, slackChannel: 'C1' }).stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('warns when keepLambdaVersions is given while Lambda images are not kept', () => {
    const { stack } = synthCleaner({ keepLambdaImages: false, keepLambdaVersions: 5 });

    Annotations.fromStack(stack).hasWarning('/Test/Cleaner', Match.stringLikeRegexp('^keepLambdaVersions is given but keepLambdaImages is false'));
    expect(Annotations.fromStack(synthCleaner({ keepLambdaVersions: 5 }).stack).findWarning('*', Match.anyValue())).toEqual([]);
  });

  it('never puts a token into the template, nor a SLACK_TOKEN variable', () => {
    const token = 'xoxb-1234567890-never-in-a-template';
    process.env.SLACK_TOKEN = token;
    try {
      const { template } = synthCleaner({ slackEnabled: true, slackChannel: 'C1' });
      const text = JSON.stringify(template.toJSON());

      expect(text).not.toContain(token);
      expect(text).not.toMatch(/xox[abp]-\d/);
      expect(text).not.toContain('"SLACK_TOKEN"');
    } finally {
      delete process.env.SLACK_TOKEN;
    }
  });
});

describe('EcrCleaner: validation', () => {
  it.each<[string, EcrCleanerProps, string]>([
    ['keepMinImageCount is 0', { keepMinImageCount: 0 }, 'keepMinImageCount must be a whole number of at least 1, got 0'],
    ['keepMinImageCount is not whole', { keepMinImageCount: 2.5 }, 'keepMinImageCount must be a whole number of at least 1, got 2.5'],
    ['memorySize is below Lambda’s minimum', { memorySize: 64 }, 'memorySize must be a whole number from 128 to 10240, got 64'],
    ['memorySize is above Lambda’s maximum', { memorySize: 20000 }, 'memorySize must be a whole number from 128 to 10240, got 20000'],
    ['timeout is over 15 minutes', { timeout: Duration.minutes(16) }, "timeout must be from 1 minute to 15 minutes (Lambda's limit), got 16 minutes"],
    ['timeout is under a minute', { timeout: Duration.seconds(30) }, "timeout must be from 1 minute to 15 minutes (Lambda's limit), got 30 seconds"],
    ['keepImagesNewerThan is not whole days', { keepImagesNewerThan: Duration.hours(36) }, 'keepImagesNewerThan must be a whole number of days, got 1 day 12 hours'],
    ['maxConcurrentCalls is 0', { maxConcurrentCalls: 0 }, 'maxConcurrentCalls must be a whole number from 1 to 64, got 0'],
    ['slackMaxMessageLength is 0', { slackMaxMessageLength: 0 }, 'slackMaxMessageLength must be a whole number from 1 to 40000, got 0'],
    ['Slack is enabled without a channel', { slackEnabled: true }, 'slackChannel must be set when slackEnabled is true, got nothing: give the channel ID, such as C0123456789'],
    ['repositories is empty', { repositories: [] }, 'repositories must name at least one, got an empty list: leave it out to cover them all'],
    ['a repository name is invalid', { repositories: ['ok', 'Not Valid'] }, 'repositories has invalid names: "Not Valid"'],
    ['a cluster name is invalid', { clusters: ['prod/eu'] }, 'clusters has invalid names: "prod/eu"'],
    ['the schedule has five cron fields', { schedule: ScheduleExpression.expression('cron(0 3 * * *)') }, 'schedule must be a recurring EventBridge Scheduler expression such as "cron(0 3 * * ? *)" or "rate(12 hours)", got "cron(0 3 * * *)": cron(…) needs exactly 6 fields (minutes hours day-of-month month day-of-week year), got 5'],
    ['the schedule runs only once', { schedule: ScheduleExpression.expression('at(2026-12-01T03:00:00)') }, 'schedule must be a recurring EventBridge Scheduler expression such as "cron(0 3 * * ? *)" or "rate(12 hours)", got "at(2026-12-01T03:00:00)": at(…) runs only once, and the cleaner must run again and again: use cron(…) or rate(…)'],
    ['keepTaskDefinitionRevisions is negative', { keepTaskDefinitionRevisions: -1 }, 'keepTaskDefinitionRevisions must be a whole number from 0 to 100 (0 turns it off), got -1'],
    ['keepTaskDefinitionRevisions is over 100', { keepTaskDefinitionRevisions: 101 }, 'keepTaskDefinitionRevisions must be a whole number from 0 to 100 (0 turns it off), got 101'],
    ['keepTaskDefinitionRevisions is not whole', { keepTaskDefinitionRevisions: 1.5 }, 'keepTaskDefinitionRevisions must be a whole number from 0 to 100 (0 turns it off), got 1.5'],
    ['keepLambdaVersions is over 100', { keepLambdaVersions: 500 }, 'keepLambdaVersions must be a whole number from 0 to 100, got 500'],
    ['keepLambdaVersions is not whole', { keepLambdaVersions: 0.5 }, 'keepLambdaVersions must be a whole number from 0 to 100, got 0.5'],
    ['keepImagesPulledWithin is not whole days', { keepImagesPulledWithin: Duration.hours(12) }, 'keepImagesPulledWithin must be a whole number of days (0 turns the rule off), got 12 hours'],
    ['inUseImagesUri is not an S3 URI', { inUseImagesUri: 'https://bucket.s3.amazonaws.com/key' }, 'inUseImagesUri must be s3://<bucket>/<key>, naming one object, got "https://bucket.s3.amazonaws.com/key": it must start with s3://'],
    ['inUseImagesUri names no object', { inUseImagesUri: 's3://my-bucket/' }, 'inUseImagesUri must be s3://<bucket>/<key>, naming one object, got "s3://my-bucket/": it must name an object after the bucket, such as s3://my-bucket/in-use-images.json'],
    ['inUseImagesUri has an invalid bucket', { inUseImagesUri: 's3://My_Bucket/list.json' }, 'inUseImagesUri must be s3://<bucket>/<key>, naming one object, got "s3://My_Bucket/list.json": "My_Bucket" is not a valid bucket name (3 to 63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)'],
    ['inUseImagesUri has a wildcard', { inUseImagesUri: 's3://my-bucket/lists/*.json' }, 'inUseImagesUri must be s3://<bucket>/<key>, naming one object, got "s3://my-bucket/lists/*.json": the key "lists/*.json" has "*", "?" or "${", which a policy would read as a wildcard or a variable'],
  ])('fails at synth when %s', (_title, props, message) => {
    const stack = new Stack(testApp(), 'Test');

    expect(() => new EcrCleaner(stack, 'Cleaner', props)).toThrow(`EcrCleaner: invalid props:\n  ${message}`);
  });

  it('throws an InvalidSettingsError that lists the problems', () => {
    const stack = new Stack(testApp(), 'Test');

    const error = catchError(() => new EcrCleaner(stack, 'Cleaner', { keepLambdaVersions: -1, inUseImagesUri: 's3://b' }));

    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).problems).toHaveLength(2);
  });

  it('names every problem at once', () => {
    const stack = new Stack(testApp(), 'Test');

    expect(() => new EcrCleaner(stack, 'Cleaner', { keepMinImageCount: 0, memorySize: 1 })).toThrow(
      'EcrCleaner: invalid props:\n  keepMinImageCount must be a whole number of at least 1, got 0\n  memorySize must be a whole number from 128 to 10240, got 1',
    );
  });

  it('skips values that are resolved only at deploy time', () => {
    const stack = new Stack(testApp(), 'Test');

    expect(
      () =>
        new EcrCleaner(stack, 'Cleaner', {
          keepMinImageCount: Lazy.number({ produce: () => 0 }),
          memorySize: Lazy.number({ produce: () => 256 }),
          keepLambdaVersions: Lazy.number({ produce: () => 500 }),
          inUseImagesUri: Lazy.string({ produce: () => 'not a uri' }),
          schedule: ScheduleExpression.expression(Lazy.string({ produce: () => 'daily' })),
        }),
    ).not.toThrow();
  });
});
