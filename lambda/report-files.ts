/**
 * Writes the report files (`to_delete.csv`, the JSON plan) as streams: their text arrives in chunks
 * from the core's generators and leaves in batches of bounded size, so that no string of a whole file
 * is built, however large the plan.
 */
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';

/** How the CLI's summary names each file that it wrote, by flag. */
export const FILE_LABELS: Readonly<Record<string, string>> = {
  '--csv': 'Planned deletions',
  '--json': 'Whole plan',
  '--html': 'The plan as a page (open it in a browser)',
  '--metrics': 'Metrics (EMF)',
};

/** Chunks are gathered up to this many characters before each write: few writes, bounded memory. */
const BATCH_CHARS = 64 * 1024;

/**
 * Writes the chunks to a file, created or truncated, and resolves once it is flushed and closed.
 *
 * @throws the file system's error (with its `code`, such as `ENOENT` or `ENOSPC`) when the file cannot
 *   be opened or written
 */
export async function writeFileInChunks(file: string, chunks: Iterable<string>): Promise<void> {
  await writeChunks(createWriteStream(file), chunks);
}

/**
 * Writes the chunks to a stream, in batches, waiting for `drain` whenever the stream asks to (so a slow
 * stream holds at most one batch beyond its buffer), then ends it and waits until it is finished.
 *
 * @throws the stream's error, as soon as it has one; the stream is then destroyed
 */
export async function writeChunks(stream: Writable, chunks: Iterable<string>): Promise<void> {
  try {
    await appendChunks(stream, chunks);
    stream.end();
    await finished(stream);
  } catch (error) {
    stream.destroy();
    throw error;
  }
}

/**
 * Writes the chunks to a stream, in batches, and leaves it open for more: a fan-out appends each
 * target's part to one file as the target finishes.
 *
 * @throws the stream's error, as soon as it has one
 */
export async function appendChunks(stream: Writable, chunks: Iterable<string>): Promise<void> {
  // An error that comes between two waits is kept in `stream.errored`, and thrown at the next step.
  if (!stream.listeners('error').includes(keepForNextStep)) stream.on('error', keepForNextStep);
  let batch = '';
  for (const chunk of chunks) {
    batch += chunk;
    if (batch.length < BATCH_CHARS) continue;
    await write(stream, batch);
    batch = '';
  }
  if (batch.length > 0) await write(stream, batch);
  failIfBroken(stream);
}

/** Ends a stream that `appendChunks` wrote to, and waits until the file is flushed and closed. */
export async function endChunks(stream: Writable): Promise<void> {
  try {
    failIfBroken(stream);
    stream.end();
    await finished(stream);
  } catch (error) {
    stream.destroy();
    throw error;
  }
}

/** Writes one batch, and waits for `drain` when the stream's buffer is full. */
async function write(stream: Writable, batch: string): Promise<void> {
  failIfBroken(stream);
  if (stream.write(batch)) return;
  await drained(stream);
}

function keepForNextStep(): void {
  // `stream.errored` holds it.
}

function failIfBroken(stream: Writable): void {
  if (stream.errored) throw stream.errored;
  if (stream.destroyed) throw new Error('the stream was closed before everything was written');
}

/** Resolves on the stream's next `drain`; rejects on its error, or when it closes first. */
function drained(stream: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (error?: Error): void => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => settle();
    const onError = (error: Error): void => settle(error);
    const onClose = (): void => settle(stream.errored ?? new Error('the stream was closed before everything was written'));
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/** Writes to a stream such as stdout, and waits while it asks to: long output never piles up in memory. */
export async function writeOut(stdout: { write(text: string): unknown; once?(event: 'drain', listener: () => void): unknown }, text: string): Promise<void> {
  const once = stdout.once?.bind(stdout);
  if (stdout.write(text) === false && once) await new Promise<void>((resolve) => once('drain', resolve));
}
