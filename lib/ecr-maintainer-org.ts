/**
 * The organisation's cleaner, deployed once in a central account: a schedule starts a Step Functions
 * state machine that lists the targets (every account in every region), cleans each in its own run of
 * the cleaner function (which assumes the member role there, `EcrCleanerMemberRole`), and reports once.
 */
import { Annotations, Aws, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Schedule, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ACCOUNT_PLACEHOLDER } from '../lambda/core/targets';
import { notifyAlarmTarget } from './alarm-topic';
import { DEFAULT_AUDIT_RETENTION_DAYS, createAuditBucket } from './audit-bucket';
import { createBundledFunction } from './bundled-function';
import { describePropProblem } from './check-cleaner-props';
import { DEFAULT_CLEANER_ROLE_NAME, DEFAULT_MAX_CONCURRENCY, DEFAULT_MEMBER_ROLE_NAME, checkOrgProps } from './check-org-props';
import { grantAuditTrailPermissions } from './cleaner-permissions';
import { cleanerEnvironment, createSchedulerRole, defaultCleanerSchedule, resolveCleanerSettings, slackEnvironment } from './cleaner-settings';
import { type EcrCleanerProps, memoryWarning } from './ecr-cleaner';
import { InvalidSettingsError } from './errors';
import { checkEnvironmentSize } from './lambda-environment';
import { largestTargetResultBytes, targetsThatFit } from './org-limits';
import { createOrgStateMachine } from './org-state-machine';
import { slackTokenSecretFor } from './slack-token';

export interface EcrMaintainerOrgProps extends EcrCleanerProps {
  /**
   * The accounts to clean, by 12-digit ID, each in every region of `regions`.
   *
   * @default - none: the accounts of `organizationalUnitIds` alone (one of the two is required)
   */
  readonly accounts?: string[];
  /** The regions to clean in each account, such as `['eu-west-1', 'us-east-1']`. */
  readonly regions: string[];
  /**
   * Organisational units (`ou-…`) or the root (`r-…`) whose ACTIVE accounts, nested units included, are
   * cleaned too, read at the start of each run. The central account must then be the organisation's
   * management account or a delegated administrator, and the cleaner's role may assume the member role
   * in any account (narrowed to the organisation with `organizationId`).
   *
   * @default - none: the `accounts` alone
   */
  readonly organizationalUnitIds?: string[];
  /**
   * The organisation's ID (`o-…`). With `organizationalUnitIds`, the cleaner's role may assume member
   * roles only in this organisation (`aws:ResourceOrgID`).
   *
   * @default - no such condition
   */
  readonly organizationId?: string;
  /**
   * The external ID that the member roles require (`EcrCleanerMemberRole`'s `externalId`); the cleaner
   * passes it when it assumes them.
   *
   * @default - none: the member roles trust by organisation ID
   */
  readonly externalId?: string;
  /**
   * The name of the role in each member account.
   *
   * @default 'ecr-maintainer-member'
   */
  readonly memberRoleName?: string;
  /**
   * The name of the cleaner function's role, which each member role trusts by ARN. IAM names are global
   * to the account: deploy one organisation stack per central account, or give each its own name.
   *
   * @default 'ecr-maintainer-org-cleaner'
   */
  readonly cleanerRoleName?: string;
  /**
   * For a central registry: registry account → the accounts whose workloads pull its images. Each of that
   * account's targets searches them too (under their member roles) before anything is deleted there.
   *
   * @default - none: each registry is protected by its own account's workloads
   */
  readonly workloadAccounts?: Record<string, string[]>;
  /**
   * The most targets cleaned at once (the inline Map's `MaxConcurrency`, at most 40).
   *
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * The longest a whole execution may run; then it fails with `States.Timeout`, and its alarm fires.
   *
   * @default Duration.hours(6)
   */
  readonly executionTimeout?: Duration;
}

/**
 * The organisation's cleaner: three functions and a state machine in the central account.
 *
 * Why the inline Map and not the Distributed Map: a run has tens to hundreds of targets, within the
 * inline Map's limits. Each target adds 7 events to the execution's history (13 with two retries), far
 * from the 25,000 allowed (about 3,500 targets); and each target's result, a few hundred bytes (about 410
 * for a typical run, 1,366 at most: `largestTargetResultBytes`), travels in the Map's output, whose
 * 256 KiB hold about 640 typical results and at least 191. The Distributed Map's child executions, S3 item
 * reader and result writer cost more and add moving parts that only thousands of targets need.
 */
