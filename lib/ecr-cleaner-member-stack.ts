import { CfnOutput, LegacyStackSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { cleanerPropsFromContext } from './context';
import { EcrCleanerMemberRole, type EcrCleanerMemberRoleProps, type MemberCleanerSettings } from './ecr-cleaner-member-role';

export interface EcrCleanerMemberStackProps extends Omit<StackProps, 'synthesizer'> {
  readonly member: Omit<EcrCleanerMemberRoleProps, keyof MemberCleanerSettings>;
  /**
   * The cleaner's settings that decide the role's permissions: the central stack's.
   *
   * @default - read from CDK context (`-c key=value`, or `cdk.json`), as the central stack reads them
   */
  readonly cleaner?: MemberCleanerSettings;
}

/**
 * A member account's stack: the role alone, with no asset and no parameter, so that its template deploys
 * as it is with `cdk deploy` in each account or as a CloudFormation StackSet.
 *
 * Its synthesizer is the legacy one, on purpose. The default synthesizer and the CLI-credentials one both
 * register the template itself as an asset in the bootstrap bucket (`stackTemplateAssetObjectUrl`), so
 * `cdk deploy` would upload it there and need `cdk bootstrap` in every member account; the default one
 * also adds the BootstrapVersion parameter and rule, which a StackSet's accounts cannot resolve. The
 * legacy synthesizer passes the template inline (CloudFormation's TemplateBody, up to 51,200 bytes) with
 * the CLI's own credentials, and adds nothing to it.
 */
export class EcrCleanerMemberStack extends Stack {
  readonly memberRole: EcrCleanerMemberRole;

  constructor(scope: Construct, id: string, props: EcrCleanerMemberStackProps) {
    super(scope, id, { ...props, synthesizer: new LegacyStackSynthesizer() });
    const cleaner = props.cleaner ?? cleanerPropsFromContext(this);
    const settings: MemberCleanerSettings = {
      deleteEnabled: cleaner.deleteEnabled,
      keepServiceDeploymentImages: cleaner.keepServiceDeploymentImages,
      keepScheduledTaskImages: cleaner.keepScheduledTaskImages,
      keepTaskDefinitionRevisions: cleaner.keepTaskDefinitionRevisions,
      keepLambdaImages: cleaner.keepLambdaImages,
      repositories: cleaner.repositories,
      clusters: cleaner.clusters,
      rules: cleaner.rules,
    };
    this.memberRole = new EcrCleanerMemberRole(this, 'MemberRole', { ...settings, ...props.member });
    new CfnOutput(this, 'MemberRoleArn', { value: this.memberRole.role.roleArn, description: "The role that the central cleaner assumes in this account; the state machine's targets name it" });
  }
}
