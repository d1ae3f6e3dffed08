import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCleanup, type RunOutcome } from '../../lambda/cleaner';
import { parseConfig } from '../../lambda/config';
import type { RunReport } from '../../lambda/core/report';
import { image, multiArchImage, registryHost, signature, type Faults, type Fixture, type FixtureImage, type FixtureTask } from '../emulator/fixture';
import { Emulator } from '../emulator/server';
import { createAwsClients } from '../../lambda/aws/clients';
import { clientsFor, destroy, restoreEnv, useEmulatorEnv } from '../support/aws';
import { artifactsOf, decisionsOf } from '../support/report';

afterAll(restoreEnv);

const NOW = new Date('2026-11-25T12:00:00Z');
const HOST = registryHost({});
const TOKEN = 'xoxb-cleaner-test-token';

/** Ten releases, a week apart: with the defaults, the newest 3 stay and 7 go (v0 … v6). */
function releases(repository: string): FixtureImage[] {
  return Array.from({ length: 10 }, (_, n) => image(`${repository}:${n}`, { tags: [`v${n}`], pushedDaysAgo: 100 - n * 10 }));
}

function account(faults: Faults = {}): Fixture {
  const app = releases('app');
  return {
    now: NOW.toISOString(),
    repositories: [
      { name: 'app', images: app },
      { name: 'other', images: releases('other') },
    ],
    clusters: [
      { name: 'prod', tasks: [{ id: 't1', containers: [{ name: 'app', image: `${HOST}/app:v2`, imageDigest: app[2].digest }] }] },
      { name: 'batch', tasks: [{ id: 't2', containers: [{ name: 'job', image: `${HOST}/app:v4` }] }] },
    ],
    secrets: { 'slack-token': TOKEN },
    slack: { token: TOKEN, channels: [{ id: 'C0ECRMAINT', name: 'alerts' }] },
    faults,
  };
}

async function run(
  fixture: Fixture,
  env: Record<string, string> = {},
  emulator?: Emulator,
  deleteDeadline?: Date,
): Promise<{ outcome: RunOutcome; emulator: Emulator }> {
  const running = emulator ?? (await Emulator.start(fixture));
  useEmulatorEnv(running);
  const config = parseConfig({ ...running.env(), ...env });
  const aws = createAwsClients(config);
  try {
    const outcome = await runCleanup({ aws, slackTokens: new Map(), slackOptions: { timeoutMs: 2000, retries: 0 } }, config, {
      now: NOW,
      ...(deleteDeadline && { deleteDeadline }),
    });
    return { outcome, emulator: running };
  } finally {
    destroy(aws);
  }
}

const tagsLeft = (emulator: Emulator, repository: string): string[] =>
  [...(emulator.ecr.repositories.get(repository)?.images.values() ?? [])].flatMap((stored) => [...stored.tags]).sort();

let started: Emulator[] = [];
afterEach(async () => {
  await Promise.all(started.map((emulator) => emulator.stop()));
  started = [];
});
async function runOnce(fixture: Fixture, env: Record<string, string> = {}): Promise<{ outcome: RunOutcome; emulator: Emulator }> {
  const result = await run(fixture, env);
  started.push(result.emulator);
  return result;
}

