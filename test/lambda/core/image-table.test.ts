import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ImageTable, ImageTableBuilder } from '../../../lambda/core/image-table';
import type { ImageRecord } from '../../../lambda/core/types';
import { INDEX, digestOf, image } from './builders';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/** The bytes that the process holds on the heap and in array buffers (typed arrays, Buffers), after a full collection. */
function heldBytes(): number {
  collect();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

describe('ImageTable', () => {
  it('gives back every record as it was added: tags, instants, sizes, media types, subjects and pulls', () => {
    const records: ImageRecord[] = [
      image('plain', { repository: 'app' }),
      image('tagged', { repository: 'app', tags: ['v1'], pulledDaysAgo: 3, sizeBytes: 5_000_000_000 }),
      image('many', { repository: 'app', tags: ['a', 'b', 'latest'], index: true }),
      { ...image('sig', { repository: 'app', subject: 'tagged' }), artifactMediaType: 'application/vnd.dev.cosign.artifact.sig.v1+json' },
      { ...image('odd', { repository: 'app' }), digest: 'sha512:abc' },
    ];

    const table = ImageTable.from('app', records);

    expect(table.size).toBe(5);
    expect(table.records()).toEqual(records);
    expect(table.records()[2].mediaType).toBe(INDEX);
    expect(table.records()[3].subjectDigest).toBe(digestOf('tagged'));
  });

  it('grows past its first capacity, page by page, and keeps the order of adding', () => {
    const builder = new ImageTableBuilder('big');
    const records = Array.from({ length: 2500 }, (_, n) => image(`i${n}`, { repository: 'big', tags: [`v${n}`], pushedDaysAgo: n % 400 }));
    for (const record of records) builder.add(record);

    const table = builder.build();

    expect(table.records().map((record) => record.digest)).toEqual(records.map((record) => record.digest));
    expect(table.records()[2499]).toEqual(records[2499]);
  });

  it('holds a listed image in fewer than 160 bytes, under half of what a record of it costs', () => {
    const count = 50_000;
    const records = (): ImageRecord[] => Array.from({ length: count }, (_, n) => image(`i${n}`, { repository: 'big', tags: [`release-${n}`] }));

    const beforeRecords = heldBytes();
    const asRecords = records();
    const recordBytes = (heldBytes() - beforeRecords) / count;

    const table = ImageTable.from('big', asRecords);
    asRecords.length = 0;
    const tableBytes = (heldBytes() - beforeRecords) / count;

    expect(table.size).toBe(count);
    // A digest is 32 bytes, three numbers 24, two media types 8, a tag its own string: about 110 bytes.
    expect(tableBytes).toBeLessThan(160);
    expect(tableBytes).toBeLessThan(recordBytes / 2);
  });
});
