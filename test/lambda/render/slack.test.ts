import type { RunReport } from '../../../lambda/core/report';
import { renderSlackMessage, splitMessage } from '../../../lambda/render/slack';
import { repositoryReport, runReport } from '../../support/report';

/** Text made of numbered lines of varied length, some of them blank, one very long. */
function sampleText(lines: number): string {
  return Array.from({ length: lines }, (_, n) => (n % 7 === 3 ? '' : n === 11 ? `line ${n} ${'x'.repeat(500)}` : `line ${n} ${'y'.repeat((n * 13) % 80)}`)).join('\n');
}

const LABEL = /^\(part (\d+)\/(\d+)\)\n/;

describe('splitMessage', () => {
  it('leaves a message that fits alone', () => {
    expect(splitMessage('short\nmessage', 13)).toEqual(['short\nmessage']);
  });

  it('splits at line boundaries into numbered parts, in order', () => {
    const parts = splitMessage('aaaa\nbbbb\ncccc\ndddd\neeee', 22);

    expect(parts).toEqual(['(part 1/3)\naaaa\nbbbb', '(part 2/3)\ncccc\ndddd', '(part 3/3)\neeee']);
  });

  it('cuts a line longer than a part, and keeps the rest of the message', () => {
    const parts = splitMessage(`${'z'.repeat(100)}\nnext`, 40);

    expect(parts).toEqual([`(part 1/2)\n${'z'.repeat(28)}…`, '(part 2/2)\nnext']);
  });

  it.each([1, 2, 5, 10, 19, 20, 21, 22, 25, 33, 40, 64, 99, 100, 150, 256, 1000, 4000])(
    'keeps every part within a maximum of %d, and loses no line',
    (max) => {
      const text = sampleText(60);

      const parts = splitMessage(text, max);

      for (const part of parts) expect(part.length).toBeLessThanOrEqual(max);
      const labelled = parts.length > 1 && LABEL.test(parts[0]);
      if (labelled) {
        parts.forEach((part, position) => expect(LABEL.exec(part)?.slice(1)).toEqual([String(position + 1), String(parts.length)]));
      }
      const body = parts.map((part) => part.replace(LABEL, '')).join('\n').split('\n');
      const expected = text.split('\n').filter((line) => line !== '');
      const received = body.filter((line) => line !== '');
      expect(received).toHaveLength(expected.length);
      received.forEach((line, position) => {
        const original = expected[position];
        if (line.endsWith('…') && line.length < original.length) expect(original.startsWith(line.slice(0, -1))).toBe(true);
        else expect(original.startsWith(line)).toBe(true);
      });
    },
  );
});

function report(overrides: Partial<RunReport> = {}): RunReport {
  return runReport({
    repositories: [
      repositoryReport('small', 1, 1_000),
      repositoryReport('big', 20, 9_000_000_000, ['v1.2', 'v1.3']),
      repositoryReport('quiet', 0, 0, ['stable']),
      { ...repositoryReport('locked', 0, 0), status: 'error', error: 'could not list repository locked: AccessDeniedException: <denied>' },
    ],
    errors: [{ kind: 'repository', repository: 'locked', message: 'could not list repository locked: AccessDeniedException: <denied>' }],
    totals: {
      repositories: 4,
      repositoriesExcluded: 0,
      repositoriesWithErrors: 1,
      images: 28,
      manifests: 28,
      kept: 7,
      keptByReason: { inUse: 3, protectedTag: 0, recent: 4, recentlyPulled: 0, minCount: 0, inUseUnknown: 0 },
      toDelete: 21,
      manifestsToDelete: 21,
      deleted: 0,
      manifestsDeleted: 0,
      failed: 0,
      marked: 0,
      reclaimableBytes: 9_000_001_000,
      reclaimedBytes: 0,
      reclaimableUsdPerMonth: 0.84,
      reclaimedUsdPerMonth: 0,
      errors: 1,
    },
    ...overrides,
  });
}

