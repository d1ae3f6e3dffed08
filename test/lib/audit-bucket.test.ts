import { Lazy, Stack, Validations } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { EcrCleaner, type EcrCleanerProps } from '../../lib/ecr-cleaner';
import { InvalidSettingsError } from '../../lib/errors';
import { environmentBytes } from '../../lib/lambda-environment';
import { catchError, render, statementsOfRole, synthCleaner, testApp } from '../support/cdk';

/** The logical id of the one bucket in the template. */
function bucketIdOf(template: Template): string {
  const ids = Object.keys(template.findResources('AWS::S3::Bucket'));
  if (ids.length !== 1) throw new Error(`expected one bucket, found ${ids.length}`);
  return ids[0];
}

const variablesOf = (template: Template): Record<string, unknown> =>
  Object.values(template.findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables as Record<string, unknown>;

/** The findings acknowledged on a construct, by id (as cdk-nag names them), with their reasons. */
function acknowledgedOn(construct: IConstruct): Record<string, string> {
  const entries = construct.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>));
  // The CDK records an acknowledgment under its own qualified id, `Annotation::<id>`.
  return Object.fromEntries(entries.map(([id, reason]) => [id.replace(/^Annotation::/, ''), reason]));
}

/** The function role's statements on S3, rendered. */
const s3StatementsOf = (template: Template): ReturnType<typeof statementsOfRole> =>
  statementsOfRole(template, 'lambda.amazonaws.com').filter((statement) => [statement.Action].flat().some((action) => action.startsWith('s3:')));