export class EcrMaintainerOrg extends Construct {
  /** The state machine that the schedule starts. */
  readonly stateMachine: sfn.StateMachine;
  /** Lists the targets of a run. */
  readonly targetsFunction: NodejsFunction;
  /** Cleans one target, in the member account, under its member role. */
  readonly cleanerFunction: NodejsFunction;
  /** Reports the run once, to its log and to Slack. */
  readonly reportFunction: NodejsFunction;
  /** The cleaner function's role, named `cleanerRoleName`, which the member roles trust. */
  readonly cleanerRole: iam.Role;
  /** The audit trail of every target: `runs/<account>/<region>/…`. Kept when the stack is deleted. */
  readonly auditBucket: s3.Bucket;
  readonly schedule: Schedule;
  /** The secret of the Slack token, when Slack is enabled. */
  readonly slackTokenSecret?: secretsmanager.ISecret;
  /** In alarm when an execution failed (a target failed, or Slack), timed out or was aborted. */
  readonly alarms: readonly cloudwatch.Alarm[];
  /** The topic that the alarms notify: `alarmTopic`, or the one made for `alarmEmail`. */
  readonly alarmTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, props: EcrMaintainerOrgProps) {
    super(scope, id);
    const title = 'EcrMaintainerOrg: invalid props';
    const orgProblems = checkOrgProps(props).map((problem) => describePropProblem(problem));
    if (orgProblems.length > 0) throw new InvalidSettingsError(title, orgProblems);
    const settings = resolveCleanerSettings(this, props, title);
    const { memorySize, timeout } = settings;
    if (!Token.isUnresolved(memorySize)) {
      const warning = memoryWarning(memorySize, props.expectedImageCount, { gracePeriod: settings.gracePeriodDays > 0 });
      if (warning) Annotations.of(this).addWarningV2(warning.id, warning.message);
    }
    const maxConcurrency = props.maxConcurrency ?? DEFAULT_MAX_CONCURRENCY;
    const executionTimeout = props.executionTimeout ?? Duration.hours(6);
    const memberRoleName = props.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME;
    const accounts = props.accounts ?? [];
    const units = props.organizationalUnitIds ?? [];
    this.warnOfSize(accounts.length * props.regions.length, units.length > 0, maxConcurrency, timeout, executionTimeout);
    const logGroup = (name: string): logs.LogGroup => new logs.LogGroup(this, name, { retention: props.logRetention ?? logs.RetentionDays.THREE_MONTHS });
    const lambdaRole = (name: string, description: string, roleName?: string): iam.Role =>
      new iam.Role(this, name, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description, ...(roleName !== undefined && { roleName }) });

    // The cleaner: one target per invocation, as the member role; writes the audit trail as itself.
    const cleanerLogGroup = logGroup('CleanerLogGroup');
    this.cleanerRole = lambdaRole(
      'CleanerRole',
      'ECR Maintainer (organisation): assumes the member role of each target, and writes each run to the audit bucket',
      props.cleanerRoleName ?? DEFAULT_CLEANER_ROLE_NAME,
    );
    cleanerLogGroup.grantWrite(this.cleanerRole);
    this.auditBucket = createAuditBucket(this, 'AuditBucket', { retentionDays: props.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS });
    grantAuditTrailPermissions(this.cleanerRole, { auditBucket: this.auditBucket, gracePeriodDays: settings.gracePeriodDays, inUseImagesUri: props.inUseImagesUri });
    this.grantAssumeMemberRoles(memberRoleName, accounts, props);
    const cleanerVariables = {
      // One Slack message for the whole run comes from the report.
      ...cleanerEnvironment(props, { ...settings, slackEnabled: false }, { auditBucketUri: `s3://${this.auditBucket.bucketName}` }),
      ...(props.externalId !== undefined && { MEMBER_EXTERNAL_ID: props.externalId }),
    };
    this.cleanerFunction = createBundledFunction(this, 'CleanerFunction', {
      description: 'ECR Maintainer (organisation): cleans one account and region under its member role',
      entry: 'handler.ts',
      timeout,
      memorySize,
      role: this.cleanerRole,
      logGroup: cleanerLogGroup,
      logLevel: props.logLevel,
      // The Map bounds how many run at once; reserving that many would take them from the account's pool.
      environment: this.checked(cleanerVariables),
    });

    /** A small step of the state machine: its log group, its role, and its function, of 256 MiB and 2 minutes. */
    const step = (id: string, does: { readonly role: string; readonly function: string }, entry: string, environment: Record<string, string>): { fn: NodejsFunction; role: iam.Role } => {
      const stepLogGroup = logGroup(`${id}LogGroup`);
      const role = lambdaRole(`${id}Role`, `ECR Maintainer (organisation): ${does.role}`);
      stepLogGroup.grantWrite(role);
      const fn = createBundledFunction(this, `${id}Function`, {
        description: `ECR Maintainer (organisation): ${does.function}`,
        entry,
        timeout: Duration.minutes(2),
        memorySize: 256,
        role,
        logGroup: stepLogGroup,
        logLevel: props.logLevel,
        environment: this.checked({ ...environment, NODE_OPTIONS: '--enable-source-maps' }),
      });
      return { fn, role };
    };

    // The targets: the static accounts, and the units' accounts read at run time.
    const targets = step('Targets', { role: 'lists the targets of a run', function: 'lists the accounts and regions of a run' }, 'org/targets-handler.ts', {
      TARGET_ACCOUNTS: accounts.join(','),
      TARGET_REGIONS: props.regions.join(','),
      ...(units.length > 0 && { ORGANIZATIONAL_UNITS: units.join(',') }),
      MEMBER_ROLE_ARN_TEMPLATE: `arn:${Aws.PARTITION}:iam::${ACCOUNT_PLACEHOLDER}:role/${memberRoleName}`,
      ...(props.workloadAccounts !== undefined && Object.keys(props.workloadAccounts).length > 0 && { WORKLOAD_ACCOUNTS: JSON.stringify(props.workloadAccounts) }),
    });
    this.targetsFunction = targets.fn;
    const targetsRole = targets.role;
    if (units.length > 0) {
      // Organizations supports no resource-level permission for these two reads: AWS accepts only "*".
      targetsRole.addToPolicy(new iam.PolicyStatement({ sid: 'ReadOrganizationalUnits', actions: ['organizations:ListAccountsForParent', 'organizations:ListOrganizationalUnitsForParent'], resources: ['*'] }));
      Validations.of(targetsRole).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'organizations:ListAccountsForParent and organizations:ListOrganizationalUnitsForParent support no resource-level permission; the role may only list the accounts and units of the organisation.',
      });
    }
    // The report: one message for the run.
    if (settings.slackEnabled) this.slackTokenSecret = slackTokenSecretFor(this, props.slackTokenSecret);
    const report = step(
      'Report',
      { role: 'reports a run, to its log and to Slack', function: 'reports every target of a run once' },
      'org/report-handler.ts',
      slackEnvironment(props, settings.slackEnabled, this.slackTokenSecret?.secretArn),
    );
    this.reportFunction = report.fn;
    this.slackTokenSecret?.grantRead(report.role);

    this.stateMachine = createOrgStateMachine(this, 'StateMachine', {
      targetsFunction: this.targetsFunction,
      cleanerFunction: this.cleanerFunction,
      reportFunction: this.reportFunction,
      maxConcurrency,
      timeout: executionTimeout,
      logGroup: logGroup('StateMachineLogGroup'),
    });
    this.acknowledgeStateMachineRole();

    const schedulerRole = createSchedulerRole(this, 'SchedulerRole', 'ECR Maintainer (organisation): lets EventBridge Scheduler start the state machine');
    const schedule = props.schedule ?? defaultCleanerSchedule();
    this.schedule = new Schedule(this, 'Schedule', {
      description: 'ECR Maintainer (organisation): starts a run over every target',
      schedule,
      // A failed execution is reported, not started again: the next scheduled run converges.
      target: new StepFunctionsStartExecution(this.stateMachine, { role: schedulerRole, input: ScheduleTargetInput.fromObject({}), retryAttempts: 0, maxEventAge: Duration.hours(1) }),
    });

    const alarm = (name: string, metric: cloudwatch.Metric, what: string): cloudwatch.Alarm =>
      new cloudwatch.Alarm(this, name, {
        alarmDescription: `ECR Maintainer (organisation): an execution ${what}. The state machine's execution history, and the report function's log, say which targets and why.`,
        metric,
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const sum = { statistic: cloudwatch.Stats.SUM, period: Duration.hours(1) };
    this.alarms = [
      alarm('ExecutionFailedAlarm', this.stateMachine.metricFailed(sum), 'failed: a target failed (its run had errors, or threw), or the report could not be posted to Slack'),
      alarm('ExecutionTimedOutAlarm', this.stateMachine.metricTimedOut(sum), `ran longer than its timeout of ${executionTimeout.toHumanString()}`),
      alarm('ExecutionAbortedAlarm', this.stateMachine.metricAborted(sum), 'was aborted (stopped by hand, or by a redeploy)'),
    ];
    this.alarmTopic = notifyAlarmTarget(this, this.alarms, { alarmEmail: props.alarmEmail?.trim(), alarmTopic: props.alarmTopic });
  }

  /**
   * `sts:AssumeRole` on the member role of each account named (targets and workload accounts), or, when
   * units are read at run time, on the member role's name in any account (of the organisation, with
   * `organizationId`).
   */
  private grantAssumeMemberRoles(memberRoleName: string, accounts: readonly string[], props: EcrMaintainerOrgProps): void {
    const roleArn = (account: string): string => `arn:${Aws.PARTITION}:iam::${account}:role/${memberRoleName}`;
    const workloads = Object.values(props.workloadAccounts ?? {}).flat();
    const named = [...new Set([...accounts, ...workloads])];
    const fromUnits = (props.organizationalUnitIds ?? []).length > 0;
    const resources = fromUnits ? [roleArn('*')] : named.map(roleArn);
    this.cleanerRole.addToPolicy(
      new iam.PolicyStatement({
        sid: 'AssumeMemberRoles',
        actions: ['sts:AssumeRole'],
        resources,
        ...(fromUnits && props.organizationId !== undefined && { conditions: { StringEquals: { 'aws:ResourceOrgID': props.organizationId } } }),
      }),
    );
    if (fromUnits) {
      Validations.of(this.cleanerRole).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::*:role/${memberRoleName}]`,
        reason:
          "The accounts of the organisational units are known only at run time; the role may assume only the member role's name in them" +
          (props.organizationId !== undefined ? `, and only within the organisation ${props.organizationId} (aws:ResourceOrgID)` : '') +
          ', and each member role trusts this role alone.',
      });
    }
  }

  /** The function's variables, or the error that they outgrow Lambda's 4 KB. */
  private checked(variables: Record<string, string>): Record<string, string> {
    const tooLarge = checkEnvironmentSize(variables, (value) => Stack.of(this).resolve(value));
    if (tooLarge) throw new InvalidSettingsError('EcrMaintainerOrg: invalid props', [tooLarge]);
    return variables;
  }

  /** Warns when the targets named at synth may not fit one execution. */
  private warnOfSize(targets: number, moreAtRunTime: boolean, maxConcurrency: number, timeout: Duration, executionTimeout: Duration): void {
    const fit = targetsThatFit(largestTargetResultBytes());
    if (targets > fit) {
      Annotations.of(this).addWarningV2(
        'ecr-maintainer:org-results-may-not-fit',
        `${targets} targets (accounts × regions): if every target's result were at its longest (${largestTargetResultBytes()} bytes, with ${fit} fitting in the Map's 256 KiB output), the Map would fail with States.DataLimitExceeded. Typical results (about 410 bytes) fit about 640 targets; a result carries at most 3 errors of 200 characters; above that, split the accounts between two stacks.`,
      );
    }
    if (timeout.isUnresolved() || executionTimeout.isUnresolved() || moreAtRunTime) return;
    const rounds = Math.ceil(targets / maxConcurrency);
    if (rounds * timeout.toSeconds() > executionTimeout.toSeconds()) {
      Annotations.of(this).addWarningV2(
        'ecr-maintainer:org-execution-timeout',
        `${targets} targets, ${maxConcurrency} at a time, each up to ${timeout.toHumanString()}, may take ${Duration.seconds(rounds * timeout.toSeconds()).toHumanString()}, more than the executionTimeout of ${executionTimeout.toHumanString()}: raise maxConcurrency or executionTimeout.`,
      );
    }
  }

  /** The state machine's role: invoke its three functions, write its logs, send its traces. */
  private acknowledgeStateMachineRole(): void {
    const stack = Stack.of(this);
    const role = this.stateMachine.role;
    for (const fn of [this.targetsFunction, this.cleanerFunction, this.reportFunction]) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(fn.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
        reason: "LambdaInvoke's grant covers the function's versions and aliases (ARN:*); the role can invoke these three functions only.",
      });
    }
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray (PutTraceSegments, PutTelemetryRecords, GetSampling*) and the log delivery of Step Functions (logs:CreateLogDelivery and the like) support no resource-level permission: AWS accepts only "*".',
    });
  }
}
