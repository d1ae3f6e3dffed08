import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { cleanerPropsFromContext } from './context';
import { EcrMaintainerOrg, type EcrMaintainerOrgProps } from './ecr-maintainer-org';

/** The targets and the fan-out's own settings; the cleaner's settings come from context unless given. */
export type OrgSettings = Pick<
  EcrMaintainerOrgProps,
  'accounts' | 'regions' | 'organizationalUnitIds' | 'organizationId' | 'externalId' | 'memberRoleName' | 'cleanerRoleName' | 'workloadAccounts' | 'maxConcurrency' | 'executionTimeout'
>;

export interface EcrMaintainerOrgStackProps extends StackProps {
  readonly org: OrgSettings;
  /**
   * The cleaner's settings, as for the single-account stack.
   *
   * @default - read from CDK context (`-c key=value`, or `cdk.json`)
   */
  readonly cleaner?: Omit<EcrMaintainerOrgProps, keyof OrgSettings>;
}

/** The central account's stack: one EcrMaintainerOrg, and the outputs an operator needs. */
export class EcrMaintainerOrgStack extends Stack {
  readonly org: EcrMaintainerOrg;

  constructor(scope: Construct, id: string, props: EcrMaintainerOrgStackProps) {
    super(scope, id, props);
    this.org = new EcrMaintainerOrg(this, 'EcrMaintainerOrg', { ...(props.cleaner ?? cleanerPropsFromContext(this)), ...props.org });

    new CfnOutput(this, 'StateMachineArn', { value: this.org.stateMachine.stateMachineArn, description: 'The state machine that the schedule starts; its executions list every target' });
    new CfnOutput(this, 'StartExecutionCommand', {
      value: `aws stepfunctions start-execution --state-machine-arn ${this.org.stateMachine.stateMachineArn}`,
      description: 'Start a run now, outside the schedule',
    });
    new CfnOutput(this, 'CleanerRoleArn', { value: this.org.cleanerRole.roleArn, description: 'The role that each member role trusts (EcrMaintainerMember)' });
    new CfnOutput(this, 'AuditBucketName', {
      value: this.org.auditBucket.bucketName,
      description: "The audit trail of every target: each run's CSV and JSON Lines plan under runs/<account>/<region>/<yyyy-mm-dd>/; kept when the stack is deleted",
    });
    if (this.org.alarmTopic) new CfnOutput(this, 'AlarmTopicArn', { value: this.org.alarmTopic.topicArn, description: 'The alarms notify this topic' });
    if (this.org.slackTokenSecret) {
      new CfnOutput(this, 'SlackTokenSecretArn', {
        value: this.org.slackTokenSecret.secretArn,
        description: 'Put the Slack bot token here: aws secretsmanager put-secret-value --secret-id <this> --secret-string \'{"token":"xoxb-..."}\'',
      });
    }
  }
}
