/**
 * `to_delete.csv`: the planned deletions, a row per artifact, written a repository at a time. Pure.
 */
import type { ArtifactListing, RunReport } from '../core/report';
import { describeReasons, describeResult } from './text';

const CSV_HEADER = ['account', 'region', 'repository', 'digest', 'tags', 'pushed_at', 'size_bytes', 'child_manifests', 'reason', 'result'];

/**
 * The planned deletions, one row per artifact: what `to_delete.csv` holds. Sizes include the artifact's
 * children and referrers; tags are separated by spaces.
 */
export function renderCsv(report: RunReport, artifacts: ArtifactListing): string {
  return [...csvLines(report, artifacts)].join('');
}

/**
 * The lines of `to_delete.csv`, each ending in a newline: the header, then a row per artifact to delete,
 * repository by repository. Joined, they are `renderCsv`'s text; one at a time, no line holds more than
 * one artifact. Every row names its account and region, so that the rows of many targets share a file;
 * the targets after the first leave the header out (`header: false`).
 */
export function* csvLines(report: RunReport, artifacts: ArtifactListing, options: { readonly header?: boolean } = {}): Generator<string, void, undefined> {
  const now = new Date(report.now);
  if (options.header !== false) yield csvLine(CSV_HEADER);
  for (const { repository, artifacts: planned } of artifacts()) {
    for (const artifact of planned) {
      if (artifact.action !== 'delete') continue;
      yield csvLine([
        report.account ?? '',
        report.region,
        repository.name,
        artifact.digest,
        artifact.tags.join(' '),
        artifact.pushedAt,
        String(artifact.sizeBytes),
        String(artifact.members.length),
        describeReasons(artifact, now),
        describeResult(artifact.result, report.mode),
      ]);
    }
  }
}

function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\n`;
}

function csvField(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
