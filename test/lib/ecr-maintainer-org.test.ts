import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseTarget, type Target, type TargetResult } from '../../lambda/core/targets';
import { itemResult, type ReportOutput } from '../../lambda/org/report-handler';
import { parseTargetSettings } from '../../lambda/org/targets-handler';
import { expandTargets } from '../../lambda/core/targets';
import { EcrMaintainerOrg, type EcrMaintainerOrgProps } from '../../lib/ecr-maintainer-org';
import { EcrMaintainerOrgStack } from '../../lib/ecr-maintainer-org-stack';
import { InvalidSettingsError } from '../../lib/errors';
import { HISTORY_EVENTS, TRANSITIONS, largestTargetResultBytes, targetsThatFit } from '../../lib/org-limits';
import { LAMBDA_TRANSIENT_ERRORS } from '../../lib/org-state-machine';
import { actionsOf, catchError, render, testApp, type Statement } from '../support/cdk';

const ORG: EcrMaintainerOrgProps = { accounts: ['111111111111', '222222222222'], regions: ['eu-west-1', 'us-east-1'] };

function synth(props: Partial<EcrMaintainerOrgProps> = {}): { stack: Stack; org: EcrMaintainerOrg; template: Template } {
  const stack = new Stack(testApp(), 'Central');
  const org = new EcrMaintainerOrg(stack, 'Org', { ...ORG, ...props });
  return { stack, org, template: Template.fromStack(stack) };
}

interface State {
  readonly Type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- ASL states are loosely typed JSON
  readonly [key: string]: any;
}
interface Definition {
  readonly StartAt: string;
  readonly States: Record<string, State>;
  readonly TimeoutSeconds?: number;
}

/** The state machine's definition, parsed, with each function's ARN as `${<logical id>.Arn}`. */
function definitionOf(template: Template): Definition {
  const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  return JSON.parse(render(machine.Properties.DefinitionString) as string);
}

/** The logical ID of the function whose description starts with `prefix`. */
function functionId(template: Template, prefix: string): string {
  const [id] = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, fn]) => String(fn.Properties.Description).startsWith(prefix)) ?? [];
  if (id === undefined) throw new Error(`no function described as ${prefix}`);
  return id;
}

/** The statements of the role with that name, or with a description that starts with it. */
function statementsOf(template: Template, description: string): Statement[] {
  const [roleId] = Object.entries(template.findResources('AWS::IAM::Role')).find(([, role]) => String(role.Properties.Description).startsWith(description)) ?? [];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => render(policy.Properties.PolicyDocument.Statement) as Statement[]);
}

/**
 * Just enough of Amazon States Language's JSONPath for this definition: `$`, `$.a.b` on the state's
 * input, `$$.a.b` on the context object, and Parameters whose keys end in `.$`.
 */
function evaluate(path: string, input: unknown, context: unknown = {}): unknown {
  const [root, rest] = path.startsWith('$$') ? [context, path.slice(2)] : [input, path.slice(1)];
  return rest
    .split('.')
    .filter((key) => key !== '')
    .reduce<unknown>((value, key) => {
      if (typeof value !== 'object' || value === null || !(key in value)) throw new Error(`States.Runtime: ${path} not found`);
      return (value as Record<string, unknown>)[key];
    }, root);
}
function applyParameters(parameters: Record<string, unknown>, input: unknown, context: unknown): unknown {
  return Object.fromEntries(
    Object.entries(parameters).map(([key, value]) =>
      key.endsWith('.$')
        ? [key.slice(0, -2), evaluate(value as string, input, context)]
        : [key, typeof value === 'object' && value !== null && !Array.isArray(value) ? applyParameters(value as Record<string, unknown>, input, context) : value],
    ),
  );
}
/** A task's payload from its input: Parameters when it has them, else the input after InputPath. */
function payloadOf(state: State, input: unknown, context: unknown = {}): unknown {
  const afterInputPath = state.InputPath === undefined ? input : evaluate(state.InputPath, input, context);
  return state.Parameters === undefined ? afterInputPath : applyParameters(state.Parameters, afterInputPath, context);
}
/** A task's output from its result: no ResultSelector, ResultPath or OutputPath, so the result itself. */
function outputOf(state: State, result: unknown): unknown {
  expect([state.ResultSelector, state.ResultPath, state.OutputPath]).toEqual([undefined, undefined, undefined]);
  return result;
}

