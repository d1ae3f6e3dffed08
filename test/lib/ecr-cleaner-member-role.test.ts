import { type App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EcrCleanerMemberRole, type EcrCleanerMemberRoleProps } from '../../lib/ecr-cleaner-member-role';
import { EcrCleanerMemberStack } from '../../lib/ecr-cleaner-member-stack';
import { InvalidSettingsError } from '../../lib/errors';
import { actionsOf, catchError, render, testApp, type Statement } from '../support/cdk';

const MEMBER: EcrCleanerMemberRoleProps = { centralAccount: '999999999999', regions: ['eu-west-1', 'us-east-1'], organizationId: 'o-a1b2c3d4e5' };

function synth(props: Partial<EcrCleanerMemberRoleProps> = {}): { stack: Stack; template: Template; statements: Statement[] } {
  const stack = new Stack(testApp(), 'Member');
  new EcrCleanerMemberRole(stack, 'MemberRole', { ...MEMBER, ...props });
  const template = Template.fromStack(stack);
  const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) => render(policy.Properties.PolicyDocument.Statement) as Statement[]);
  return { stack, template, statements };
}

const trustOf = (template: Template): unknown => render(Object.values(template.findResources('AWS::IAM::Role'))[0].Properties.AssumeRolePolicyDocument);

const DISCOVERY = [
  'ecs:DescribeServiceDeployments',
  'ecs:DescribeServiceRevisions',
  'ecs:DescribeServices',
  'ecs:DescribeTaskDefinition',
  'ecs:DescribeTasks',
  'ecs:ListClusters',
  'ecs:ListServiceDeployments',
  'ecs:ListServices',
  'ecs:ListTaskDefinitions',
  'ecs:ListTasks',
  'events:ListEventBuses',
  'events:ListRules',
  'events:ListTargetsByRule',
  'lambda:GetFunction',
  'lambda:ListAliases',
  'lambda:ListFunctions',
  'lambda:ListVersionsByFunction',
  'scheduler:GetSchedule',
  'scheduler:ListSchedules',
];
const READ_IMAGES = ['ecr:BatchGetImage', 'ecr:DescribeImages', 'ecr:DescribeRepositories'];

describe('EcrCleanerMemberRole: trust', () => {
  it("trusts the central account's cleaner role alone, by ARN, within the organisation", () => {
    const { template } = synth();
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'ecr-maintainer-member' });
    expect(trustOf(template)).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { AWS: 'arn:${AWS::Partition}:iam::999999999999:root' },
          Condition: {
            ArnEquals: { 'aws:PrincipalArn': 'arn:${AWS::Partition}:iam::999999999999:role/ecr-maintainer-org-cleaner' },
            StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' },
          },
        },
      ],
    });
  });

  it('requires the external ID instead, for an account outside the organisation, and takes other role names', () => {
    const { template } = synth({ organizationId: undefined, externalId: 'ecr-maintainer-7f3a', centralRoleName: 'cleaner-central', memberRoleName: 'cleaner-member' });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'cleaner-member' });
    expect(trustOf(template)).toMatchObject({
      Statement: [
        {
          Condition: {
            ArnEquals: { 'aws:PrincipalArn': 'arn:${AWS::Partition}:iam::999999999999:role/cleaner-central' },
            StringEquals: { 'sts:ExternalId': 'ecr-maintainer-7f3a' },
          },
        },
      ],
    });
  });

  it.each<[string, Partial<EcrCleanerMemberRoleProps>, string]>([
    ['neither an organisation ID nor an external ID', { organizationId: undefined }, 'organizationId or externalId must be given, got neither'],
    ['both', { externalId: 'ecr-maintainer-7f3a' }, 'organizationId must not be given with externalId: give one'],
    ['a central account that is not 12 digits', { centralAccount: '9999' }, 'centralAccount must be the 12-digit ID of the account where EcrMaintainerOrg runs, got "9999"'],
    ['a region that is not one', { regions: ['eu-west'] }, 'regions has an item that is not a region (such as eu-west-1): "eu-west"'],
  ])('fails with %s, naming the prop and the fix', (_title, props, problem) => {
    const error = catchError(() => synth(props)) as InvalidSettingsError;
    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect(error.problems).toEqual([expect.stringContaining(problem)]);
  });
});

