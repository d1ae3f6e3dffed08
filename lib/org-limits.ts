/**
 * What one run of the organisation's state machine costs and how large it may grow: the inline Map's
 * limits (Step Functions quotas), the state transitions that each run and each target bill, the history
 * events that each adds, and the bytes of each target's result in the Map's output. Pure: the numbers
 * follow the definition in `org-state-machine.ts`, and its tests count them there again.
 */
import { RESULT_ERRORS, RESULT_ERROR_LENGTH, type TargetResult } from '../lambda/core/targets';

/** The most iterations an inline Map runs at once (a Distributed Map runs up to 10,000 child executions). */
export const INLINE_MAP_MAX_CONCURRENCY = 40;
/** The largest input or output of a state, and so of the Map's array of results: 256 KiB. */
export const STATE_PAYLOAD_MAX_BYTES = 256 * 1024;
/** The most events in a standard execution's history. */
export const EXECUTION_HISTORY_MAX_EVENTS = 25_000;

/**
 * State transitions billed (Step Functions standard: each state entered is one, and so is each retry).
 * A run: ListTargets, CleanTargets (the Map), Report, AllTargetsSucceeded (the Choice), and Succeeded or
 * TargetsFailed. A target: CleanTarget, and TargetFailed (the Catch's Pass) when its run threw.
 */
export const TRANSITIONS = { perRun: 5, perTarget: 1, perFailedTarget: 2, perRetry: 1 } as const;

/**
 * Events in the execution's history. A run: ExecutionStarted, 5 for each Lambda task outside the Map
 * (TaskStateEntered, LambdaFunctionScheduled, LambdaFunctionStarted, LambdaFunctionSucceeded,
 * TaskStateExited) twice, 4 for the Map (MapStateEntered, MapStateStarted, MapStateSucceeded,
 * MapStateExited), 2 for the Choice, 2 for Succeeded, and ExecutionSucceeded: 20. A target:
 * MapIterationStarted, the task's 5, MapIterationSucceeded: 7; a target whose run threw adds the Pass
 * state's 2 (its task ends in LambdaFunctionFailed); each retry adds 3 (a failed attempt's Scheduled,
 * Started and Failed).
 */
export const HISTORY_EVENTS = { perRun: 20, perTarget: 7, perFailedTarget: 9, perRetry: 3 } as const;

/** The retries of each Lambda task (the cleaner's, and the targets and report steps') when Lambda itself fails (throttled, a service error): 3 attempts in all. */
export const CLEANER_RETRIES = 2;

/**
 * The largest result that one target can add to the Map's output: a `TargetResult` with every field at
 * its longest (the most errors, each of the most characters, a bucket name of 63 characters in the audit
 * objects' URIs), as JSON, plus the comma between items.
 */
export function largestTargetResultBytes(): number {
  const error = 'x'.repeat(RESULT_ERROR_LENGTH);
  const uri = (extension: string): string => `s3://${'b'.repeat(63)}/runs/111111111111/ap-southeast-4/2026-11-26/030000123-dry-run.${extension}`;
  const largest: Required<TargetResult> = {
    account: '111111111111',
    region: 'ap-southeast-4',
    ok: false,
    mode: 'dry-run',
    totals: { repositories: 1e6, images: 1e9, toDelete: 1e9, deleted: 1e9, marked: 1e9, kept: 1e9, failed: 1e9, bytesReclaimable: 1e15, bytesReclaimed: 1e15, monthlySavingUsd: 123456.78 },
    deletionBlocked: 'x'.repeat(RESULT_ERROR_LENGTH),
    errorCount: 100_000,
    errors: Array.from({ length: RESULT_ERRORS }, () => error),
    durationMs: 900_000,
    auditPage: uri('html'),
  };
  return Buffer.byteLength(JSON.stringify(largest), 'utf8') + 1;
}

/** How many targets' results fit in the Map's output, each at `bytesPerTarget`. */
export function targetsThatFit(bytesPerTarget: number): number {
  return Math.floor(STATE_PAYLOAD_MAX_BYTES / bytesPerTarget);
}
