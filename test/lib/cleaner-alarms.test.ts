import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import { planAlarmPeriods } from '../../lib/cleaner-alarms';
import { EcrCleaner, type EcrCleanerProps } from '../../lib/ecr-cleaner';
import { InvalidSettingsError } from '../../lib/errors';
import { METRICS_NAMESPACE, METRIC_NAMES, MODE_DIMENSION } from '../../lambda/metrics';
import { catchError, render, synthCleaner, testApp } from '../support/cdk';

const DAY = 86_400;
const TOPIC_ARN = 'arn:aws:sns:eu-west-2:123456789012:platform-alerts';

/** The logical id of the only resource of a type. */
function idOf(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  if (ids.length !== 1) throw new Error(`expected one ${type}, found ${ids.length}`);
  return ids[0];
}

/** The alarms, by the metric each watches, with their properties. */
function alarmsOf(template: Template): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(({ Properties }) => [Properties.MetricName as string, Properties as Record<string, unknown>]));
}

describe('planAlarmPeriods', () => {
  it.each([
    ['every minute', 60, 60, { periodSeconds: 60, evaluationPeriods: 2 }],
    ['every 6 hours', 6 * 3_600, 6 * 3_600, { periodSeconds: 6 * 3_600, evaluationPeriods: 2 }],
    ['daily', DAY, DAY, { periodSeconds: DAY, evaluationPeriods: 2 }],
    ['every 36 hours, in whole days', 36 * 3_600, DAY, { periodSeconds: DAY, evaluationPeriods: 3 }],
    ['weekdays (3 days over a weekend)', 3 * DAY, DAY, { periodSeconds: DAY, evaluationPeriods: 6 }],
    ['every 3.5 days, the longest that fits 7 days', 3.5 * DAY, DAY, { periodSeconds: DAY, evaluationPeriods: 7 }],
  ])('watches a schedule that runs %s', (_title, gap, periodSeconds, noSuccessfulRun) => {
    expect(planAlarmPeriods(gap)).toEqual({ periodSeconds, noSuccessfulRun });
  });

  it('explains why a weekly schedule gets no alarm for a missing success: twice a week is beyond 7 days', () => {
    expect(planAlarmPeriods(7 * DAY)).toEqual({
      periodSeconds: DAY,
      noSuccessfulRun: {
        reason:
          'the schedule leaves up to 7 days between two runs, and twice that is more than the 7 days that a CloudWatch alarm can evaluate, so no alarm watches for a run that does not succeed. ' +
          'Schedule a run at least every 3.5 days to have one; the run-failed alarm still reports each failed run.',
      },
    });
  });
});

