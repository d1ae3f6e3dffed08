import { Duration } from 'aws-cdk-lib';
import type { EcrCleanerProps } from '../../lib/ecr-cleaner';
import { actionsOf, statementsOfRole, synthCleaner } from '../support/cdk';

const arn = (service: string, resource: string): string => `arn:\${AWS::Partition}:${service}:\${AWS::Region}:\${AWS::AccountId}:${resource}`;

/** Every in-use source but the tasks that run now switched off. */
const ALL_OFF: EcrCleanerProps = { keepServiceDeploymentImages: false, keepScheduledTaskImages: false, keepTaskDefinitionRevisions: 0, keepLambdaImages: false };

const statementsFor = (props: EcrCleanerProps): ReturnType<typeof statementsOfRole> => statementsOfRole(synthCleaner(props).template, 'lambda.amazonaws.com');

describe('EcrCleaner: the permissions of each in-use source', () => {
  it('needs only ECR, tasks, its logs and its audit trail with every other source off', () => {
    expect(actionsOf(statementsFor(ALL_OFF))).toEqual([
      'ecr:BatchGetImage',
      'ecr:DescribeImages',
      'ecr:DescribeRepositories',
      'ecs:DescribeTasks',
      'ecs:ListClusters',
      'ecs:ListTasks',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      's3:AbortMultipartUpload',
      's3:PutObject',
    ]);
  });

  it.each<[string, EcrCleanerProps, string[]]>([
    [
      'keepServiceDeploymentImages',
      { keepServiceDeploymentImages: true },
      ['ecs:DescribeServiceDeployments', 'ecs:DescribeServiceRevisions', 'ecs:DescribeServices', 'ecs:DescribeTaskDefinition', 'ecs:ListServiceDeployments', 'ecs:ListServices'],
    ],
    [
      'keepScheduledTaskImages',
      { keepScheduledTaskImages: true },
      ['ecs:DescribeTaskDefinition', 'events:ListEventBuses', 'events:ListRules', 'events:ListTargetsByRule', 'scheduler:GetSchedule', 'scheduler:ListSchedules'],
    ],
    ['keepTaskDefinitionRevisions', { keepTaskDefinitionRevisions: 2 }, ['ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions']],
    ['keepLambdaImages', { keepLambdaImages: true }, ['lambda:GetFunction', 'lambda:ListAliases', 'lambda:ListFunctions', 'lambda:ListVersionsByFunction']],
    ['inUseImagesUri', { inUseImagesUri: 's3://inventory/ecr/in-use.json' }, ['s3:GetObject']],
    ['keepImagesPulledWithin', { keepImagesPulledWithin: Duration.days(14) }, []],
  ])('adds exactly its own actions when %s is on', (_name, on, added) => {
    const base = actionsOf(statementsFor(ALL_OFF));

    const actions = actionsOf(statementsFor({ ...ALL_OFF, ...on }));

    expect(actions.filter((action) => !base.includes(action))).toEqual(added);
    expect(base.filter((action) => !actions.includes(action))).toEqual([]);
  });

  it('puts each new action on the narrowest resource AWS supports for it', () => {
    const statements = statementsFor({ inUseImagesUri: 's3://inventory/ecr/in-use.json' });
    const resourceOf = (sid: string): unknown => statements.find((statement) => statement.Sid === sid)?.Resource;

    expect(resourceOf('DescribeServicesInScope')).toBe(arn('ecs', 'service/*/*'));
    expect(resourceOf('DescribeServiceDeploymentsInScope')).toBe(arn('ecs', 'service-deployment/*/*'));
    expect(resourceOf('DescribeServiceRevisionsInScope')).toBe(arn('ecs', 'service-revision/*/*'));
    expect(resourceOf('ListSchedules')).toBe('*');
    expect(resourceOf('ReadRuleTargets')).toBe(arn('events', 'rule/*'));
    expect(resourceOf('ReadSchedules')).toBe(arn('scheduler', 'schedule/*/*'));
    expect(resourceOf('ListTaskDefinitions')).toBe('*');
    expect(resourceOf('DescribeTaskDefinitions')).toBe('*');
    expect(resourceOf('ListFunctions')).toBe('*');
    expect(resourceOf('ReadFunctions')).toBe(arn('lambda', 'function:*'));
    expect(statements.find((statement) => statement.Sid === 'ReadInUseImagesList')).toEqual({
      Sid: 'ReadInUseImagesList',
      Action: 's3:GetObject',
      Effect: 'Allow',
      Resource: 'arn:${AWS::Partition}:s3:::inventory/ecr/in-use.json',
    });
  });

  it('limits the service deployment permissions to the clusters in scope', () => {
    const statements = statementsFor({ clusters: ['prod'] });

    expect(statements.filter((statement) => actionsOf([statement]).some((action) => /ServiceDeployment|ServiceRevision/.test(action)))).toEqual([
      { Sid: 'DescribeServicesInScope', Action: ['ecs:DescribeServices', 'ecs:ListServiceDeployments'], Effect: 'Allow', Resource: arn('ecs', 'service/prod/*') },
      { Sid: 'DescribeServiceDeploymentsInScope', Action: 'ecs:DescribeServiceDeployments', Effect: 'Allow', Resource: arn('ecs', 'service-deployment/prod/*') },
      { Sid: 'DescribeServiceRevisionsInScope', Action: 'ecs:DescribeServiceRevisions', Effect: 'Allow', Resource: arn('ecs', 'service-revision/prod/*') },
    ]);
  });

  it('changes no permission for the number of Lambda versions kept', () => {
    expect(actionsOf(statementsFor({ keepLambdaVersions: 10 }))).toEqual(actionsOf(statementsFor({})));
  });

  it('reads no S3 object unless a list of in-use images is given', () => {
    expect(actionsOf(statementsFor({}))).not.toContain('s3:GetObject');
  });
});
