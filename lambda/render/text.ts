/**
 * Decisions, results and rules in words a reviewer can check, shared by the terminal summary, `--explain`,
 * the CSV and the logs. Pure.
 */
import { WORKLOAD_PREFIX } from '../core/in-use';
import type { ArtifactReport, RunReport } from '../core/report';
import { policyOf, type RepositoryRule } from '../core/rules';
import type { ImageResult, RepositoryPolicy, RetentionPolicy, UseSource } from '../core/types';
import { days, plural, shortDigest } from '../core/words';

/** A result in a few words: `deleted`, `failed: ImageTagDoesNotMatchDigest`, … */
/** What the run keeps, in one sentence: the sources of images in use, the age, the pull time, the newest N. */
export function keepsLine(report: Pick<RunReport, 'policy' | 'inUse' | 'now'>): string {
  const { policy } = report;
  const pulled = policy.keepImagesPulledWithinDays > 0 ? `, pulled within ${days(policy.keepImagesPulledWithinDays)}` : '';
  return `Keeps images in use (${report.inUse.sources.join(', ') || 'no source searched'}), pushed within ${days(policy.keepImagesNewerThanDays)} of ${report.now}${pulled}, and the newest ${policy.keepMinImageCount} of each repository.`;
}

/** `DRY RUN: 12 of 40 images to delete, 0 errors`, or `DELETE: 12 of 40 images deleted, 1 error`: a run in one line. */
export function runHeadline(mode: RunReport['mode'], counts: { readonly images: number; readonly toDelete: number; readonly deleted: number }, errors: number): string {
  const images = `${counts.images} ${plural(counts.images, 'image')}`;
  const what = mode === 'delete' ? `DELETE: ${counts.deleted} of ${images} deleted` : `DRY RUN: ${counts.toDelete} of ${images} to delete`;
  return `${what}, ${errors} ${plural(errors, 'error')}`;
}

export function describeResult(result: ImageResult, mode: RunReport['mode']): string {
  switch (result.status) {
    case 'planned':
      return mode === 'delete' ? 'not deleted' : 'dry run';
    case 'failed':
      return `failed: ${result.code}`;
    case 'skipped':
      return `skipped: ${result.why}`;
    case 'kept-by-ecr':
      return `kept by ECR: ${result.why}`;
    case 'marked':
      return `marked: deletable from ${result.deletableFrom}, if still planned`;
    default:
      return result.status;
  }
}

/** The reasons of a decision in words a reviewer can check. */
export function describeReasons(artifact: ArtifactReport, now: Date): string {
  const ageDays = Math.floor((now.getTime() - Date.parse(artifact.pushedAt)) / 86_400_000);
  // With untagged artifacts apart (a rule's `untagged`), tagged and untagged ones are ranked apart too.
  const kind = artifact.rankedAmong === 'all' ? '' : `${artifact.rankedAmong} `;
  const pushed = `${artifact.rankedAmong === 'untagged' ? 'untagged, ' : ''}pushed ${ageDays} ${plural(ageDays, 'day')} ago`;
  return artifact.reasons
    .map((reason) => {
      switch (reason) {
        case 'unused':
          return `unused: no workload uses it, ${pushed}, newest ${kind}#${artifact.rank}`;
        case 'recent':
          return `recent: ${pushed}`;
        case 'recently-pulled': {
          const pulledDays = artifact.lastPulledAt ? Math.floor((now.getTime() - Date.parse(artifact.lastPulledAt)) / 86_400_000) : undefined;
          return pulledDays === undefined ? 'recently-pulled' : `recently-pulled: pulled ${pulledDays} ${plural(pulledDays, 'day')} ago`;
        }
        case 'min-count':
          return `min-count: newest ${kind}#${artifact.rank}`;
        case 'in-use-unknown':
          return 'in-use-unknown: in-use discovery was incomplete';
        default:
          if (reason.startsWith('in-use:') && artifact.usedBy) {
            const source = reason.slice('in-use:'.length) as UseSource;
            const workloads = artifact.usedBy.filter((workload) => workload.startsWith(`${WORKLOAD_PREFIX[source]} `));
            if (workloads.length > 0) return `${reason} (${workloads.slice(0, 3).join('; ')}${workloads.length > 3 ? `; and ${workloads.length - 3} more` : ''})`;
          }
          return reason.startsWith('child-of:') || reason.startsWith('referrer-of:')
            ? reason.replace(/sha256:[0-9a-f]{64}/, (digest) => shortDigest(digest))
            : reason;
      }
    })
    .join('; ');
}

/** A line per rule, its patterns aligned: `rule 0  ci/*, base/*  pushed within 1 day, …`. */
export function ruleLines(rules: readonly RepositoryRule[], global: RetentionPolicy): string[] {
  const patterns = rules.map((rule) => rule.repositories.join(', '));
  const width = Math.max(0, ...patterns.map((text) => text.length));
  return rules.map((rule, position) => `rule ${rule.index}  ${patterns[position].padEnd(width)}  ${describeRule(rule, global)}`);
}

/** What a rule keeps, in words: `pushed within 1 day, the newest 2, tags prod-* always; untagged: …`. */
export function describeRule(rule: RepositoryRule, global: RetentionPolicy): string {
  if (rule.exclude) return 'excluded: neither cleaned nor counted';
  const policy: RepositoryPolicy = policyOf(rule, global);
  const age = (count: number): string => (count > 0 ? `pushed within ${days(count)}` : 'none for its age');
  const parts = [age(policy.keepImagesNewerThanDays)];
  if (policy.keepImagesPulledWithinDays > 0) parts.push(`pulled within ${days(policy.keepImagesPulledWithinDays)}`);
  parts.push(`the newest ${policy.keepMinImageCount}${policy.keepUntaggedNewerThanDays === undefined ? '' : ' tagged'}`);
  if (policy.keepTags) parts.push(`${plural(policy.keepTags.length, 'tag')} ${policy.keepTags.join(', ')} always`);
  const untagged = policy.keepUntaggedNewerThanDays === undefined ? '' : `; untagged: ${age(policy.keepUntaggedNewerThanDays)}`;
  return `${parts.join(', ')}${untagged}`;
}
