/**
 * The role in each member account that the organisation's cleaner assumes: the single-account cleaner's
 * least-privilege permissions on the registry and the in-use discovery (not the audit trail, which stays
 * central), trusted by the central cleaner function's role alone.
 */
import { Aws, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { parseRules } from '../lambda/core/rules';
import { ACCOUNT_PATTERN, ROLE_NAME_PATTERN } from '../lambda/core/targets';
import { checkCleanerProps, describePropProblem } from './check-cleaner-props';
import { DEFAULT_CLEANER_ROLE_NAME, DEFAULT_MEMBER_ROLE_NAME, checkOrgProps, checkTrustCondition } from './check-org-props';
import { grantTargetPermissions } from './cleaner-permissions';
import { inUseSourcesOf } from './cleaner-settings';
import { planDeletePermission } from './delete-permission';
import type { EcrCleanerProps } from './ecr-cleaner';
import { InvalidSettingsError } from './errors';

/** The cleaner's settings that decide a member role's permissions: give the central stack's. */
export type MemberCleanerSettings = Pick<
  EcrCleanerProps,
  'deleteEnabled' | 'keepServiceDeploymentImages' | 'keepScheduledTaskImages' | 'keepTaskDefinitionRevisions' | 'keepLambdaImages' | 'repositories' | 'clusters' | 'rules'
>;

export interface EcrCleanerMemberRoleProps extends MemberCleanerSettings {
  /** The 12-digit ID of the central account, where `EcrMaintainerOrg` runs. */
  readonly centralAccount: string;
  /**
   * The name of the central cleaner function's role (`EcrMaintainerOrg`'s `cleanerRoleName`): the only
   * principal this role trusts.
   *
   * @default 'ecr-maintainer-org-cleaner'
   */
  readonly centralRoleName?: string;
  /**
   * This role's name (`EcrMaintainerOrg`'s `memberRoleName`).
   *
   * @default 'ecr-maintainer-member'
   */
  readonly memberRoleName?: string;
  /**
   * The regions the organisation cleans (`EcrMaintainerOrg`'s `regions`): the role's ARNs name them, so
   * that it can read and clean nothing elsewhere. IAM is global: one role serves them all.
   */
  readonly regions: string[];
  /**
   * The organisation's ID (`o-…`): the role trusts the central role only while both are in it. Give this
   * or `externalId`, not both.
   *
   * @default - none: `externalId` is required
   */
  readonly organizationId?: string;
  /**
   * An external ID that the central cleaner must pass (`EcrMaintainerOrg`'s `externalId`), for accounts
   * outside the organisation. Give this or `organizationId`, not both.
   *
   * @default - none: `organizationId` is required
   */
  readonly externalId?: string;
  /**
   * Whether this account's registry is cleaned. False for an account whose workloads only pull another
   * account's images (a central registry's workload account): the role then only discovers the images in
   * use (ECS, EventBridge, Scheduler, Lambda reads) and has no ECR permission at all.
   *
   * @default true
   */
  readonly registry?: boolean;
}

export class EcrCleanerMemberRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: EcrCleanerMemberRoleProps) {
    super(scope, id);
    const problems = [
      ...checkOrgProps({ regions: props.regions, accounts: [props.centralAccount], memberRoleName: props.memberRoleName, organizationId: props.organizationId, externalId: props.externalId })
        .filter((problem) => problem.prop !== 'accounts')
        .map((problem) => describePropProblem(problem)),
      ...checkTrustCondition(props).map((problem) => describePropProblem(problem)),
      ...checkCleanerProps(props).map((problem) => describePropProblem(problem)),
    ];
    if (!Token.isUnresolved(props.centralAccount) && !ACCOUNT_PATTERN.test(props.centralAccount)) {
      problems.unshift(`centralAccount must be the 12-digit ID of the account where EcrMaintainerOrg runs, got ${JSON.stringify(props.centralAccount)}`);
    }
    if (props.centralRoleName !== undefined && !ROLE_NAME_PATTERN.test(props.centralRoleName)) {
      problems.push(`centralRoleName must be an IAM role name (1 to 64 letters, digits and +=,.@_-), got ${JSON.stringify(props.centralRoleName)}`);
    }
    if (problems.length > 0) throw new InvalidSettingsError('EcrCleanerMemberRole: invalid props', problems);

    const centralRoleArn = `arn:${Aws.PARTITION}:iam::${props.centralAccount}:role/${props.centralRoleName ?? DEFAULT_CLEANER_ROLE_NAME}`;
    this.role = new iam.Role(this, 'Role', {
      roleName: props.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME,
      description: 'ECR Maintainer (member): lets the central cleaner list ECR images and the workloads that use them here, and delete unused images when deletion is on',
      // The central account, narrowed to the one role by ARN (a role of that name made later in another
      // account does not match), and to the organisation or the external ID.
      assumedBy: new iam.AccountPrincipal(props.centralAccount).withConditions({
        ArnEquals: { 'aws:PrincipalArn': centralRoleArn },
        StringEquals: props.organizationId !== undefined ? { 'aws:PrincipalOrgID': props.organizationId } : { 'sts:ExternalId': props.externalId as string },
      }),
    });

    const rules = props.rules === undefined || Token.isUnresolved(props.rules) ? [] : parseRules(props.rules, 'rules');
    grantTargetPermissions(this.role, {
      ...inUseSourcesOf(props),
      deleteEnabled: props.deleteEnabled ?? false,
      deletePermission: planDeletePermission(rules, props.repositories),
      repositories: props.repositories,
      clusters: props.clusters,
      registry: props.registry ?? true,
      regions: props.regions,
    });
  }
}
