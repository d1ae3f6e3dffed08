import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { planLines } from '../../lambda/core/report';
import { writeChunks, writeFileInChunks } from '../../lambda/report-files';
import { repositoryReport, runReport } from '../support/report';

const folders: string[] = [];

function folder(): string {
  const made = mkdtempSync(path.join(tmpdir(), 'report-files-'));
  folders.push(made);
  return made;
}

afterEach(() => {
  for (const made of folders.splice(0)) rmSync(made, { recursive: true, force: true });
});

/** A stream that takes a tick per write and keeps what it got; it counts the characters written so far. */
class SlowStream extends Writable {
  text = '';

  constructor(highWaterMark: number, private readonly failAtWrite?: number) {
    super({ highWaterMark, decodeStrings: false });
  }

  writes = 0;

  override _write(chunk: string, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.writes += 1;
    const failing = this.writes === this.failAtWrite;
    setImmediate(() => {
      if (failing) return callback(new Error('disk full'));
      this.text += chunk;
      callback();
    });
  }
}

/** `count` chunks of `size` characters; `pulled` says how many characters were taken so far. */
function counted(count: number, size: number): { chunks: Iterable<string>; pulled: () => number } {
  let pulled = 0;
  function* chunks(): Generator<string> {
    for (let index = 0; index < count; index += 1) {
      const chunk = String(index % 10).repeat(size);
      pulled += chunk.length;
      yield chunk;
    }
  }
  return { chunks: chunks(), pulled: () => pulled };
}

describe('writeFileInChunks', () => {
  it('writes the chunks into the file, in order: the JSON Lines plan, a record a line', async () => {
    const report = runReport({ repositories: [repositoryReport('api', 2, 10, ['v1', 'v2']), repositoryReport('web', 0, 0, ['live'])] });
    const file = path.join(folder(), 'plan.jsonl');
    const artifacts = (): { repository: (typeof report.repositories)[number]; artifacts: [] }[] => report.repositories.map((repository) => ({ repository, artifacts: [] }));

    await writeFileInChunks(file, planLines(report, artifacts));

    const { repositories, ...run } = report;
    expect(readFileSync(file, 'utf8')).toBe(
      [{ type: 'run', ...run, repositories: 2 }, ...repositories.map((repository) => ({ type: 'repository', account: report.account, region: report.region, ...repository }))].map((record) => `${JSON.stringify(record)}\n`).join(''),
    );
  });

  it('writes a file larger than one batch whole', async () => {
    const file = path.join(folder(), 'big.txt');
    const { chunks } = counted(3000, 100);

    await writeFileInChunks(file, chunks);

    const text = readFileSync(file, 'utf8');
    expect(text).toHaveLength(300_000);
    expect(text.slice(299_900)).toBe('9'.repeat(100));
  });

  it('rejects with the file system error when the folder does not exist', async () => {
    const file = path.join(folder(), 'missing', 'to_delete.csv');

    await expect(writeFileInChunks(file, ['repository,digest\n'])).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('writeChunks', () => {
  it('waits for drain on a slow stream, so that it holds at most a batch beyond the stream buffer', async () => {
    const stream = new SlowStream(16 * 1024);
    const { chunks, pulled } = counted(1000, 1024);
    let mostHeld = 0;
    stream.on('drain', () => (mostHeld = Math.max(mostHeld, pulled() - stream.text.length)));
    const checkEveryTick = setInterval(() => (mostHeld = Math.max(mostHeld, pulled() - stream.text.length)), 0);

    await writeChunks(stream, chunks).finally(() => clearInterval(checkEveryTick));

    expect(stream.text).toHaveLength(1000 * 1024);
    // Without waiting for drain, all 1,000 KiB would be taken from the generator before the first write ends.
    expect(mostHeld).toBeGreaterThan(0);
    expect(mostHeld).toBeLessThanOrEqual(16 * 1024 + 64 * 1024 + 1024);
  });

  it('rejects with the stream error when a write fails, and takes no more chunks after it', async () => {
    const stream = new SlowStream(1024, 2);
    const { chunks, pulled } = counted(1000, 1024);

    await expect(writeChunks(stream, chunks)).rejects.toThrow('disk full');

    expect(pulled()).toBeLessThan(1000 * 1024);
    expect(stream.destroyed).toBe(true);
  });
});
