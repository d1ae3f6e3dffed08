/**
 * The grace period (`GRACE_PERIOD_DAYS`): mark, then sweep, as `cdk gc` does. An image is deleted only if
 * this run's plan and the plan of a run at least that many days earlier both planned its deletion, under
 * the same digest. What only this run plans is marked, and may go once a later run plans it again. Pure.
 */
import type { AuditLocation } from './audit';

/** What an earlier plan planned to delete: `<repository> <digest>` of every manifest. */
export interface EarlierPlan {
  /** Where it was read: `s3://…/….jsonl` or a local file. */
  readonly source: string;
  /** When that run started. */
  readonly startedAt: string;
  readonly deletions: ReadonlySet<string>;
}

/** The key that `EarlierPlan.deletions` holds for a manifest. */
export function deletionKey(repository: string, digest: string): string {
  return `${repository} ${digest}`;
}

/** The prefix under which the plans of one account and region are written (`auditKeys`). */
export function plansPrefix(location: AuditLocation, account: string, region: string): string {
  return `${location.prefix}runs/${account}/${region}/`;
}

/**
 * The newest plan key written by a run that started at or before `cutoff`, among keys under
 * `plansPrefix` (`…/<yyyy-mm-dd>/<hhmmss>-<mode>.jsonl`), or undefined.
 */
export function earlierPlanKey(keys: readonly string[], prefix: string, cutoff: Date): string | undefined {
  const latest = `${cutoff.toISOString().slice(0, 10)}/${cutoff.toISOString().slice(11, 19).replace(/:/g, '')}`;
  let found: string | undefined;
  for (const key of keys) {
    const match = /^(\d{4}-\d{2}-\d{2}\/\d{6})-(?:dry-run|delete)\.jsonl$/.exec(key.slice(prefix.length));
    if (!key.startsWith(prefix) || !match || match[1] > latest) continue;
    if (found === undefined || key > found) found = key;
  }
  return found;
}

/**
 * Reads a JSON Lines plan (`planLines`) a line at a time: when its run started, and every manifest that it
 * planned to delete.
 *
 * @throws Error naming the line that is not a plan record
 */
export async function readPlannedDeletions(lines: AsyncIterable<string> | Iterable<string>, source: string): Promise<EarlierPlan> {
  const deletions = new Set<string>();
  let startedAt: string | undefined;
  let number = 0;
  for await (const line of lines) {
    number += 1;
    if (line.trim() === '') continue;
    let record: { type?: string; startedAt?: string; repository?: string; decisions?: { digest?: string; action?: string }[] };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      throw new Error(`line ${number} of ${source} is not JSON: is it a plan written by --json or the audit trail?`);
    }
    if (record.type === 'run') startedAt = record.startedAt;
    if (record.type !== 'artifact' || record.repository === undefined) continue;
    for (const decision of record.decisions ?? []) {
      if (decision.action === 'delete' && decision.digest !== undefined) deletions.add(deletionKey(record.repository, decision.digest));
    }
  }
  if (startedAt === undefined) throw new Error(`${source} has no run record: is it a plan written by --json or the audit trail?`);
  return { source, startedAt, deletions };
}
