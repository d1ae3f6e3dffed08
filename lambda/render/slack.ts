/**
 * The Slack message: a header with the totals, then a line per repository that had something to delete
 * or an error, largest reclaim first. Slack mrkdwn that still reads well as plain text. Pure.
 */
import type { RepositoryReport, RunReport } from '../core/report';
import { parseS3Uri } from '../core/s3-uri';
import { formatBytes, formatMonthly, plural } from '../core/words';
import { deletableFrom } from '../core/grace';

/** Renders the whole report as one text; `splitMessage` cuts it to Slack's size. */
export function renderSlackMessage(report: RunReport): string {
  const dryRun = report.mode === 'dry-run';
  const { totals } = report;
  const images = (count: number): string => `${count} ${plural(count, 'image')}`;
  const lines: string[] = [];
  lines.push(
    `*ECR Maintainer* · *${dryRun ? 'DRY RUN' : 'DELETE'}* · ${report.account ? `account ${report.account} · ` : ''}${report.region}`,
  );
  lines.push(
    `Scanned ${totals.repositories} ${plural(totals.repositories, 'repository', 'repositories')} and ${images(totals.images)}` +
      (totals.repositoriesExcluded > 0 ? ` (${totals.repositoriesExcluded} more ${plural(totals.repositoriesExcluded, 'repository', 'repositories')} excluded by the rules)` : '') +
      '. ' +
      `Kept ${totals.kept}: ${totals.keptByReason.inUse} in use, ` +
      (totals.keptByReason.protectedTag > 0 ? `${totals.keptByReason.protectedTag} with a protected tag, ` : '') +
      `${totals.keptByReason.recent} recent, ` +
      (totals.keptByReason.recentlyPulled > 0 ? `${totals.keptByReason.recentlyPulled} pulled recently, ` : '') +
      `${totals.keptByReason.minCount} among the newest ${report.rules.length > 0 ? 'of their repository' : report.policy.keepMinImageCount}` +
      (totals.keptByReason.inUseUnknown > 0 ? `, ${totals.keptByReason.inUseUnknown} because in-use discovery failed` : '') +
      '.',
  );
  lines.push(
    dryRun
      ? `To delete: ${images(totals.toDelete)}, ${formatBytes(totals.reclaimableBytes)} (about ${formatMonthly(totals.reclaimableUsdPerMonth)}). Nothing was deleted: this is a dry run.`
      : `Deleted: ${images(totals.deleted)} of ${totals.toDelete}, ${formatBytes(totals.reclaimedBytes)} reclaimed (about ${formatMonthly(totals.reclaimedUsdPerMonth)})` +
          (totals.failed > 0 ? `; ${images(totals.failed)} failed` : '') +
          '.',
  );
  if (totals.marked > 0) {
    lines.push(`Marked: ${images(totals.marked)}, held by the grace period of ${report.gracePeriodDays} ${plural(report.gracePeriodDays, 'day')}: deletable from ${deletableFrom(report.now, report.gracePeriodDays)} if still planned.`);
  }
  lines.push(`Errors: ${totals.errors}.`);
  if (report.auditObjects) {
    const link = (uri: string, text: string): string => `<${consoleUrl(uri, report.region)}|${text}>`;
    lines.push(
      `Audit trail: ${report.auditObjects.html !== undefined ? `${link(report.auditObjects.html, 'the plan as a page')} · ` : ''}${link(report.auditObjects.csv, 'the CSV')} · ${link(report.auditObjects.plan, 'the whole plan')} (${report.auditObjects.plan.replace(/\.jsonl$/, '.*')})`,
    );
  }
  if (report.deletionBlocked) lines.push(`:warning: *Nothing was deleted*: ${escape(report.deletionBlocked)}.`);
  for (const warning of report.warnings) lines.push(`:warning: ${escape(warning)}.`);

  const listed = report.repositories
    .filter((repository) => repository.status === 'error' || repository.toDelete > 0)
    .sort((a, b) => reclaim(b, dryRun) - reclaim(a, dryRun) || a.name.localeCompare(b.name));
  if (listed.length > 0) lines.push('');
  for (const repository of listed) lines.push(repositoryLine(repository, dryRun));
  const excluded = report.repositories.filter((repository) => repository.status === 'excluded');
  if (excluded.length > 0) {
    const named = excluded.slice(0, EXCLUDED_NAMED).map((repository) => `*${repository.name}* (rule ${repository.rule})`);
    lines.push(`• Excluded by the rules: ${named.join(', ')}${excluded.length > EXCLUDED_NAMED ? ` and ${excluded.length - EXCLUDED_NAMED} more` : ''}`);
  }

  if (report.errors.length > 0) {
    lines.push('', '*Errors*');
    for (const error of report.errors) lines.push(`• ${escape(error.message)}`);
  }
  return lines.join('\n');
}