describe('EcrCleaner: the audit bucket', () => {
  it('creates one private bucket: S3-managed encryption, every public access blocked, ACLs off, versioned', () => {
    const { template } = synthCleaner();

    template.resourceCountIs('AWS::S3::Bucket', 1);
    const bucket = template.findResources('AWS::S3::Bucket')[bucketIdOf(template)];
    expect(bucket.Properties).toEqual({
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: [{ Id: 'ExpireRuns', Status: 'Enabled', ExpirationInDays: 400, NoncurrentVersionExpiration: { NoncurrentDays: 400 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
      },
    });
  });

  it('keeps the bucket and its objects when the stack is deleted or the bucket replaced', () => {
    const { template } = synthCleaner();

    const bucket = template.findResources('AWS::S3::Bucket')[bucketIdOf(template)];
    expect({ DeletionPolicy: bucket.DeletionPolicy, UpdateReplacePolicy: bucket.UpdateReplacePolicy }).toEqual({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    // No custom resource empties it on deletion.
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('refuses every request without TLS, or with TLS older than 1.2, in its bucket policy', () => {
    const { template } = synthCleaner();
    const bucketId = bucketIdOf(template);

    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));

    expect(policies).toHaveLength(1);
    expect(policies[0].Properties.Bucket).toEqual({ Ref: bucketId });
    const onTheBucket = [`\${${bucketId}.Arn}`, `\${${bucketId}.Arn}/*`];
    expect(render(policies[0].Properties.PolicyDocument.Statement)).toEqual([
      { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: onTheBucket, Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
      { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: onTheBucket, Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } },
    ]);
  });

  it('expires the objects and their noncurrent versions after auditRetentionDays', () => {
    const { template } = synthCleaner({ auditRetentionDays: 30 });

    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [{ Id: 'ExpireRuns', Status: 'Enabled', ExpirationInDays: 30, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }],
      },
    });
  });

  it('is the construct’s auditBucket', () => {
    const { stack, cleaner, template } = synthCleaner();

    expect(stack.resolve(cleaner.auditBucket.bucketName)).toEqual({ Ref: bucketIdOf(template) });
  });
});

describe('EcrCleaner: the audit trail’s settings in the function', () => {
  it('passes the bucket as AUDIT_BUCKET_URI, no grace period and the default price', () => {
    const { template } = synthCleaner();

    const variables = variablesOf(template);

    expect(render(variables.AUDIT_BUCKET_URI)).toBe(`s3://\${${bucketIdOf(template)}}`);
    expect(variables.GRACE_PERIOD_DAYS).toBe('0');
    expect(variables.STORAGE_PRICE_PER_GB_MONTH).toBe('0.1');
  });

  it('passes gracePeriodDays and storagePricePerGbMonth as the cleaner reads them', () => {
    const variables = variablesOf(synthCleaner({ gracePeriodDays: 14, storagePricePerGbMonth: 0.12 }).template);

    expect(variables).toMatchObject({ GRACE_PERIOD_DAYS: '14', STORAGE_PRICE_PER_GB_MONTH: '0.12' });
  });

  it.each([
    [0, '0'],
    [100, '100'],
    [0.0000001, '0.0000001'],
    [0.135, '0.135'],
  ])('writes the price %p as plain digits, %s, never with an exponent', (price, text) => {
    expect(variablesOf(synthCleaner({ storagePricePerGbMonth: price }).template).STORAGE_PRICE_PER_GB_MONTH).toBe(text);
  });

  it("counts AUDIT_BUCKET_URI towards Lambda's 4 KB at the longest bucket name, 63 characters", () => {
    // As the template has them: AUDIT_BUCKET_URI is an Fn::Join, which the identity "resolves" to itself.
    const variables = variablesOf(synthCleaner().template) as Record<string, string>;

    expect(environmentBytes(variables, (value) => value)).toBe(environmentBytes({ ...variables, AUDIT_BUCKET_URI: `s3://${'x'.repeat(63)}` }, (value) => value));
  });
});

describe('EcrCleaner: the role’s permissions on the audit bucket', () => {
  it('may only write and abort uploads under runs/ without a grace period: no read, no list, no delete', () => {
    const { template } = synthCleaner();
    const bucketId = bucketIdOf(template);

    expect(s3StatementsOf(template)).toEqual([
      { Sid: 'WriteAuditTrail', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Effect: 'Allow', Resource: `\${${bucketId}.Arn}/runs/*` },
    ]);
  });

  it('may also read plans under runs/, and list only under runs/, with a grace period', () => {
    const { template } = synthCleaner({ gracePeriodDays: 7 });
    const bucketId = bucketIdOf(template);

    expect(s3StatementsOf(template)).toEqual([
      { Sid: 'WriteAuditTrail', Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Effect: 'Allow', Resource: `\${${bucketId}.Arn}/runs/*` },
      { Sid: 'ReadEarlierPlans', Action: 's3:GetObject', Effect: 'Allow', Resource: `\${${bucketId}.Arn}/runs/*` },
      { Sid: 'ListEarlierPlans', Action: 's3:ListBucket', Effect: 'Allow', Resource: `\${${bucketId}.Arn}`, Condition: { StringLike: { 's3:prefix': 'runs/*' } } },
    ]);
  });

  it('keeps the in-use list’s read apart from the audit bucket', () => {
    const { template } = synthCleaner({ gracePeriodDays: 7, inUseImagesUri: 's3://inventory/ecr/in-use.json' });

    const statements = s3StatementsOf(template);

    expect(statements.map((statement) => statement.Sid).sort()).toEqual(['ListEarlierPlans', 'ReadEarlierPlans', 'ReadInUseImagesList', 'WriteAuditTrail']);
    expect(statements.find((statement) => statement.Sid === 'ReadInUseImagesList')?.Resource).toBe('arn:${AWS::Partition}:s3:::inventory/ecr/in-use.json');
  });

  it.each<[string, EcrCleanerProps]>([
    ['without a grace period', {}],
    ['with a grace period', { gracePeriodDays: 30, auditRetentionDays: 90 }],
  ])('acknowledges the runs/* wildcard on the role and the access log on the bucket, with their reasons, and leaves no finding, %s', (_title, props) => {
    const { stack, cleaner, template } = synthCleaner(props);

    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
    expect(report.success).toBe(true);
    const onRole = acknowledgedOn(cleaner.node.findChild('Role'));
    expect(onRole[`AwsSolutions-IAM5[Resource::<${bucketIdOf(template)}.Arn>/runs/*]`]).toMatch(/^Each run's objects are named by the run's date and time under runs\/ of the cleaner's own audit bucket; the role may write there/);
    expect(acknowledgedOn(cleaner.auditBucket)['AwsSolutions-S1']).toMatch(/^Only the cleaner's role writes here, and only under runs\/; .* CloudTrail data events on this bucket/);
  });
});

describe('EcrCleaner: the audit trail’s props are checked', () => {
  it.each<[EcrCleanerProps, string]>([
    [{ gracePeriodDays: -1 }, 'gracePeriodDays must be a whole number from 0 to 365 (0 turns it off), got -1'],
    [{ gracePeriodDays: 1.5 }, 'gracePeriodDays must be a whole number from 0 to 365 (0 turns it off), got 1.5'],
    [{ gracePeriodDays: 366, auditRetentionDays: 3650 }, 'gracePeriodDays must be a whole number from 0 to 365 (0 turns it off), got 366'],
    [{ auditRetentionDays: 0 }, "auditRetentionDays must be a whole number from 1 to 3650 (the days each run's objects are kept), got 0"],
    [{ auditRetentionDays: 3651 }, "auditRetentionDays must be a whole number from 1 to 3650 (the days each run's objects are kept), got 3651"],
    [{ auditRetentionDays: 30.5 }, "auditRetentionDays must be a whole number from 1 to 3650 (the days each run's objects are kept), got 30.5"],
    [{ storagePricePerGbMonth: -0.01 }, 'storagePricePerGbMonth must be a number from 0 to 100 (US dollars per GB-month of ECR storage), such as 0.10, got -0.01'],
    [{ storagePricePerGbMonth: 100.5 }, 'storagePricePerGbMonth must be a number from 0 to 100 (US dollars per GB-month of ECR storage), such as 0.10, got 100.5'],
    [{ storagePricePerGbMonth: Number.NaN }, 'storagePricePerGbMonth must be a number from 0 to 100 (US dollars per GB-month of ECR storage), such as 0.10, got NaN'],
  ])('fails on %j, naming the prop, the limit and the value', (props, message) => {
    const stack = new Stack(testApp(), 'Test');

    const error = catchError(() => new EcrCleaner(stack, 'Cleaner', props));

    expect(error).toBeInstanceOf(InvalidSettingsError);
    expect((error as InvalidSettingsError).problems).toEqual([message]);
  });

  it.each<[EcrCleanerProps, string]>([
    [
      { gracePeriodDays: 30, auditRetentionDays: 30 },
      'gracePeriodDays must be shorter than auditRetentionDays, got gracePeriodDays 30 and auditRetentionDays 30: a deletion waits for a plan 30 days old, ' +
        'which the audit bucket has expired by then. Set auditRetentionDays above 30 (by at least the time between runs), or shorten gracePeriodDays',
    ],
    [
      { gracePeriodDays: 200, auditRetentionDays: 90 },
      'gracePeriodDays must be shorter than auditRetentionDays, got gracePeriodDays 200 and auditRetentionDays 90: a deletion waits for a plan 200 days old, ' +
        'which the audit bucket has expired by then. Set auditRetentionDays above 200 (by at least the time between runs), or shorten gracePeriodDays',
    ],
  ])('fails when the grace period is not shorter than the retention (%j), naming both and the fix', (props, message) => {
    expect(() => new EcrCleaner(new Stack(testApp(), 'Test'), 'Cleaner', props)).toThrow(`EcrCleaner: invalid props:\n  ${message}`);
  });

  it('fits the longest grace period, 365 days, within the default retention of 400 days', () => {
    const stack = new Stack(testApp(), 'Test');

    expect(() => new EcrCleaner(stack, 'Cleaner', { gracePeriodDays: 365 })).not.toThrow();
  });

  it('reports a grace period out of range once, without comparing it with the retention', () => {
    const stack = new Stack(testApp(), 'Test');

    const error = catchError(() => new EcrCleaner(stack, 'Cleaner', { gracePeriodDays: 400, auditRetentionDays: 30 }));

    expect((error as InvalidSettingsError).problems).toEqual(['gracePeriodDays must be a whole number from 0 to 365 (0 turns it off), got 400']);
  });

  it('accepts the edges: a grace period one day shorter than the retention, a retention of 1 day and of 3650, prices of 0 and 100', () => {
    const stack = new Stack(testApp(), 'Test');

    expect(() => new EcrCleaner(stack, 'OneShorter', { gracePeriodDays: 29, auditRetentionDays: 30 })).not.toThrow();
    expect(() => new EcrCleaner(stack, 'OneDay', { auditRetentionDays: 1 })).not.toThrow();
    expect(() => new EcrCleaner(stack, 'TenYears', { auditRetentionDays: 3650, storagePricePerGbMonth: 0 })).not.toThrow();
    expect(() => new EcrCleaner(stack, 'Dear', { storagePricePerGbMonth: 100 })).not.toThrow();
  });

  it('refuses a grace period known only at deploy time, which decides the role’s permissions', () => {
    const stack = new Stack(testApp(), 'Test');

    expect(() => new EcrCleaner(stack, 'Cleaner', { gracePeriodDays: Lazy.number({ produce: () => 7 }) })).toThrow(
      'EcrCleaner: invalid props:\n  gracePeriodDays must be known at synth time, got a token: it decides whether the role may read the earlier plans. Write the number in the app or in cdk.json',
    );
  });
});
