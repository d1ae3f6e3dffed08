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
  /** The plan as a page to look at (`--html`); none for a plan larger than `AUDIT_PAGE_MAX_IMAGES`. */
  readonly html?: string;
}

/**
 * The most images whose plan the audit trail also writes as a page: a browser opens a page of 100,000
 * artifacts in a few seconds (`npm run bench:html`), and one of a million (240 MB) hardly at all, and
 * rendering it would take the Lambda half a minute more.
 */
export const AUDIT_PAGE_MAX_IMAGES = 200_000;

/**
 * Reads `s3://bucket` or `s3://bucket/prefix`.
 *
 * @returns the location, or why the text is not one
 */
export function parseAuditUri(uri: string): AuditLocation | { readonly problem: string } {
  const { bucket, key } = parseS3Uri(uri);
  const prefix = key === '' || key.endsWith('/') ? key : `${key}/`;
  // Checked as the bucket and a key under the prefix would be, as the objects will be named.
  const why = checkS3Uri(uri.startsWith('s3://') ? `s3://${bucket}/${prefix}x` : uri);
  return why === undefined ? { bucket, prefix } : { problem: why };
}

/** The account that keys name when the run could not tell its own (no repository was listed). */
export const UNKNOWN_ACCOUNT = 'unknown-account';

/** The folder of one account and region's runs: `<prefix>runs/<account>/<region>/`. */
export function runsPrefix(location: AuditLocation, account: string, region: string): string {
  return `${location.prefix}runs/${account}/${region}/`;
}

/**
 * The keys of a run's objects: `<prefix>runs/<account>/<region>/<yyyy-mm-dd>/<hhmmss.mmm>-<mode>.csv`,
 * `….jsonl` and `….html`, in UTC, from the run's start to the millisecond, so that they sort by time and two runs of one
 * second keep their own.
 */
export function auditKeys(location: AuditLocation, report: Pick<RunReport, 'account' | 'region' | 'startedAt' | 'mode'>): AuditObjects {
  const started = report.startedAt; // ISO 8601 in UTC: 2026-11-26T03:00:00.123Z
  const base = `${runsPrefix(location, report.account ?? UNKNOWN_ACCOUNT, report.region)}${started.slice(0, 10)}/${started.slice(11, 23).replace(/:/g, '')}-${report.mode}`;
  return { csv: `s3://${location.bucket}/${base}.csv`, plan: `s3://${location.bucket}/${base}.jsonl`, html: `s3://${location.bucket}/${base}.html` };
}

/** When the run whose plan a key holds started, from the key (`auditKeys`), or undefined for another key. */
export function planKeyStart(key: string, prefix: string): Date | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})\/(\d{2})(\d{2})(\d{2})\.(\d{3})-(?:dry-run|delete)\.jsonl$/.exec(key.slice(prefix.length));
  if (!match) return undefined;
  const [, day, hours, minutes, seconds, millis] = match;
  return new Date(`${day}T${hours}:${minutes}:${seconds}.${millis}Z`);
}
