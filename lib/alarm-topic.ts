/**
 * Where alarms send: an existing topic, or a new one that e-mails an address, or nowhere. The single-account
 * cleaner's alarms and the organisation's alarms both notify through here.
 */
import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';

export interface AlarmTargetProps {
  /** An address to e-mail, through a new topic (`TopicKey` and `Topic` in the scope). */
  readonly alarmEmail?: string;
  /** An existing topic to notify. */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * Makes every alarm notify the topic when it goes into alarm and when it recovers: `alarmTopic`, or a
 * new topic for `alarmEmail`. Returns the topic, or undefined when neither is given.
 */
export function notifyAlarmTarget(scope: Construct, alarms: readonly cloudwatch.Alarm[], props: AlarmTargetProps): sns.ITopic | undefined {
  const topic = props.alarmTopic ?? (props.alarmEmail === undefined ? undefined : createAlarmTopic(scope, props.alarmEmail, alarms));
  if (topic) {
    const action = new SnsAction(topic);
    // OK too, so that whoever was told of the trouble is told when it is over.
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }
  return topic;
}

/**
 * A topic that e-mails `address`, encrypted with a key of its own (cdk-nag's SNS2: SNS's AWS managed
 * key cannot be used, because its policy cannot let CloudWatch in), accepting only TLS (SNS3), and
 * open to these alarms alone.
 */
function createAlarmTopic(scope: Construct, address: string, alarms: readonly cloudwatch.Alarm[]): sns.Topic {
  const key = new kms.Key(scope, 'TopicKey', {
    description: 'ECR Maintainer: encrypts the alarm topic',
    enableKeyRotation: true,
    // The topic keeps no messages: nothing is lost with the key.
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  // As CloudWatch's documentation gives it: the alarms publish through SNS, which uses the key for them.
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'LetCloudWatchAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }),
  );
  const topic = new sns.Topic(scope, 'Topic', {
    displayName: 'ECR Maintainer alarms',
    masterKey: key,
    enforceSSL: true,
  });
  topic.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'LetTheCleanerAlarmsPublish',
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['sns:Publish'],
      resources: [topic.topicArn],
      conditions: { ArnEquals: { 'aws:SourceArn': alarms.map((alarm) => alarm.alarmArn) }, StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
    }),
  );
  topic.addSubscription(new EmailSubscription(address));
  return topic;
}
