/**
 * Reads the organisation stacks' settings from the context key `org`: a JSON object in `cdk.json`, or the
 * same object as a string from `-c org='{…}'`. Without it, the app synthesizes the single-account stack
 * alone. Every problem is reported at once, under `context org.<key>`, with the nearest known key for an
 * unknown one, like `cleanerPropsFromContext`.
 *
 * ```json
 * "org": {
 *   "centralAccount": "999999999999",
 *   "accounts": ["111111111111", "222222222222"],
 *   "regions": ["eu-west-1", "us-east-1"],
 *   "organizationalUnits": ["ou-ab12-cd34ef56"],
 *   "organizationId": "o-a1b2c3d4e5",
 *   "workloadAccounts": { "111111111111": ["333333333333"] },
 *   "maxConcurrency": 10
 * }
 * ```
 */
import { Duration } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { closestName } from '../lambda/core/did-you-mean';
import { ACCOUNT_PATTERN } from '../lambda/core/targets';
import { parseStrictJson } from '../lambda/core/strict-json';
import { describePropProblem } from './check-cleaner-props';
import { type OrgPropsToCheck, checkOrgProps, checkTrustCondition } from './check-org-props';
import type { EcrCleanerMemberStackProps } from './ecr-cleaner-member-stack';
import type { OrgSettings } from './ecr-maintainer-org-stack';
import { InvalidSettingsError } from './errors';

/** The context key of the organisation's settings. */
export const ORG_CONTEXT_KEY = 'org';

/** The keys of the `org` object, as documented in the README. */
export const ORG_KEYS = [
  'centralAccount',
  'accounts',
  'regions',
  'organizationalUnits',
  'organizationId',
  'externalId',
  'memberRoleName',
  'cleanerRoleName',
  'workloadAccounts',
  'maxConcurrency',
  'executionTimeoutHours',
  'memberRegistry',
] as const;

type OrgKey = (typeof ORG_KEYS)[number];

/** The props of an org key whose name differs. */
const KEY_OF_PROP: Partial<Record<keyof OrgPropsToCheck, OrgKey>> = { organizationalUnitIds: 'organizationalUnits' };

/** The settings of both organisation stacks. */
export interface OrgContext {
  /** The account where `EcrMaintainerOrg` is deployed. */
  readonly centralAccount: string;
  /** The central stack's targets and fan-out (the cleaner's settings are the usual context keys). */
  readonly org: OrgSettings;
  /** The member stack's role. */
  readonly member: EcrCleanerMemberStackProps['member'];
}

const EXAMPLE = `{"centralAccount":"999999999999","accounts":["111111111111"],"regions":["eu-west-1"],"organizationId":"o-a1b2c3d4e5"}`;

/**
 * The organisation's settings, or undefined when `org` is not set.
 *
 * @throws InvalidSettingsError listing every unknown key and every bad value of `org`
 */
