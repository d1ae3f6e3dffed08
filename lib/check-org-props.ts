/**
 * The checks of the organisation's props (`EcrMaintainerOrg`, `EcrCleanerMemberRole`), as data, like
 * `checkCleanerProps`: the constructs throw them as one error, and the context reader reports them under
 * `context org.<key>`. Unresolved tokens are skipped.
 */
import { Token } from 'aws-cdk-lib';
import { ACCOUNT_PATTERN, EXTERNAL_ID_PATTERN, ORGANIZATIONAL_UNIT_PATTERN, REGION_PATTERN, ROLE_NAME_PATTERN } from '../lambda/core/targets';
import type { PropProblem } from './check-cleaner-props';
import { INLINE_MAP_MAX_CONCURRENCY } from './org-limits';

/** An organisation's ID. */
export const ORGANIZATION_ID_PATTERN = /^o-[a-z0-9]{10,32}$/;

/** The default name of the central cleaner function's role, which each member role trusts. */
export const DEFAULT_CLEANER_ROLE_NAME = 'ecr-maintainer-org-cleaner';
/** The default name of the role in each member account. */
export const DEFAULT_MEMBER_ROLE_NAME = 'ecr-maintainer-member';
/** How many targets are cleaned at once by default. */
export const DEFAULT_MAX_CONCURRENCY = 10;

/** What the organisation's checks read: the props of both constructs share these names. */
export interface OrgPropsToCheck {
  readonly accounts?: string[];
  readonly regions?: string[];
  readonly organizationalUnitIds?: string[];
  readonly organizationId?: string;
  readonly externalId?: string;
  readonly centralAccount?: string;
  readonly memberRoleName?: string;
  readonly cleanerRoleName?: string;
  readonly centralRoleName?: string;
  readonly workloadAccounts?: Record<string, string[]>;
  readonly maxConcurrency?: number;
}

const EXAMPLES = {
  account: '111111111111',
  region: 'eu-west-1',
  unit: 'ou-ab12-cd34ef56',
  organization: 'o-a1b2c3d4e5',
};

type Problem = PropProblem<OrgPropsToCheck>;

/** Every problem with a list of IDs: not a list, empty, a bad item, or an item twice. */
function checkIds(prop: keyof OrgPropsToCheck, list: unknown, pattern: RegExp, what: string, example: string, required: boolean): Problem[] {
  if (list === undefined) return required ? [{ prop, problem: `must list at least one ${what}, such as ["${example}"], got nothing` }] : [];
  if (Token.isUnresolved(list)) return [{ prop, problem: 'must be known at synth time, got a token: write the list in the app or in cdk.json' }];
  if (!Array.isArray(list)) return [{ prop, problem: `must be a list of ${what}s, such as ["${example}"], got ${JSON.stringify(list)}` }];
  if (list.length === 0) return required ? [{ prop, problem: `must list at least one ${what}, such as ["${example}"], got an empty list` }] : [];
  const problems: Problem[] = [];
  const bad = list.filter((item) => typeof item !== 'string' || !pattern.test(item));
  if (bad.length > 0) problems.push({ prop, problem: `has ${bad.length === 1 ? 'an item that is not' : 'items that are not'} ${what === 'account' ? 'a 12-digit account ID' : `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what}`} (such as ${example}): ${bad.map((item) => JSON.stringify(item)).join(', ')}` });
  const twice = [...new Set(list.filter((item, index) => list.indexOf(item) !== index))];
  if (twice.length > 0) problems.push({ prop, problem: `names ${twice.map((item) => JSON.stringify(item)).join(', ')} more than once: name each once` });
  return problems;
}

