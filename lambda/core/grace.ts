/**
 * The grace period (`GRACE_PERIOD_DAYS`): mark, then sweep, as `cdk gc` does. An image is deleted only if
 * this run's plan and the plan of a run at least that many days earlier both planned its deletion, under
 * the same digest. What only this run plans is marked, and may go once a later run plans it again. Pure.
 */
import { planKeyStart } from './audit';
import { DigestSet } from './digest-set';

/**
 * How much younger than the grace period an earlier plan may be: a daily run that starts a few seconds
 * earlier than the day before still finds the plan of a week ago, instead of waiting a day more.
 */
export const GRACE_TOLERANCE_MS = 60 * 60 * 1000;

/** What an earlier plan planned to delete. */
export interface EarlierPlan {
  /** Where it was read: `s3://…/….jsonl` or a local file. */
  readonly source: string;
  /** When that run started, and the instant its rules were evaluated at (the same, unless it previewed with `--now`). */
  readonly startedAt: string;
  readonly now: string;
  readonly account?: string;
  readonly region: string;
  /** Every manifest that it planned to delete. */
  readonly deletions: Pick<DigestSet, 'has' | 'size'>;
}

/** The day (`yyyy-mm-dd`, UTC) from which a run may delete what a run at `now` marks. */
export function deletableFrom(now: Date | string, gracePeriodDays: number): string {
  return new Date(new Date(now).getTime() + gracePeriodDays * 86_400_000).toISOString().slice(0, 10);
}

/** The instant an earlier plan's run must have started by: the grace period ago, less the tolerance. */
export function graceCutoff(now: Date, gracePeriodDays: number): Date {
  return new Date(now.getTime() - gracePeriodDays * 86_400_000 + GRACE_TOLERANCE_MS);
}

/** The newest plan key (`auditKeys`) under `prefix` of a run that started by `cutoff`, or undefined. */
export function earlierPlanKey(keys: readonly string[], prefix: string, cutoff: Date): string | undefined {
  let found: { key: string; at: number } | undefined;
  for (const key of keys) {
    const at = planKeyStart(key, prefix)?.getTime();
    if (at === undefined || at > cutoff.getTime()) continue;
    if (found === undefined || at > found.at) found = { key, at };
  }
  return found?.key;
}

/**
 * Why an earlier plan cannot stand for this run, or undefined when it can: it must be of this account and
 * region, of a run that started by the cutoff, and must have been planned at its own time (a `--now`
 * preview planned with a later clock, which would let images go with no grace at all).
 */
export function unfitPlan(plan: EarlierPlan, expected: { readonly account?: string; readonly region: string; readonly cutoff: Date }): string | undefined {
  if (plan.region !== expected.region || (plan.account !== undefined && expected.account !== undefined && plan.account !== expected.account)) {
    return `the plan ${plan.source} is of account ${plan.account ?? '?'} in ${plan.region}, not of this run's account ${expected.account ?? '?'} in ${expected.region}`;
  }
  if (Math.abs(Date.parse(plan.now) - Date.parse(plan.startedAt)) > 60_000) {
    return `the plan ${plan.source} is a preview at ${plan.now} (--now), not a plan of its own time`;
  }
  if (Date.parse(plan.startedAt) > expected.cutoff.getTime()) {
    return `the plan ${plan.source} is of a run at ${plan.startedAt}, later than ${expected.cutoff.toISOString()}, too recent for the grace period`;
  }
  return undefined;
}

/**
 * Reads a JSON Lines plan (`planLines`) a line at a time: its run record, which must come first and
 * alone, and every manifest that it planned to delete.
 *
 * @throws Error naming the line that is not what a plan holds
 */
export async function readPlannedDeletions(lines: AsyncIterable<string> | Iterable<string>, source: string): Promise<EarlierPlan> {
  const deletions = new DigestSet();
  let run: { startedAt: string; now: string; account?: string; region: string } | undefined;
  let number = 0;
  const notAPlan = (why: string): Error => new Error(`${source} is not one plan written by --json or the audit trail: ${why}`);
  for await (const line of lines) {
    number += 1;
    if (line.trim() === '') continue;
    let record: { type?: string; startedAt?: string; now?: string; account?: string; region?: string; repository?: string; decisions?: { digest?: string; action?: string }[] };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      throw notAPlan(`line ${number} is not JSON`);
    }
    if (record.type === 'run') {
      if (run !== undefined) throw notAPlan(`line ${number} starts a second run`);
      if (typeof record.startedAt !== 'string' || typeof record.now !== 'string' || typeof record.region !== 'string') throw notAPlan(`the run record on line ${number} has no startedAt, now or region`);
      run = { startedAt: record.startedAt, now: record.now, region: record.region, ...(record.account !== undefined && { account: record.account }) };
      continue;
    }
    if (run === undefined) throw notAPlan(`line ${number} comes before the run record`);
    if (record.type !== 'artifact' || record.repository === undefined) continue;
    for (const decision of record.decisions ?? []) {
      if (decision.action === 'delete' && decision.digest !== undefined) deletions.add(record.repository, decision.digest);
    }
  }
  if (run === undefined) throw notAPlan('it has no run record');
  return { source, ...run, deletions };
}
