/**
 * Finds and reads the earlier plan that a grace period compares with: a local file given to
 * `--earlier-plan`, or the newest plan in the audit trail of a run at least `GRACE_PERIOD_DAYS` old. The
 * plan is read a line at a time; only what it planned to delete is kept.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { AuditLocation } from '../core/audit';
import { earlierPlanKey, plansPrefix, readPlannedDeletions, type EarlierPlan } from '../core/grace';
import type { ApiCalls } from './api-calls';

export interface EarlierPlanQuery {
  readonly gracePeriodDays: number;
  readonly audit?: AuditLocation;
  readonly earlierPlanFile?: string;
  readonly account: string;
  readonly region: string;
  readonly now: Date;
}

/**
 * The earlier plan, or why there is none old enough (the first runs after the grace period is turned on).
 *
 * @throws Error or AwsCallError when a plan cannot be listed or read: the run then deletes nothing
 */
export async function findEarlierPlan(s3: S3Client, calls: ApiCalls, query: EarlierPlanQuery): Promise<EarlierPlan | { readonly missing: string }> {
  const cutoff = new Date(query.now.getTime() - query.gracePeriodDays * 86_400_000);
  if (query.earlierPlanFile !== undefined) {
    const plan = await readPlannedDeletions(createInterface({ input: createReadStream(query.earlierPlanFile), crlfDelay: Infinity }), query.earlierPlanFile);
    return Date.parse(plan.startedAt) <= cutoff.getTime()
      ? plan
      : { missing: `the plan ${query.earlierPlanFile} is of a run at ${plan.startedAt}, less than ${query.gracePeriodDays} days before ${query.now.toISOString()}` };
  }
  const audit = query.audit as AuditLocation;
  const prefix = plansPrefix(audit, query.account, query.region);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await calls.send('S3.ListObjectsV2', `s3://${audit.bucket}/${prefix}`, () =>
      s3.send(new ListObjectsV2Command({ Bucket: audit.bucket, Prefix: prefix, ContinuationToken: token })),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const key = earlierPlanKey(keys, prefix, cutoff);
  if (key === undefined) return { missing: `no plan in s3://${audit.bucket}/${prefix} is of a run at least ${query.gracePeriodDays} days old (started by ${cutoff.toISOString()})` };
  const uri = `s3://${audit.bucket}/${key}`;
  const answer = await calls.send('S3.GetObject', uri, () => s3.send(new GetObjectCommand({ Bucket: audit.bucket, Key: key })));
  return readPlannedDeletions(createInterface({ input: answer.Body as Readable, crlfDelay: Infinity }), uri);
}
