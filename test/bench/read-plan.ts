/**
 * Reads what the benchmark needs of a JSON plan (`--json`) without holding the plan: a plan of a million
 * images is about a gigabyte, more than a string can hold. The file is scanned in chunks; each top-level
 * member is parsed on its own, and each element of `repositories` is parsed, reduced to its deletion
 * calls, and dropped.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { RunReport } from '../../lambda/core/report';
import { deleteCallsOf } from './account';

/** The plan's small members, and the fewest BatchDeleteImage calls for its deletions. */
export interface PlanFigures extends Pick<RunReport, 'mode' | 'durationMs' | 'totals' | 'apiCalls'> {
  readonly deleteCalls: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPENS = new Set([0x7b, 0x5b]);
const CLOSES = new Set([0x7d, 0x5d]);
const SPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);

/** Reads the plan at `file`; throws if it is not one JSON object with the members the benchmark needs. */
export function readPlan(file: string, chunkBytes = 1 << 20): PlanFigures {
  const members: Record<string, unknown> = {};
  let deleteCalls = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let afterColon = false;
  let key = '';
  let keyPieces: Buffer[] | undefined;
  let pieces: Buffer[] | undefined;
  let captureFrom = -1;
  let captureDepth = 0;

  const finish = (): void => {
    const text = Buffer.concat(pieces ?? []).toString('utf8').trim();
    pieces = undefined;
    if (captureDepth === 2) deleteCalls += deleteCallsOf(JSON.parse(text) as RunReport['repositories'][number]);
    else members[key] = JSON.parse(text);
  };

  const descriptor = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  try {
    for (let length = readSync(descriptor, buffer); length > 0; length = readSync(descriptor, buffer)) {
      const chunk = buffer.subarray(0, length);
      if (pieces) captureFrom = 0;
      for (let i = 0; i < length; i += 1) {
        const byte = chunk[i];
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) {
            inString = false;
            if (keyPieces) {
              key = Buffer.concat([...keyPieces, Buffer.from(chunk.subarray(captureFrom, i + 1))]).toString('utf8');
              key = JSON.parse(key) as string;
              keyPieces = undefined;
              captureFrom = -1;
            }
          }
          continue;
        }
        // A value ends at a comma or a closing bracket of the level that holds it.
        if (pieces && depth === captureDepth && (byte === COMMA || CLOSES.has(byte))) {
          pieces.push(Buffer.from(chunk.subarray(captureFrom, i)));
          finish();
          captureFrom = -1;
        }
        if (!pieces && !SPACE.has(byte) && byte !== COMMA && !CLOSES.has(byte) && byte !== COLON) {
          // A value starts: a top-level member's (but `repositories`, whose elements are read one by one), or a repository.
          if (depth === 1 && afterColon && key !== 'repositories') [pieces, captureDepth, captureFrom] = [[], 1, i];
          else if (depth === 2 && key === 'repositories') [pieces, captureDepth, captureFrom] = [[], 2, i];
          else if (depth === 1 && !afterColon && byte === QUOTE) [keyPieces, captureFrom] = [[], i];
        }
        if (byte === QUOTE) inString = true;
        else if (OPENS.has(byte)) depth += 1;
        else if (CLOSES.has(byte)) depth -= 1;
        else if (depth === 1 && byte === COLON) afterColon = true;
        else if (depth === 1 && byte === COMMA) afterColon = false;
      }
      if (pieces && captureFrom >= 0) pieces.push(Buffer.from(chunk.subarray(captureFrom, length)));
      if (keyPieces && captureFrom >= 0) keyPieces.push(Buffer.from(chunk.subarray(captureFrom, length)));
      if (keyPieces) captureFrom = 0;
    }
  } finally {
    closeSync(descriptor);
  }
  for (const name of ['mode', 'durationMs', 'totals', 'apiCalls']) {
    if (members[name] === undefined) throw new Error(`${file}: the plan has no "${name}"`);
  }
  const { mode, durationMs, totals, apiCalls } = members as Pick<RunReport, 'mode' | 'durationMs' | 'totals' | 'apiCalls'>;
  return { mode, durationMs, totals, apiCalls, deleteCalls };
}