/** The problems of where the targets come from: accounts, units, regions, workload accounts, concurrency, role names. */
export function checkOrgProps(props: OrgPropsToCheck): Problem[] {
  const problems: Problem[] = [
    ...checkIds('accounts', props.accounts, ACCOUNT_PATTERN, 'account', EXAMPLES.account, false),
    ...checkIds('regions', props.regions, REGION_PATTERN, 'region', EXAMPLES.region, true),
    ...checkIds('organizationalUnitIds', props.organizationalUnitIds, ORGANIZATIONAL_UNIT_PATTERN, 'organisational unit ID (ou-…) or root ID (r-…)', EXAMPLES.unit, false),
  ];
  const none = (list: unknown): boolean => list === undefined || (Array.isArray(list) && list.length === 0);
  if (none(props.accounts) && none(props.organizationalUnitIds)) {
    problems.push({ prop: 'accounts', problem: `or organizationalUnitIds must name the accounts to clean, got neither: give accounts such as ["${EXAMPLES.account}"], or organizationalUnitIds such as ["${EXAMPLES.unit}"]` });
  }
  for (const prop of ['memberRoleName', 'cleanerRoleName'] as const) {
    const name = props[prop];
    if (name !== undefined && !Token.isUnresolved(name) && !ROLE_NAME_PATTERN.test(name)) {
      problems.push({ prop, problem: `must be an IAM role name (1 to 64 letters, digits and +=,.@_-), got ${JSON.stringify(name)}` });
    }
  }
  if (props.organizationId !== undefined && !Token.isUnresolved(props.organizationId) && !ORGANIZATION_ID_PATTERN.test(props.organizationId)) {
    problems.push({ prop: 'organizationId', problem: `must be an organisation ID such as ${EXAMPLES.organization} (aws organizations describe-organization prints it), got ${JSON.stringify(props.organizationId)}` });
  }
  if (props.externalId !== undefined && !Token.isUnresolved(props.externalId) && !EXTERNAL_ID_PATTERN.test(props.externalId)) {
    problems.push({ prop: 'externalId', problem: `must be 2 to 1224 letters, digits and +=,.@:/-_, got ${JSON.stringify(props.externalId)}` });
  }
  const concurrency = props.maxConcurrency;
  if (concurrency !== undefined && !Token.isUnresolved(concurrency) && (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > INLINE_MAP_MAX_CONCURRENCY)) {
    problems.push({ prop: 'maxConcurrency', problem: `must be a whole number from 1 to ${INLINE_MAP_MAX_CONCURRENCY} (the inline Map's limit on iterations at once), got ${concurrency}` });
  }
  problems.push(...checkWorkloadAccounts(props));
  return problems;
}

function checkWorkloadAccounts({ workloadAccounts, accounts, organizationalUnitIds }: OrgPropsToCheck): Problem[] {
  if (workloadAccounts === undefined) return [];
  const example = `{ "${EXAMPLES.account}": ["222222222222", "333333333333"] }`;
  if (typeof workloadAccounts !== 'object' || workloadAccounts === null || Array.isArray(workloadAccounts)) {
    return [{ prop: 'workloadAccounts', problem: `must map a registry account to the accounts whose workloads pull its images, such as ${example}, got ${JSON.stringify(workloadAccounts)}` }];
  }
  const problems: Problem[] = [];
  const listsTargets = Array.isArray(accounts) && (organizationalUnitIds === undefined || organizationalUnitIds.length === 0);
  for (const [registry, workloads] of Object.entries(workloadAccounts)) {
    const within = `["${registry}"]`;
    if (!ACCOUNT_PATTERN.test(registry)) {
      problems.push({ prop: 'workloadAccounts', problem: `has a key that is not a 12-digit account ID: ${JSON.stringify(registry)}; each key is a registry account, such as ${example}` });
      continue;
    }
    if (!Array.isArray(workloads) || workloads.length === 0 || !workloads.every((item) => typeof item === 'string' && ACCOUNT_PATTERN.test(item))) {
      problems.push({ prop: 'workloadAccounts', within, problem: `must be a list of at least one 12-digit account ID, such as ["222222222222"], got ${JSON.stringify(workloads)}` });
      continue;
    }
    if (workloads.includes(registry)) problems.push({ prop: 'workloadAccounts', within, problem: `lists the registry account ${registry} itself: its own workloads are always searched; leave it out` });
    if (listsTargets && !accounts.includes(registry)) {
      problems.push({ prop: 'workloadAccounts', within, problem: `names ${registry}, which is not in accounts: its workload accounts would never be searched. Add it to accounts, or remove the key` });
    }
  }
  return problems;
}

/** The problem of the member role's trust condition: exactly one of organizationId and externalId. */
export function checkTrustCondition(props: Pick<OrgPropsToCheck, 'organizationId' | 'externalId'>): Problem[] {
  const given = [props.organizationId, props.externalId].filter((value) => value !== undefined).length;
  if (given === 1) return [];
  return [
    {
      prop: 'organizationId',
      problem:
        given === 0
          ? `or externalId must be given, got neither: the member role trusts the central cleaner only within your organisation (organizationId, such as ${EXAMPLES.organization}) or with an external ID (externalId, for accounts outside it)`
          : 'must not be given with externalId: give one. organizationId when every member account is in your organisation; externalId otherwise',
    },
  ];
}
