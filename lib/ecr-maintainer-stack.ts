import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { cleanerPropsFromContext } from './context';
import { EcrCleaner, type EcrCleanerProps } from './ecr-cleaner';

export interface EcrMaintainerStackProps extends StackProps {
  /**
   * The cleaner's settings.
   *
   * @default - read from CDK context (`-c key=value`, or `cdk.json`)
   */
  readonly cleaner?: EcrCleanerProps;
}

/** The deployable app: one EcrCleaner, configured from CDK context, and the outputs an operator needs. */
export class EcrMaintainerStack extends Stack {
  readonly cleaner: EcrCleaner;

  constructor(scope: Construct, id: string, props: EcrMaintainerStackProps = {}) {
    super(scope, id, props);
    this.cleaner = new EcrCleaner(this, 'EcrCleaner', props.cleaner ?? cleanerPropsFromContext(this));

    new CfnOutput(this, 'FunctionName', { value: this.cleaner.function.functionName, description: 'Invoke it by hand: aws lambda invoke --function-name <this> out.json' });
    new CfnOutput(this, 'LogGroupName', { value: this.cleaner.logGroup.logGroupName, description: 'Each run logs one summary line here' });
    new CfnOutput(this, 'AuditBucketName', {
      value: this.cleaner.auditBucket.bucketName,
      description: "The audit trail: each run's CSV and JSON Lines plan, under runs/<account>/<region>/<yyyy-mm-dd>/<hhmmss>-<mode>.csv and .jsonl; kept when the stack is deleted",
    });
    new CfnOutput(this, 'AuditTrailUri', {
      value: `s3://${this.cleaner.auditBucket.bucketName}/runs/${Aws.ACCOUNT_ID}/${Aws.REGION}/`,
      description: "This stack's runs, a folder per day: aws s3 ls <this>; the summary line of each run in the log names its two objects (auditObjects)",
    });
    if (this.cleaner.imagesThatFit !== undefined) {
      new CfnOutput(this, 'ImagesThatFit', {
        value: String(this.cleaner.imagesThatFit),
        description: "About how many images one run can list within the function's memory (the measured peak plus 25%); set expectedImageCount to be warned at synth when the account outgrows it",
      });
    }
    new CfnOutput(this, 'RunFailedAlarmName', { value: this.cleaner.runFailedAlarm.alarmName, description: 'In alarm when a run failed (the function reported errors, timed out or crashed)' });
    if (this.cleaner.noSuccessfulRunAlarm) {
      new CfnOutput(this, 'NoSuccessfulRunAlarmName', { value: this.cleaner.noSuccessfulRunAlarm.alarmName, description: "In alarm when no run succeeded within twice the schedule's longest interval" });
    }
    if (this.cleaner.nearTimeoutAlarm) {
      new CfnOutput(this, 'NearTimeoutAlarmName', { value: this.cleaner.nearTimeoutAlarm.alarmName, description: 'In alarm when a run used more than 80% of its timeout' });
    }
    if (this.cleaner.alarmTopic) {
      new CfnOutput(this, 'AlarmTopicArn', {
        value: this.cleaner.alarmTopic.topicArn,
        description: 'The alarms notify this topic; subscribe more: aws sns subscribe --topic-arn <this> --protocol email --notification-endpoint <address>',
      });
    }
    new CfnOutput(this, 'DashboardName', { value: this.cleaner.dashboard.dashboardName, description: "The runs' metrics and the alarms, in the CloudWatch console under Dashboards" });
    if (this.cleaner.slackTokenSecret) {
      new CfnOutput(this, 'SlackTokenSecretArn', {
        value: this.cleaner.slackTokenSecret.secretArn,
        description: 'Put the Slack bot token here: aws secretsmanager put-secret-value --secret-id <this> --secret-string \'{"token":"xoxb-..."}\'',
      });
    }
  }
}
