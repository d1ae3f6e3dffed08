/**
 * The report of a fan-out: one summary over every target (account × region), for the terminal and for
 * Slack. Each target is a line; the totals add them up; the errors are named by target. Pure.
 */
import { targetName, type TargetResult, type TargetTotals } from '../core/targets';
import { formatBytes, formatMonthly, formatUsd, plural } from '../core/words';
import { consoleUrl, escape } from './slack';
import { renderTable } from './summary';

/**
 * The sums over every target that ran (a target's counts: `failed` counts images whose deletion failed),
 * how many targets failed (their run had errors, or did not run at all), and how many accounts and
 * regions they cover.
 */
export interface FleetTotals extends TargetTotals {
  readonly targets: number;
  readonly failedTargets: number;
  readonly accounts: number;
  readonly regions: number;
  readonly errors: number;
}

export function fleetTotals(results: readonly TargetResult[]): FleetTotals {
  const sum = (count: (result: TargetResult) => number): number => results.reduce((total, result) => total + count(result), 0);
  return {
    targets: results.length,
    failedTargets: results.filter((result) => !result.ok).length,
    failed: sum((result) => result.totals?.failed ?? 0),
    accounts: new Set(results.map((result) => result.account)).size,
    regions: new Set(results.map((result) => result.region)).size,
    repositories: sum((result) => result.totals?.repositories ?? 0),
    images: sum((result) => result.totals?.images ?? 0),
    toDelete: sum((result) => result.totals?.toDelete ?? 0),
    deleted: sum((result) => result.totals?.deleted ?? 0),
    marked: sum((result) => result.totals?.marked ?? 0),
    kept: sum((result) => result.totals?.kept ?? 0),
    bytesReclaimable: sum((result) => result.totals?.bytesReclaimable ?? 0),
    bytesReclaimed: sum((result) => result.totals?.bytesReclaimed ?? 0),
    monthlySavingUsd: sum((result) => result.totals?.monthlySavingUsd ?? 0),
    errors: sum((result) => result.errorCount),
  };
}

/** The mode of a fan-out: DELETE when any target ran with deletion on. */
export function fleetMode(results: readonly TargetResult[]): 'dry-run' | 'delete' {
  return results.some((result) => result.mode === 'delete') ? 'delete' : 'dry-run';
}

/** Targets in a stable order: by account, then region. */
function ordered(results: readonly TargetResult[]): TargetResult[] {
  return [...results].sort((a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region));
}

/** `6 targets (3 accounts × 2 regions)`. */
function scopeWords(totals: FleetTotals): string {
  return `${totals.targets} ${plural(totals.targets, 'target')} (${totals.accounts} ${plural(totals.accounts, 'account')} × ${totals.regions} ${plural(totals.regions, 'region')})`;
}

/** The terminal summary of a fan-out: a line per target, the totals, what blocked deletion, and every error by target. */
export function renderFleetSummary(results: readonly TargetResult[]): string {
  const mode = fleetMode(results);
  const dryRun = mode === 'dry-run';
  const totals = fleetTotals(results);
  const lines: string[] = [];
  lines.push(`ECR Maintainer · ${dryRun ? 'DRY RUN (nothing is deleted)' : 'DELETE'} · ${scopeWords(totals)}${totals.failedTargets > 0 ? ` · ${totals.failedTargets} FAILED` : ''}`, '');
  const header = ['ACCOUNT', 'REGION', 'REPOS', 'IMAGES', 'KEPT', dryRun ? 'TO DELETE' : 'DELETED', ...(totals.marked > 0 ? ['MARKED'] : []), dryRun ? 'RECLAIMABLE' : 'RECLAIMED', '$/MONTH', 'ERRORS'];
  const row = (account: string, region: string, counts: Omit<FleetTotals, 'targets' | 'failedTargets' | 'failed' | 'accounts' | 'regions'>): string[] => [
    account,
    region,
    String(counts.repositories),
    String(counts.images),
    String(counts.kept),
    dryRun ? String(counts.toDelete) : `${counts.deleted}/${counts.toDelete}`,
    ...(totals.marked > 0 ? [String(counts.marked)] : []),
    formatBytes(dryRun ? counts.bytesReclaimable : counts.bytesReclaimed),
    formatUsd(counts.monthlySavingUsd),
    String(counts.errors),
  ];
  const table = ordered(results).map((result) => {
    if (!result.totals) return [result.account, result.region, ...header.slice(2, -1).map(() => '-'), `${result.errorCount} FAILED`];
    const { totals: counts } = result;
    return row(result.account, result.region, {
      repositories: counts.repositories,
      images: counts.images,
      kept: counts.kept,
      toDelete: counts.toDelete,
      deleted: counts.deleted,
      marked: counts.marked,
      bytesReclaimable: counts.bytesReclaimable,
      bytesReclaimed: counts.bytesReclaimed,
      monthlySavingUsd: counts.monthlySavingUsd,
      errors: result.errorCount,
    });
  });
  lines.push(...renderTable(header, table, row('TOTAL', '', totals), 2), '');
  for (const result of ordered(results)) {
    if (result.deletionBlocked) lines.push(`NOTHING DELETED in ${targetName(result)}: ${result.deletionBlocked}.`);
  }
  const images = (count: number): string => `${count} ${plural(count, 'image')}`;
  const ran = totals.targets - results.filter((result) => !result.totals).length;
  const across = `${images(totals.kept)} kept, of ${images(totals.images)} in ${totals.repositories} ${plural(totals.repositories, 'repository', 'repositories')} of ${ran} ${plural(ran, 'target')}`;
  lines.push(
    dryRun
      ? `DRY RUN: ${images(totals.toDelete - totals.marked)} would be deleted${totals.marked > 0 ? ` and ${totals.marked} more only marked` : ''} (up to ${formatBytes(totals.bytesReclaimable)}, about ${formatMonthly(totals.monthlySavingUsd)}); ${across}.`
      : `DELETED: ${images(totals.deleted)} of ${totals.toDelete} planned${totals.failed > 0 ? `, ${images(totals.failed)} failed` : ''} (${formatBytes(totals.bytesReclaimed)}, about ${formatMonthly(totals.monthlySavingUsd)}); ${across}.`,
  );
  const audited = ordered(results).filter((result) => result.auditPage !== undefined);
  if (audited.length > 0) {
    lines.push('', 'Audit trail (each target\'s page; its CSV and JSON Lines plan lie beside it):');
    for (const result of audited) lines.push(`  ${targetName(result)}: ${result.auditPage as string}`);
  }
  const failing = ordered(results).filter((result) => result.errors.length > 0);
  if (failing.length > 0) {
    lines.push('', `ERRORS (${totals.errors}, in ${failing.length} of ${totals.targets} ${plural(totals.targets, 'target')}):`);
    for (const result of failing) lines.push(...errorLines(result).map((line) => `  - ${line}`));
  }
  return lines.join('\n') + '\n';
}