describe('EcrMaintainerOrg: the state machine', () => {
  const { template } = synth({ maxConcurrency: 7 });
  const definition = definitionOf(template);
  const states = definition.States;
  const map = states.CleanTargets;
  const inner = map.ItemProcessor.States;

  it('lists the targets, maps over them, reports, and fails or succeeds on the report', () => {
    expect(definition.StartAt).toBe('ListTargets');
    expect(states.ListTargets).toMatchObject({ Type: 'Task', Resource: `\${${functionId(template, 'ECR Maintainer (organisation): lists')}.Arn}`, Next: 'CleanTargets' });
    expect(map).toMatchObject({ Type: 'Map', ItemsPath: '$.targets', MaxConcurrency: 7, Next: 'Report', ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'CleanTarget' } });
    expect(states.Report).toMatchObject({ Type: 'Task', Resource: `\${${functionId(template, 'ECR Maintainer (organisation): reports')}.Arn}`, Parameters: { 'results.$': '$', 'execution.$': '$$.Execution.Id' }, Next: 'AllTargetsSucceeded' });
    expect(states.AllTargetsSucceeded).toEqual({ Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: false, Next: 'TargetsFailed' }], Default: 'Succeeded' });
    expect(states.TargetsFailed).toEqual({ Type: 'Fail', Error: 'TargetsFailed', CausePath: '$.message' });
    expect(states.Succeeded).toEqual({ Type: 'Succeed' });
    expect(Object.keys(states).sort()).toEqual(['AllTargetsSucceeded', 'CleanTargets', 'ListTargets', 'Report', 'Succeeded', 'TargetsFailed']);
  });

  it("invokes the cleaner once per item, retrying only Lambda's own transient errors, and catches every error into $.error", () => {
    expect(inner.CleanTarget).toEqual({
      Type: 'Task',
      Resource: `\${${functionId(template, 'ECR Maintainer (organisation): cleans one')}.Arn}`,
      End: true,
      Retry: [{ ErrorEquals: LAMBDA_TRANSIENT_ERRORS, IntervalSeconds: 2, MaxAttempts: 2, BackoffRate: 2, JitterStrategy: 'FULL' }],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'TargetFailed' }],
    });
    expect(LAMBDA_TRANSIENT_ERRORS).toEqual(['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException']);
    // The failed item keeps the target and the error's name, not its cause (a stack trace): the Map's output stays small.
    expect(inner.TargetFailed).toEqual({ Type: 'Pass', End: true, Parameters: { 'account.$': '$.account', 'region.$': '$.region', error: { 'Error.$': '$.error.Error' } } });
    // A cleanup that reported errors returns ok: false and is never retried: no retry names a function's own error.
    for (const state of [states.ListTargets, inner.CleanTarget, states.Report]) {
      expect(state.Retry.flatMap((retry: { ErrorEquals: string[] }) => retry.ErrorEquals)).toEqual(LAMBDA_TRANSIENT_ERRORS);
    }
  });

  it('bounds the execution: six hours by default, or executionTimeout', () => {
    expect(definition.TimeoutSeconds).toBe(6 * 3600);
    expect(definitionOf(synth({ executionTimeout: Duration.hours(2) }).template).TimeoutSeconds).toBe(7200);
  });

  it('maps 10 targets at once by default', () => {
    expect(definitionOf(synth().template).States.CleanTargets.MaxConcurrency).toBe(10);
  });

  it('is a standard workflow that logs every event and is traced', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true, Destinations: [Match.anyValue()] },
    });
  });

  it('bills the transitions that org-limits.ts counts: 5 per run on the way to success, 1 per target', () => {
    // The states a successful run enters outside the Map, and inside it per target.
    const path: string[] = [];
    for (let name: string | undefined = definition.StartAt; name !== undefined; ) {
      path.push(name);
      const state: State = states[name];
      name = state.Type === 'Choice' ? state.Default : state.Next;
    }
    expect(path).toEqual(['ListTargets', 'CleanTargets', 'Report', 'AllTargetsSucceeded', 'Succeeded']);
    expect(path).toHaveLength(TRANSITIONS.perRun);
    expect(Object.keys(inner).filter((name) => inner[name].Type !== 'Pass')).toHaveLength(TRANSITIONS.perTarget);
    expect(Object.keys(inner)).toHaveLength(TRANSITIONS.perFailedTarget);
    expect(inner.CleanTarget.Retry[0].MaxAttempts * HISTORY_EVENTS.perRetry + HISTORY_EVENTS.perTarget).toBe(13);
  });
});

