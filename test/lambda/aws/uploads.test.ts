import { PART_BYTES, uploadLines } from '../../../lambda/aws/uploads';
import { AwsCallError } from '../../../lambda/errors';
import type { Fixture } from '../../emulator/fixture';
import type { Emulator } from '../../emulator/server';
import { destroy, restoreEnv, startWith } from '../../support/aws';

afterAll(restoreEnv);

/** Lines of about 100 bytes, `count` of them. */
function lines(count: number): string[] {
  return Array.from({ length: count }, (_, n) => `app,sha256:${String(n).padStart(64, '0')},v${n},2026-11-26T03:00:00.000Z,${n}\n`);
}

async function upload(body: readonly string[], fixture: Partial<Fixture> = {}): Promise<{ outcome: unknown; emulator: Emulator }> {
  const { emulator, aws, calls } = await startWith({ repositories: [], buckets: ['audit'], ...fixture }, { maxAttempts: 2 });
  try {
    return { outcome: await uploadLines(aws.s3, calls, 's3://audit/runs/plan.csv', body, 'text/csv').catch((error: unknown) => error), emulator };
  } finally {
    destroy(aws);
  }
}

let started: Emulator | undefined;
afterEach(async () => {
  await started?.stop();
  started = undefined;
});

describe('uploadLines', () => {
  it('writes a small text with one PutObject, byte for byte', async () => {
    const body = lines(10);
    const { outcome, emulator } = await upload(body);
    started = emulator;

    expect(outcome).toBe(Buffer.byteLength(body.join('')));
    expect(emulator.s3.object('audit', 'runs/plan.csv')?.body.toString('utf8')).toBe(body.join(''));
    expect(emulator.s3.object('audit', 'runs/plan.csv')?.contentType).toBe('text/csv');
    expect(emulator.calls.map((call) => call.operation)).toEqual(['S3.PutObject']);
  });

  it('writes a text larger than a part as a multipart upload of 8 MiB parts, one part held at a time', async () => {
    const body = lines(Math.ceil((2.5 * PART_BYTES) / 100));
    const { outcome, emulator } = await upload(body);
    started = emulator;

    const text = body.join('');
    expect(outcome).toBe(Buffer.byteLength(text));
    expect(emulator.s3.object('audit', 'runs/plan.csv')?.body.equals(Buffer.from(text))).toBe(true);
    expect(emulator.calls.map((call) => call.operation)).toEqual(['S3.CreateMultipartUpload', 'S3.UploadPart', 'S3.UploadPart', 'S3.UploadPart', 'S3.CompleteMultipartUpload']);
    expect(emulator.s3.uploads()).toEqual([]);
  });

  it('aborts the multipart upload when a part cannot be written, leaves no parts behind, and says why', async () => {
    const body = lines(Math.ceil((1.5 * PART_BYTES) / 100));
    const { outcome, emulator } = await upload(body, { faults: { errors: [{ operation: 'S3.UploadPart', code: 'AccessDeniedException' }] } });
    started = emulator;

    expect(outcome).toBeInstanceOf(AwsCallError);
    expect((outcome as AwsCallError).code).toBe('AccessDenied');
    expect(emulator.calls.map((call) => call.operation)).toEqual(['S3.CreateMultipartUpload', 'S3.UploadPart', 'S3.AbortMultipartUpload']);
    expect(emulator.s3.uploads()).toEqual([]);
    expect(emulator.s3.object('audit', 'runs/plan.csv')).toBeUndefined();
  });

  it('fails on a bucket that does not exist', async () => {
    const { outcome, emulator } = await upload(lines(3), { buckets: [] });
    started = emulator;

    expect((outcome as AwsCallError).code).toBe('NoSuchBucket');
  });
});