/** The Slack message of a fan-out: the totals, a line per target, and the errors named by target. */
export function renderFleetSlack(results: readonly TargetResult[], options: { readonly auditRegion?: string } = {}): string {
  const dryRun = fleetMode(results) === 'dry-run';
  const totals = fleetTotals(results);
  const images = (count: number): string => `${count} ${plural(count, 'image')}`;
  const lines: string[] = [];
  lines.push(`*ECR Maintainer* · *${dryRun ? 'DRY RUN' : 'DELETE'}* · ${scopeWords(totals)}${totals.failedTargets > 0 ? ` · *${totals.failedTargets} failed*` : ''}`);
  lines.push(
    dryRun
      ? `To delete: ${images(totals.toDelete)}, ${formatBytes(totals.bytesReclaimable)} (about ${formatMonthly(totals.monthlySavingUsd)}). Nothing was deleted: this is a dry run.`
      : `Deleted: ${images(totals.deleted)} of ${totals.toDelete}, ${formatBytes(totals.bytesReclaimed)} reclaimed (about ${formatMonthly(totals.monthlySavingUsd)}).`,
  );
  lines.push(`Kept ${totals.kept} of ${images(totals.images)} in ${totals.repositories} ${plural(totals.repositories, 'repository', 'repositories')}. Errors: ${totals.errors}.`, '');
  for (const result of ordered(results)) {
    const name = `\`${targetName(result)}\``;
    if (!result.totals) {
      lines.push(`• ${name}: :x: *did not run*: ${escape(result.errors[0] ?? 'no result')}`);
      continue;
    }
    const { totals: counts } = result;
    const done = dryRun
      ? `${counts.toDelete} to delete (${formatBytes(counts.bytesReclaimable)}, ${formatMonthly(counts.monthlySavingUsd)})`
      : `${counts.deleted} of ${counts.toDelete} deleted (${formatBytes(counts.bytesReclaimed)}, ${formatMonthly(counts.monthlySavingUsd)})`;
    const marked = counts.marked > 0 ? `, ${counts.marked} marked` : '';
    const audit = result.auditPage !== undefined ? ` · <${consoleUrl(result.auditPage, options.auditRegion ?? result.region)}|the plan>` : '';
    const blocked = result.deletionBlocked ? ` · :warning: nothing deleted: ${escape(result.deletionBlocked)}` : '';
    const errors = result.errorCount > 0 ? ` · ${result.errorCount} ${plural(result.errorCount, 'error')}` : '';
    lines.push(`• ${name}: ${done}${marked}; kept ${counts.kept} of ${counts.images}${errors}${blocked}${audit}`);
  }
  const failing = ordered(results).filter((result) => result.errors.length > 0);
  if (failing.length > 0) {
    lines.push('', '*Errors*');
    for (const result of failing) lines.push(...errorLines(result).map((line) => `• ${escape(line)}`));
  }
  return lines.join('\n');
}

/** A target's errors, each prefixed with the target, and how many more its run had. */
function errorLines(result: TargetResult): string[] {
  const more = result.errorCount - result.errors.length;
  return [
    ...result.errors.map((error) => `${targetName(result)}: ${error}`),
    ...(more > 0 ? [`${targetName(result)}: and ${more} more ${plural(more, 'error')} (see the run's log or its audit trail)`] : []),
  ];
}