describe('EcrMaintainerOrg: the contract between the definition and the functions (lambda/core/targets.ts)', () => {
  const { template } = synth({ accounts: ['111111111111', '222222222222'], regions: ['eu-west-1', 'us-east-1'], workloadAccounts: { '111111111111': ['333333333333'] } });
  const { States: states } = definitionOf(template);
  const variables = (prefix: string): Record<string, string> => {
    const rendered = render(template.findResources('AWS::Lambda::Function')[functionId(template, prefix)].Properties.Environment.Variables) as Record<string, string>;
    return Object.fromEntries(Object.entries(rendered).map(([name, value]) => [name, value.replace('${AWS::Partition}', 'aws')]));
  };
  // What the targets function returns with this stack's environment.
  const targets = expandTargets(parseTargetSettings(variables('ECR Maintainer (organisation): lists')));

  it("turns the targets step's output into exactly one cleaner event per target, each a valid Target", () => {
    const listOutput = outputOf(states.ListTargets, { targets } satisfies { targets: Target[] });
    const items = evaluate(states.CleanTargets.ItemsPath, listOutput) as unknown[];
    expect(states.CleanTargets.ItemSelector).toBeUndefined();
    const events = items.map((item) => payloadOf(states.CleanTargets.ItemProcessor.States.CleanTarget, item));

    expect(events).toEqual(targets);
    expect(events.map(parseTarget)).toEqual(targets);
    expect(events).toHaveLength(4);
    expect(events[0]).toEqual({
      account: '111111111111',
      region: 'eu-west-1',
      roleArn: 'arn:aws:iam::111111111111:role/ecr-maintainer-member',
      workloadAccounts: [{ account: '333333333333', roleArn: 'arn:aws:iam::333333333333:role/ecr-maintainer-member' }],
      // A task may pull across regions: each target's run searches every region of the organisation.
      workloadRegions: ['eu-west-1', 'us-east-1'],
    });
  });

  it('lets the cleaner assume exactly the roles that the targets name', () => {
    const assumable = statementsOf(template, 'ECR Maintainer (organisation): assumes').find((statement) => statement.Action === 'sts:AssumeRole');
    const named = [...new Set(targets.flatMap((target) => [target.roleArn, ...(target.workloadAccounts ?? []).map((workload) => workload.roleArn)]))];
    expect((assumable?.Resource as string[]).map((arn) => arn.replace('${AWS::Partition}', 'aws')).sort()).toEqual(named.sort());
  });

  it('gives the report { results, execution }: each result a TargetResult, or the target with the error the Map caught', () => {
    const returned: TargetResult = { account: '111111111111', region: 'eu-west-1', ok: true, mode: 'dry-run', errorCount: 0, errors: [] };
    // The Catch's ResultPath puts the error into the item's input; the Pass state keeps the target and the error's name.
    expect(states.CleanTargets.ItemProcessor.States.CleanTarget.Catch[0].ResultPath).toBe('$.error');
    const thrown = { ...targets[1], error: { Error: 'Sandbox.Timedout', Cause: JSON.stringify({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out', trace: ['x'.repeat(30_000)] }) } };
    const caught = payloadOf(states.CleanTargets.ItemProcessor.States.TargetFailed, thrown);
    expect(caught).toEqual({ account: '111111111111', region: 'us-east-1', error: { Error: 'Sandbox.Timedout' } });
    const mapOutput = [returned, caught];

    const payload = payloadOf(states.Report, mapOutput, { Execution: { Id: 'arn:aws:states:eu-west-1:999999999999:execution:m:run' } }) as { results: unknown[]; execution: string };

    expect(payload).toEqual({ results: mapOutput, execution: 'arn:aws:states:eu-west-1:999999999999:execution:m:run' });
    expect(payload.results.map(itemResult)).toEqual([
      returned,
      { account: '111111111111', region: 'us-east-1', ok: false, errorCount: 1, errors: ['Sandbox.Timedout: the cleaner function failed for this target; its log says why'] },
    ]);
  });

  it("reads the report's output in the Choice and the Fail state's cause", () => {
    const output: ReportOutput = { ok: false, targets: 4, failed: 1, failedTargets: ['111111111111/us-east-1'], message: '1 of 4 targets failed: 111111111111/us-east-1' };
    const choice = states.AllTargetsSucceeded.Choices[0];
    expect(evaluate(choice.Variable, outputOf(states.Report, output))).toBe(false);
    expect(evaluate(states.TargetsFailed.CausePath, output)).toBe('1 of 4 targets failed: 111111111111/us-east-1');
  });
});

describe('EcrMaintainerOrg: roles', () => {
  it("gives the cleaner's role a fixed name, the audit trail, and sts:AssumeRole on the member roles alone: no ECR, ECS, Lambda, Events or Scheduler", () => {
    const { template } = synth({ workloadAccounts: { '111111111111': ['333333333333'] } });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'ecr-maintainer-org-cleaner' });
    const statements = statementsOf(template, 'ECR Maintainer (organisation): assumes');

    expect(actionsOf(statements)).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 's3:AbortMultipartUpload', 's3:PutObject', 'sts:AssumeRole']);
    expect(statements.find((statement) => statement.Action === 'sts:AssumeRole')).toEqual({
      Sid: 'AssumeMemberRoles',
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Resource: ['111111111111', '222222222222', '333333333333'].map((account) => `arn:\${AWS::Partition}:iam::${account}:role/ecr-maintainer-member`),
    });
  });

  it('names other roles when memberRoleName and cleanerRoleName are given', () => {
    const { template } = synth({ memberRoleName: 'cleaner-member', cleanerRoleName: 'cleaner-central' });
    template.hasResourceProperties('AWS::IAM::Role', { RoleName: 'cleaner-central' });
    const assume = statementsOf(template, 'ECR Maintainer (organisation): assumes').find((statement) => statement.Action === 'sts:AssumeRole');
    expect(assume?.Resource).toEqual(['arn:${AWS::Partition}:iam::111111111111:role/cleaner-member', 'arn:${AWS::Partition}:iam::222222222222:role/cleaner-member']);
    expect(render(Object.values(template.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Environment.Variables.MEMBER_ROLE_ARN_TEMPLATE).find(Boolean))).toBe(
      'arn:${AWS::Partition}:iam::{account}:role/cleaner-member',
    );
  });

  it("with organisational units, may assume the member role's name in any account of the organisation, and the targets step may list the units", () => {
    const { template } = synth({ accounts: undefined, organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: 'o-a1b2c3d4e5' });
    expect(statementsOf(template, 'ECR Maintainer (organisation): assumes').find((statement) => statement.Action === 'sts:AssumeRole')).toMatchObject({
      Resource: 'arn:${AWS::Partition}:iam::*:role/ecr-maintainer-member',
      Condition: { StringEquals: { 'aws:ResourceOrgID': 'o-a1b2c3d4e5' } },
    });
    expect(statementsOf(template, 'ECR Maintainer (organisation): lists')).toContainEqual({
      Sid: 'ReadOrganizationalUnits',
      Effect: 'Allow',
      Action: ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'],
      Resource: '*',
    });
  });

  it('lets the targets step read no organisation without units', () => {
    expect(actionsOf(statementsOf(synth().template, 'ECR Maintainer (organisation): lists'))).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  it('reads the earlier plans with a grace period, and the Slack token only in the report', () => {
    const { template } = synth({ gracePeriodDays: 7, slackEnabled: true, slackChannel: 'C1' });
    expect(actionsOf(statementsOf(template, 'ECR Maintainer (organisation): assumes'))).toEqual(
      expect.arrayContaining(['s3:GetObject', 's3:ListBucket']),
    );
    expect(actionsOf(statementsOf(template, 'ECR Maintainer (organisation): assumes'))).not.toContain('secretsmanager:GetSecretValue');
    expect(actionsOf(statementsOf(template, 'ECR Maintainer (organisation): reports'))).toContain('secretsmanager:GetSecretValue');
  });
});

describe('EcrMaintainerOrg: the functions', () => {
  const variablesOf = (template: Template, prefix: string): Record<string, unknown> => template.findResources('AWS::Lambda::Function')[functionId(template, prefix)].Properties.Environment.Variables;

  it("gives the cleaner the single-account settings, with Slack off (the report posts once), and passes the external ID", () => {
    const { template } = synth({ deleteEnabled: true, keepMinImageCount: 5, slackEnabled: true, slackChannel: 'C1', externalId: 'ecr-maintainer-7f3a' });
    expect(variablesOf(template, 'ECR Maintainer (organisation): cleans one')).toMatchObject({ DELETE_ENABLED: 'true', KEEP_MIN_IMAGE_COUNT: '5', SLACK_ENABLED: 'false', MEMBER_EXTERNAL_ID: 'ecr-maintainer-7f3a', AUDIT_BUCKET_URI: expect.anything() });
    expect(variablesOf(template, 'ECR Maintainer (organisation): cleans one')).not.toHaveProperty('SLACK_CHANNEL');
    expect(variablesOf(template, 'ECR Maintainer (organisation): reports')).toMatchObject({ SLACK_ENABLED: 'true', SLACK_CHANNEL: 'C1', SLACK_MAX_MESSAGE_LENGTH: '4000', SLACK_TOKEN_SECRET_ARN: expect.anything() });
  });

  it('gives the targets step the accounts, regions, units and workload accounts', () => {
    const { template } = synth({ organizationalUnitIds: ['ou-ab12-cd34ef56', 'r-ab12'], workloadAccounts: { '111111111111': ['333333333333'] } });
    expect(render(variablesOf(template, 'ECR Maintainer (organisation): lists'))).toEqual({
      TARGET_ACCOUNTS: '111111111111,222222222222',
      TARGET_REGIONS: 'eu-west-1,us-east-1',
      ORGANIZATIONAL_UNITS: 'ou-ab12-cd34ef56,r-ab12',
      MEMBER_ROLE_ARN_TEMPLATE: 'arn:${AWS::Partition}:iam::{account}:role/ecr-maintainer-member',
      WORKLOAD_ACCOUNTS: '{"111111111111":["333333333333"]}',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('bundles the three entry points: the cleaner, the targets step and the report step', () => {
    const { template } = synth({ timeout: Duration.minutes(10), memorySize: 1024 });
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.hasResourceProperties('AWS::Lambda::Function', { Description: Match.stringLikeRegexp('cleans one'), Timeout: 600, MemorySize: 1024, Runtime: 'nodejs24.x', Architectures: ['arm64'] });
  });
});

describe('EcrMaintainerOrg: schedule and alarms', () => {
  it('starts the state machine on the schedule, once a day at 03:00 UTC by default', () => {
    const { template } = synth();
    const [machineId] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 * * ? *)',
      Target: { Arn: { Ref: machineId }, Input: '{}', RetryPolicy: { MaximumRetryAttempts: 0 } },
    });
  });

  it('alarms on failed, timed-out and aborted executions (Sum ≥ 1), notifying the e-mail topic', () => {
    const { template } = synth({ alarmEmail: 'platform-alerts@example.com' });
    const [machineId] = Object.keys(template.findResources('AWS::StepFunctions::StateMachine'));
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }],
        Statistic: 'Sum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        AlarmActions: [Match.anyValue()],
        OKActions: [Match.anyValue()],
      });
    }
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'platform-alerts@example.com' });
  });
});

