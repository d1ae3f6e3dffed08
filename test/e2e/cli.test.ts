/**
 * The real CLI, as a child process, against the emulator over HTTP.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { type Emulator } from '../emulator/server';
import type { Faults, Fixture } from '../emulator/fixture';
import { CLI, ROOT, TSX, run, runCli, workFolder } from '../support/cli';
import { emulatorPerTest } from '../support/emulators';
import { readPlanFile, type PlanFile } from '../support/report';
import { HOST, SLACK_TOKEN, largeAccount, smallAccount } from './accounts';

jest.setTimeout(60_000);

const start = emulatorPerTest();
const withFaults = (fixture: Fixture, faults: Faults): Fixture => ({ ...fixture, faults });
const readPlan = (cwd: string): PlanFile => readPlanFile(path.join(cwd, 'plan.jsonl'));
/** When the emulator says an image was pushed: its ages count back from its start. */
const pushedAt = (emulator: Emulator, repository: string, digest: string): string =>
  emulator.ecr.repositories.get(repository)?.images.get(digest)?.pushedAt.toISOString() ?? 'not stored';
/** An instant `days` from now, for a `--now` preview. */
const daysFromNow = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString();
const tagsLeft = (emulator: Emulator, repository: string): string[] =>
  [...(emulator.ecr.repositories.get(repository)?.images.values() ?? [])].flatMap((stored) => [...stored.tags]).sort();

