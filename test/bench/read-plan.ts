/**
 * Reads what the benchmark needs of a plan (`--json`, JSON Lines) without holding the plan: a plan of a
 * million images is hundreds of megabytes. The file is read in chunks and parsed a line at a time; the
 * run's record gives the figures, and each repository's artifacts are reduced to the fewest deletion
 * calls they need, and dropped.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { ArtifactReport, RunReport } from '../../lambda/core/report';
import { deleteCallsOf } from './account';

/** The plan's small members, and the fewest BatchDeleteImage calls for its deletions. */
export interface PlanFigures extends Pick<RunReport, 'mode' | 'durationMs' | 'totals' | 'apiCalls'> {
  readonly deleteCalls: number;
}

const NEWLINE = 0x0a;

/** Reads the plan at `file`; throws if its first line is not the run with the members the benchmark needs. */
export function readPlan(file: string, chunkBytes = 1 << 20): PlanFigures {
  let run: Record<string, unknown> | undefined;
  let deleteCalls = 0;
  let artifacts: Pick<ArtifactReport, 'digest' | 'decisions'>[] = [];
  const endRepository = (): void => {
    deleteCalls += deleteCallsOf(artifacts);
    artifacts = [];
  };
  const take = (line: string): void => {
    const record = JSON.parse(line) as { type: string } & Record<string, unknown>;
    if (run === undefined) {
      if (record.type !== 'run') throw new Error(`${file}: the plan does not start with the run`);
      run = record;
    } else if (record.type === 'repository') endRepository();
    else if (record.type === 'artifact') artifacts.push(record as unknown as Pick<ArtifactReport, 'digest' | 'decisions'>);
  };

  const descriptor = openSync(file, 'r');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  let pieces: Buffer[] = [];
  try {
    for (let length = readSync(descriptor, buffer); length > 0; length = readSync(descriptor, buffer)) {
      let start = 0;
      for (let end = buffer.indexOf(NEWLINE, start); end >= 0 && end < length; end = buffer.indexOf(NEWLINE, start)) {
        pieces.push(Buffer.from(buffer.subarray(start, end)));
        take(Buffer.concat(pieces).toString('utf8'));
        pieces = [];
        start = end + 1;
      }
      if (start < length) pieces.push(Buffer.from(buffer.subarray(start, length)));
    }
  } finally {
    closeSync(descriptor);
  }
  if (pieces.length > 0) throw new Error(`${file}: the plan's last line has no newline`);
  endRepository();
  for (const name of ['mode', 'durationMs', 'totals', 'apiCalls']) {
    if (run?.[name] === undefined) throw new Error(`${file}: the plan has no "${name}"`);
  }
  const { mode, durationMs, totals, apiCalls } = run as unknown as Pick<RunReport, 'mode' | 'durationMs' | 'totals' | 'apiCalls'>;
  return { mode, durationMs, totals, apiCalls, deleteCalls };
}
