/**
 * The organisation stack's first step: the targets of this run, every account in every region, with the
 * member role to assume in each. The accounts are those of `TARGET_ACCOUNTS` and, read now, the ACTIVE
 * accounts of the organisational units of `ORGANIZATIONAL_UNITS`.
 *
 * Environment:
 * - `TARGET_ACCOUNTS`: 12-digit account IDs, comma-separated (may be empty when units are given);
 * - `TARGET_REGIONS`: regions, comma-separated;
 * - `ORGANIZATIONAL_UNITS`: unit IDs (`ou-…`) or the root (`r-…`), comma-separated; optional;
 * - `MEMBER_ROLE_ARN_TEMPLATE`: the member role's ARN with `{account}`;
 * - `WORKLOAD_ACCOUNTS`: JSON, registry account → its workload accounts; optional.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { ApiCalls } from '../aws/api-calls';
import { listUnitAccounts } from '../aws/organizations';
import { ACCOUNT_PATTERN, ACCOUNT_PLACEHOLDER, expandTargets, isRoleArnTemplate, ORGANIZATIONAL_UNIT_PATTERN, REGION_PATTERN, type FanOut, type Target } from '../core/targets';
import { ConfigError } from '../errors';

const logger = new Logger({ serviceName: 'ecr-maintainer' });

export interface OrgTargetSettings extends FanOut {
  readonly roleArnTemplate: string;
  readonly organizationalUnits: readonly string[];
}

/**
 * Reads the settings of the targets step.
 *
 * @throws ConfigError naming each variable, its value and what is allowed
 */
export function parseTargetSettings(env: Readonly<Record<string, string | undefined>>): OrgTargetSettings {
  const problems: string[] = [];
  const list = (name: string): string[] =>
    (env[name] ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  const accounts = list('TARGET_ACCOUNTS');
  const regions = list('TARGET_REGIONS');
  const organizationalUnits = list('ORGANIZATIONAL_UNITS');
  for (const account of accounts.filter((account) => !ACCOUNT_PATTERN.test(account))) problems.push(`TARGET_ACCOUNTS: "${account}" is not a 12-digit account ID`);
  if (regions.length === 0) problems.push('TARGET_REGIONS must name at least one region, such as eu-west-1,us-east-1');
  for (const region of regions.filter((region) => !REGION_PATTERN.test(region))) problems.push(`TARGET_REGIONS: "${region}" is not an AWS region such as eu-west-1`);
  for (const unit of organizationalUnits.filter((unit) => !ORGANIZATIONAL_UNIT_PATTERN.test(unit))) problems.push(`ORGANIZATIONAL_UNITS: "${unit}" is not an organisational unit ID (ou-…) or a root ID (r-…)`);
  if (accounts.length === 0 && organizationalUnits.length === 0) problems.push('set TARGET_ACCOUNTS or ORGANIZATIONAL_UNITS: there is no account to clean');
  const roleArnTemplate = env.MEMBER_ROLE_ARN_TEMPLATE ?? '';
  if (!isRoleArnTemplate(roleArnTemplate)) {
    problems.push(`MEMBER_ROLE_ARN_TEMPLATE must be a role ARN with ${ACCOUNT_PLACEHOLDER} for the account, such as arn:aws:iam::${ACCOUNT_PLACEHOLDER}:role/ecr-maintainer-member, got "${roleArnTemplate}"`);
  }
  const workloadAccounts = parseWorkloadAccounts(env.WORKLOAD_ACCOUNTS, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { accounts, regions, organizationalUnits, roleArnTemplate, ...(workloadAccounts && { workloadAccounts }) };
}

function parseWorkloadAccounts(text: string | undefined, problems: string[]): Record<string, string[]> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const example = '{"111111111111":["222222222222","333333333333"]}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    problems.push(`WORKLOAD_ACCOUNTS must be JSON such as ${example}, got "${text}"`);
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`WORKLOAD_ACCOUNTS must map a registry account to its workload accounts, such as ${example}, got ${text}`);
    return undefined;
  }
  const out: Record<string, string[]> = {};
  for (const [registry, workloads] of Object.entries(parsed)) {
    if (!ACCOUNT_PATTERN.test(registry) || !Array.isArray(workloads) || !workloads.every((workload) => typeof workload === 'string' && ACCOUNT_PATTERN.test(workload))) {
      problems.push(`WORKLOAD_ACCOUNTS: "${registry}": ${JSON.stringify(workloads)} must be a 12-digit registry account mapped to a list of 12-digit accounts, such as ${example}`);
    } else out[registry] = workloads as string[];
  }
  return out;
}

/** The accounts that the settings name only as workload accounts: neither a registry nor a listed target. */
export function workloadOnlyAccounts(settings: Pick<OrgTargetSettings, 'accounts' | 'workloadAccounts'>): Set<string> {
  const byRegistry = settings.workloadAccounts ?? {};
  const registries = new Set(Object.keys(byRegistry));
  const named = Object.values(byRegistry).flat();
  return new Set(named.filter((account) => !registries.has(account) && !settings.accounts.includes(account)));
}

export async function handler(): Promise<{ targets: Target[] }> {
  const settings = parseTargetSettings(process.env);
  let accounts = [...settings.accounts];
  if (settings.organizationalUnits.length > 0) {
    const organizations = new OrganizationsClient({}) /* a global service: the SDK signs for its partition's home region */;
    const found = await listUnitAccounts(organizations, new ApiCalls(2), settings.organizationalUnits);
    // An account named only as a workload account has no registry to clean (its member role may have no
    // ECR permission at all); TARGET_ACCOUNTS makes it a target too.
    const workloadOnly = workloadOnlyAccounts(settings);
    const cleaned = found.filter((account) => !workloadOnly.has(account));
    logger.info(`the organisational units hold ${found.length} active accounts, ${cleaned.length} of them to clean`, {
      organizationalUnits: settings.organizationalUnits,
      accounts: cleaned,
      workloadOnly: found.filter((account) => workloadOnly.has(account)),
    });
    accounts = [...new Set([...accounts, ...cleaned])];
  }
  const targets = expandTargets({ ...settings, accounts });
  logger.info(`${targets.length} targets: ${accounts.length} accounts × ${settings.regions.length} regions`, { accounts, regions: settings.regions });
  return { targets };
}
