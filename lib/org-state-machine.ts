/**
 * The organisation's state machine: list the targets, clean each in its own Lambda run (an inline Map,
 * at most `maxConcurrency` at once), report once, and fail the execution when any target failed.
 *
 * ```
 * ListTargets ─▶ CleanTargets (Map over $.targets) ─▶ Report ─▶ AllTargetsSucceeded? ─▶ Succeeded
 *                  └ CleanTarget ──Catch States.ALL──▶ TargetFailed          └─ ok false ─▶ TargetsFailed
 * ```
 *
 * - Each item is passed to the cleaner as it is: the `Target` of `lambda/core/targets.ts`.
 * - A Lambda task is retried only when Lambda itself failed (a service error, throttling), never because
 *   a cleanup reported errors: the cleaner returns those as `ok: false`, and the next run converges.
 * - A target whose run threw (its role could not be assumed, a timeout) is caught with its error in
 *   `$.error`, so the other targets go on; the report counts it.
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { CLEANER_RETRIES } from './org-limits';

/** The states' names: part of the contract with the tests and with the history an operator reads. */
export const STATE_NAMES = {
  listTargets: 'ListTargets',
  cleanTargets: 'CleanTargets',
  cleanTarget: 'CleanTarget',
  targetFailed: 'TargetFailed',
  report: 'Report',
  allTargetsSucceeded: 'AllTargetsSucceeded',
  targetsFailed: 'TargetsFailed',
  succeeded: 'Succeeded',
} as const;

/** The errors of Lambda itself, which a retry may cure; a function's own error is never among them. */
export const LAMBDA_TRANSIENT_ERRORS = ['Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'];

/** The error of an execution in which a target failed, or the report could not be posted. */
export const TARGETS_FAILED_ERROR = 'TargetsFailed';

export interface OrgStateMachineProps {
  readonly targetsFunction: lambda.IFunction;
  readonly cleanerFunction: lambda.IFunction;
  readonly reportFunction: lambda.IFunction;
  /** The most targets cleaned at once. */
  readonly maxConcurrency: number;
  /** The longest an execution may run. */
  readonly timeout: Duration;
  readonly logGroup: logs.ILogGroup;
}

/** A Lambda task whose output is the function's own result, retried only on Lambda's transient errors. */
function invoke(scope: Construct, id: string, lambdaFunction: lambda.IFunction, payload?: sfn.TaskInput): tasks.LambdaInvoke {
  const task = new tasks.LambdaInvoke(scope, id, {
    lambdaFunction,
    ...(payload && { payload }),
    // The function's return value alone, not Lambda's envelope ({ Payload, StatusCode, … }).
    payloadResponseOnly: true,
    // Not the task's default retry (6 attempts, also on ClientExecutionTimeoutException): ours below.
    retryOnServiceExceptions: false,
  });
  task.addRetry({ errors: LAMBDA_TRANSIENT_ERRORS, interval: Duration.seconds(2), maxAttempts: CLEANER_RETRIES, backoffRate: 2, jitterStrategy: sfn.JitterType.FULL });
  return task;
}

/** The state machine, logging every event to `logGroup` and traced with X-Ray. */
export function createOrgStateMachine(scope: Construct, id: string, props: OrgStateMachineProps): sfn.StateMachine {
  const listTargets = invoke(scope, STATE_NAMES.listTargets, props.targetsFunction);

  const cleanTarget = invoke(scope, STATE_NAMES.cleanTarget, props.cleanerFunction);
  // The target with its error's name: the report names it, and the other targets go on. The error's
  // cause (a function's stack trace, up to 32 KB) stays in the function's log: every item's output
  // shares the Map's 256 KiB.
  cleanTarget.addCatch(
    new sfn.Pass(scope, STATE_NAMES.targetFailed, {
      parameters: { 'account.$': '$.account', 'region.$': '$.region', error: { 'Error.$': '$.error.Error' } },
    }),
    { errors: [sfn.Errors.ALL], resultPath: '$.error' },
  );
  const cleanTargets = new sfn.Map(scope, STATE_NAMES.cleanTargets, {
    itemsPath: sfn.JsonPath.stringAt('$.targets'),
    maxConcurrency: props.maxConcurrency,
  }).itemProcessor(cleanTarget);

  const report = invoke(
    scope,
    STATE_NAMES.report,
    props.reportFunction,
    sfn.TaskInput.fromObject({ results: sfn.JsonPath.entirePayload, execution: sfn.JsonPath.executionId }),
  );
  const outcome = new sfn.Choice(scope, STATE_NAMES.allTargetsSucceeded)
    .when(
      sfn.Condition.booleanEquals('$.ok', false),
      new sfn.Fail(scope, STATE_NAMES.targetsFailed, {
        error: TARGETS_FAILED_ERROR,
        // The report's message: "2 of 150 targets failed: 111111111111/eu-west-1, …", and Slack's failure if any.
        causePath: sfn.JsonPath.stringAt('$.message'),
      }),
    )
    .otherwise(new sfn.Succeed(scope, STATE_NAMES.succeeded));

  return new sfn.StateMachine(scope, id, {
    comment: 'ECR Maintainer: cleans every account and region of the organisation, each in its own Lambda run, and reports once',
    stateMachineType: sfn.StateMachineType.STANDARD,
    definitionBody: sfn.DefinitionBody.fromChainable(listTargets.next(cleanTargets).next(report).next(outcome)),
    timeout: props.timeout,
    logs: { destination: props.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    tracingEnabled: true,
  });
}
