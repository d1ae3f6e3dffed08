/**
 * Where a run's audit trail goes: the CSV of deletions and the whole JSON Lines plan, under dated keys
 * that sort by time, one folder per account, region and day. Pure.
 */
import type { RunReport } from './report';
import { checkS3Uri, parseS3Uri } from './s3-uri';

/** A bucket and the prefix under which runs are written, from `s3://bucket` or `s3://bucket/prefix`. */
export interface AuditLocation {
  readonly bucket: string;
  /** Empty, or ending in `/`. */
  readonly prefix: string;
}

/** The objects of one run, as `s3://` URIs. */
export interface AuditObjects {
  readonly csv: string;
  readonly plan: string;
}

/**
 * Reads `s3://bucket` or `s3://bucket/prefix`.
 *
 * @returns the location, or why the text is not one
 */
export function parseAuditUri(uri: string): AuditLocation | { readonly problem: string } {
  const withKey = uri.endsWith('/') || !uri.slice('s3://'.length).includes('/') ? `${uri.replace(/\/?$/, '/')}x` : `${uri}/x`;
  const why = checkS3Uri(withKey);
  if (why !== undefined) return { problem: why };
  const { bucket, key } = parseS3Uri(withKey);
  return { bucket, prefix: key.slice(0, -1) };
}

/**
 * The keys of a run's objects: `<prefix>runs/<account>/<region>/<yyyy-mm-dd>/<hhmmss>-<mode>.csv` and
 * `….jsonl`, in UTC, from the run's start. A dry run and a deleting run of the same second differ by mode.
 */
export function auditKeys(location: AuditLocation, report: Pick<RunReport, 'account' | 'region' | 'startedAt' | 'mode'>): AuditObjects {
  const started = report.startedAt; // ISO 8601 in UTC: 2026-11-26T03:00:00.123Z
  const day = started.slice(0, 10);
  const time = started.slice(11, 19).replace(/:/g, '');
  const base = `${location.prefix}runs/${report.account ?? 'unknown-account'}/${report.region}/${day}/${time}-${report.mode}`;
  return { csv: `s3://${location.bucket}/${base}.csv`, plan: `s3://${location.bucket}/${base}.jsonl` };
}