export function orgFromContext(scope: Construct): OrgContext | undefined {
  let value: unknown = scope.node.tryGetContext(ORG_CONTEXT_KEY);
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return undefined;
  const fail = (problem: string): never => {
    throw new InvalidSettingsError('invalid context', [problem]);
  };
  if (typeof value === 'string') {
    try {
      value = parseStrictJson(value);
    } catch (error) {
      fail(`context org must be a JSON object, such as -c org='${EXAMPLE}' (in single quotes, for the shell), got text that is not JSON: ${(error as Error).message}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`context org must be a JSON object, such as ${EXAMPLE}, got ${JSON.stringify(value)}`);
  const org = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(org).filter((key) => !(ORG_KEYS as readonly string[]).includes(key))) {
    const suggestion = closestName(key, ORG_KEYS);
    problems.push(suggestion ? `unknown key org.${key}: did you mean org.${suggestion}?` : `unknown key org.${key}: the known keys are ${ORG_KEYS.join(', ')}`);
  }
  const show = (key: OrgKey): string => JSON.stringify(org[key]);
  /** A list as JSON, or as a comma-separated string. */
  const list = (key: OrgKey): string[] | undefined => {
    const item = org[key];
    if (item === undefined) return undefined;
    if (typeof item === 'string') return item.split(',').map((part) => part.trim()).filter((part) => part !== '');
    if (Array.isArray(item) && item.every((part) => typeof part === 'string')) return item.map((part) => part.trim());
    problems.push(`context org.${key} must be a list of strings, such as ["eu-west-1"], got ${show(key)}`);
    return undefined;
  };
  const string = (key: OrgKey): string | undefined => {
    const item = org[key];
    if (item === undefined || (typeof item === 'string' && item.trim() === '')) return undefined;
    if (typeof item === 'string') return item.trim();
    problems.push(`context org.${key} must be a string, got ${show(key)}`);
    return undefined;
  };
  const number = (key: OrgKey): number | undefined => {
    const item = org[key];
    if (item === undefined) return undefined;
    const parsed = typeof item === 'number' ? item : typeof item === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(item) ? Number(item) : Number.NaN;
    if (Number.isNaN(parsed)) problems.push(`context org.${key} must be a number, got ${show(key)}`);
    return Number.isNaN(parsed) ? undefined : parsed;
  };
  const boolean = (key: OrgKey): boolean | undefined => {
    const item = org[key];
    if (item === undefined || typeof item === 'boolean') return item;
    if (typeof item === 'string' && /^(true|false)$/i.test(item.trim())) return item.trim().toLowerCase() === 'true';
    problems.push(`context org.${key} must be true or false, got ${show(key)}`);
    return undefined;
  };

  const centralAccount = string('centralAccount');
  if (centralAccount === undefined) {
    problems.push(
      'context org.centralAccount must be given: the 12-digit ID of the account where EcrMaintainerOrg runs, which every member role trusts. ' +
        'It is not taken from the credentials that synth runs with, which are a member account\'s when you deploy a member stack',
    );
  } else if (!ACCOUNT_PATTERN.test(centralAccount)) {
    problems.push(`context org.centralAccount must be a 12-digit account ID, such as 999999999999, got ${show('centralAccount')}`);
  }
  const workloadAccounts = org.workloadAccounts as Record<string, string[]> | undefined;
  const hours = number('executionTimeoutHours');
  if (hours !== undefined && (hours <= 0 || hours > 24 * 365)) problems.push(`context org.executionTimeoutHours must be more than 0 and at most ${24 * 365} (a year), got ${hours}`);
  const settings = {
    accounts: list('accounts'),
    regions: list('regions'),
    organizationalUnitIds: list('organizationalUnits'),
    organizationId: string('organizationId'),
    externalId: string('externalId'),
    memberRoleName: string('memberRoleName'),
    cleanerRoleName: string('cleanerRoleName'),
    workloadAccounts,
    maxConcurrency: number('maxConcurrency'),
  };
  const registry = boolean('memberRegistry');
  const named = (problem: Parameters<typeof describePropProblem<OrgPropsToCheck>>[0]): string =>
    describePropProblem(problem, `context org.${KEY_OF_PROP[problem.prop] ?? problem.prop}`);
  problems.push(...checkOrgProps(settings).map(named), ...checkTrustCondition(settings).map(named));
  if (problems.length > 0) throw new InvalidSettingsError('invalid context', problems);

  const regions = settings.regions as string[];
  return {
    centralAccount: centralAccount as string,
    org: {
      ...settings,
      regions,
      ...(hours !== undefined && { executionTimeout: Duration.minutes(Math.round(hours * 60)) }),
    },
    member: {
      centralAccount: centralAccount as string,
      regions,
      ...(settings.cleanerRoleName !== undefined && { centralRoleName: settings.cleanerRoleName }),
      ...(settings.memberRoleName !== undefined && { memberRoleName: settings.memberRoleName }),
      ...(settings.organizationId !== undefined && { organizationId: settings.organizationId }),
      ...(settings.externalId !== undefined && { externalId: settings.externalId }),
      ...(registry !== undefined && { registry }),
    },
  };
}
