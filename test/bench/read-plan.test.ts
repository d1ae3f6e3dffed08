import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readPlan } from './read-plan';

const decision = (digest: string, artifact: string, action: 'keep' | 'delete'): Record<string, unknown> => ({ digest, artifact, action, reasons: [action === 'delete' ? 'unused' : 'in-use'] });

/** A plan whose strings hold every character that the scanner must not take for structure. */
function plan(): Record<string, unknown> {
  return {
    mode: 'delete',
    account: '123456789012',
    now: '2026-01-01T00:00:00.000Z',
    durationMs: 1234,
    warnings: ['a "quoted" {brace}, [bracket]: colon', 'back\\slash \\" and ünïcödé ✓'],
    inUse: { sources: ['ECS tasks'], complete: true, problems: [], references: [{ reference: 'x/y:{z}', digest: 'sha256:1' }] },
    repositories: [
      { name: 'a,b]', decisions: [...Array.from({ length: 150 }, (_, n) => decision(`sha256:a${n}`, `sha256:a${n}`, 'delete')), decision('sha256:k', 'sha256:k', 'keep')] },
      { name: 'multi', decisions: [decision('sha256:i', 'sha256:i', 'delete'), decision('sha256:c1', 'sha256:i', 'delete'), decision('sha256:c2', 'sha256:i', 'delete')] },
      { name: 'kept', decisions: [decision('sha256:q', 'sha256:q', 'keep')] },
    ],
    errors: [],
    totals: { manifests: 155, toDelete: 153, deleted: 153 },
    apiCalls: { total: 9, retries: 1, byOperation: { 'ECR.DescribeImages': 3, 'ECR.BatchDeleteImage': 4, 'ECR.DescribeRepositories': 1, 'STS.GetCallerIdentity': 1 } },
  };
}

describe('readPlan', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'read-plan-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it.each([1, 2, 3, 7, 64, 1 << 20])('reads the small members and counts the deletion calls of every repository, in chunks of %i bytes', (chunkBytes) => {
    const file = path.join(folder, 'plan.json');
    writeFileSync(file, `${JSON.stringify(plan(), null, 2)}\n`);

    const figures = readPlan(file, chunkBytes);

    expect(figures).toEqual({
      mode: 'delete',
      durationMs: 1234,
      totals: { manifests: 155, toDelete: 153, deleted: 153 },
      apiCalls: plan().apiCalls,
      // 150 images in 2 calls; an index and, after it, its 2 children in 1 call each.
      deleteCalls: 4,
    });
  });

  it('reads a plan written without indentation', () => {
    const file = path.join(folder, 'plan.json');
    writeFileSync(file, JSON.stringify(plan()));

    expect(readPlan(file, 5).deleteCalls).toBe(4);
  });

  it('names the member a plan lacks', () => {
    const file = path.join(folder, 'plan.json');
    const withoutCalls = plan();
    delete withoutCalls.apiCalls;
    writeFileSync(file, JSON.stringify(withoutCalls));

    expect(() => readPlan(file)).toThrow(`${file}: the plan has no "apiCalls"`);
  });
});
