/**
 * Targets: the accounts and regions that one fan-out cleans, each in its own run. The CLI fans out over
 * them itself; the organisation stack's state machine maps over them and invokes the cleaner function
 * once per target. These shapes are the contract between the state machine and the functions. Pure.
 */
import type { RunReport } from './report';

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
  /**
   * Other regions whose workloads are searched too, in the target's account and in each workload
   * account: a task may pull an image from another region's registry. A fan-out over several regions
   * names them all; a use found there protects the image here, and a place that cannot be read stops
   * deletion here.
   *
   * @default - the target's own region alone
   */
  readonly workloadRegions?: readonly string[];
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
  /**
   * The run's plan as a page in the audit bucket (its CSV and JSON Lines plan lie beside it), or the JSON
   * Lines plan when the plan is too large for a page, as an s3:// URI.
   */
  readonly auditPage?: string;
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

/** An AWS Organizations organisational unit's ID (`ou-…`), or a root's (`r-…`). */
export const ORGANIZATIONAL_UNIT_PATTERN = /^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$/;

/** An IAM role's name. */
export const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;
/** An external ID, as STS accepts it (`sts:ExternalId`). */
export const EXTERNAL_ID_PATTERN = /^[\w+=,.@:/-]{2,1224}$/;

/** An AWS region's name, such as `eu-west-2` or `us-gov-west-1`. */
export const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+)+-\d+$/;
/** A 12-digit AWS account ID. */
export const ACCOUNT_PATTERN = /^\d{12}$/;
/** An IAM role's ARN, in any partition. */
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** The account of an IAM role's ARN, or undefined when it is not one. */
export function roleAccount(roleArn: string): string | undefined {
  return ROLE_ARN_PATTERN.exec(roleArn)?.[1];
}

/**
 * Reads a target from an event, as the state machine sends it.
 *
 * @returns the target, or every problem with it, each naming the field, the value and what is allowed
 */
export function parseTarget(event: unknown): Target | { readonly problems: readonly string[] } {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return { problems: [`a target must be an object such as ${TARGET_EXAMPLE}, got ${JSON.stringify(event)}`] };
  const { account, region, roleArn, workloadAccounts, workloadRegions, ...rest } = event as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(rest)) problems.push(`a target has no field "${key}"; its fields are account, region, roleArn, workloadAccounts and workloadRegions`);
  if (workloadRegions !== undefined && (!Array.isArray(workloadRegions) || !workloadRegions.every((item) => typeof item === 'string' && REGION_PATTERN.test(item)))) {
    problems.push(`workloadRegions must be a list of AWS regions such as ["eu-west-1","us-east-1"], got ${JSON.stringify(workloadRegions)}`);
  }
  if (typeof account !== 'string' || !ACCOUNT_PATTERN.test(account)) problems.push(`account must be a 12-digit account ID, got ${JSON.stringify(account)}`);
  if (typeof region !== 'string' || !REGION_PATTERN.test(region)) problems.push(`region must be an AWS region such as eu-west-1, got ${JSON.stringify(region)}`);
  if (roleArn !== undefined) {
    if (typeof roleArn !== 'string' || roleAccount(roleArn) === undefined) problems.push(`roleArn must be an IAM role ARN such as arn:aws:iam::111111111111:role/ecr-maintainer-member, got ${JSON.stringify(roleArn)}`);
    else if (roleAccount(roleArn) !== account) problems.push(`roleArn ${roleArn} is in account ${roleAccount(roleArn)}, not in the target's account ${String(account)}`);
  }
  const workloads: WorkloadAccount[] = [];
  if (workloadAccounts !== undefined) {
    if (!Array.isArray(workloadAccounts)) problems.push(`workloadAccounts must be a list of { account, roleArn }, got ${JSON.stringify(workloadAccounts)}`);
    else {
      workloadAccounts.forEach((workload: unknown, index) => {
        const { account: id, roleArn: arn } = (typeof workload === 'object' && workload !== null ? workload : {}) as Record<string, unknown>;
        if (typeof id !== 'string' || !ACCOUNT_PATTERN.test(id) || typeof arn !== 'string' || roleAccount(arn) !== id) {
          problems.push(`workloadAccounts[${index}] must be { account: a 12-digit account ID, roleArn: a role in that account }, got ${JSON.stringify(workload)}`);
        } else workloads.push({ account: id, roleArn: arn });
      });
    }
  }
  if (problems.length > 0) return { problems };
  return {
    account: account as string,
    region: region as string,
    ...(roleArn !== undefined && { roleArn: roleArn as string }),
    ...(workloads.length > 0 && { workloadAccounts: workloads }),
    ...(Array.isArray(workloadRegions) && workloadRegions.length > 0 && { workloadRegions: workloadRegions as string[] }),
  };
}

const TARGET_EXAMPLE = '{"account":"111111111111","region":"eu-west-1","roleArn":"arn:aws:iam::111111111111:role/ecr-maintainer-member"}';

/**
 * At most this many errors, of at most this many characters, travel in a target's result: the Map
 * state's output holds every target's result, and a state's data is at most 256 KiB. The full list is in
 * the run's log and audit trail.
 */