describe('EcrCleaner: alarms', () => {
  it.each([
    ['the default schedule, daily at 03:00', {}, DAY, DAY, 2],
    ['rate(6 hours)', { schedule: ScheduleExpression.expression('rate(6 hours)') }, 21_600, 21_600, 2],
    ['weekdays at 02:30', { schedule: ScheduleExpression.expression('cron(30 2 ? * MON-FRI *)') }, DAY, DAY, 6],
  ] as const)('with %s, alarms on a failed run, a missing success and a run near its timeout', (_title, props: EcrCleanerProps, period, successPeriod, successPeriods) => {
    const { template } = synthCleaner(props);

    const functionRef = { Ref: idOf(template, 'AWS::Lambda::Function') };
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    expect(alarmsOf(template)).toEqual({
      Errors: expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: functionRef }],
        Statistic: 'Sum',
        Period: period,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      }) as unknown,
      RunSucceeded: expect.objectContaining({
        Namespace: 'EcrMaintainer',
        MetricName: 'RunSucceeded',
        Dimensions: [{ Name: 'Mode', Value: 'dry-run' }],
        Statistic: 'Sum',
        Period: successPeriod,
        EvaluationPeriods: successPeriods,
        DatapointsToAlarm: successPeriods,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
        TreatMissingData: 'breaching',
      }) as unknown,
      Duration: expect.objectContaining({
        Namespace: 'AWS/Lambda',
        MetricName: 'Duration',
        Dimensions: [{ Name: 'FunctionName', Value: functionRef }],
        Statistic: 'Maximum',
        Period: period,
        EvaluationPeriods: 1,
        Threshold: 240_000,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }) as unknown,
    });
  });

  it('watches RunSucceeded under the namespace and the one dimension that the function emits, with the mode it runs in', () => {
    const { template } = synthCleaner({ deleteEnabled: true });

    const { Namespace, MetricName, Dimensions } = alarmsOf(template).RunSucceeded as { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] };
    expect(Namespace).toBe(METRICS_NAMESPACE);
    expect(METRIC_NAMES).toContain(MetricName);
    expect(Dimensions).toEqual([{ Name: MODE_DIMENSION, Value: 'delete' }]);
  });

  it('puts the near-timeout threshold at 80% of the timeout, in milliseconds', () => {
    const { template } = synthCleaner({ timeout: Duration.minutes(12) });

    expect(alarmsOf(template).Duration).toMatchObject({ Threshold: 576_000, Statistic: 'Maximum' });
  });

  it.each([
    ['weekly', 'cron(0 3 ? * SUN *)', /^the schedule leaves up to 7 days between two runs, and twice that is more than the 7 days that a CloudWatch alarm can evaluate/],
    ['never twice', 'cron(0 3 30 2 ? *)', /^the schedule cron\(0 3 30 2 \? \*\) runs fewer than twice in 2024 to 2031/],
  ])('has no alarm for a missing success when the schedule runs %s, and warns at synth', (_title, expression, warning) => {
    const { stack, cleaner, template } = synthCleaner({ schedule: ScheduleExpression.expression(expression) });

    expect(cleaner.noSuccessfulRunAlarm).toBeUndefined();
    expect(Object.keys(alarmsOf(template)).sort()).toEqual(['Duration', 'Errors']);
    Annotations.fromStack(stack).hasWarning('/Test/Cleaner/Alarms', Match.stringLikeRegexp(warning.source));
  });

  it('leaves out the alarms it cannot compute when the schedule and the timeout are tokens, and says so', () => {
    const stack = new Stack(testApp(), 'Test');
    const cleaner = new EcrCleaner(stack, 'Cleaner', {
      schedule: ScheduleExpression.expression(Lazy.string({ produce: () => 'rate(1 day)' })),
      timeout: Duration.seconds(Lazy.number({ produce: () => 60 })),
    });

    expect([cleaner.noSuccessfulRunAlarm, cleaner.nearTimeoutAlarm]).toEqual([undefined, undefined]);
    expect(alarmsOf(Template.fromStack(stack)).Errors).toMatchObject({ Period: DAY });
    const warnings = Annotations.fromStack(stack).findWarning('/Test/Cleaner/Alarms', Match.anyValue()).map((warning) => warning.entry.data as string);
    expect(warnings).toEqual([
      expect.stringMatching(/^the schedule is known only at deploy time, so no alarm watches for a run that does not succeed\./),
      expect.stringMatching(/^the timeout is known only at deploy time, so no alarm watches for runs that come near it\./),
    ]);
  });

  it('exposes the alarms it creates', () => {
    const { stack, cleaner } = synthCleaner();

    const ids = [cleaner.runFailedAlarm, cleaner.noSuccessfulRunAlarm, cleaner.nearTimeoutAlarm].map((alarm) => alarm && stack.resolve(alarm.alarmName));
    expect(ids).toEqual([{ Ref: expect.stringMatching(/^CleanerAlarmsRunFailed/) }, { Ref: expect.stringMatching(/^CleanerAlarmsNoSuccessfulRun/) }, { Ref: expect.stringMatching(/^CleanerAlarmsNearTimeout/) }]);
  });
});

