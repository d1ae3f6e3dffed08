/**
 * Reads what the benchmark needs of a plan (`--json`, JSON Lines) without holding the plan: a plan of a
 * million images is hundreds of megabytes. The file is read a line at a time (`readPlanRecords`); the
 * run's record gives the figures, and each repository's artifacts are reduced to the fewest deletion
 * calls they need, and dropped.
 */
import type { ArtifactReport, RunReport } from '../../lambda/core/report';
import { readPlanRecords } from '../support/report';
import { deleteCallsOf } from './account';

/** The plan's small members, and the fewest BatchDeleteImage calls for its deletions. */
export interface PlanFigures extends Pick<RunReport, 'mode' | 'durationMs' | 'totals' | 'apiCalls'> {
  readonly deleteCalls: number;
}

/** Reads the plan at `file`; throws if its first line is not the run with the members the benchmark needs. */
export function readPlan(file: string, chunkBytes = 1 << 20): PlanFigures {
  let run: Record<string, unknown> | undefined;
  let deleteCalls = 0;
  let artifacts: Pick<ArtifactReport, 'digest' | 'decisions'>[] = [];
  const endRepository = (): void => {
    deleteCalls += deleteCallsOf(artifacts);
    artifacts = [];
  };
  readPlanRecords(
    file,
    (record) => {
      if (record.type === 'run') run = record;
      else if (record.type === 'repository') endRepository();
      else if (record.type === 'artifact') artifacts.push(record as unknown as Pick<ArtifactReport, 'digest' | 'decisions'>);
    },
    chunkBytes,
  );
  endRepository();
  for (const name of ['mode', 'durationMs', 'totals', 'apiCalls']) {
    if (run?.[name] === undefined) throw new Error(`${file}: the plan has no "${name}"`);
  }
  const { mode, durationMs, totals, apiCalls } = run as unknown as Pick<RunReport, 'mode' | 'durationMs' | 'totals' | 'apiCalls'>;
  return { mode, durationMs, totals, apiCalls, deleteCalls };
}
