/**
 * The handler that `cdk synth` bundles into cdk.out, loaded as the Lambda runtime loads it, with the
 * environment of the synthesized template, against the emulator: the same cleaner as the CLI.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { type Emulator } from '../emulator/server';
import type { Faults, Fixture } from '../emulator/fixture';
import { METRIC_NAMES } from '../../lambda/metrics';
import { ROOT, run, runCli, workFolder, type ProcessResult } from '../support/cli';
import { emulatorPerTest } from '../support/emulators';
import { readPlanFile } from '../support/report';
import { EVERY_SOURCE_SETTINGS, RULES_JSON, RULES_YAML, SLACK_TOKEN, everySourceAccount, rulesAccount, smallAccount } from './accounts';

jest.setTimeout(120_000);

interface Synthesized {
  readonly bundleDir: string;
  readonly variables: Record<string, unknown>;
  /** The type of each resource, by logical id, to resolve the variables' Refs. */
  readonly resourceTypes: Record<string, string>;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
}

let synthesized: Synthesized;

beforeAll(async () => {
  const outdir = workFolder();
  const synth = await run(
    path.join(ROOT, 'node_modules', '.bin', 'cdk'),
    ['synth', '--quiet', '--output', outdir, '-c', 'deleteEnabled=true', '-c', 'slackEnabled=true', '-c', 'slackChannel=C0ECRMAINT', '-c', 'slackMaxMessageLength=1500'],
    { CDK_DISABLE_VERSION_CHECK: '1', AWS_EC2_METADATA_DISABLED: 'true' },
    ROOT,
  );
  if (synth.status !== 0) throw new Error(`cdk synth failed:\n${synth.stdout}\n${synth.stderr}`);
  const template = JSON.parse(readFileSync(path.join(outdir, 'EcrMaintainer.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }>;
  };
  const [fn] = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
  synthesized = {
    bundleDir: path.join(outdir, fn.Metadata?.['aws:asset:path'] ?? ''),
    variables: (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
    resourceTypes: Object.fromEntries(Object.entries(template.Resources).map(([id, resource]) => [id, resource.Type])),
    timeoutSeconds: fn.Properties.Timeout as number,
    memorySize: fn.Properties.MemorySize as number,
  };
});

const startEmulator = emulatorPerTest();

const SECRET_NAME = 'EcrMaintainerSlackToken';
/** The audit bucket, as CloudFormation would name it. */
const AUDIT_BUCKET = 'ecrmaintainer-ecrcleanerauditbucket-1a2b3c4d5e6f';

/** The account, with the token in the secret that the template's Ref names. */
async function start(faults: Faults = {}, base: Fixture = smallAccount()): Promise<Emulator> {
  const account: Fixture = {
    ...base,
    secrets: { [SECRET_NAME]: JSON.stringify({ token: SLACK_TOKEN }) },
    buckets: [...(base.buckets ?? []), AUDIT_BUCKET],
    slack: { token: SLACK_TOKEN, channels: [{ id: 'C0ECRMAINT', name: 'platform-alerts' }] },
    faults: { ...base.faults, ...faults },
  };
  return startEmulator(account);
}

interface Invocation extends ProcessResult {
  readonly outcome: {
    result?: { mode: string; totals: Record<string, number>; errors: string[]; durationMs: number; auditObjects?: { csv: string; plan: string } };
    error?: { name: string; message: string };
  };
  readonly logs: Record<string, unknown>[];
}

/** A variable's value as CloudFormation resolves it at deploy: the Slack secret's ARN, the audit bucket's name. */
function resolve(value: unknown, emulator: Emulator): string {
  if (typeof value === 'string') return value;
  const { Ref: ref, 'Fn::Join': join } = value as { Ref?: string; 'Fn::Join'?: [string, unknown[]] };
  if (join) return join[1].map((part) => resolve(part, emulator)).join(join[0]);
  const type = ref === undefined ? undefined : synthesized.resourceTypes[ref];
  if (type === 'AWS::SecretsManager::Secret') return emulator.secrets.arnOf(SECRET_NAME);
  if (type === 'AWS::S3::Bucket') return AUDIT_BUCKET;
  throw new Error(`no value at deploy for ${JSON.stringify(value)}`);
}

/** Runs the bundled handler as Lambda would, with the template's variables (Refs resolved as at deploy). */
async function invoke(emulator: Emulator, overrides: Record<string, string> = {}): Promise<Invocation> {
  const variables = Object.fromEntries(Object.entries(synthesized.variables).map(([name, value]) => [name, resolve(value, emulator)]));
  const outcomeFile = path.join(workFolder(), 'outcome.json');
  const result = await run(
    process.execPath,
    [path.join(__dirname, 'invoke-lambda.js'), synthesized.bundleDir, outcomeFile],
    {
      ...emulator.env(),
      ...variables,
      AWS_LAMBDA_FUNCTION_NAME: 'EcrMaintainer-EcrCleanerFunction',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(synthesized.memorySize),
      AWS_LAMBDA_LOG_FORMAT: 'JSON',
      AWS_LAMBDA_LOG_LEVEL: 'INFO',
      TIMEOUT_MS: String(synthesized.timeoutSeconds * 1000),
      ...overrides,
    },
    workFolder(),
  );
  const logs = `${result.stdout}\n${result.stderr}`
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  return { ...result, outcome: JSON.parse(readFileSync(outcomeFile, 'utf8')) as Invocation['outcome'], logs };
}

/** The embedded-metric-format records among an invocation's log lines: those with an `_aws` key. */
function metricRecords(invocation: Invocation): Record<string, unknown>[] {
  return invocation.logs.filter((line) => '_aws' in line);
}

/** Each metric an EMF record declares, as `Name Unit`, with its namespace and dimensions. */
function declared(record: Record<string, unknown>): { namespace: string; dimensions: string[][]; metrics: string[] } {
  const [directive] = (record._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics;
  return { namespace: directive.Namespace, dimensions: directive.Dimensions, metrics: directive.Metrics.map(({ Name, Unit }) => `${Name} ${Unit}`) };
}

describe('the bundled Lambda handler', () => {
  it('runs the same cleaner as the CLI: the same deletions, the same totals', async () => {
    const lambdaAccount = await start();
    const cliAccount = await start();

    const invocation = await invoke(lambdaAccount);
    const cli = await runCli(['--delete', '--json', 'plan.jsonl'], cliAccount.env());

    expect(invocation.outcome.error).toBeUndefined();
    expect(cli.status).toBe(0);
    expect(lambdaAccount.digestsIn('app')).toEqual(cliAccount.digestsIn('app'));
    expect(lambdaAccount.digestsIn('web')).toEqual(cliAccount.digestsIn('web'));
    const plan = readPlanFile(path.join(cli.cwd, 'plan.jsonl'));
    expect(invocation.outcome.result?.totals).toEqual(plan.totals);
    expect(invocation.outcome.result).toMatchObject({ mode: 'delete', errors: [] });
  });

  it('sees every source of images in use as the CLI does, and deletes the same images', async () => {
    const lambdaAccount = await start({}, everySourceAccount());
    const cliAccount = await start({}, everySourceAccount());

    const invocation = await invoke(lambdaAccount, EVERY_SOURCE_SETTINGS);
    const cli = await runCli(['--delete'], { ...cliAccount.env(), ...EVERY_SOURCE_SETTINGS });

    expect(invocation.outcome.error).toBeUndefined();
    expect(cli.status).toBe(0);
    expect(invocation.outcome.result?.totals).toMatchObject({ deleted: 5, toDelete: 5 });
    expect(lambdaAccount.digestsIn('app')).toEqual(cliAccount.digestsIn('app'));
    for (const operation of ['ECS.DescribeServiceRevisions', 'Events.ListTargetsByRule', 'Scheduler.GetSchedule', 'ECS.ListTaskDefinitions', 'Lambda.GetFunction', 'S3.GetObject']) {
      expect(`${operation}: ${lambdaAccount.callsOf(operation).length > 0}`).toBe(`${operation}: true`);
    }
  });

  it('reads the Slack token from the secret by ARN, posts the report, and never logs the token', async () => {
    const emulator = await start();

    const invocation = await invoke(emulator);

    expect(emulator.callsOf('SecretsManager.GetSecretValue').map((call) => call.params.SecretId)).toEqual([emulator.secrets.arnOf(SECRET_NAME)]);
    expect(emulator.slack.messages[0].text.split('\n')[0]).toBe('*ECR Maintainer* · *DELETE* · account 123456789012 · eu-west-2');
    expect(emulator.slack.messages.every((message) => message.text.length <= 1500)).toBe(true);
    expect(`${invocation.stdout}${invocation.stderr}`).not.toContain(SLACK_TOKEN);
  });

  it('logs structured JSON, with one summary line for the run', async () => {
    const emulator = await start();

    const invocation = await invoke(emulator);

    const summaries = invocation.logs.filter((line) => String(line.message).startsWith('cleanup finished'));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({
      level: 'INFO',
      service: 'ecr-maintainer',
      message: 'cleanup finished: DELETE: 4 of 14 images deleted, 0 errors',
      summary: { mode: 'delete', account: '123456789012', region: 'eu-west-2', totals: { deleted: 4, toDelete: 4 } },
    });
    expect(invocation.logs.some((line) => line.level === 'DEBUG')).toBe(false);
    // Before anything else, one line says what the run will do.
    expect(invocation.logs[0]).toMatchObject({
      level: 'INFO',
      message: 'cleanup starting: DELETE in eu-west-2',
      settings: { DELETE_ENABLED: 'true', KEEP_MIN_IMAGE_COUNT: '3', KEEP_LAMBDA_IMAGES: 'true', SLACK_ENABLED: 'true' },
    });
  });

  it("writes the run's CSV, plan and page to the audit bucket that the template names, and returns and logs where", async () => {
    const emulator = await start();

    const invocation = await invoke(emulator);

    expect(invocation.outcome.error).toBeUndefined();
    const [csv, html, jsonl] = emulator.s3.keys(AUDIT_BUCKET);
    expect(emulator.s3.keys(AUDIT_BUCKET)).toHaveLength(3);
    expect(csv).toMatch(/^runs\/123456789012\/eu-west-2\/\d{4}-\d{2}-\d{2}\/\d{6}\.\d{3}-delete\.csv$/);
    expect(jsonl).toBe(csv.replace(/\.csv$/, '.jsonl'));
    expect(html).toBe(csv.replace(/\.csv$/, '.html'));
    const auditObjects = { csv: `s3://${AUDIT_BUCKET}/${csv}`, plan: `s3://${AUDIT_BUCKET}/${jsonl}`, html: `s3://${AUDIT_BUCKET}/${html}` };
    expect(invocation.outcome.result?.auditObjects).toEqual(auditObjects);
    expect(invocation.logs.find((line) => String(line.message).startsWith('cleanup finished'))).toMatchObject({ summary: { auditObjects } });
    // Only what the role may do: PutObject under runs/ (no grace period, so no read and no list).
    expect(emulator.calls.filter((call) => call.operation.startsWith('S3.')).map((call) => call.operation)).toEqual(['S3.PutObject', 'S3.PutObject', 'S3.PutObject']);
  });

  it('logs every decision at DEBUG, and only then', async () => {
    const emulator = await start();

    const invocation = await invoke(emulator, { AWS_LAMBDA_LOG_LEVEL: 'DEBUG' });

    const decisions = invocation.logs.filter((line) => line.message === 'decision');
    expect(decisions).toHaveLength(invocation.outcome.result?.totals.images ?? -1);
    expect(decisions[0]).toMatchObject({ level: 'DEBUG', repository: 'app', action: expect.stringMatching(/^(keep|delete)$/) as unknown });
  });

  it('fails the invocation after reporting, when in-use discovery is incomplete', async () => {
    const emulator = await start({ errors: [{ operation: 'ECS.ListTasks', cluster: 'batch' }] });

    const invocation = await invoke(emulator);

    expect(invocation.outcome.error?.name).toBe('CleanupFailedError');
    expect(invocation.outcome.error?.message).toMatch(/^cleanup finished with errors: DELETE: 0 of 14 images deleted, 1 error: in-use discovery: ECS.ListTasks failed for cluster batch/);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(emulator.slack.messages[0].text).toContain(':warning: *Nothing was deleted*');
    expect(invocation.logs.find((line) => line.level === 'ERROR')).toMatchObject({ summary: { deletionBlocked: 'in-use discovery was incomplete (1 problem), so no image was deleted anywhere' } });
  });

  it('publishes one EMF record for the run, its values the totals that it returns', async () => {
    const emulator = await start();

    const invocation = await invoke(emulator);

    const records = metricRecords(invocation);
    expect(records).toHaveLength(1);
    const [record] = records;
    const { namespace, dimensions, metrics } = declared(record);
    expect(namespace).toBe('EcrMaintainer');
    expect(dimensions).toEqual([['Mode']]);
    expect(metrics.map((metric) => metric.split(' ')[0])).toEqual(METRIC_NAMES);
    expect(metrics).toEqual(expect.arrayContaining(['ImagesDeleted Count', 'BytesReclaimed Bytes', 'MonthlySavingUsd None', 'DurationMs Milliseconds', 'RunSucceeded Count']));
    const result = invocation.outcome.result;
    const totals = result?.totals ?? {};
    const kept = totals.keptByReason as unknown as Record<string, number>;
    expect(record).toEqual({
      _aws: expect.anything() as unknown,
      Mode: 'delete',
      ImagesDeleted: totals.deleted,
      ImagesToDelete: totals.toDelete,
      ImagesMarked: totals.marked,
      ManifestsDeleted: totals.manifestsDeleted,
      ManifestsToDelete: totals.manifestsToDelete,
      BytesReclaimed: totals.reclaimedBytes,
      BytesReclaimable: totals.reclaimableBytes,
      MonthlySavingUsd: totals.reclaimedUsdPerMonth,
      ImagesKept: totals.kept,
      ImagesKeptInUse: kept.inUse,
      ImagesKeptProtectedTag: kept.protectedTag,
      ImagesKeptRecent: kept.recent,
      ImagesKeptRecentlyPulled: kept.recentlyPulled,
      ImagesKeptNewest: kept.minCount,
      ImagesKeptUnknown: kept.inUseUnknown,
      Errors: 0,
      DurationMs: result?.durationMs,
      DeletionBlocked: 0,
      RunSucceeded: 1,
      RunFailed: 0,
    });
    // The small account, as the summary line gives it.
    expect(record).toMatchObject({ ImagesDeleted: 4, ImagesToDelete: 4 });
  });

  it('publishes the metrics of a failed run before it throws: RunFailed 1, DeletionBlocked 1', async () => {
    const emulator = await start({ errors: [{ operation: 'ECS.ListTasks', cluster: 'batch' }] });

    const invocation = await invoke(emulator);

    expect(invocation.outcome.error?.name).toBe('CleanupFailedError');
    const records = metricRecords(invocation);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ Mode: 'delete', Errors: 1, DeletionBlocked: 1, ImagesDeleted: 0, RunSucceeded: 0, RunFailed: 1 });
  });

  it('publishes RunFailed alone, under Mode "unknown", when the settings are bad', async () => {
    const emulator = await start();

    const invocation = await invoke(emulator, { KEEP_MIN_IMAGE_COUNT: '0' });

    const records = metricRecords(invocation);
    expect(records).toHaveLength(1);
    expect(declared(records[0])).toEqual({ namespace: 'EcrMaintainer', dimensions: [['Mode']], metrics: ['RunFailed Count'] });
    expect(records[0]).toEqual({ _aws: expect.anything() as unknown, Mode: 'unknown', RunFailed: 1 });
  });

  it('fails on a bad setting before any AWS call, naming it', async () => {
    const emulator = await start();

    const invocation = await invoke(emulator, { KEEP_MIN_IMAGE_COUNT: '0' });

    expect(invocation.outcome.error).toEqual({ name: 'ConfigError', message: 'invalid configuration:\n  KEEP_MIN_IMAGE_COUNT must be a whole number >= 1, got "0"' });
    expect(invocation.logs.find((line) => line.level === 'ERROR')).toMatchObject({ message: 'invalid configuration', problems: ['KEEP_MIN_IMAGE_COUNT must be a whole number >= 1, got "0"'] });
    expect(emulator.calls).toEqual([]);
  });

  it('applies the rules of RULES as the CLI applies them from a file: the same deletions, the excluded repository untouched', async () => {
    const lambdaAccount = await start({}, rulesAccount());
    const cliAccount = await start({}, rulesAccount());
    const rulesFile = path.join(workFolder(), 'rules.yaml');
    writeFileSync(rulesFile, RULES_YAML);

    const invocation = await invoke(lambdaAccount, { RULES: RULES_JSON });
    const cli = await runCli(['--delete', '--rules', rulesFile], cliAccount.env());

    expect(invocation.outcome.error).toBeUndefined();
    expect(cli.status).toBe(0);
    for (const repository of ['ci/cache', 'shop/api', 'team-b/api', 'base/node']) {
      expect(`${repository}: ${lambdaAccount.digestsIn(repository).join(' ')}`).toBe(`${repository}: ${cliAccount.digestsIn(repository).join(' ')}`);
    }
    expect(lambdaAccount.digestsIn('team-b/api')).toHaveLength(5);
    expect(invocation.outcome.result?.totals).toMatchObject({ repositoriesExcluded: 1, deleted: 7, toDelete: 7 });
    // The rules in words in the first log line, and the idle rule among the summary's warnings.
    expect(invocation.logs.find((line) => String(line.message).startsWith('cleanup starting'))).toMatchObject({ settings: { RULES: '4 rules' }, rules: expect.arrayContaining(['rule 2  team-b/**       excluded: neither cleaned nor counted']) });
    expect(invocation.logs.find((line) => String(line.message).startsWith('cleanup finished'))).toMatchObject({
      summary: { warnings: ['RULES[3] ("nothing/*") matches none of the 4 repositories in scope, so it has no effect: check the pattern'] },
    });
  });

  it('fails on a bad rule before any AWS call, naming the rule, the key, the value and the fix', async () => {
    const emulator = await start();

    const invocation = await invoke(emulator, { RULES: '[{"repositories": "ci/*", "keepImagesNewerThanDays": "1"}]' });

    expect(invocation.outcome.error).toEqual({ name: 'ConfigError', message: 'invalid configuration:\n  RULES[0].keepImagesNewerThanDays must be a whole number of at least 0, got "1"' });
    expect(emulator.calls).toEqual([]);
  });
});