describe('EcrCleaner: where the alarms go', () => {
  it('notifies nobody without alarmEmail or alarmTopic: no topic, no key, no action', () => {
    const { cleaner, template } = synthCleaner();

    expect(cleaner.alarmTopic).toBeUndefined();
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    for (const alarm of Object.values(alarmsOf(template))) expect(alarm).not.toHaveProperty('AlarmActions');
  });

  it('with alarmEmail, creates a topic encrypted with a rotating key of its own, TLS only, that e-mails the address', () => {
    const { template } = synthCleaner({ alarmEmail: ' platform-alerts@example.com ' });

    const keyId = idOf(template, 'AWS::KMS::Key');
    const topicId = idOf(template, 'AWS::SNS::Topic');
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.resourceCountIs('AWS::SNS::Subscription', 1);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform-alerts@example.com', TopicArn: { Ref: topicId } });
    for (const alarm of Object.values(alarmsOf(template))) expect(alarm).toMatchObject({ AlarmActions: [{ Ref: topicId }], OKActions: [{ Ref: topicId }] });
  });

  it('lets CloudWatch publish to the new topic, and use its key, for these alarms alone', () => {
    const { template } = synthCleaner({ alarmEmail: 'platform-alerts@example.com' });

    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    const [policy] = Object.values(template.findResources('AWS::SNS::TopicPolicy'));
    expect(render(policy.Properties.PolicyDocument.Statement)).toEqual([
      expect.objectContaining({ Sid: 'AllowPublishThroughSSLOnly', Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      {
        Sid: 'LetTheCleanerAlarmsPublish',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: 'sns:Publish',
        Resource: `\${${idOf(template, 'AWS::SNS::Topic')}}`,
        Condition: { ArnEquals: { 'aws:SourceArn': alarmIds.map((id) => `\${${id}.Arn}`) }, StringEquals: { 'aws:SourceAccount': '${AWS::AccountId}' } },
      },
    ]);
    const [key] = Object.values(template.findResources('AWS::KMS::Key'));
    expect(key.Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'LetCloudWatchAlarmsPublish',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
    });
  });

  it('with alarmTopic, notifies that topic, and creates none', () => {
    const stack = new Stack(testApp(), 'Test');
    const cleaner = new EcrCleaner(stack, 'Cleaner', { alarmTopic: sns.Topic.fromTopicArn(stack, 'Alerts', TOPIC_ARN) });
    const template = Template.fromStack(stack);

    expect(cleaner.alarmTopic?.topicArn).toBe(TOPIC_ARN);
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    for (const alarm of Object.values(alarmsOf(template))) expect(alarm).toMatchObject({ AlarmActions: [TOPIC_ARN], OKActions: [TOPIC_ARN] });
  });

  it.each([
    [{ alarmEmail: 'platform-alerts' }, 'alarmEmail must be one e-mail address, such as platform-alerts@example.com, got "platform-alerts": an address has one "@"'],
    [{ alarmEmail: 'a@example.com, b@example.com' }, 'alarmEmail must be one e-mail address, such as platform-alerts@example.com, got "a@example.com, b@example.com": give one address; to reach more people, use a mailing list'],
    [{ alarmEmail: '@example.com' }, 'got "@example.com": there is nothing before the "@"'],
    [{ alarmEmail: 'ops@localhost' }, 'got "ops@localhost": "localhost" is not a domain, such as example.com'],
  ])('fails on %j, naming the prop, the value and the fix', (props, message) => {
    const stack = new Stack(testApp(), 'Test');

    expect(() => new EcrCleaner(stack, 'Cleaner', props)).toThrow(message);
  });

  it('fails on a topic that is not an SNS topic, and on both targets at once', () => {
    const stack = new Stack(testApp(), 'Test');
    const queue = sns.Topic.fromTopicArn(stack, 'Queue', 'arn:aws:sqs:eu-west-2:123456789012:platform-alerts');

    const error = catchError(() => new EcrCleaner(stack, 'Cleaner', { alarmTopic: queue, alarmEmail: 'platform-alerts@example.com' }));

    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).problems).toEqual([
      'alarmTopic must be an SNS topic, such as arn:aws:sns:eu-west-2:123456789012:platform-alerts, got "arn:aws:sqs:eu-west-2:123456789012:platform-alerts": it is an ARN of "sqs", not of an SNS topic',
      'alarmTopic must not be given with alarmEmail: give one. alarmEmail creates a topic that e-mails the address; with a topic of your own, subscribe the address to it',
    ]);
  });

  it('takes a topic created in the same app, whose ARN is known only at deploy time', () => {
    const stack = new Stack(testApp(), 'Test');
    const topic = new sns.Topic(stack, 'Alerts');

    new EcrCleaner(stack, 'Cleaner', { alarmTopic: topic });

    for (const alarm of Object.values(alarmsOf(Template.fromStack(stack)))) expect(alarm).toMatchObject({ AlarmActions: [{ Ref: expect.stringMatching(/^Alerts/) }] });
  });

  it.each([
    ['alarms by e-mail, deletion on', { alarmEmail: 'platform-alerts@example.com', deleteEnabled: true }],
    ['alarms to an existing topic', { alarmTopic: 'imported' }],
  ])('leaves no unacknowledged cdk-nag finding with %s', (_title, options) => {
    const stack = new Stack(testApp(), 'Test');
    const { alarmTopic, ...props } = options as EcrCleanerProps & { alarmTopic?: string };
    new EcrCleaner(stack, 'Cleaner', { ...props, ...(alarmTopic && { alarmTopic: sns.Topic.fromTopicArn(stack, 'Alerts', TOPIC_ARN) }) });

    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    expect(report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.resourceLogicalId).join(', ')}`)).toEqual([]);
  });

  it('keeps the function role as it was: EMF needs no permission beyond writing to its own log group', () => {
    const { template } = synthCleaner({ alarmEmail: 'platform-alerts@example.com' });

    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]);
    const actions = statements.flatMap(({ Action }) => (Array.isArray(Action) ? Action : [Action]));
    expect(actions.filter((action) => /^(cloudwatch|sns|kms):/.test(action))).toEqual([]);
  });
});

describe('EcrCleaner: the dashboard', () => {
  /** Every metric the dashboard graphs, as [namespace, name, ...dimension names and values]. */
  function dashboardMetrics(template: Template): string[][] {
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.parse(String(render(dashboard.Properties.DashboardBody))) as { widgets: { properties: { metrics?: unknown[][] } }[] };
    return body.widgets.flatMap((widget) => widget.properties.metrics ?? []).map((metric) => metric.filter((part): part is string => typeof part === 'string'));
  }

  it('is one dashboard, named from the stack and the region', () => {
    const { template } = synthCleaner();

    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: { 'Fn::Join': ['', ['Test-', { Ref: 'AWS::Region' }]] } });
  });

  it("graphs the cleaner's own metrics by the names, namespace and dimension that lambda/metrics.ts emits", () => {
    const { template } = synthCleaner({ deleteEnabled: true });

    const own = dashboardMetrics(template).filter(([namespace]) => namespace === METRICS_NAMESPACE);
    expect(own.map(([, name]) => name)).toEqual(['ImagesDeleted', 'ImagesToDelete', 'BytesReclaimed', 'BytesReclaimable', 'MonthlySavingUsd', 'Errors', 'RunFailed', 'RunFailed']);
    for (const [, name, ...dimensions] of own) {
      expect(METRIC_NAMES).toContain(name);
      expect(`${name}: ${dimensions[0]}`).toBe(`${name}: ${MODE_DIMENSION}`);
      expect(dimensions).toHaveLength(2);
    }
    expect(own.map(([, , , mode]) => mode)).toEqual(['delete', 'delete', 'delete', 'delete', 'delete', 'delete', 'delete', 'unknown']);
  });

  it("graphs the function's errors and duration, and the alarms", () => {
    const { template } = synthCleaner();

    const functionId = idOf(template, 'AWS::Lambda::Function');
    expect(dashboardMetrics(template).filter(([namespace]) => namespace === 'AWS/Lambda')).toEqual([
      ['AWS/Lambda', 'Errors', 'FunctionName', `\${${functionId}}`],
      ['AWS/Lambda', 'Duration', 'FunctionName', `\${${functionId}}`],
    ]);
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.parse(String(render(dashboard.Properties.DashboardBody))) as { widgets: { type: string; properties: { alarms?: string[] } }[] };
    expect(body.widgets.find((widget) => widget.type === 'alarm')?.properties.alarms).toEqual(Object.keys(template.findResources('AWS::CloudWatch::Alarm')).map((id) => `\${${id}.Arn}`));
  });
});
