/**
 * `--explain`: every decision with its reasons, a repository at a time. Pure.
 */
import type { ArtifactListing, RepositoryReport, RunReport } from '../core/report';
import { shortDigest } from '../core/words';
import { describeReasons, describeRule } from './text';

/**
 * Every decision with its reasons, for a person checking a plan (`--explain`): a line per artifact, and
 * under it a line per manifest that it claims (index children, signatures and other referrers). Yields a
 * repository's lines at a time, each ending in a newline.
 */
export function* decisionChunks(report: RunReport, artifacts: ArtifactListing): Generator<string, void, undefined> {
  const now = new Date(report.now);
  for (const { repository, artifacts: planned } of artifacts()) {
    const lines: string[] = [`${repository.name}${repositoryHeading(repository, report)}`];
    const tagWidth = Math.min(24, planned.reduce((width, artifact) => Math.max(width, artifact.tags.join(' ').length), 6));
    for (const artifact of planned) {
      const tags = artifact.tags.join(' ') || '<untagged>';
      lines.push(`  ${artifact.action.toUpperCase().padEnd(6)}  ${tags.padEnd(tagWidth)}  ${shortDigest(artifact.digest)}  ${describeReasons(artifact, now)}`);
      for (const member of artifact.decisions.slice(1)) {
        const kind = member.reasons.some((reason) => reason.startsWith('referrer-of:')) ? 'referrer' : 'child';
        const reasons = member.reasons.map((reason) => reason.replace(/sha256:[0-9a-f]{64}/, (digest) => shortDigest(digest))).join(', ');
        lines.push(`  ${''.padEnd(6)}    ${kind.padEnd(8)} ${shortDigest(member.digest)}  ${reasons}`);
      }
    }
    yield `${lines.join('\n')}\n`;
  }
}

/** What follows a repository's name in `--explain`: its error, or the rule that applies to it. */
function repositoryHeading(repository: RepositoryReport, report: RunReport): string {
  if (repository.status === 'error') return `: ERROR: ${repository.error ?? ''}`;
  if (report.rules.length === 0) return '';
  if (repository.rule === undefined) return '  · no rule: the global settings';
  const rule = report.rules[repository.rule];
  return `  · rule ${rule.index} (${rule.repositories.join(', ')}): ${describeRule(rule, report.policy)}`;
}