/** The S3 console's page of an object, which a person can open from Slack. */
export function consoleUrl(uri: string, region: string): string {
  const { bucket, key } = parseS3Uri(uri);
  return `https://s3.console.aws.amazon.com/s3/object/${bucket}?region=${region}&prefix=${encodeURIComponent(key)}`;
}

/** The excluded repositories named in the message; the rest are counted. */
const EXCLUDED_NAMED = 10;

function reclaim(repository: RepositoryReport, dryRun: boolean): number {
  return dryRun ? repository.reclaimableBytes : repository.reclaimedBytes;
}

function repositoryLine(repository: RepositoryReport, dryRun: boolean): string {
  if (repository.status === 'error') return `• *${repository.name}*: ERROR: ${escape(repository.error ?? 'not listed')}`;
  const done = dryRun
    ? `${repository.toDelete} to delete (${formatBytes(repository.reclaimableBytes)}, ${formatMonthly(repository.reclaimableUsdPerMonth)})`
    : `${repository.deleted} of ${repository.toDelete} deleted (${formatBytes(repository.reclaimedBytes)}, ${formatMonthly(repository.reclaimedUsdPerMonth)})${repository.failed > 0 ? `, ${repository.failed} failed` : ''}`;
  // The first few by name, the rest counted: what was deleted, or in a dry run what would be.
  const named = repository.deletionNames.map((image) => `\`${escape(image)}\``);
  const more = (dryRun ? repository.toDelete - repository.marked : repository.deleted) - named.length;
  const which = named.length > 0 ? `: ${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}` : '';
  const inUse = repository.inUseImages.map((image) => `\`${escape(image)}\``);
  const kept = repository.images - repository.toDelete;
  const rule = repository.rule === undefined ? '' : ` (rule ${repository.rule})`;
  return `• *${repository.name}*${rule}: ${done}${which}; kept ${kept}${inUse.length > 0 ? ` (in use: ${inUse.join(', ')})` : ''}`;
}

/** Slack's three control characters in mrkdwn. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Splits a message into parts of at most `maxLength` characters, at line boundaries. When there is more
 * than one part, each starts with `(part i/n)`, unless that label would take more than half the room. A
 * line longer than a part is cut, and ends with `…`; no line is ever dropped.
 */
export function splitMessage(text: string, maxLength: number): string[] {
  if (text.length <= maxLength) return [text];
  let count = 2;
  for (;;) {
    const labelLength = label(count, count).length;
    if (labelLength * 2 > maxLength) return pack(text, maxLength);
    const parts = pack(text, maxLength - labelLength);
    if (parts.length <= count) return parts.map((part, index) => label(index + 1, parts.length) + part);
    count = parts.length;
  }
}

function label(part: number, count: number): string {
  return `(part ${part}/${count})\n`;
}

function pack(text: string, room: number): string[] {
  const parts: string[] = [];
  let current: string[] = [];
  let length = 0;
  for (const line of text.split('\n').map((whole) => cut(whole, room))) {
    const added = current.length === 0 ? line.length : length + 1 + line.length;
    if (current.length > 0 && added > room) {
      parts.push(current.join('\n'));
      current = [];
    }
    if (current.length === 0 && line.trim() === '') continue;
    current.push(line);
    length = current.length === 1 ? line.length : length + 1 + line.length;
  }
  if (current.length > 0) parts.push(current.join('\n'));
  return parts.map((part) => part.replace(/\n+$/, ''));
}

function cut(line: string, room: number): string {
  if (line.length <= room) return line;
  return room >= 2 ? `${line.slice(0, room - 1)}…` : line.slice(0, room);
}
