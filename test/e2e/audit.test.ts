/**
 * The audit trail through the real CLI: `--upload` writes the run's CSV and JSON Lines plan to S3, under
 * dated keys, and the summary names them.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { METRIC_NAMES } from '../../lambda/metrics';
import { runCli } from '../support/cli';
import { emulatorPerTest } from '../support/emulators';
import { readPlanFile } from '../support/report';
import { smallAccount } from './accounts';

jest.setTimeout(60_000);

const start = emulatorPerTest();

describe('the audit trail, through the CLI', () => {
  it('writes the CSV and the plan that it writes locally to S3, and the plan as a page, under dated keys, and says where', async () => {
    const emulator = await start({ ...smallAccount(), buckets: ['audit'] });

    const result = await runCli(['--json', 'plan.jsonl', '--upload', 's3://audit/ecr'], emulator.env());

    expect(result.status).toBe(0);
    const [csv, html, jsonl] = emulator.s3.keys('audit');
    expect(emulator.s3.keys('audit')).toHaveLength(3);
    expect(csv).toMatch(/^ecr\/runs\/123456789012\/eu-west-2\/\d{4}-\d{2}-\d{2}\/\d{6}\.\d{3}-dry-run\.csv$/);
    expect(jsonl).toBe(csv.replace(/\.csv$/, '.jsonl'));
    expect(html).toBe(csv.replace(/\.csv$/, '.html'));
    const page = emulator.s3.object('audit', html);
    expect(page?.body.toString('utf8')).toMatch(/^<!DOCTYPE html>/i);
    expect(page?.contentType).toBe('text/html; charset=utf-8');
    const keys = [csv, jsonl];
    expect(emulator.s3.object('audit', keys[0])?.body.toString('utf8')).toBe(readFileSync(path.join(result.cwd, 'to_delete.csv'), 'utf8'));
    // The local plan is written after the upload, and names where the upload went; the uploaded one is the same run.
    const uploaded = emulator.s3.object('audit', keys[1])?.body.toString('utf8').split('\n') ?? [];
    const local = readFileSync(path.join(result.cwd, 'plan.jsonl'), 'utf8').split('\n');
    expect(uploaded.slice(1)).toEqual(local.slice(1));
    expect(JSON.parse(local[0])).toMatchObject({ type: 'run', auditObjects: { csv: `s3://audit/${keys[0]}`, plan: `s3://audit/${keys[1]}`, html: `s3://audit/${html}` } });
    expect(result.stdout).toContain(`\nAudit trail: s3://audit/${keys[0]}, s3://audit/${keys[1]}, s3://audit/${html}\n`);
    expect(emulator.calls.filter((call) => call.operation.startsWith('S3.')).map((call) => call.operation)).toEqual(['S3.PutObject', 'S3.PutObject', 'S3.PutObject']);
  });

  it('ends with exit 1 and says why when the bucket cannot be written, after the cleanup', async () => {
    const emulator = await start({ ...smallAccount(), buckets: ['audit'], faults: { errors: [{ operation: 'S3.PutObject', code: 'AccessDeniedException' }] } });

    const result = await runCli(['--upload', 's3://audit'], emulator.env());

    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/\n {2}- could not write the audit trail to s3:\/\/audit\/: S3.PutObject failed for s3:\/\/audit\/runs\/.*-dry-run\.csv: AccessDenied: Access Denied\n/);
    expect(emulator.s3.keys('audit')).toEqual([]);
  });
});

describe('the metrics, through the CLI', () => {
  it('writes the metrics that the Lambda logs, as one record in the embedded metric format, with the plan\'s totals', async () => {
    const emulator = await start(smallAccount());

    const result = await runCli(['--metrics', 'metrics.json', '--json', 'plan.jsonl'], emulator.env());

    expect(result.status).toBe(0);
    const record = JSON.parse(readFileSync(path.join(result.cwd, 'metrics.json'), 'utf8')) as Record<string, unknown> & { _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] } };
    const [directive] = record._aws.CloudWatchMetrics;
    expect(directive.Namespace).toBe('EcrMaintainer');
    expect(directive.Dimensions).toEqual([['Mode']]);
    expect(directive.Metrics.map((metric) => metric.Name)).toEqual(METRIC_NAMES);
    const { totals } = readPlanFile(path.join(result.cwd, 'plan.jsonl'));
    expect(record).toMatchObject({ Mode: 'dry-run', ImagesToDelete: totals.toDelete, BytesReclaimable: totals.reclaimableBytes, MonthlySavingUsd: totals.reclaimableUsdPerMonth, ImagesKept: totals.kept, RunSucceeded: 1, RunFailed: 0 });
    expect(result.stdout).toContain('\nMetrics (EMF): metrics.json\n');
  });
});
