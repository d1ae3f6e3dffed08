import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EcrMaintainerStack } from '../../lib/ecr-maintainer-stack';
import { testApp } from '../support/cdk';

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
      repositories: 'app, team/api',
      clusters: 'prod',
      maxConcurrentCalls: '4',
      slackEnabled: 'TRUE',
      slackChannel: 'C0123456789',
      slackMaxMessageLength: '3000',
      logRetentionDays: '30',
      logLevel: 'debug',
    });

    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(30 2 ? * MON-FRI *)' });
    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 600, MemorySize: 1024, LoggingConfig: { ApplicationLogLevel: 'DEBUG', LogFormat: 'JSON', SystemLogLevel: 'WARN', LogGroup: {} } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(variables(template)).toMatchObject({
      KEEP_MIN_IMAGE_COUNT: '5',
      KEEP_IMAGES_NEWER_THAN_DAYS: '14',
      DELETE_ENABLED: 'true',
      KEEP_SERVICE_DEPLOYMENT_IMAGES: 'false',
      ECR_REPOSITORIES: 'app,team/api',
      ECS_CLUSTERS: 'prod',
      MAX_CONCURRENT_CALLS: '4',
      SLACK_ENABLED: 'true',
      SLACK_CHANNEL: 'C0123456789',
      SLACK_MAX_MESSAGE_LENGTH: '3000',
    });
  });

  it('reads typed values from the context block of cdk.json', () => {
    const { template } = synth({ keepMinImageCount: 7, deleteEnabled: false, repositories: ['a', 'b'], timeoutMinutes: 15 });

    template.hasResourceProperties('AWS::Lambda::Function', { Timeout: 900 });
    expect(variables(template)).toMatchObject({ KEEP_MIN_IMAGE_COUNT: '7', DELETE_ENABLED: 'false', ECR_REPOSITORIES: 'a,b' });
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

    expect(Object.keys(template.findOutputs('*')).sort()).toEqual(['FunctionName', 'LogGroupName', 'SlackTokenSecretArn']);
    template.hasOutput('SlackTokenSecretArn', { Description: "Put the Slack bot token here: aws secretsmanager put-secret-value --secret-id <this> --secret-string '{\"token\":\"xoxb-...\"}'" });
  });

  it.each([
    ['keepMinImageCount', 'ten', 'context keepMinImageCount must be a number, got "ten"'],
    ['deleteEnabled', 'yes', 'context deleteEnabled must be true or false, got "yes"'],
    ['schedule', 'daily', 'context schedule must be a cron(...) or rate(...) expression such as "cron(0 3 * * ? *)", got "daily"'],
    ['logRetentionDays', '45', "context logRetentionDays must be one of CloudWatch's retention periods (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, …), got 45"],
    ['logLevel', 'loud', 'context logLevel must be one of INFO, DEBUG, WARN, TRACE, ERROR, FATAL, got "LOUD"'],
    ['repositories', 42, 'context repositories must be a list of names, or a comma-separated string, got 42'],
  ])('fails at synth on a malformed %s, naming the key and the value', (key, value, message) => {
    expect(() => synth({ [key]: value })).toThrow(message);
  });

  it('passes out-of-range values to the construct, which names the prop and the limit', () => {
    expect(() => synth({ keepMinImageCount: '0', timeoutMinutes: '20' })).toThrow(
      "EcrCleaner: invalid props:\n  keepMinImageCount must be a whole number of at least 1, got 0\n  timeout must be from 1 minute to 15 minutes (Lambda's limit), got 20 minutes",
    );
  });
});

describe('EcrMaintainerStack: cdk-nag AwsSolutions', () => {
  it.each([
    ['deletion disabled, the defaults', {}],
    ['deletion enabled, with Slack and a new secret', { deleteEnabled: 'true', slackEnabled: 'true', slackChannel: 'C1' }],
    ['deletion enabled, scoped to repositories and clusters, services ignored', { deleteEnabled: 'true', repositories: 'app,web', clusters: 'prod,staging', keepServiceDeploymentImages: 'false' }],
    ['Slack with an imported secret', { slackEnabled: 'true', slackChannel: 'C1', slackTokenSecret: 'platform/slack-bot' }],
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