export const RESULT_ERRORS = 3;
export const RESULT_ERROR_LENGTH = 200;

/** The placeholder for the account in a role ARN template: `arn:aws:iam::{account}:role/ecr-maintainer-member`. */
export const ACCOUNT_PLACEHOLDER = '{account}';

/** The role ARN for an account, from a template with `{account}` in it. */
export function roleArnFor(template: string, account: string): string {
  return template.split(ACCOUNT_PLACEHOLDER).join(account);
}

/** Whether a template makes a role ARN in the account it is given: it has `{account}` where the account goes. */
export function isRoleArnTemplate(template: string): boolean {
  return template.includes(ACCOUNT_PLACEHOLDER) && roleAccount(roleArnFor(template, '111111111111')) === '111111111111';
}

/** The role ARN template for a role name, in a partition: `arn:<partition>:iam::{account}:role/<name>`. */
export function roleArnTemplate(roleName: string, partition = 'aws'): string {
  return `arn:${partition}:iam::${ACCOUNT_PLACEHOLDER}:role/${roleName}`;
}

/** `111111111111/eu-west-1`: how the summaries and errors name a target. */
export function targetName(target: Pick<Target, 'account' | 'region'>): string {
  return `${target.account}/${target.region}`;
}

/** What a fan-out covers: every account in every region. */
export interface FanOut {
  readonly accounts: readonly string[];
  readonly regions: readonly string[];
  /** The role to assume in each account, as a template with `{account}`; none: the caller's own credentials. */
  readonly roleArnTemplate?: string;
  /**
   * The workload accounts whose discovery protects a registry, by registry account; under the key `*`,
   * those of every registry. A target's own account is never its own workload account (its workloads are
   * searched anyway).
   */
  readonly workloadAccounts?: Readonly<Record<string, readonly string[]>>;
  /** The role to assume in each workload account. @default roleArnTemplate */
  readonly workloadRoleArnTemplate?: string;
}

/** The targets of a fan-out, account by account and, within each, region by region; each account once. */
export function expandTargets(fanOut: FanOut): Target[] {
  const { roleArnTemplate, workloadAccounts } = fanOut;
  const workloadRole = fanOut.workloadRoleArnTemplate ?? roleArnTemplate;
  const listed = (account: string): readonly string[] => [...(workloadAccounts?.[EVERY_REGISTRY] ?? []), ...(workloadAccounts?.[account] ?? [])];
  const workloadsOf = (account: string): string[] => [...new Set(listed(account))].filter((workload) => workload !== account);
  if (workloadAccounts !== undefined && workloadRole === undefined) throw new Error('workload accounts are read through a role: give a role ARN template');
  const accounts = [...new Set(fanOut.accounts)];
  const regions = [...new Set(fanOut.regions)];
  return accounts.flatMap((account) =>
    regions.map((region): Target => {
      const workloads = workloadsOf(account);
      return {
        account,
        region,
        ...(roleArnTemplate !== undefined && { roleArn: roleArnFor(roleArnTemplate, account) }),
        ...(workloads.length > 0 && {
          workloadAccounts: workloads.map((workload) => ({ account: workload, roleArn: roleArnFor(workloadRole as string, workload) })),
        }),
        // A task may pull from another region's registry: every region of the fan-out is searched.
        ...(regions.length > 1 && { workloadRegions: regions }),
      };
    }),
  );
}

/** In a map of workload accounts, the key that gives them to every registry. */
export const EVERY_REGISTRY = '*';

/** A run's report as its target's result: the counts, and the first errors, shortened. */
export function targetResult(report: RunReport, ok: boolean): TargetResult {
  const { totals } = report;
  return {
    account: report.account ?? 'unknown',
    region: report.region,
    ok,
    mode: report.mode,
    totals: {
      repositories: totals.repositories,
      images: totals.images,
      toDelete: totals.toDelete,
      deleted: totals.deleted,
      marked: totals.marked,
      kept: totals.kept,
      failed: totals.failed,
      bytesReclaimable: totals.reclaimableBytes,
      bytesReclaimed: totals.reclaimedBytes,
      monthlySavingUsd: report.mode === 'delete' ? totals.reclaimedUsdPerMonth : totals.reclaimableUsdPerMonth,
    },
    ...(report.deletionBlocked !== undefined && { deletionBlocked: shorten(report.deletionBlocked) }),
    errorCount: report.errors.length,
    errors: report.errors.slice(0, RESULT_ERRORS).map((error) => shorten(error.message)),
    durationMs: report.durationMs,
    ...(report.auditObjects && { auditPage: report.auditObjects.html ?? report.auditObjects.plan }),
  };
}

/** The result of a target that did not run at all: its role could not be assumed, or its function failed. */
export function failedTarget(target: Pick<Target, 'account' | 'region'>, message: string): TargetResult {
  return { account: target.account, region: target.region, ok: false, errorCount: 1, errors: [shorten(message)] };
}

function shorten(text: string): string {
  return text.length <= RESULT_ERROR_LENGTH ? text : `${text.slice(0, RESULT_ERROR_LENGTH - 1)}…`;
}
