import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { readPlan } from './read-plan';

const decision = (digest: string, action: 'keep' | 'delete'): Record<string, unknown> => ({ digest, action, reasons: [action === 'delete' ? 'unused' : 'in-use'] });
const artifact = (repository: string, digest: string, action: 'keep' | 'delete', members: string[] = []): Record<string, unknown> => ({
  type: 'artifact',
  repository,
  digest,
  action,
  decisions: [decision(digest, action), ...members.map((member) => decision(member, action))],
});

/** A plan whose strings hold every character that the reader must not take for structure. */
function plan(): Record<string, unknown>[] {
  return [
    {
      type: 'run',
      mode: 'delete',
      account: '123456789012',
      now: '2026-01-01T00:00:00.000Z',
      durationMs: 1234,
      warnings: ['a "quoted" {brace}, [bracket]: colon\nnew line', 'back\\slash \\" and ünïcödé ✓'],
      inUse: { sources: ['ECS tasks'], complete: true, problems: [], references: [{ reference: 'x/y:{z}', digest: 'sha256:1' }] },
      errors: [],
      totals: { manifests: 155, toDelete: 153, deleted: 153 },
      apiCalls: { total: 9, retries: 1, byOperation: { 'ECR.DescribeImages': 3, 'ECR.BatchDeleteImage': 4, 'ECR.DescribeRepositories': 1, 'STS.GetCallerIdentity': 1 } },
      repositories: 3,
    },
    { type: 'repository', name: 'a,b]' },
    ...Array.from({ length: 150 }, (_, n) => artifact('a,b]', `sha256:a${n}`, 'delete')),
    artifact('a,b]', 'sha256:k', 'keep'),
    { type: 'repository', name: 'multi' },
    artifact('multi', 'sha256:i', 'delete', ['sha256:c1', 'sha256:c2']),
    { type: 'repository', name: 'kept' },
    artifact('kept', 'sha256:q', 'keep'),
  ];
}

const lines = (records: Record<string, unknown>[]): string => records.map((record) => `${JSON.stringify(record)}\n`).join('');

describe('readPlan', () => {
  let folder: string;
  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'read-plan-'));
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it.each([1, 2, 3, 7, 64, 1 << 20])('reads the run and counts the deletion calls of every repository, in chunks of %i bytes', (chunkBytes) => {
    const file = path.join(folder, 'plan.jsonl');
    writeFileSync(file, lines(plan()));

    const figures = readPlan(file, chunkBytes);

    expect(figures).toEqual({
      mode: 'delete',
      durationMs: 1234,
      totals: { manifests: 155, toDelete: 153, deleted: 153 },
      apiCalls: (plan()[0] as { apiCalls: unknown }).apiCalls,
      // 150 images in 2 calls; an index and, after it, its 2 children in 1 call each.
      deleteCalls: 4,
    });
  });

  it('names the member a plan lacks', () => {
    const file = path.join(folder, 'plan.jsonl');
    const [run, ...rest] = plan();
    delete run.apiCalls;
    writeFileSync(file, lines([run, ...rest]));

    expect(() => readPlan(file)).toThrow(`${file}: the plan has no "apiCalls"`);
  });

  it('refuses a plan that does not start with the run, or whose last line is cut', () => {
    const file = path.join(folder, 'plan.jsonl');
    writeFileSync(file, lines(plan().slice(1)));
    expect(() => readPlan(file)).toThrow(`${file}: the plan does not start with the run`);

    writeFileSync(file, lines(plan()).slice(0, -1));
    expect(() => readPlan(file)).toThrow(`${file}: the plan's last line has no newline`);
  });
});