describe('EcrCleanerMemberRole: permissions', () => {
  it('reads the registry and discovers the images in use in the regions named, and may not delete while deletion is off', () => {
    const { statements } = synth();
    expect(actionsOf(statements)).toEqual([...READ_IMAGES, ...DISCOVERY].sort());
    expect(statements.find((statement) => statement.Sid === 'ReadImages')?.Resource).toEqual([
      'arn:${AWS::Partition}:ecr:eu-west-1:${AWS::AccountId}:repository/*',
      'arn:${AWS::Partition}:ecr:us-east-1:${AWS::AccountId}:repository/*',
    ]);
    expect(JSON.stringify(statements)).not.toMatch(/AWS::Region|s3:|sts:|logs:/);
  });

  it('may delete with deletion on, and only where the rules let it', () => {
    const { statements } = synth({ deleteEnabled: true, rules: [{ repositories: 'legacy', exclude: true }] });
    expect(actionsOf(statements)).toContain('ecr:BatchDeleteImage');
    expect(statements.find((statement) => statement.Sid === 'DeleteImages')?.Resource).toEqual([
      'arn:${AWS::Partition}:ecr:eu-west-1:${AWS::AccountId}:repository/*',
      'arn:${AWS::Partition}:ecr:us-east-1:${AWS::AccountId}:repository/*',
    ]);
    expect(statements.find((statement) => statement.Sid === 'KeepOutOfExcludedRepositories')).toMatchObject({
      Effect: 'Deny',
      Resource: ['arn:${AWS::Partition}:ecr:eu-west-1:${AWS::AccountId}:repository/legacy', 'arn:${AWS::Partition}:ecr:us-east-1:${AWS::AccountId}:repository/legacy'],
    });
  });

  it('follows the in-use switches and the scope, as the single-account role does', () => {
    const { statements } = synth({ keepServiceDeploymentImages: false, keepScheduledTaskImages: false, keepTaskDefinitionRevisions: 0, keepLambdaImages: false, clusters: ['prod'], repositories: ['app'] });
    expect(actionsOf(statements)).toEqual([...READ_IMAGES, 'ecs:DescribeTasks', 'ecs:ListTasks'].sort());
    expect(statements.find((statement) => statement.Sid === 'ReadImages')?.Resource).toEqual([
      'arn:${AWS::Partition}:ecr:eu-west-1:${AWS::AccountId}:repository/app',
      'arn:${AWS::Partition}:ecr:us-east-1:${AWS::AccountId}:repository/app',
    ]);
  });

  it('has no ECR permission at all in a workload-only account (registry: false), even with deletion on', () => {
    const { statements } = synth({ registry: false, deleteEnabled: true });
    expect(actionsOf(statements)).toEqual(DISCOVERY);
  });
});

describe('EcrCleanerMemberStack', () => {
  const stackOf = (member: Partial<EcrCleanerMemberRoleProps> = {}, cleaner = {}, app: App = testApp()): EcrCleanerMemberStack =>
    new EcrCleanerMemberStack(app, 'EcrMaintainerMember', { member: { ...MEMBER, ...member }, cleaner });

  it('has no asset, no parameter and no bootstrap rule, and a template that CloudFormation takes inline', () => {
    const app = testApp({}, { bundle: true });
    const stack = stackOf({}, { deleteEnabled: true }, app);
    const assembly = app.synth();
    const artifact = assembly.getStackByName(stack.stackName);
    const template = artifact.template as Record<string, unknown>;

    expect(Object.keys(template).sort()).toEqual(['Outputs', 'Resources']);
    expect(template).not.toHaveProperty('Parameters');
    expect(template).not.toHaveProperty('Rules');
    expect(artifact.assets).toEqual([]);
    expect(assembly.artifacts.filter((candidate) => candidate.id.startsWith(`${stack.artifactId}.assets`))).toEqual([]);
    // Deployed with the CLI's own credentials and the template inline: no bootstrap role, no template in S3.
    expect(artifact.assumeRoleArn).toBeUndefined();
    expect(artifact.stackTemplateAssetObjectUrl).toBeUndefined();
    expect(JSON.stringify(template).length).toBeLessThan(51_200 / 2);
  });

  it('outputs the role ARN', () => {
    Template.fromStack(stackOf()).hasOutput('MemberRoleArn', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
  });

  it.each<[string, Partial<EcrCleanerMemberRoleProps>, Record<string, unknown>]>([
    ['the defaults', {}, {}],
    ['deletion on, rules, scoped clusters, an external ID', { organizationId: undefined, externalId: 'ecr-maintainer-7f3a' }, { deleteEnabled: true, rules: [{ repositories: ['ci/*'] }, { repositories: '**', exclude: true }], clusters: ['prod'] }],
    ['a workload-only account', { registry: false }, {}],
  ])('leaves no unacknowledged cdk-nag finding with %s', (_title, member, cleaner) => {
    const stack = stackOf(member, cleaner);

    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    expect(report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.resourceLogicalId).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });
});
