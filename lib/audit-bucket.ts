/**
 * The audit trail's bucket: each run writes its CSV and JSON Lines plan under `runs/` (lambda/core/audit.ts),
 * and a run with a grace period reads an earlier plan back. Private, TLS only, versioned, and every
 * object expires after the retention, so that the trail neither leaks nor grows without end.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/** How long a run's objects are kept: more than a year, so that a year's runs can be compared. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;
/** The longest retention that the prop and the context key accept: ten years. */
export const MAX_AUDIT_RETENTION_DAYS = 3650;
/** The prefix of every object a run writes (`<prefix>runs/…` with an empty prefix). */
export const AUDIT_RUNS_PREFIX = 'runs/';

export interface AuditBucketProps {
  /** Days after which a run's objects, and any noncurrent version of them, expire. */
  readonly retentionDays: number;
}

/** Creates the bucket, and acknowledges the one cdk-nag finding it raises. */
export function createAuditBucket(scope: Construct, id: string, props: AuditBucketProps): s3.Bucket {
  const retention = Duration.days(props.retentionDays);
  const bucket = new s3.Bucket(scope, id, {
    // The plans name repositories, tags and digests, no secret: S3's own keys are enough, and the
    // function's role needs no KMS permission (a customer managed key would cost a key and a grant).
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    // A plan overwritten or deleted by hand can be recovered until its noncurrent version expires.
    versioned: true,
    lifecycleRules: [
      {
        id: 'ExpireRuns',
        // With Days set, S3 also removes the delete markers that expiry leaves, once they are alone.
        expiration: retention,
        noncurrentVersionExpiration: retention,
        // A run that stopped in the middle of a multipart upload leaves parts that cost until aborted.
        abortIncompleteMultipartUploadAfter: Duration.days(1),
      },
    ],
    // The trail outlives the stack: deleting the stack must not delete the record of what was deleted.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      "Only the cleaner's role writes here, and only under runs/; the objects are the record of each run. A server access log would need a second bucket, " +
      'which would raise the same finding; CloudTrail data events on this bucket are the place to audit access when an account needs it.',
  });
  return bucket;
}