describe('runCleanup', () => {
  it('deletes the unused images and keeps the union of the keep rules', async () => {
    const { outcome, emulator } = await runOnce(account(), { DELETE_ENABLED: 'true' });

    expect(outcome.ok).toBe(true);
    expect(tagsLeft(emulator, 'app')).toEqual(['v2', 'v4', 'v7', 'v8', 'v9']);
    expect(tagsLeft(emulator, 'other')).toEqual(['v7', 'v8', 'v9']);
    expect(outcome.report.totals).toMatchObject({ toDelete: 12, deleted: 12, failed: 0, errors: 0 });
  });

  it('calls no mutating API in a dry run', async () => {
    const { outcome, emulator } = await runOnce(account());

    expect(outcome.ok).toBe(true);
    expect(outcome.report.totals.toDelete).toBe(12);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(tagsLeft(emulator, 'app')).toHaveLength(10);
  });

  it('reports the API calls by operation, at their lower bound', async () => {
    const { outcome } = await runOnce(account(), { DELETE_ENABLED: 'true' });

    // With no services, schedules, task definitions or functions, each source costs one empty listing;
    // EventBridge lists the buses and the rules of the default bus.
    expect(outcome.report.apiCalls.byOperation).toEqual({
      'ECR.BatchDeleteImage': 2,
      'ECR.DescribeImages': 2,
      'ECR.DescribeRepositories': 1,
      'ECS.DescribeTasks': 2,
      'ECS.ListClusters': 1,
      'ECS.ListServices': 2,
      'ECS.ListTaskDefinitions': 1,
      'ECS.ListTasks': 4,
      'Events.ListEventBuses': 1,
      'Events.ListRules': 1,
      'Lambda.ListFunctions': 1,
      'Scheduler.ListSchedules': 1,
    });
  });

  it('makes no call for a source that is switched off', async () => {
    const { outcome } = await runOnce(account(), {
      KEEP_SERVICE_DEPLOYMENT_IMAGES: 'false',
      KEEP_SCHEDULED_TASK_IMAGES: 'false',
      KEEP_TASK_DEFINITION_REVISIONS: '0',
      KEEP_LAMBDA_IMAGES: 'false',
    });

    expect(Object.keys(outcome.report.apiCalls.byOperation)).toEqual(['ECR.DescribeImages', 'ECR.DescribeRepositories', 'ECS.DescribeTasks', 'ECS.ListClusters', 'ECS.ListTasks']);
    expect(outcome.report.inUse.sources).toEqual(['ECS tasks']);
  });

  it.each<[string, Faults]>([
    ['a cluster it may not list', { errors: [{ operation: 'ECS.ListTasks', cluster: 'batch' }] }],
    ['a cluster it may not describe', { errors: [{ operation: 'ECS.DescribeTasks', cluster: 'batch' }] }],
    ['an error that outlasts the retries', { errors: [{ operation: 'ECS.ListClusters', code: 'ServerException', status: 500, message: 'boom' }] }],
    ['services it may not list', { errors: [{ operation: 'ECS.ListServices', cluster: 'prod' }] }],
  ])('deletes nothing anywhere when in-use discovery meets %s', async (_title, faults) => {
    const { outcome, emulator } = await runOnce(account(faults), { DELETE_ENABLED: 'true', AWS_MAX_ATTEMPTS: '2' });

    expect(outcome.ok).toBe(false);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(outcome.report.deletionBlocked).toMatch(/^in-use discovery was incomplete/);
    expect(outcome.report.errors.filter((error) => error.kind === 'in-use')).toHaveLength(1);
    expect(outcome.report.totals).toMatchObject({ images: 20, kept: 20, toDelete: 0 });
    expect(outcome.report.totals.keptByReason.inUseUnknown).toBeGreaterThanOrEqual(12);
  });

  it('deletes nothing anywhere when DescribeTasks reports failures[]', async () => {
    const fixture = account();
    const withMissing: Fixture = { ...fixture, clusters: [...(fixture.clusters ?? []), { name: 'flaky', tasks: [{ id: 'gone', containers: [], missing: true }] }] };

    const { outcome, emulator } = await runOnce(withMissing, { DELETE_ENABLED: 'true' });

    expect(outcome.ok).toBe(false);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(outcome.report.errors.map((error) => error.message)).toEqual([
      'in-use discovery: DescribeTasks could not read arn:aws:ecs:eu-west-2:123456789012:task/flaky/gone in cluster flaky: MISSING',
    ]);
  });

  it('leaves a repository alone when its images cannot be listed completely, and cleans the others', async () => {
    const faults: Faults = { errors: [{ operation: 'ECR.DescribeImages', repository: 'other', code: 'AccessDeniedException' }] };

    const { outcome, emulator } = await runOnce(account(faults), { DELETE_ENABLED: 'true' });

    expect(outcome.ok).toBe(false);
    expect(tagsLeft(emulator, 'other')).toHaveLength(10);
    expect(tagsLeft(emulator, 'app')).toEqual(['v2', 'v4', 'v7', 'v8', 'v9']);
    expect(emulator.callsOf('ECR.BatchDeleteImage').every((call) => call.params.repositoryName === 'app')).toBe(true);
    expect(outcome.report.repositories.find((repository) => repository.name === 'other')).toMatchObject({ status: 'error' });
    expect(outcome.report.errors[0].message).toMatch(/^could not list repository other, so nothing in it is deleted: ECR.DescribeImages failed for repository other: AccessDeniedException/);
  });

  it('reports each delete failure with its code, and counts an image already gone as done', async () => {
    const app = releases('app');
    const faults: Faults = {
      deleteFailures: [
        { digest: app[0].digest, code: 'KmsError', reason: 'The KMS key is disabled' },
        { digest: app[1].digest, code: 'ImageNotFound', reason: 'Requested image not found' },
      ],
    };

    const { outcome } = await runOnce(account(faults), { DELETE_ENABLED: 'true' });

    expect(outcome.ok).toBe(false);
    expect(outcome.report.errors).toEqual([
      { kind: 'delete', repository: 'app', digest: app[0].digest, code: 'KmsError', message: `could not delete app@${app[0].digest.slice(0, 19)}: KmsError: The KMS key is disabled` },
    ]);
    const result = (digest: string): unknown => decisionsOf(outcome, 'app').find((d) => d.digest === digest)?.result;
    expect(result(app[1].digest)).toEqual({ status: 'already-gone' });
    expect(outcome.report.totals).toMatchObject({ deleted: 11, failed: 1 });
  });

  it('converges on a rerun after a partial failure, and never deletes what the first run kept', async () => {
    const app = releases('app');
    const fixture = account({ deleteFailures: [{ digest: app[3].digest, code: 'KmsError' }] });
    const first = await runOnce(fixture, { DELETE_ENABLED: 'true' });
    const keptFirst = ['app', 'other'].flatMap((name) => artifactsOf(first.outcome, name).filter((a) => a.action === 'keep').map((a) => a.digest));

    first.emulator.setFaults({});
    const second = await run(fixture, { DELETE_ENABLED: 'true' }, first.emulator);
    const clean = await runOnce(account(), { DELETE_ENABLED: 'true' });

    expect(second.outcome.ok).toBe(true);
    expect(['app', 'other'].flatMap((name) => decisionsOf(second.outcome, name).filter((d) => d.action === 'delete').map((d) => d.digest))).toEqual([app[3].digest]);
    expect(keptFirst.every((digest) => first.emulator.digestsIn('app').includes(digest) || first.emulator.digestsIn('other').includes(digest))).toBe(true);
    expect(first.emulator.digestsIn('app')).toEqual(clean.emulator.digestsIn('app'));
    expect(first.emulator.digestsIn('other')).toEqual(clean.emulator.digestsIn('other'));
  });

  it('deletes a multi-architecture image index first and then its children, in separate calls', async () => {
    const old = multiArchImage('web:old', { pushedDaysAgo: 90, attestations: true });
    const signed = signature(old.index);
    const fresh = [1, 2, 3].map((n) => multiArchImage(`web:${n}`, { pushedDaysAgo: n, tags: [`r${n}`] }));
    const fixture: Fixture = { now: NOW.toISOString(), repositories: [{ name: 'web', images: [...old.all, signed, ...fresh.flatMap((r) => r.all)] }] };

    const { outcome, emulator } = await runOnce(fixture, { DELETE_ENABLED: 'true' });

    expect(outcome.ok).toBe(true);
    const batches = emulator.callsOf('ECR.BatchDeleteImage').map((call) => (call.params.imageIds as { imageDigest: string }[]).map((id) => id.imageDigest).sort());
    expect(batches).toEqual([[old.index.digest], [...old.children.map((child) => child.digest), signed.digest].sort()]);
    expect(emulator.callsOf('ECR.BatchDeleteImage').every((call) => call.outcome === 'ok')).toBe(true);
    expect(emulator.digestsIn('web')).toEqual(fresh.flatMap((r) => r.all.map((i) => i.digest)).sort());
    expect(artifactsOf(outcome, 'web').find((a) => a.digest === old.index.digest)).toMatchObject({ action: 'delete', members: expect.arrayContaining([signed.digest]), result: { status: 'deleted' } });
  });

  it("skips an index's children when the index could not be deleted", async () => {
    const old = multiArchImage('web:old', { pushedDaysAgo: 90 });
    const fresh = [1, 2, 3].map((n) => image(`web:${n}`, { pushedDaysAgo: n }));
    const fixture: Fixture = { now: NOW.toISOString(), repositories: [{ name: 'web', images: [...old.all, ...fresh] }], faults: { deleteFailures: [{ digest: old.index.digest, code: 'KmsError' }] } };

    const { outcome, emulator } = await runOnce(fixture, { DELETE_ENABLED: 'true' });

    expect(outcome.ok).toBe(false);
    expect(emulator.callsOf('ECR.BatchDeleteImage')).toHaveLength(1);
    const decisions = decisionsOf(outcome, 'web');
    expect(decisions.find((d) => d.digest === old.children[0].digest)?.result).toEqual({ status: 'skipped', why: `${old.index.digest.slice(0, 19)}, which it belongs to, was not deleted` });
  });

  it('tries once more, and then explains, a child that an index outside the plan still lists', async () => {
    const app = releases('app');
    const fixture = account({ deleteFailures: [{ digest: app[5].digest, code: 'ImageReferencedByManifestList', reason: 'Requested image referenced by manifest list: [sha256:new]' }] });

    const { outcome, emulator } = await runOnce(fixture, { DELETE_ENABLED: 'true' });

    expect(outcome.ok).toBe(true);
    const attempts = emulator.callsOf('ECR.BatchDeleteImage').filter((call) => JSON.stringify(call.params).includes(app[5].digest));
    expect(attempts).toHaveLength(2);
    const decision = decisionsOf(outcome, 'app').find((d) => d.digest === app[5].digest);
    expect(decision?.result).toEqual({ status: 'kept-by-ecr', why: 'an image index that is not in the plan lists it (pushed during the run?); the next run judges it again' });
  });

  describe('the confirmation', () => {
    async function confirmedRun(
      fixture: Fixture,
      whileAsking: (emulator: Emulator) => void,
      answer = true,
      env: Record<string, string> = {},
    ): Promise<{ outcome: RunOutcome; emulator: Emulator; asked: RunReport[] }> {
      const emulator = await Emulator.start(fixture);
      useEmulatorEnv(emulator);
      const config = parseConfig({ ...emulator.env(), DELETE_ENABLED: 'true', ...env });
      const aws = createAwsClients(config);
      const asked: RunReport[] = [];
      try {
        const outcome = await runCleanup({ aws, slackTokens: new Map() }, config, {
          now: NOW,
          confirmDeletion: (plan) => {
            asked.push(plan);
            whileAsking(emulator);
            return Promise.resolve(answer);
          },
        });
        return { outcome, emulator, asked };
      } finally {
        destroy(aws);
      }
    }

    it('shows the plan before any deletion, and deletes nothing when the answer is no', async () => {
      const { outcome, emulator, asked } = await confirmedRun(account(), () => undefined, false);

      expect(asked).toHaveLength(1);
      expect(asked[0]).toMatchObject({ mode: 'delete', awaitingConfirmation: true, totals: { toDelete: 12, deleted: 0 } });
      expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
      expect(outcome).toMatchObject({ ok: true, report: { deletionBlocked: 'the deletion was not confirmed, so no image was deleted' } });
      await emulator.stop();
    });

    it('looks again after the answer: an image that a task started on meanwhile is kept, and nothing beyond the confirmed plan goes', async () => {
      const fixture = account();
      const prod = (fixture.clusters ?? [])[0];
      const tasks = prod.tasks as FixtureTask[];
      const app = fixture.repositories[0].images;

      const { outcome, emulator } = await confirmedRun(fixture, () => {
        // While the operator reads the plan, a task starts on v0, which the plan deletes; and the task on v2
        // stops for good, so that v2 would now be deleted, though nobody confirmed that.
        tasks.splice(0, tasks.length, { id: 't9', containers: [{ name: 'app', image: `${HOST}/app:v0` }] });
      });

      expect(outcome.report.errors).toEqual([]);
      expect(tagsLeft(emulator, 'app')).toEqual(expect.arrayContaining(['v0', 'v2']));
      const artifacts = artifactsOf(outcome, 'app');
      expect(artifacts.find((artifact) => artifact.digest === app[0].digest)).toMatchObject({ action: 'keep', reasons: ['in-use:running'] });
      expect(artifacts.find((artifact) => artifact.digest === app[2].digest)).toMatchObject({
        action: 'delete',
        result: { status: 'skipped', why: 'it was not in the plan that was confirmed; the next run judges it again' },
      });
      expect(emulator.callsOf('ECS.ListClusters')).toHaveLength(2);
      await emulator.stop();
    });

    it('plans, confirms and deletes by the rules: the plan asked about is the plan carried out', async () => {
      const rules = JSON.stringify([
        { repositories: 'other', exclude: true },
        { repositories: 'app', keepTags: ['v0'], keepMinImageCount: 1 },
      ]);
      const { outcome, emulator, asked } = await confirmedRun(account(), () => undefined, true, { RULES: rules });

      expect(asked[0]).toMatchObject({ totals: { toDelete: 6, repositoriesExcluded: 1 }, repositories: [{ name: 'app', rule: 1 }, { name: 'other', status: 'excluded', rule: 0 }] });
      expect(outcome.report.totals).toMatchObject({ deleted: 6, toDelete: 6 });
      // v0 is protected, v2 and v4 are in use, v9 is the newest; the excluded repository is not even listed.
      expect(tagsLeft(emulator, 'app')).toEqual(['v0', 'v2', 'v4', 'v9']);
      expect(tagsLeft(emulator, 'other')).toHaveLength(10);
      expect(emulator.callsOf('ECR.DescribeImages').map((call) => call.params.repositoryName)).toEqual(['app']);
      await emulator.stop();
    });

    it('deletes nothing when the second look fails', async () => {
      const fixture = account();
      const { outcome, emulator } = await confirmedRun(fixture, (running) => running.setFaults({ errors: [{ operation: 'ECS.ListClusters' }] }));

      expect(outcome.ok).toBe(false);
      expect(outcome.report.deletionBlocked).toMatch(/^in-use discovery was incomplete/);
      expect(emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
      await emulator.stop();
    });
  });

  it('warns when the rules exclude every repository, and of a rule that matches none of the repositories in scope', async () => {
    const rules = JSON.stringify([{ repositories: ['app', 'other'], exclude: true }, { repositories: 'shop/*', keepMinImageCount: 1 }]);

    const { outcome, emulator } = await runOnce(account(), { RULES: rules, ECR_REPOSITORIES: 'app,other' });

    expect(outcome.report.warnings).toEqual([
      'RULES[1] ("shop/*") matches none of the 2 repositories in scope, so it has no effect: check the pattern, or the scope (ECR_REPOSITORIES)',
      'the rules exclude every one of the 2 repositories in scope, so nothing is cleaned',
    ]);
    expect(emulator.callsOf('ECR.DescribeImages')).toEqual([]);
  });

  it('holds a whole image back under the grace period when the earlier plan planned only part of it', async () => {
    const old = multiArchImage('web:old', { tags: ['w0'], pushedDaysAgo: 60 });
    const gone = multiArchImage('web:gone', { tags: ['w1'], pushedDaysAgo: 50 });
    const fresh = [3, 2, 1].map((days) => image(`web:${days}`, { tags: [`w${10 - days}`], pushedDaysAgo: days + 10 }));
    const fixture: Fixture = { now: NOW.toISOString(), repositories: [{ name: 'web', images: [...old.all, ...gone.all, ...fresh] }] };
    // A week ago the plan deleted the index of w0 but not its platform images, and all of w1.
    const weekAgo = new Date(NOW.getTime() - 8 * 86_400_000).toISOString();
    const plan = [
      { type: 'run', account: '123456789012', region: 'eu-west-2', startedAt: weekAgo, now: weekAgo },
      { type: 'artifact', repository: 'web', decisions: [{ digest: old.index.digest, action: 'delete' }] },
      { type: 'artifact', repository: 'web', decisions: gone.all.map((manifest) => ({ digest: manifest.digest, action: 'delete' })) },
    ];
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'grace-')), 'earlier.jsonl');
    writeFileSync(file, plan.map((record) => JSON.stringify(record)).join('\n'));
    const emulator = await Emulator.start(fixture);
    started.push(emulator);
    useEmulatorEnv(emulator);
    const config = parseConfig({ ...emulator.env(), DELETE_ENABLED: 'true', GRACE_PERIOD_DAYS: '7' }, { earlierPlan: file });
    const aws = createAwsClients(config);
    try {
      const outcome = await runCleanup({ aws, slackTokens: new Map() }, config, { now: NOW });

      expect(emulator.digestsIn('web')).toEqual(expect.arrayContaining(old.all.map((manifest) => manifest.digest)));
      for (const manifest of gone.all) expect(emulator.digestsIn('web')).not.toContain(manifest.digest);
      const w0 = artifactsOf(outcome, 'web').find((artifact) => artifact.tags.includes('w0'));
      expect(w0?.decisions.map((decision) => decision.result.status)).toEqual(old.all.map(() => 'marked'));
      expect(outcome.report.totals).toMatchObject({ toDelete: 2, deleted: 1, marked: 1 });
    } finally {
      destroy(aws);
    }
  });

  it('stops deleting at the time limit, leaves the rest for the next run, and says so', async () => {
    const result = await run(account(), { DELETE_ENABLED: 'true' }, undefined, new Date(Date.now() - 1));
    started.push(result.emulator);

    expect(result.outcome.ok).toBe(false);
    expect(result.emulator.callsOf('ECR.BatchDeleteImage')).toEqual([]);
    expect(result.outcome.report.errors.map((error) => error.message).sort()).toEqual([
      'stopped deleting in app at the time limit: 5 manifests are left for the next run',
      'stopped deleting in other at the time limit: 7 manifests are left for the next run',
    ]);
  });

  it('posts to Slack after deleting, and a Slack failure fails the run without undoing the cleanup', async () => {
    const ok = await runOnce(account(), { DELETE_ENABLED: 'true', SLACK_ENABLED: 'true', SLACK_CHANNEL: 'C0ECRMAINT', SLACK_TOKEN_SECRET_ARN: 'slack-token' });
    const failing = await runOnce(account({ slack: [{ method: 'chat.postMessage', error: 'channel_not_found' }] }), {
      DELETE_ENABLED: 'true',
      SLACK_ENABLED: 'true',
      SLACK_CHANNEL: 'C0ECRMAINT',
      SLACK_TOKEN: TOKEN,
    });

    expect(ok.outcome.ok).toBe(true);
    expect(ok.emulator.slack.messages[0].text).toContain('*DELETE*');
    expect(failing.outcome.ok).toBe(false);
    expect(tagsLeft(failing.emulator, 'app')).toEqual(['v2', 'v4', 'v7', 'v8', 'v9']);
    expect(failing.outcome.report.errors).toEqual([{ kind: 'slack', message: 'could not post to Slack: Slack chat.postMessage failed: channel_not_found' }]);
    expect(JSON.stringify(failing.outcome.report)).not.toContain(TOKEN);
  });

  it('reads the Slack token from the secret once per process', async () => {
    const fixture = account();
    const emulator = await Emulator.start(fixture);
    started.push(emulator);
    const aws = clientsFor(emulator);
    const deps = { aws, slackTokens: new Map<string, string>() };
    const config = parseConfig({ ...emulator.env(), SLACK_ENABLED: 'true', SLACK_CHANNEL: 'C0ECRMAINT', SLACK_TOKEN_SECRET_ARN: 'slack-token' });

    await runCleanup(deps, config, { now: NOW });
    await runCleanup(deps, config, { now: NOW });
    destroy(aws);

    expect(emulator.callsOf('SecretsManager.GetSecretValue')).toHaveLength(1);
    expect(emulator.slack.messages).toHaveLength(2);
  });
});