describe('renderSlackMessage', () => {
  it('states the account, region, mode and totals, then the repositories to act on, largest first', () => {
    expect(renderSlackMessage(report())).toBe(
      [
        '*ECR Maintainer* · *DRY RUN* · account 123456789012 · eu-west-2',
        'Scanned 4 repositories and 28 images. Kept 7: 3 in use, 4 recent, 0 among the newest 3.',
        'To delete: 21 images, 9.0 GB (about $0.84/month). Nothing was deleted: this is a dry run.',
        'Errors: 1.',
        '',
        '• *big*: 20 to delete (9.0 GB, $0.84/month): `old-1`, `old-2`, `old-3`, `old-4`, `old-5` and 15 more; kept 3 (in use: `v1.2`, `v1.3`)',
        '• *small*: 1 to delete (1.0 kB, $0.00/month): `old-1`; kept 1',
        '• *locked*: ERROR: could not list repository locked: AccessDeniedException: &lt;denied&gt;',
        '',
        '*Errors*',
        '• could not list repository locked: AccessDeniedException: &lt;denied&gt;',
      ].join('\n'),
    );
  });

  it('says what was deleted, and warns when deletion was blocked', () => {
    const text = renderSlackMessage(
      report({ mode: 'delete', deletionBlocked: 'in-use discovery was incomplete (1 problem), so no image was deleted anywhere' }),
    );

    expect(text.split('\n').slice(0, 5)).toEqual([
      '*ECR Maintainer* · *DELETE* · account 123456789012 · eu-west-2',
      'Scanned 4 repositories and 28 images. Kept 7: 3 in use, 4 recent, 0 among the newest 3.',
      'Deleted: 0 images of 21, 0 B reclaimed (about $0.00/month).',
      'Errors: 1.',
      ':warning: *Nothing was deleted*: in-use discovery was incomplete (1 problem), so no image was deleted anywhere.',
    ]);
  });

  it('names what a deleting run deleted, counts failures in images as it counts deletions, and prices the saving', () => {
    const base = report();
    const big = { ...repositoryReport('big', 20, 9_000_000_000), deleted: 12, failed: 1, reclaimedBytes: 5_000_000_000, reclaimedUsdPerMonth: 0.47, deletionNames: ['v1.0', 'v1.1'] };
    const text = renderSlackMessage({
      ...base,
      mode: 'delete',
      repositories: [big],
      totals: { ...base.totals, toDelete: 20, deleted: 12, failed: 1, reclaimedBytes: 5_000_000_000, reclaimedUsdPerMonth: 0.47 },
    });

    expect(text).toContain('\nDeleted: 12 images of 20, 5.0 GB reclaimed (about $0.47/month); 1 image failed.\n');
    expect(text).toContain('\n• *big*: 12 of 20 deleted (5.0 GB, $0.47/month), 1 failed: `v1.0`, `v1.1` and 10 more; kept 1\n');
  });

  it('links the run\'s objects in the audit trail, in the S3 console', () => {
    const base = report();
    const objects = { csv: 's3://audit/ecr/runs/123456789012/eu-west-2/2026-11-26/030000-dry-run.csv', plan: 's3://audit/ecr/runs/123456789012/eu-west-2/2026-11-26/030000-dry-run.jsonl', html: 's3://audit/ecr/runs/123456789012/eu-west-2/2026-11-26/030000-dry-run.html' };

    const text = renderSlackMessage({ ...base, auditObjects: objects });

    expect(text.split('\n')[4]).toBe(
      'Audit trail: <https://s3.console.aws.amazon.com/s3/object/audit?region=eu-west-2&prefix=ecr%2Fruns%2F123456789012%2Feu-west-2%2F2026-11-26%2F030000-dry-run.html|the plan as a page> · ' +
        '<https://s3.console.aws.amazon.com/s3/object/audit?region=eu-west-2&prefix=ecr%2Fruns%2F123456789012%2Feu-west-2%2F2026-11-26%2F030000-dry-run.csv|the CSV> · ' +
        '<https://s3.console.aws.amazon.com/s3/object/audit?region=eu-west-2&prefix=ecr%2Fruns%2F123456789012%2Feu-west-2%2F2026-11-26%2F030000-dry-run.jsonl|the whole plan> ' +
        '(s3://audit/ecr/runs/123456789012/eu-west-2/2026-11-26/030000-dry-run.*)',
    );
  });

  it('counts the repositories that rules exclude, and the artifacts that protected tags keep', () => {
    const base = report();
    const text = renderSlackMessage({
      ...base,
      rules: [{ index: 0, repositories: ['team-b/**'], exclude: true, keepTags: [] }],
      totals: { ...base.totals, repositoriesExcluded: 2, keptByReason: { ...base.totals.keptByReason, protectedTag: 2, recent: 2 } },
    });

    expect(text.split('\n')[1]).toBe('Scanned 4 repositories and 28 images (2 more repositories excluded by the rules). Kept 7: 3 in use, 2 with a protected tag, 2 recent, 0 among the newest of their repository.');
  });

  it('names the rule of each repository it lists, and the repositories that rules exclude', () => {
    const base = report();
    const excluded = Array.from({ length: 12 }, (_, n) => ({ ...repositoryReport(`team-b/app-${String(n).padStart(2, '0')}`, 0, 0), status: 'excluded' as const, rule: 1 }));
    const text = renderSlackMessage({
      ...base,
      rules: [
        { index: 0, repositories: ['big'], exclude: false, keepTags: ['prod-*'] },
        { index: 1, repositories: ['team-b/**'], exclude: true, keepTags: [] },
      ],
      repositories: [...base.repositories.map((repository) => (repository.name === 'big' ? { ...repository, rule: 0 } : repository)), ...excluded],
    });

    expect(text).toContain('\n• *big* (rule 0): 20 to delete (9.0 GB, $0.84/month): `old-1`, `old-2`, `old-3`, `old-4`, `old-5` and 15 more; kept 3 (in use: `v1.2`, `v1.3`)\n');
    expect(text).toContain(
      `\n• Excluded by the rules: ${excluded.slice(0, 10).map((repository) => `*${repository.name}* (rule 1)`).join(', ')} and 2 more\n`,
    );
  });
});
