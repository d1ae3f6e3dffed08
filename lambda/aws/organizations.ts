/**
 * The accounts of AWS Organizations organisational units, read at run time: each unit's accounts and,
 * recursively, those of the units nested in it. Only ACTIVE accounts are cleaned: a suspended or closing
 * account cannot be entered.
 */
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type Account,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { listAll, type ApiCalls } from './api-calls';

/** The most accounts or units that one page may hold (the API's limit for both). */
const PAGE_SIZE = 20;

/** An organisational unit's ACTIVE accounts, nested units included, each once, in the order found. */
export async function listUnitAccounts(organizations: OrganizationsClient, calls: ApiCalls, unitIds: readonly string[]): Promise<string[]> {
  const accounts = new Set<string>();
  const seen = new Set<string>();
  const visit = async (parentId: string): Promise<void> => {
    if (seen.has(parentId)) return;
    seen.add(parentId);
    const [members, units] = await Promise.all([
      listAll(async (nextToken) => {
        const page = await calls.send('Organizations.ListAccountsForParent', parentId, () =>
          organizations.send(new ListAccountsForParentCommand({ ParentId: parentId, MaxResults: PAGE_SIZE, ...(nextToken && { NextToken: nextToken }) })),
        );
        return { items: page.Accounts ?? [], ...(page.NextToken && { nextToken: page.NextToken }) };
      }),
      listAll(async (nextToken) => {
        const page = await calls.send('Organizations.ListOrganizationalUnitsForParent', parentId, () =>
          organizations.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, MaxResults: PAGE_SIZE, ...(nextToken && { NextToken: nextToken }) })),
        );
        return { items: page.OrganizationalUnits ?? [], ...(page.NextToken && { nextToken: page.NextToken }) };
      }),
    ]);
    for (const account of members) if (account.Id && isActive(account)) accounts.add(account.Id);
    for (const unit of units) if (unit.Id) await visit(unit.Id);
  };
  for (const unitId of unitIds) await visit(unitId);
  return [...accounts];
}

/** `State` replaced `Status` in 2026; either says ACTIVE. */
function isActive(account: Account): boolean {
  return (account.State ?? account.Status) === 'ACTIVE';
}
