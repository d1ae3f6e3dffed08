/**
 * Finds and reads the earlier plan that a grace period compares with: a local file given to
 * `--earlier-plan`, or the newest plan in the audit trail of a run at least `GRACE_PERIOD_DAYS` old. The
 * plan is read a line at a time; only what it planned to delete is kept.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { UNKNOWN_ACCOUNT, runsPrefix, type AuditLocation } from '../core/audit';
import { earlierPlanKey, graceCutoff, readPlannedDeletions, unfitPlan, type EarlierPlan } from '../core/grace';
import type { ApiCalls } from './api-calls';

export interface EarlierPlanQuery {
  readonly gracePeriodDays: number;
  readonly audit?: AuditLocation;
  readonly earlierPlanFile?: string;
  /** This run's account, when it knows it. */
  readonly account?: string;
  readonly region: string;
  readonly now: Date;
}

/**
 * The earlier plan, or why there is none old enough (the first runs after the grace period is turned on).
 *
 * @throws Error or AwsCallError when a plan cannot be listed or read: the run then deletes nothing
 */
export async function findEarlierPlan(s3: S3Client, calls: ApiCalls, query: EarlierPlanQuery): Promise<EarlierPlan | { readonly missing: string }> {
  const cutoff = graceCutoff(query.now, query.gracePeriodDays);
  const expected = { ...(query.account !== undefined && { account: query.account }), region: query.region, cutoff };
  if (query.earlierPlanFile !== undefined) {
    const plan = await readLines(createReadStream(query.earlierPlanFile), (lines) => readPlannedDeletions(lines, query.earlierPlanFile as string));
    const unfit = unfitPlan(plan, expected);
    return unfit === undefined ? plan : { missing: unfit };
  }
  const audit = query.audit as AuditLocation;
  const prefix = runsPrefix(audit, query.account ?? UNKNOWN_ACCOUNT, query.region);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await calls.send('S3.ListObjectsV2', `s3://${audit.bucket}/${prefix}`, () =>
      s3.send(new ListObjectsV2Command({ Bucket: audit.bucket, Prefix: prefix, ContinuationToken: token })),
    );
    // S3's own clock must agree that the object is old enough: a key can be written with any date.
    for (const object of page.Contents ?? []) if (object.Key && (object.LastModified?.getTime() ?? Infinity) <= cutoff.getTime()) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const key = earlierPlanKey(keys, prefix, cutoff);
  if (key === undefined) return { missing: `no plan in s3://${audit.bucket}/${prefix} is of a run that started at or before ${cutoff.toISOString()} (${query.gracePeriodDays} days ago, less an hour)` };
  const uri = `s3://${audit.bucket}/${key}`;
  const answer = await calls.send('S3.GetObject', uri, () => s3.send(new GetObjectCommand({ Bucket: audit.bucket, Key: key })));
  const plan = await readLines(answer.Body as Readable, (lines) => readPlannedDeletions(lines, uri));
  const unfit = unfitPlan(plan, expected);
  return unfit === undefined ? plan : { missing: unfit };
}

/** Reads a stream a line at a time, and closes it whatever happens. */
async function readLines<T>(input: Readable, read: (lines: AsyncIterable<string>) => Promise<T>): Promise<T> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    return await read(lines);
  } finally {
    lines.close();
    input.destroy();
  }
}
