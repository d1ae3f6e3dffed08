import { MAX_OBJECT_BYTES, readObjectText } from '../../../lambda/aws/objects';
import { AwsCallError, EcrMaintainerError } from '../../../lambda/errors';
import type { Fixture } from '../../emulator/fixture';
import type { Emulator } from '../../emulator/server';
import { destroy, restoreEnv, startWith } from '../../support/aws';

afterAll(restoreEnv);

const LIST = '123456789012.dkr.ecr.eu-west-2.amazonaws.com/app:1.2\n# a comment\nöffentlich/ünïcode:1\n';
const OBJECTS: Fixture['objects'] = [
  { bucket: 'ops-config', key: 'ecr/in-use images.txt', body: LIST },
  { bucket: 'ops-config', key: 'empty.txt', body: '' },
];

async function read(uri: string, fixture: Partial<Fixture> = {}): Promise<{ outcome: unknown; emulator: Emulator }> {
  const { emulator, aws, calls } = await startWith({ repositories: [], objects: OBJECTS, ...fixture }, { maxAttempts: 3 });
  try {
    return { outcome: await readObjectText(aws.s3, calls, uri).catch((error: unknown) => error), emulator };
  } finally {
    destroy(aws);
    await emulator.stop();
  }
}

describe('readObjectText', () => {
  it('reads an object as UTF-8 text, with a key that has a folder and a space, path style against the emulator', async () => {
    const { outcome, emulator } = await read('s3://ops-config/ecr/in-use images.txt');

    expect(outcome).toBe(LIST);
    expect(emulator.callsOf('S3.GetObject')).toEqual([{ operation: 'S3.GetObject', params: { Bucket: 'ops-config', Key: 'ecr/in-use images.txt' }, outcome: 'ok' }]);
  });

  it('reads an empty object as an empty text', async () => {
    expect((await read('s3://ops-config/empty.txt')).outcome).toBe('');
  });

  it.each([
    ['s3://ops-config/missing.txt', 'NoSuchKey'],
    ['s3://other-bucket/list.txt', 'NoSuchBucket'],
  ])('throws an AwsCallError for %s with the code %s', async (uri, code) => {
    const { outcome } = await read(uri);

    expect(outcome).toBeInstanceOf(AwsCallError);
    expect(outcome).toMatchObject({ operation: 'S3.GetObject', code, message: expect.stringContaining(`S3.GetObject failed for ${uri}: ${code}`) });
  });

  it('throws an AwsCallError with the code AccessDenied when the role may not read the object', async () => {
    const { outcome } = await read('s3://ops-config/empty.txt', { faults: { errors: [{ operation: 'S3.GetObject' }] } });

    expect(outcome).toMatchObject({ name: 'AwsCallError', code: 'AccessDenied', message: 'S3.GetObject failed for s3://ops-config/empty.txt: AccessDenied: Access Denied' });
  });

  it("retries S3's SlowDown", async () => {
    const { outcome, emulator } = await read('s3://ops-config/empty.txt', { faults: { errors: [{ operation: 'S3.GetObject', code: 'ThrottlingException', times: 1 }] } });

    expect(outcome).toBe('');
    expect(emulator.callsOf('S3.GetObject').map((call) => call.outcome)).toEqual(['SlowDown', 'ok']);
  });

  it('refuses an object larger than 10 MiB, and reads one of exactly 10 MiB', async () => {
    const objects = [
      { bucket: 'big', key: 'over', body: 'x'.repeat(MAX_OBJECT_BYTES + 1) },
      { bucket: 'big', key: 'limit', body: 'x'.repeat(MAX_OBJECT_BYTES) },
    ];

    const over = await read('s3://big/over', { objects });
    const limit = await read('s3://big/limit', { objects });

    expect(over.outcome).toBeInstanceOf(EcrMaintainerError);
    expect((over.outcome as Error).message).toBe(`s3://big/over is larger than the 10 MiB (10485760 bytes) that the cleaner reads: ${MAX_OBJECT_BYTES + 1} bytes or more`);
    expect(limit.outcome).toHaveLength(MAX_OBJECT_BYTES);
  });

  it.each(['ops-config/list.txt', 's3://ops-config', 's3://ops-config/', 'https://ops-config.s3.amazonaws.com/list.txt', 's3://Ops_Config/list.txt', 's3:///list.txt'])(
    'refuses the URI %s before any call, naming the expected form',
    async (uri) => {
      const { outcome, emulator } = await read(uri);

      expect(outcome).toBeInstanceOf(EcrMaintainerError);
      expect((outcome as Error).message).toContain(`an S3 object must be given as s3://<bucket>/<key>, such as s3://my-bucket/in-use-images.txt; got "${uri}": `);
      expect(emulator.calls).toEqual([]);
    },
  );
});