describe('EcrMaintainerOrg: props', () => {
  const errorOf = (props: Partial<EcrMaintainerOrgProps>): string[] => (catchError(() => synth(props)) as InvalidSettingsError).problems as string[];

  it.each<[string, Partial<EcrMaintainerOrgProps>, string]>([
    ['neither accounts nor units', { accounts: undefined }, 'accounts or organizationalUnitIds must name the accounts to clean, got neither: give accounts such as ["111111111111"], or organizationalUnitIds such as ["ou-ab12-cd34ef56"]'],
    ['an account that is not 12 digits', { accounts: ['1234'] }, 'accounts has an item that is not a 12-digit account ID (such as 111111111111): "1234"'],
    ['an account twice', { accounts: ['111111111111', '111111111111'] }, 'accounts names "111111111111" more than once: name each once'],
    ['no region', { regions: [] }, 'regions must list at least one region, such as ["eu-west-1"], got an empty list'],
    ['a region that is not one', { regions: ['eu-west'] }, 'regions has an item that is not a region (such as eu-west-1): "eu-west"'],
    ['a unit that is not one', { organizationalUnitIds: ['ou-1'] }, 'organizationalUnitIds has an item that is not an organisational unit ID (ou-…) or root ID (r-…) (such as ou-ab12-cd34ef56): "ou-1"'],
    ['a concurrency above the inline Map\'s', { maxConcurrency: 41 }, "maxConcurrency must be a whole number from 1 to 40 (the inline Map's limit on iterations at once), got 41"],
    ['a bad member role name', { memberRoleName: 'a role' }, 'memberRoleName must be an IAM role name (1 to 64 letters, digits and +=,.@_-), got "a role"'],
    ['a registry that is not a target', { workloadAccounts: { '444444444444': ['333333333333'] } }, 'workloadAccounts["444444444444"] names 444444444444, which is not in accounts: its workload accounts would never be searched. Add it to accounts, or remove the key'],
    ['a registry as its own workload', { workloadAccounts: { '111111111111': ['111111111111'] } }, 'workloadAccounts["111111111111"] lists the registry account 111111111111 itself: its own workloads are always searched; leave it out'],
    ['an organisation ID that is not one', { organizationId: 'org-1' }, 'organizationId must be an organisation ID such as o-a1b2c3d4e5 (aws organizations describe-organization prints it), got "org-1"'],
  ])('fails with %s, naming the prop, the value and the fix', (_title, props, problem) => {
    expect(errorOf(props)).toEqual([problem]);
  });

  it("checks the cleaner's settings as EcrCleaner does", () => {
    expect(catchError(() => synth({ keepMinImageCount: 0 }))).toEqual(new InvalidSettingsError('EcrMaintainerOrg: invalid props', ['keepMinImageCount must be a whole number of at least 1, got 0']));
  });

  it('warns when the targets named may not fit the Map\'s output at their largest', () => {
    const accounts = Array.from({ length: 100 }, (_, index) => String(100000000000 + index));
    const { stack } = synth({ accounts, regions: ['eu-west-1', 'us-east-1'] });
    expect(targetsThatFit(largestTargetResultBytes())).toBeLessThan(200);
    const warnings = Annotations.fromStack(stack).findWarning('/Central/Org', Match.stringLikeRegexp('^200 targets'));
    expect(warnings).toHaveLength(1);
    expect(Annotations.fromStack(synth().stack).findWarning('/Central/Org', Match.anyValue())).toEqual([]);
  });
});

