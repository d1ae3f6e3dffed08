/**
 * The CLI's fan-out flags: `--regions`, `--accounts` with `--role-name` or `--role-arn-template`, and
 * `--workload-accounts`. Read at the edge, before any AWS call: every problem names the flag, the value
 * and the fix.
 */
import { ACCOUNT_PATTERN, ACCOUNT_PLACEHOLDER, EVERY_REGISTRY, isRoleArnTemplate, REGION_PATTERN, ROLE_NAME_PATTERN, roleArnTemplate, type FanOut } from './core/targets';

export interface FanOutFlags {
  readonly region?: string;
  readonly regions?: string;
  readonly accounts?: string;
  readonly roleName?: string;
  readonly roleArnTemplate?: string;
  readonly workloadAccounts?: string;
  readonly maxConcurrentTargets?: string;
  readonly earlierPlan?: string;
}

/** The fan-out as the flags give it: what they leave out is the caller's own account and the configured region. */
export interface FanOutRequest {
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
  /** The role in each account: a template with `{account}`, or a name that the caller's partition completes. */
  readonly role?: { readonly template: string } | { readonly name: string };
  /** Workload accounts by registry account; `*`: every registry. */
  readonly workloadAccounts?: Readonly<Record<string, readonly string[]>>;
  /** Targets run at once. */
  readonly concurrency: number;
}

/** Targets that run at once, unless `--max-concurrent-targets` says otherwise: each has its own calls in flight. */
export const DEFAULT_CONCURRENT_TARGETS = 4;

const WORKLOAD_ENTRY = /^(?:(\d{12})=)?(\d{12})$/;

/**
 * `--workload-accounts 333333333333,111111111111=444444444444`: an account alone serves every registry
 * of the fan-out; `REGISTRY=WORKLOAD` serves that registry only.
 */
function parseWorkloadAccounts(value: string | undefined, problems: string[]): Record<string, string[]> | undefined {
  if (value === undefined) return undefined;
  const byRegistry: Record<string, string[]> = {};
  const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
  if (items.length === 0) problems.push(`--workload-accounts needs a list, such as 333333333333,111111111111=444444444444; got "${value}"`);
  for (const item of items) {
    const match = WORKLOAD_ENTRY.exec(item);
    if (!match) {
      problems.push(`--workload-accounts: "${item}" is not a 12-digit account ID, or REGISTRY=WORKLOAD (two of them, for one registry's workload account)`);
      continue;
    }
    const [, registry = EVERY_REGISTRY, workload] = match;
    (byRegistry[registry] ??= []).push(workload);
  }
  return byRegistry;
}

/** @returns the request, or every problem with the flags */
export function parseFanOutFlags(flags: FanOutFlags): FanOutRequest | { readonly problems: readonly string[] } {
  const problems: string[] = [];
  const list = (flag: string, value: string | undefined, pattern: RegExp, what: string): string[] | undefined => {
    if (value === undefined) return undefined;
    const items = value.split(',').map((item) => item.trim()).filter((item) => item !== '');
    if (items.length === 0) problems.push(`${flag} needs a list, such as ${flag === '--regions' ? 'eu-west-1,us-east-1' : '111111111111,222222222222'}; got "${value}"`);
    for (const item of items.filter((item) => !pattern.test(item))) problems.push(`${flag}: "${item}" is not ${what}`);
    return items;
  };
  const regions = list('--regions', flags.regions, REGION_PATTERN, 'an AWS region such as eu-west-1');
  const accounts = list('--accounts', flags.accounts, ACCOUNT_PATTERN, 'a 12-digit account ID');
  const workloadAccounts = parseWorkloadAccounts(flags.workloadAccounts, problems);
  if (regions !== undefined && flags.region !== undefined) problems.push('give --region or --regions, not both: --regions a,b cleans each region in turn');

  let role: FanOutRequest['role'];
  if (flags.roleName !== undefined && flags.roleArnTemplate !== undefined) problems.push('give --role-name or --role-arn-template, not both');
  else if (flags.roleName !== undefined) {
    if (!ROLE_NAME_PATTERN.test(flags.roleName)) problems.push(`--role-name must be an IAM role name (letters, digits and +=,.@_-, at most 64), got "${flags.roleName}"`);
    else role = { name: flags.roleName };
  } else if (flags.roleArnTemplate !== undefined) {
    if (!isRoleArnTemplate(flags.roleArnTemplate)) {
      problems.push(`--role-arn-template must be a role ARN with ${ACCOUNT_PLACEHOLDER} where the account goes, such as arn:aws:iam::${ACCOUNT_PLACEHOLDER}:role/ecr-maintainer-member, got "${flags.roleArnTemplate}"`);
    } else role = { template: flags.roleArnTemplate };
  }
  const roleFlag = flags.roleName !== undefined || flags.roleArnTemplate !== undefined;
  if (accounts !== undefined && !roleFlag) problems.push('--accounts needs the role to assume in each: --role-name NAME (the same name in every account) or --role-arn-template ARN');
  if (workloadAccounts !== undefined && !roleFlag) problems.push('--workload-accounts needs the role to assume in each: --role-name NAME or --role-arn-template ARN');
  if (roleFlag && accounts === undefined && workloadAccounts === undefined) problems.push(`${flags.roleName !== undefined ? '--role-name' : '--role-arn-template'} has no effect without --accounts or --workload-accounts: the caller's own account is read with the caller's credentials`);

  let concurrency = DEFAULT_CONCURRENT_TARGETS;
  if (flags.maxConcurrentTargets !== undefined) {
    const value = Number(flags.maxConcurrentTargets);
    if (!/^\d+$/.test(flags.maxConcurrentTargets.trim()) || value < 1 || value > 64) problems.push(`--max-concurrent-targets must be a whole number from 1 to 64, got "${flags.maxConcurrentTargets}"`);
    else concurrency = value;
  }
  const many = (accounts?.length ?? 1) * (regions?.length ?? 1) > 1;
  if (many && flags.earlierPlan !== undefined) problems.push('--earlier-plan holds the plan of one account and region; with several targets leave it out, and each target reads its earlier plan from the audit trail (--upload)');

  if (problems.length > 0) return { problems };
  return {
    ...(accounts && { accounts }),
    ...(regions && { regions }),
    ...(role && { role }),
    ...(workloadAccounts && { workloadAccounts }),
    concurrency,
  };
}

/**
 * The fan-out, once the caller is known: its account when `--accounts` is not given (then without a
 * role), the configured region when `--regions` is not, and a role name completed in the caller's
 * partition.
 */
export function resolveFanOut(request: FanOutRequest, caller: { readonly account: string; readonly arn: string }, region: string): FanOut {
  const partition = /^arn:([^:]+):/.exec(caller.arn)?.[1] ?? 'aws';
  const template = request.role === undefined ? undefined : 'template' in request.role ? request.role.template : roleArnTemplate(request.role.name, partition);
  return {
    accounts: request.accounts ?? [caller.account],
    regions: request.regions ?? [region],
    ...(request.accounts && template !== undefined && { roleArnTemplate: template }),
    ...(request.workloadAccounts && template !== undefined && { workloadAccounts: request.workloadAccounts, workloadRoleArnTemplate: template }),
  };
}
