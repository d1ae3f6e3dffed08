/**
 * Targets: the accounts and regions that one fan-out cleans, each in its own run. The CLI fans out over
 * them itself; the organisation stack's state machine maps over them and invokes the cleaner function
 * once per target. These shapes are the contract between the state machine and the functions.
 */

/** An account whose workloads pull a target's images, so that its in-use discovery protects them. */
export interface WorkloadAccount {
  /** The 12-digit account ID. */
  readonly account: string;
  /** The role that in-use discovery assumes there. */
  readonly roleArn: string;
}

/** One account and region to clean: one run, with its own time budget and its own failure. */
export interface Target {
  /** The 12-digit account ID that holds the registry. */
  readonly account: string;
  /** The region of the registry, such as `eu-west-1`. */
  readonly region: string;
  /** The role to assume in the account; absent, the caller's own credentials (the account must be theirs). */
  readonly roleArn?: string;
  /**
   * Other accounts whose workloads pull this registry's images, in the target's region. In-use discovery
   * runs in each of them too, under its role, and a use there protects the image here. If any of them
   * cannot be read completely, nothing in this registry is deleted.
   */
  readonly workloadAccounts?: readonly WorkloadAccount[];
}

/** What one target's run returns: to the state machine (small: its state is at most 256 KiB) and to the fleet summary. */
export interface TargetResult {
  readonly account: string;
  readonly region: string;
  /** False when the run had any error, or did not run at all (the role could not be assumed, the function failed). */
  readonly ok: boolean;
  /** Absent when the run did not start. */
  readonly mode?: 'dry-run' | 'delete';
  /** Absent when the run did not start. */
  readonly totals?: TargetTotals;
  /** Why nothing was deleted at all, when failing closed blocked deletion. */
  readonly deletionBlocked?: string;
  /** How many errors the run had. */
  readonly errorCount: number;
  /** The first few errors, each shortened: the full list is in the run's log and audit trail. */
  readonly errors: readonly string[];
  readonly durationMs?: number;
  /** The run's CSV and JSON Lines plan in the audit bucket, as s3:// URIs. */
  readonly auditObjects?: { readonly csv: string; readonly plan: string };
}

/** The counts of one target's run that the fleet summary adds up. */
export interface TargetTotals {
  readonly repositories: number;
  readonly images: number;
  readonly toDelete: number;
  readonly deleted: number;
  readonly marked: number;
  readonly kept: number;
  readonly failed: number;
  readonly bytesReclaimable: number;
  readonly bytesReclaimed: number;
  readonly monthlySavingUsd: number;
}

/** At most this many errors, of at most this many characters, travel in a target's result. */
export const RESULT_ERRORS = 5;
export const RESULT_ERROR_LENGTH = 300;

/** The placeholder for the account in a role ARN template: `arn:aws:iam::{account}:role/ecr-maintainer-member`. */
export const ACCOUNT_PLACEHOLDER = '{account}';

/** The role ARN for an account, from a template with `{account}` in it. */
export function roleArnFor(template: string, account: string): string {
  return template.split(ACCOUNT_PLACEHOLDER).join(account);
}

/** The role ARN template for a role name, in a partition: `arn:<partition>:iam::{account}:role/<name>`. */
export function roleArnTemplate(roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${ACCOUNT_PLACEHOLDER}:role/${roleName}`;
}

/** `111111111111/eu-west-1`: how the summaries and errors name a target. */
export function targetName(target: Pick<Target, 'account' | 'region'>): string {
  return `${target.account}/${target.region}`;
}