describe('the CLI, end to end', () => {
  it('plans a dry run with the union of the keep rules, writes the exact CSV, and deletes nothing', async () => {
    const account = smallAccount();
    const emulator = await start(account);

    const result = await runCli(['--json', 'plan.jsonl'], emulator.env());

    expect(result.stderr).toMatch(/^Account {3}123456789012 /);
    expect(result.status).toBe(0);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(readFileSync(path.join(result.cwd, 'to_delete.csv'), 'utf8')).toBe(
      [
        'account,region,repository,digest,tags,pushed_at,size_bytes,child_manifests,reason,result',
        `123456789012,eu-west-2,app,${account.app.r6.digest},r6,${pushedAt(emulator, 'app', account.app.r6.digest)},1000000,0,"unused: no workload uses it, pushed 30 days ago, newest #4",dry run`,
        `123456789012,eu-west-2,app,${account.app.r1.digest},r1,${pushedAt(emulator, 'app', account.app.r1.digest)},1000000,0,"unused: no workload uses it, pushed 80 days ago, newest #9",dry run`,
        `123456789012,eu-west-2,app,${account.app.r0.digest},r0,${pushedAt(emulator, 'app', account.app.r0.digest)},1000000,0,"unused: no workload uses it, pushed 90 days ago, newest #10",dry run`,
        `123456789012,eu-west-2,web,${account.oldWeb.index.digest},w0,${pushedAt(emulator, 'web', account.oldWeb.index.digest)},80041245,4,"unused: no workload uses it, pushed 60 days ago, newest #4",dry run`,
        '',
      ].join('\n'),
    );
    const plan = readPlan(result.cwd);
    const reasons = Object.fromEntries(plan.repositories[0].artifacts.map((artifact) => [artifact.tags.join('+'), artifact.reasons.join(' ')]));
    expect(reasons).toEqual({
      r9: 'recent min-count',
      r8: 'min-count',
      r7: 'min-count',
      r6: 'unused',
      'blue+r5': 'in-use:running',
      r4: 'in-use:running',
      r3: 'in-use:running',
      r2: 'in-use:running',
      r1: 'unused',
      r0: 'unused',
    });
    expect(plan.inUse.references.map((reference) => [reference.reference, 'none' in reference.match ? reference.match.none : reference.match.by])).toEqual(
      expect.arrayContaining([
        [`${HOST}/app:latest`, 'digest'],
        [`${HOST}/app:r3`, 'tag'],
        [`${HOST}/app:r4@${smallAccount().app.r4.digest}`, 'digest'],
        [`${HOST}/app:blue`, 'tag'],
        ['redis:7', 'another registry (docker.io)'],
      ]),
    );
    expect(result.stdout).toMatch(/^ECR Maintainer · DRY RUN \(nothing is deleted\) · account 123456789012 · eu-west-2\n/);
    expect(result.stdout).toContain('DRY RUN: 4 images would be deleted (8 manifests, up to 83.0 MB, about $0.01/month); 10 images kept, of 14 images in 2 repositories.');
  });

  it('deletes what the dry run planned, and nothing else', async () => {
    const account = smallAccount();
    const emulator = await start(account);

    const result = await runCli(['--delete'], emulator.env());

    expect(result.status).toBe(0);
    expect(tagsLeft(emulator, 'app')).toEqual(['blue', 'r2', 'r3', 'r4', 'r5', 'r7', 'r8', 'r9']);
    expect(emulator.digestsIn('web')).not.toContain(account.oldWeb.index.digest);
    expect(account.oldWeb.children.some((child) => emulator.digestsIn('web').includes(child.digest))).toBe(false);
    expect(tagsLeft(emulator, 'web')).toEqual(['w1', 'w2', 'w3']);
    expect(result.stdout).toContain('DELETED: 4 images of 4 planned (8 manifests, 83.0 MB, about $0.01/month)');
    expect(readFileSync(path.join(result.cwd, 'to_delete.csv'), 'utf8').trim().split('\n').slice(1).map((row) => row.split(',').at(-1))).toEqual(['deleted', 'deleted', 'deleted', 'deleted']);
  });

  it('takes the flags for the rules, and --now to preview a later cleanup', async () => {
    const emulator = await start(smallAccount());

    const inAMonth = daysFromNow(30);

    const later = await runCli(['--now', inAMonth, '--keep-min', '1', '--keep-days', '0', '--json', 'plan.jsonl'], emulator.env());

    expect(later.status).toBe(0);
    const plan = readPlan(later.cwd);
    expect(plan.policy).toMatchObject({ keepMinImageCount: 1, keepImagesNewerThanDays: 0 });
    expect(plan.now).toBe(inAMonth);
    expect(plan.repositories[0].artifacts.filter((artifact) => artifact.action === 'keep').map((artifact) => artifact.tags.join('+'))).toEqual(['r9', 'blue+r5', 'r4', 'r3', 'r2']);
  });

  it('pages through 40 repositories, one of 2,500 images, and 250 tasks in three clusters, with calls at their lower bound', async () => {
    const account = largeAccount();
    const emulator = await start(account);

    const result = await runCli(['--delete', '--json', 'plan.jsonl'], emulator.env());

    expect(result.status).toBe(0);
    const left = new Set(emulator.digestsIn('big'));
    expect(left.size).toBe(250 + 3);
    expect(account.inUse.every((digest) => left.has(digest))).toBe(true);
    for (let r = 0; r < 39; r += 1) expect(tagsLeft(emulator, `team-${String(r).padStart(2, '0')}/service`)).toEqual(['v10', 'v11', 'v9']);
    expect(readPlan(result.cwd).apiCalls.byOperation).toEqual({
      'ECR.DescribeRepositories': 1,
      'ECR.DescribeImages': 3 + 39,
      'ECR.BatchDeleteImage': Math.ceil((2500 - 253) / 100) + 39,
      'ECS.ListClusters': 1,
      'ECS.ListTasks': 2 + 1 + 1 + 3,
      'ECS.DescribeTasks': 2 + 1 + 1,
      'ECS.ListServices': 3,
      // The other sources, each one page on an account without them: no task definition, bus rule,
      // schedule or function, so nothing to describe.
      'ECS.ListTaskDefinitions': 1,
      'Events.ListEventBuses': 1,
      'Events.ListRules': 1,
      'Scheduler.ListSchedules': 1,
      'Lambda.ListFunctions': 1,
    });
    expect(emulator.callsOf('ECR.DescribeImages').every((call) => call.params.maxResults === 1000)).toBe(true);
  });

  it('reaches the same result when 20% of calls are throttled', async () => {
    // One clock for both, so that the images' push times, which count back from it, are the same.
    const now = new Date().toISOString();
    const calm = await start({ ...smallAccount(), now });
    const throttled = await start(withFaults({ ...smallAccount(), now }, { throttle: { rate: 0.2, seed: 42 } }));

    const [a, b] = await Promise.all([
      runCli(['--delete', '--json', 'plan.jsonl'], calm.env()),
      runCli(['--delete', '--json', 'plan.jsonl'], throttled.env()),
    ]);

    expect([a.status, b.status]).toEqual([0, 0]);
    expect(throttled.calls.filter((call) => call.outcome === 'ThrottlingException').length).toBeGreaterThan(0);
    expect(readPlan(b.cwd).apiCalls.retries).toBeGreaterThan(0);
    expect(throttled.digestsIn('app')).toEqual(calm.digestsIn('app'));
    expect(throttled.digestsIn('web')).toEqual(calm.digestsIn('web'));
    expect(readFileSync(path.join(b.cwd, 'to_delete.csv'), 'utf8')).toBe(readFileSync(path.join(a.cwd, 'to_delete.csv'), 'utf8'));
  });

  it('fails closed when one cluster is denied: no BatchDeleteImage at all, exit 1, and the reason', async () => {
    const emulator = await start(withFaults(smallAccount(), { errors: [{ operation: 'ECS.ListTasks', cluster: 'batch' }] }));

    const result = await runCli(['--delete'], emulator.env());

    expect(result.status).toBe(1);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(result.stdout).toContain('NOTHING DELETED: in-use discovery was incomplete (1 problem), so no image was deleted anywhere.');
    expect(result.stdout).toMatch(/ERRORS \(1\):\n {2}- in-use discovery: ECS.ListTasks failed for cluster batch: AccessDeniedException/);
  });

  it('reports partial delete failures with their codes, and exits 1', async () => {
    const account = smallAccount();
    const emulator = await start(withFaults(account, { deleteFailures: [{ digest: account.app.r0.digest, code: 'KmsError', reason: 'key disabled' }] }));

    const result = await runCli(['--delete'], emulator.env());

    expect(result.status).toBe(1);
    expect(tagsLeft(emulator, 'app')).toContain('r0');
    expect(tagsLeft(emulator, 'app')).not.toContain('r1');
    expect(result.stdout).toContain(`could not delete app@${account.app.r0.digest.slice(0, 19)}: KmsError: key disabled`);
    expect(readFileSync(path.join(result.cwd, 'to_delete.csv'), 'utf8')).toContain('failed: KmsError');
  });

  it.each([
    ['a bad variable', { KEEP_MIN_IMAGE_COUNT: 'ten' }, [], 'invalid configuration:\n  KEEP_MIN_IMAGE_COUNT must be a whole number >= 1, got "ten"\n'],
    ['a bad flag', {}, ['--keep-days', 'soon'], 'invalid configuration:\n  --keep-days must be a whole number >= 0, got "soon"\n'],
    ['an unknown flag', {}, ['--force'], /^Unknown option '--force'.*\n\nRun with --help for the options\.\n$/s],
    [
      '--now with --delete',
      {},
      ['--now', '2030-01-01T00:00:00Z', '--delete'],
      'invalid configuration:\n  --now cannot be used with deletion (--delete or DELETE_ENABLED=true), got "2030-01-01T00:00:00Z": a later --now removes the "recent" protection, so it is for dry runs only\n',
    ],
    [
      '--now with DELETE_ENABLED=true',
      { DELETE_ENABLED: 'true' },
      ['--now', '2030-01-01T00:00:00Z'],
      'invalid configuration:\n  --now cannot be used with deletion (--delete or DELETE_ENABLED=true), got "2030-01-01T00:00:00Z": a later --now removes the "recent" protection, so it is for dry runs only\n',
    ],
    ['--now in the past', {}, ['--now', '2020-01-01T00:00:00Z'], /^invalid configuration:\n {2}--now must be later than the current time \(.*\): it exists to look ahead, got "2020-01-01T00:00:00Z"\n$/],
    ['--now on a day that does not exist', {}, ['--now', '2031-02-30T00:00:00Z'], /^invalid configuration:\n {2}--now must be a time that exists, .*got "2031-02-30T00:00:00Z"\n$/],
  ])('stops with exit 2 and no AWS call on %s', async (_title, env, args, message) => {
    const emulator = await start(smallAccount());

    const result = await runCli(args, { ...emulator.env(), ...env });

    expect(result.status).toBe(2);
    if (typeof message === 'string') expect(result.stderr).toBe(message);
    else expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
    expect(emulator.calls).toEqual([]);
  });

  it('posts to Slack with the token from a secret, and never prints the token', async () => {
    const emulator = await start(smallAccount());

    const result = await runCli(['--slack', '--slack-channel', 'C0ECRMAINT', '--slack-token-secret', 'ecr-maintainer/slack'], emulator.env());

    expect(result.status).toBe(0);
    expect(emulator.slack.messages).toHaveLength(1);
    expect(emulator.slack.messages[0].text).toContain('To delete: 4 images, 83.0 MB (about $0.01/month). Nothing was deleted: this is a dry run.');
    expect(`${result.stdout}${result.stderr}${readFileSync(path.join(result.cwd, 'to_delete.csv'), 'utf8')}`).not.toContain(SLACK_TOKEN);
  });

  it('ends with exit 1 when Slack fails, and says why without the token', async () => {
    const emulator = await start(withFaults(smallAccount(), { slack: [{ method: 'chat.postMessage', error: 'channel_not_found' }] }));

    const result = await runCli([], { ...emulator.env(), SLACK_ENABLED: 'true', SLACK_CHANNEL: 'C0ECRMAINT', SLACK_TOKEN });

    expect(result.status).toBe(1);
    expect(result.stdout).toContain('could not post to Slack: Slack chat.postMessage failed: channel_not_found');
    expect(`${result.stdout}${result.stderr}`).not.toContain(SLACK_TOKEN);
  });

  it('shows progress on stderr when it is a terminal, and clears it before the summary', async () => {
    const emulator = await start(smallAccount());

    // `script` gives the CLI a terminal, and copies what the terminal shows to stdout.
    const result = await run('script', ['-qec', [TSX, CLI].join(' '), '/dev/null'], emulator.env(), workFolder());

    expect(result.status).toBe(0);
    expect(result.stdout).toContain('\r\x1b[2KListing images: 2/2 repositories');
    expect(result.stdout).toContain('\r\x1b[2KFinding images in use: 2/2 ECS clusters');
    expect(result.stdout).toContain('\r\x1b[2KECR Maintainer · DRY RUN');
  });

  it('prints only its own output through `npm run --silent cleaner`', async () => {
    const emulator = await start(smallAccount());

    const result = await run('npm', ['--prefix', ROOT, 'run', '--silent', 'cleaner', '--', '--csv', path.join(workFolder(), 'plan.csv')], emulator.env(), workFolder());

    expect(result.status).toBe(0);
    expect(result.stderr).toMatch(/^Account {3}123456789012 \(arn:aws:sts::123456789012:assumed-role\/ecr-maintainer\/cleaner\)\n/);
    expect(result.stdout.split('\n')[0]).toBe('ECR Maintainer · DRY RUN (nothing is deleted) · account 123456789012 · eu-west-2');
  });
});

