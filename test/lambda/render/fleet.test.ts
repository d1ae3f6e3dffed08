import { failedTarget, type TargetResult } from '../../../lambda/core/targets';
import { fleetTotals, renderFleetSlack, renderFleetSummary } from '../../../lambda/render/fleet';

function ran(account: string, region: string, counts: Partial<NonNullable<TargetResult['totals']>> = {}, more: Partial<TargetResult> = {}): TargetResult {
  return {
    account,
    region,
    ok: true,
    mode: 'dry-run',
    totals: { repositories: 2, images: 10, toDelete: 4, deleted: 0, marked: 0, kept: 6, failed: 0, bytesReclaimable: 4e9, bytesReclaimed: 0, monthlySavingUsd: 0.4, ...counts },
    errorCount: 0,
    errors: [],
    ...more,
  };
}

const RESULTS: TargetResult[] = [
  ran('222222222222', 'us-east-1'),
  ran('111111111111', 'eu-west-1', { toDelete: 1, bytesReclaimable: 1e9, monthlySavingUsd: 0.1 }, { auditPage: 's3://audit/runs/111111111111/eu-west-1/a.html' }),
  ran('111111111111', 'us-east-1', { toDelete: 3, kept: 7 }, { ok: false, deletionBlocked: 'in-use discovery was incomplete', errorCount: 7, errors: ['workload account 333333333333: ECS.ListClusters failed: AccessDenied'] }),
  failedTarget({ account: '444444444444', region: 'eu-west-1' }, 'could not assume arn:aws:iam::444444444444:role/m: AccessDenied <b>'),
];

describe('the summary of a fan-out', () => {
  it('adds up the targets that ran, and counts those that failed', () => {
    expect(fleetTotals(RESULTS)).toMatchObject({ targets: 4, failedTargets: 2, failed: 0, accounts: 3, regions: 2, repositories: 6, images: 30, toDelete: 8, kept: 19, errors: 8 });
  });

  it('has a line per target in order, the totals, what blocked deletion, and every error by target', () => {
    const text = renderFleetSummary(RESULTS);
    const lines = text.split('\n');
    expect(lines[0]).toBe('ECR Maintainer · DRY RUN (nothing is deleted) · 4 targets (3 accounts × 2 regions) · 2 FAILED');
    expect(lines.filter((line) => /^\d{12} /.test(line)).map((line) => line.slice(0, 24))).toEqual(['111111111111  eu-west-1 ', '111111111111  us-east-1 ', '222222222222  us-east-1 ', '444444444444  eu-west-1 ']);
    expect(text).toMatch(/^TOTAL\s+6\s+30\s+19\s+8\s+9.0 GB\s+\$0\.90\s+8$/m);
    expect(text).toMatch(/^444444444444 {2}eu-west-1(\s+-)+\s+1 FAILED$/m);
    expect(text).toContain('NOTHING DELETED in 111111111111/us-east-1: in-use discovery was incomplete.');
    expect(text).toContain("Audit trail (each target's page; its CSV and JSON Lines plan lie beside it):\n  111111111111/eu-west-1: s3://audit/runs/111111111111/eu-west-1/a.html\n");
    expect(text).toContain('ERRORS (8, in 2 of 4 targets):');
    expect(text).toContain('  - 111111111111/us-east-1: workload account 333333333333: ECS.ListClusters failed: AccessDenied');
    expect(text).toContain("  - 111111111111/us-east-1: and 6 more errors (see the run's log or its audit trail)");
    expect(text).toContain('DRY RUN: 8 images would be deleted (up to 9.0 GB, about $0.90/month); 19 images kept, of 30 images in 6 repositories of 3 targets.');
  });

  it('says DELETE when the targets deleted', () => {
    const text = renderFleetSummary([ran('111111111111', 'eu-west-1', { deleted: 3, failed: 1, bytesReclaimed: 1e9 }, { mode: 'delete' })]);
    expect(text).toContain('ECR Maintainer · DELETE · 1 target (1 account × 1 region)');
    expect(text).toMatch(/^111111111111 {2}eu-west-1\s+2\s+10\s+6\s+3\/4\s+1.0 GB/m);
    expect(text).toContain('DELETED: 3 images of 4 planned, 1 image failed (1.0 GB');
  });
});

describe('the Slack message of a fan-out', () => {
  it('has the totals, a line per target with its audit link, and the errors named by target, escaped', () => {
    const text = renderFleetSlack(RESULTS);
    expect(text.split('\n')[0]).toBe('*ECR Maintainer* · *DRY RUN* · 4 targets (3 accounts × 2 regions) · *2 failed*');
    expect(text).toContain('To delete: 8 images, 9.0 GB (about $0.90/month). Nothing was deleted: this is a dry run.');
    expect(text).toContain('• `111111111111/eu-west-1`: 1 to delete (1.0 GB, $0.10/month); kept 6 of 10 · <https://s3.console.aws.amazon.com/s3/object/audit?region=eu-west-1&prefix=runs%2F111111111111%2Feu-west-1%2Fa.html|the plan>');
    expect(text).toContain('• `111111111111/us-east-1`: 3 to delete (4.0 GB, $0.40/month); kept 7 of 10 · 7 errors · :warning: nothing deleted: in-use discovery was incomplete');
    expect(text).toContain('• `444444444444/eu-west-1`: :x: *did not run*: could not assume arn:aws:iam::444444444444:role/m: AccessDenied &lt;b&gt;');
    expect(text).toContain('*Errors*\n• 111111111111/us-east-1: workload account 333333333333: ECS.ListClusters failed: AccessDenied');
  });
});