describe('EcrMaintainerOrgStack', () => {
  const stackOf = (org: Partial<EcrMaintainerOrgProps> = {}, cleaner: Partial<EcrMaintainerOrgProps> = {}): EcrMaintainerOrgStack =>
    new EcrMaintainerOrgStack(testApp(), 'EcrMaintainerOrg', { org: { ...ORG, ...org }, cleaner });

  it('outputs the state machine, how to start it, and the role the members trust', () => {
    const template = Template.fromStack(stackOf());
    template.hasOutput('StateMachineArn', { Value: { Ref: Match.anyValue() } });
    template.hasOutput('StartExecutionCommand', { Value: { 'Fn::Join': ['', ['aws stepfunctions start-execution --state-machine-arn ', { Ref: Match.anyValue() }]] } });
    template.hasOutput('CleanerRoleArn', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
    template.hasOutput('AuditBucketName', {});
  });

  it.each<[string, Partial<EcrMaintainerOrgProps>, Partial<EcrMaintainerOrgProps>]>([
    ['static accounts, the defaults', {}, {}],
    ['organisational units within an organisation, workload accounts', { organizationalUnitIds: ['ou-ab12-cd34ef56'], organizationId: 'o-a1b2c3d4e5', workloadAccounts: { '111111111111': ['333333333333'] } }, {}],
    ['units without an organisation ID, an external ID', { accounts: undefined, organizationalUnitIds: ['r-ab12'], externalId: 'ecr-maintainer-7f3a' }, {}],
    ['deletion, Slack with a new secret, a grace period, alarms by e-mail', {}, { deleteEnabled: true, slackEnabled: true, slackChannel: 'C1', gracePeriodDays: 7, alarmEmail: 'platform-alerts@example.com' }],
    ['a list of images in use, rules and scoped repositories', {}, { inUseImagesUri: 's3://inventory/in-use.json', repositories: ['app'], rules: [{ repositories: 'legacy/**', exclude: true }] }],
  ])('leaves no unacknowledged cdk-nag finding with %s', (_title, org, cleaner) => {
    const stack = stackOf(org, cleaner);

    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    expect(report.violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.resourceLogicalId).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });
});