describe('npm run demo', () => {
  it('runs the CLI over the sample account and shows every kind of decision, and what Slack received', async () => {
    const cwd = workFolder();

    const result = await run(path.join(ROOT, 'node_modules', '.bin', 'tsx'), [path.join(ROOT, 'test', 'demo', 'demo.ts')], {}, cwd);

    expect(result.status).toBe(0);
    // Its files go to a fresh temporary folder, which it names; never into the folder it runs in.
    const folder = /wrote its files into (\S+): to_delete\.csv/.exec(result.stderr)?.[1] ?? 'not said';
    expect(readdirSync(folder).sort()).toEqual(['metrics.json', 'plan.jsonl', 'report.html', 'to_delete.csv']);
    // The plan as a page: written, and its path printed, to open in a browser.
    expect(result.stdout).toContain(`The plan as a page (open it in a browser): ${path.join(folder, 'report.html')}\n`);
    expect(result.stderr).toContain(`Open the plan as a page in a browser: file://${path.join(folder, 'report.html')}`);
    expect(readFileSync(path.join(folder, 'report.html'), 'utf8')).toContain('<title>');
    expect(folder.startsWith(tmpdir())).toBe(true);
    expect(readdirSync(cwd)).toEqual([]);
    for (const reason of ['in-use:running', 'in-use:stopped-recently', 'in-use:service-deployment', 'recent: pushed', 'min-count: newest', 'unused: no workload uses it', 'child-of:', 'referrer-of:']) {
      expect(result.stdout).toContain(reason);
    }
    // Each of the sample account's harder cases keeps its image, with the workload named.
    for (const kept of [
      /KEEP {4}v1\.6 +sha256:\w+ {2}in-use:service-revision \(service revision production\/api-canary \(api\)\)/,
      /KEEP {4}build-100 +sha256:\w+ {2}in-use:scheduled-task \(scheduled rule default\/nightly-reindex \(worker:1\)\)/,
      /KEEP {4}m0 +sha256:\w+ {2}in-use:scheduled-task \(scheduled schedule default\/monthly-migrations \(migrations:2\)\)/,
      /KEEP {4}t2 +sha256:\w+ {2}in-use:lambda-function \(function thumbnailer:live \(version 2\)\)/,
      /KEEP {4}v1\.3 +sha256:\w+ {2}in-use:running \(running task staging\/a7b8c9d0e1f2 \(reports\)\)/,
    ]) {
      expect(result.stdout).toMatch(kept);
    }
    // Its rules file: shown before the run, heading each repository it applies to, and in the reasons.
    expect(result.stderr).toMatch(/\nRules {5}rule 0 {2}shop\/api {4}pushed within 7 days, the newest 3, tags v1\.0, \S+ always\n/);
    expect(result.stdout).toContain('sandbox/experiments  · rule 1 (sandbox/**): pushed within 7 days, the newest 3 tagged; untagged: pushed within 14 days\n');
    expect(result.stdout).toMatch(/KEEP {4}v1\.0 +sha256:\w+ {2}protected-tag:v1\.0\n/);
    expect(result.stdout).toMatch(/DELETE {2}<untagged> +sha256:\w+ {2}unused: no workload uses it, untagged, pushed 15 days ago, newest untagged #2\n/);
    expect(result.stdout).toMatch(/DRY RUN: [1-9]\d* images would be deleted/);
    expect(result.stdout).toContain('  │ *ECR Maintainer* · *DRY RUN* · account 123456789012 · eu-west-2');
    expect(result.stderr).toContain('nothing leaves this machine');
    // The audit trail: the run's two objects in the sample account's bucket, linked from Slack.
    expect(result.stderr).toMatch(/The audit trail \(emulated S3\) holds s3:\/\/ecr-maintainer-audit\/runs\/123456789012\/eu-west-2\/\S+-dry-run\.csv\./);
    expect(result.stderr).toMatch(/The audit trail \(emulated S3\) holds s3:\/\/ecr-maintainer-audit\/runs\/123456789012\/eu-west-2\/\S+-dry-run\.jsonl\./);
    expect(result.stderr).toMatch(/The audit trail \(emulated S3\) holds s3:\/\/ecr-maintainer-audit\/runs\/123456789012\/eu-west-2\/\S+-dry-run\.html\./);
    expect(result.stdout).toContain('|the plan as a page>');
    expect(result.stdout).toContain('  │ Audit trail: <https://s3.console.aws.amazon.com/s3/object/ecr-maintainer-audit?region=eu-west-2&prefix=runs%2F123456789012%2Feu-west-2%2F');
    // The metrics the Lambda would log for this run, in the embedded metric format.
    const emf = result.stdout.split('\n').find((line) => line.startsWith('{"_aws"')) ?? '{}';
    expect(JSON.parse(emf)).toMatchObject({ Mode: 'dry-run', RunSucceeded: 1, _aws: { CloudWatchMetrics: [{ Namespace: 'EcrMaintainer' }] } });
  });
});
