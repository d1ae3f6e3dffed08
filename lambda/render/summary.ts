/**
 * The summary a person reads at a glance in a terminal: the mode, a line per repository, the totals, and
 * every warning and error. Pure.
 */
import type { RepositoryReport, RunReport } from '../core/report';
import { formatBytes, formatMonthly, formatUsd, plural } from '../core/words';
import { deletableFrom } from '../core/grace';
import { keepsLine, ruleLines } from './text';

/**
 * The summary a person reads at a glance: the mode in plain sight, a line per repository, the totals,
 * and every error.
 */
export function renderSummary(report: RunReport): string {
  // A plan that waits for the operator's word reads as a plan: what is to go, nothing deleted yet.
  const awaiting = report.mode === 'delete' && (report.awaitingConfirmation === true || report.notConfirmed === true);
  const dryRun = report.mode === 'dry-run' || awaiting;
  const title = report.notConfirmed ? 'DELETE (not confirmed; nothing was deleted)' : awaiting ? 'DELETE (the plan; nothing is deleted yet)' : dryRun ? 'DRY RUN (nothing is deleted)' : 'DELETE';
  const lines: string[] = [];
  lines.push(`ECR Maintainer · ${title} · ${report.account ? `account ${report.account} · ` : ''}${report.region}`);
  const { policy } = report;
  lines.push(keepsLine(report));
  if (report.rules.length > 0) {
    lines.push('Rules (the first whose pattern matches a repository applies; the others take the settings above):');
    lines.push(...ruleLines(report.rules, policy).map((line) => `  ${line}`));
  }
  lines.push('');

  const showRule = report.rules.length > 0;
  const showProtected = report.rules.some((rule) => rule.keepTags.length > 0);
  const showPulled = policy.keepImagesPulledWithinDays > 0 || report.rules.some((rule) => (rule.keepImagesPulledWithinDays ?? 0) > 0);
  const header = [
    'REPOSITORY',
    ...(showRule ? ['RULE'] : []),
    'IMAGES',
    'IN USE',
    ...(showProtected ? ['PROTECTED'] : []),
    'RECENT',
    ...(showPulled ? ['PULLED'] : []),
    'NEWEST',
    'UNKNOWN',
    dryRun ? 'TO DELETE' : 'DELETED',
    dryRun ? 'RECLAIMABLE' : 'RECLAIMED',
    '$/MONTH',
  ];
  const row = (
    name: string,
    rule: string,
    counts: Pick<RepositoryReport, 'images' | 'kept' | 'toDelete' | 'deleted' | 'reclaimableBytes' | 'reclaimedBytes' | 'reclaimableUsdPerMonth' | 'reclaimedUsdPerMonth'>,
  ): string[] => [
    name,
    ...(showRule ? [rule] : []),
    String(counts.images),
    String(counts.kept.inUse),
    ...(showProtected ? [String(counts.kept.protectedTag)] : []),
    String(counts.kept.recent),
    ...(showPulled ? [String(counts.kept.recentlyPulled)] : []),
    String(counts.kept.minCount),
    String(counts.kept.inUseUnknown),
    dryRun ? String(counts.toDelete) : `${counts.deleted}/${counts.toDelete}`,
    formatBytes(dryRun ? counts.reclaimableBytes : counts.reclaimedBytes),
    formatUsd(dryRun ? counts.reclaimableUsdPerMonth : counts.reclaimedUsdPerMonth),
  ];
  const table = report.repositories.map((repository) => {
    const rule = repository.rule === undefined ? '-' : String(repository.rule);
    if (repository.status === 'ok') return row(repository.name, rule, repository);
    return [repository.name, ...(showRule ? [rule] : []), ...header.slice(showRule ? 2 : 1, -2).map(() => '-'), repository.status === 'excluded' ? 'EXCLUDED' : 'ERROR', '-'];
  });
  const { totals } = report;
  const footer = row('TOTAL', '', { ...totals, kept: totals.keptByReason });
  lines.push(...renderTable(header, table, footer));
  lines.push('');

  const images = (count: number): string => `${count} ${plural(count, 'image')}`;
  const excluded = totals.repositoriesExcluded > 0 ? ` (${totals.repositoriesExcluded} more excluded by the rules)` : '';
  if (report.deletionBlocked) lines.push(`NOTHING DELETED: ${report.deletionBlocked}.`);
  for (const warning of report.warnings) lines.push(`WARNING: ${warning}.`);
  if (awaiting) {
    lines.push(
      `TO DELETE: ${images(totals.toDelete)} (${totals.manifestsToDelete} ${plural(totals.manifestsToDelete, 'manifest')}, up to ${formatBytes(totals.reclaimableBytes)}, about ${formatMonthly(totals.reclaimableUsdPerMonth)}); ${images(totals.kept)} kept, of ${images(totals.images)} in ${totals.repositories} ${plural(totals.repositories, 'repository', 'repositories')}${excluded}.`,
    );
  } else if (dryRun) {
    lines.push(
      `DRY RUN: ${totals.marked > 0 ? `${images(totals.toDelete - totals.marked)} would be deleted now and ${totals.marked} more only marked` : `${images(totals.toDelete)} would be deleted`} (${totals.manifestsToDelete} ${plural(totals.manifestsToDelete, 'manifest')}, up to ${formatBytes(totals.reclaimableBytes)}, about ${formatMonthly(totals.reclaimableUsdPerMonth)}); ${images(totals.kept)} kept, of ${images(totals.images)} in ${totals.repositories} ${plural(totals.repositories, 'repository', 'repositories')}${excluded}.`,
    );
    if (totals.toDelete > 0 && !report.deletionBlocked) lines.push('To delete them, set DELETE_ENABLED=true or pass --delete.');
  } else {
    lines.push(
      `DELETED: ${images(totals.deleted)} of ${totals.toDelete} planned (${totals.manifestsDeleted} ${plural(totals.manifestsDeleted, 'manifest')}, ${formatBytes(totals.reclaimedBytes)}, about ${formatMonthly(totals.reclaimedUsdPerMonth)}); ${images(totals.kept)} kept, of ${images(totals.images)} in ${totals.repositories} ${plural(totals.repositories, 'repository', 'repositories')}${excluded}.`,
    );
  }
  if (totals.marked > 0) {
    lines.push(`MARKED: ${images(totals.marked)} ${plural(totals.marked, 'waits', 'wait')} out the grace period of ${report.gracePeriodDays} ${plural(report.gracePeriodDays, 'day')}: a run from ${deletableFrom(report.now, report.gracePeriodDays)} that still plans ${plural(totals.marked, 'it', 'them')} deletes ${plural(totals.marked, 'it', 'them')}.`);
  }
  if (report.auditObjects) lines.push(`Audit trail: ${[report.auditObjects.csv, report.auditObjects.plan, report.auditObjects.html].filter((uri) => uri !== undefined).join(', ')}`);
  if (report.errors.length > 0) {
    lines.push('', `ERRORS (${report.errors.length}):`);
    for (const error of report.errors) lines.push(`  - ${error.message}`);
  }
  const operations = Object.entries(report.apiCalls.byOperation)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => `${operation} ${count}`);
  lines.push(
    '',
    `${report.apiCalls.total} AWS ${plural(report.apiCalls.total, 'call')} (${operations.join(', ') || 'none'}), ${report.apiCalls.retries} ${plural(report.apiCalls.retries, 'retry', 'retries')}, ${(report.durationMs / 1000).toFixed(1)} s.`,
  );
  return lines.join('\n') + '\n';
}

/** A table of left-aligned names (the first `names` columns) and right-aligned numbers, with a rule above its footer. */
export function renderTable(header: readonly string[], rows: readonly (readonly string[])[], footer: readonly string[], names = 1): string[] {
  const all = [header, ...rows, footer];
  const widths = header.map((_, column) => Math.max(...all.map((row) => row[column].length)));
  const format = (row: readonly string[]): string =>
    row.map((cell, column) => (column < names ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  const rule = widths.map((width) => '-'.repeat(width)).join('  ');
  return [format(header), ...rows.map(format), rule, format(footer)];
}
