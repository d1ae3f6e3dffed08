/**
 * The cleanup use case, shared by the Lambda handler and the CLI.
 */
import type { Config } from './config';
import { ApiCalls, DEADLINE_PASSED } from './aws/api-calls';
import type { AwsClients } from './aws/clients';
import { deleteImages, listImages, listRepositories, readIndexChildren } from './aws/ecr';
import { discoverImageUses } from './aws/ecs';
import { readSlackToken } from './aws/secrets';
import { readInUseList } from './aws/in-use-list';
import { discoverLambdaImages } from './aws/lambda-functions';
import { discoverScheduledTaskImages } from './aws/scheduled-tasks';
import { TaskDefinitionReader, discoverTaskDefinitionImages } from './aws/task-definitions';
import { isIndexMediaType } from './core/artifact-graph';
import { describeWorkload, resolveUses, usesByRepository, type UseResolution } from './core/in-use';
import { planRepository } from './core/planner';
import { buildRunReport, renderCsv, shortDigest, type RunError, type RunReport } from './core/report';
import type { ImageRecord, ImageResult, InUseDiscovery, Repository, RepositoryPlan } from './core/types';
import { errorMessage } from './errors';
import { postReportToSlack, type SlackPostOptions } from './notify/slack';

export interface CleanerDeps {
  readonly aws: AwsClients;
  /** Slack tokens read from Secrets Manager, by secret id; kept for the life of the process. */
  readonly slackTokens: Map<string, string>;
  /** Tests shorten Slack's timeouts; the shells use the defaults. */
  readonly slackOptions?: Partial<Pick<SlackPostOptions, 'timeoutMs' | 'retries' | 'maxRateLimitWaitSeconds'>>;
}

export type Progress =
  | { readonly phase: 'repositories'; readonly count: number }
  | { readonly phase: 'images'; readonly done: number; readonly total: number }
  | { readonly phase: 'in-use'; readonly done: number; readonly total: number }
  | { readonly phase: 'delete'; readonly done: number; readonly total: number }
  | { readonly phase: 'slack' };

export interface RunOptions {
  /** The instant at which the keep rules are evaluated. */
  readonly now: Date;
  /**
   * No `BatchDeleteImage` call starts after this instant (one in flight may finish): the Lambda stops
   * deleting in time to report. What is left is skipped, and the next run goes on.
   */
  readonly deleteDeadline?: Date;
  readonly onProgress?: (progress: Progress) => void;
  /**
   * Asked with the plan, after planning and before the first deletion, when there is anything to delete;
   * deletion goes ahead only if it resolves to true. The CLI asks the operator here.
   */
  readonly confirmDeletion?: (plan: RunReport) => Promise<boolean>;
  /** The account, when the shell already knows it (from STS); otherwise the registry's id. */
  readonly account?: string;
  /** Warnings from the settings, shown in every summary. */
  readonly warnings?: readonly string[];
}

export interface RunOutcome {
  readonly report: RunReport;
  /** False when the run had any error: the shells then exit 1, or throw. */
  readonly ok: boolean;
}

interface RepositoryState {
  readonly repository: Repository;
  readonly images?: readonly ImageRecord[];
  readonly indexChildren?: ReadonlyMap<string, readonly string[]>;
  readonly error?: string;
}

/**
 * Runs one cleanup.
 *
 * 1. List the repositories in scope, and every image of each, concurrently; read the manifests of
 *    image indexes. A repository that cannot be listed completely is left alone.
 * 2. Then find every image that a workload runs or may start again: ECS tasks and services, scheduled
 *    tasks, task definition families, Lambda functions and the operator's list, each source as the
 *    settings switch it on. If anything could not be read, nothing is deleted anywhere.
 * 3. Plan each repository with the keep rules.
 * 4. When deletion is enabled and nothing blocks it, delete the planned images in waves.
 * 5. Build the report, and post it to Slack when Slack is enabled.
 */
export async function runCleanup(deps: CleanerDeps, config: Config, options: RunOptions): Promise<RunOutcome> {
  const startedAt = new Date();
  const calls = new ApiCalls(config.maxConcurrentCalls, {
    maxAttempts: config.awsMaxAttempts,
    ...(options.deleteDeadline && { deadline: { at: options.deleteDeadline, operations: ['ECR.BatchDeleteImage'] } }),
  });
  const progress = options.onProgress ?? (() => undefined);
  const errors: RunError[] = [];

  // 1. List.
  const states = await listRegistry(deps, calls, config, progress, errors);

  // 2 and 3. Find what is in use, after listing (an image pushed since is not in the plan, and a workload
  // started since is seen), and plan each repository.
  let judged = await judge(deps, calls, config, states, options.now, progress);

  // 5's report, for any set of results: built for the confirmation, and again at the end.
  const build = (results: ReadonlyMap<string, ReadonlyMap<string, ImageResult>>, declined = false, awaitingConfirmation = false): RunReport => {
    const { plans, resolutions, problems } = judged;
    return buildRunReport({
      deleteEnabled: config.deleteEnabled,
      region: config.region,
      ...((options.account ?? states[0]?.repository.registryId) !== undefined && { account: options.account ?? states[0]?.repository.registryId }),
      now: options.now,
      startedAt,
      finishedAt: new Date(),
      policy: config.policy,
      keepServiceDeploymentImages: config.keepServiceDeploymentImages,
      inUseSettings: {
        keepScheduledTaskImages: config.keepScheduledTaskImages,
        keepTaskDefinitionRevisions: config.keepTaskDefinitionRevisions,
        keepLambdaImages: config.keepLambdaImages,
        keepLambdaVersions: config.keepLambdaVersions,
        ...(config.inUseImagesUri !== undefined && { inUseImagesUri: config.inUseImagesUri }),
      },
      scope: { repositories: config.repositories ?? 'all', clusters: config.clusters ?? 'all' },
      repositories: states.map((state) => ({
        name: state.repository.name,
        ...(plans.has(state.repository.name) && { plan: plans.get(state.repository.name) }),
        ...(state.error && { error: state.error }),
      })),
      resolutions,
      discoveryProblems: problems,
      results,
      errors: [...errors],
      apiCalls: calls.stats(),
      warnings: options.warnings ?? [],
      sources: describeSources(config),
      declined,
      awaitingConfirmation,
    });
  };

  // 4. Delete. The planner already keeps everything when discovery was incomplete; this check is the
  // second lock on the same door. The shell may ask for confirmation first: then, since the operator may
  // have taken a while, in-use discovery runs again, and only what both plans delete is deleted.
  const condemns = (plans: ReadonlyMap<string, RepositoryPlan>): boolean => [...plans.values()].some((plan) => plan.deletionWaves.length > 0);
  let declined = false;
  const unconfirmed = new Map<string, Map<string, ImageResult>>();
  if (config.deleteEnabled && judged.problems.length === 0 && condemns(judged.plans) && options.confirmDeletion) {
    declined = !(await options.confirmDeletion(build(new Map(), false, true)));
    if (!declined) {
      const confirmed = judged.plans;
      judged = await judge(deps, calls, config, states, options.now, progress);
      judged = { ...judged, plans: keepConfirmed(judged.plans, confirmed, unconfirmed) };
    }
  }
  for (const problem of judged.problems) errors.push({ kind: 'in-use', message: `in-use discovery: ${problem}` });
  const deleting = config.deleteEnabled && !declined && judged.problems.length === 0 && condemns(judged.plans);
  const results = deleting
    ? await deletePlans(deps, calls, [...judged.plans.values()], options.deleteDeadline, progress, errors)
    : new Map<string, Map<string, ImageResult>>();
  for (const [repository, skipped] of unconfirmed) results.set(repository, new Map([...skipped, ...(results.get(repository) ?? [])]));

  // 5. Report, and tell Slack.
  let report = build(results, declined);
  if (config.slack) {
    // Slack gets the planned deletions as a file only when the message is split; the CLI streams its own.
    const csv = renderCsv(report);
    progress({ phase: 'slack' });
    try {
      const token = config.slack.token ?? (await slackToken(deps, calls, config.slack.tokenSecretId as string));
      await postReportToSlack(report, csv, {
        token,
        channel: config.slack.channel,
        maxMessageLength: config.slack.maxMessageLength,
        ...(config.slack.apiUrl !== undefined && { apiUrl: config.slack.apiUrl }),
        ...deps.slackOptions,
      });
    } catch (error) {
      errors.push({ kind: 'slack', message: `could not post to Slack: ${errorMessage(error)}` });
      report = build(results, declined);
    }
  }
  return { report, ok: errors.length === 0 };
}

const OUT_OF_TIME = 'the run reached its time limit; the next run goes on';

interface Judgement {
  readonly resolutions: readonly UseResolution[];
  /** What made in-use discovery incomplete; any problem stops all deletion. */
  readonly problems: readonly string[];
  readonly plans: ReadonlyMap<string, RepositoryPlan>;
}

/** Steps 2 and 3: find every image in use, match the uses to the listed images, and plan each repository. */
async function judge(
  deps: CleanerDeps,
  calls: ApiCalls,
  config: Config,
  states: readonly RepositoryState[],
  now: Date,
  progress: (progress: Progress) => void,
): Promise<Judgement> {
  const found = await findImagesInUse(deps, calls, config, progress);
  const listedImages = new Map(
    states.filter((state) => state.images).map((state) => [state.repository.name, state.images as readonly ImageRecord[]]),
  );
  const resolutions = resolveUses(found.uses, states.map((state) => state.repository), listedImages);
  const problems = [
    ...found.problems,
    ...resolutions.flatMap((resolution) => (!resolution.matched && resolution.problem ? [`${describeWorkload(resolution.use)}: ${resolution.use.reference}: ${resolution.why}`] : [])),
  ];
  const uses = usesByRepository(resolutions);
  const plans = new Map<string, RepositoryPlan>();
  for (const state of states) {
    if (!state.images || !state.indexChildren) continue;
    const name = state.repository.name;
    plans.set(
      name,
      planRepository(
        { repository: name, images: state.images, indexChildren: state.indexChildren, uses: uses.get(name) ?? new Map(), inUseComplete: problems.length === 0 },
        config.policy,
        now,
      ),
    );
  }
  return { resolutions, problems, plans };
}

/**
 * The new plans, deleting only what the confirmed plans deleted too. What only the new plans would delete
 * is recorded in `unconfirmed` as skipped: the operator did not see it, and the next run judges it again.
 */
function keepConfirmed(
  plans: ReadonlyMap<string, RepositoryPlan>,
  confirmed: ReadonlyMap<string, RepositoryPlan>,
  unconfirmed: Map<string, Map<string, ImageResult>>,
): Map<string, RepositoryPlan> {
  const kept = new Map<string, RepositoryPlan>();
  for (const [name, plan] of plans) {
    const allowed = new Set(confirmed.get(name)?.deletionWaves.flat() ?? []);
    const skipped = new Map<string, ImageResult>();
    for (const digest of plan.deletionWaves.flat()) {
      if (!allowed.has(digest)) skipped.set(digest, { status: 'skipped', why: 'it was not in the plan that was confirmed; the next run judges it again' });
    }
    if (skipped.size > 0) unconfirmed.set(name, skipped);
    const waves = plan.deletionWaves.map((wave) => wave.filter((digest) => allowed.has(digest))).filter((wave) => wave.length > 0);
    kept.set(name, { ...plan, deletionWaves: waves });
  }
  return kept;
}

/**
 * Asks every source that is on, concurrently, for the images its workloads run or may start. They share
 * one task-definition reader, so each task definition is described once per run.
 */
async function findImagesInUse(deps: CleanerDeps, calls: ApiCalls, config: Config, progress: (progress: Progress) => void): Promise<InUseDiscovery> {
  const { ecs, events, scheduler, lambda, s3 } = deps.aws;
  const taskDefinitions = new TaskDefinitionReader(ecs, calls);
  const none: Promise<InUseDiscovery> = Promise.resolve({ uses: [], problems: [] });
  const results = await Promise.all([
    discoverImageUses(ecs, calls, {
      ...(config.clusters && { clusters: config.clusters }),
      includeServices: config.keepServiceDeploymentImages,
      taskDefinitions,
      onClusterDone: (done, total) => progress({ phase: 'in-use', done, total }),
    }),
    config.keepScheduledTaskImages ? discoverScheduledTaskImages({ events, scheduler }, calls, { taskDefinitions }) : none,
    discoverTaskDefinitionImages(ecs, calls, { keepRevisions: config.keepTaskDefinitionRevisions, taskDefinitions }),
    config.keepLambdaImages ? discoverLambdaImages(lambda, calls, { keepVersions: config.keepLambdaVersions }) : none,
    config.inUseImagesUri !== undefined ? readInUseList(s3, calls, config.inUseImagesUri) : none,
  ]);
  return { uses: results.flatMap((result) => result.uses), problems: results.flatMap((result) => result.problems) };
}

/** The sources searched for images in use, in words, for the summaries. */
function describeSources(config: Config): string[] {
  return [
    config.clusters ? `ECS tasks in ${config.clusters.join(', ')}` : 'ECS tasks',
    ...(config.keepServiceDeploymentImages ? ['ECS services'] : []),
    ...(config.keepScheduledTaskImages ? ['scheduled tasks'] : []),
    ...(config.keepTaskDefinitionRevisions > 0 ? [`the newest ${config.keepTaskDefinitionRevisions} task definition ${config.keepTaskDefinitionRevisions === 1 ? 'revision' : 'revisions'} of each family`] : []),
    ...(config.keepLambdaImages ? [`Lambda functions ($LATEST, aliases, the newest ${config.keepLambdaVersions} ${config.keepLambdaVersions === 1 ? 'version' : 'versions'})`] : []),
    ...(config.inUseImagesUri !== undefined ? [`the list ${config.inUseImagesUri}`] : []),
  ];
}


/** Lists the repositories in scope and, concurrently, every image of each. */
async function listRegistry(
  deps: CleanerDeps,
  calls: ApiCalls,
  config: Config,
  progress: (progress: Progress) => void,
  errors: RunError[],
): Promise<RepositoryState[]> {
  let states: RepositoryState[] = [];
  try {
    const listing = await listRepositories(deps.aws.ecr, calls, config.repositories);
    for (const name of listing.missing) {
      errors.push({ kind: 'repository', repository: name, message: `repository ${name} does not exist (it is named in the configured scope)` });
    }
    progress({ phase: 'repositories', count: listing.repositories.length });
    let listed = 0;
    states = await Promise.all(
      listing.repositories.map(async (repository): Promise<RepositoryState> => {
        const state = await readRepository(deps, calls, repository);
        listed += 1;
        progress({ phase: 'images', done: listed, total: listing.repositories.length });
        return state;
      }),
    );
  } catch (error) {
    errors.push({ kind: 'registry', message: `could not list the repositories: ${errorMessage(error)}` });
  }
  for (const state of states) {
    if (state.error) errors.push({ kind: 'repository', repository: state.repository.name, message: state.error });
  }
  return states;
}

/** Deletes every repository's plan, concurrently, and records each failure as an error. */
async function deletePlans(
  deps: CleanerDeps,
  calls: ApiCalls,
  plans: readonly RepositoryPlan[],
  deadline: Date | undefined,
  progress: (progress: Progress) => void,
  errors: RunError[],
): Promise<Map<string, Map<string, ImageResult>>> {
  const results = new Map<string, Map<string, ImageResult>>();
  const doomed = plans.filter((plan) => plan.deletionWaves.length > 0);
  const total = doomed.reduce((sum, plan) => sum + plan.deletionWaves.flat().length, 0);
  let done = 0;
  const outOfTime = (): boolean => deadline !== undefined && Date.now() > deadline.getTime();
  await Promise.all(
    doomed.map(async (plan) => {
      const outcome = await deleteInWaves(deps, calls, plan, outOfTime, (count) => {
        done += count;
        progress({ phase: 'delete', done, total });
      });
      results.set(plan.repository, outcome);
      const late = [...outcome.values()].filter((result) => result.status === 'skipped' && result.why === OUT_OF_TIME).length;
      if (late > 0) {
        errors.push({
          kind: 'delete',
          repository: plan.repository,
          message: `stopped deleting in ${plan.repository} at the time limit: ${late} ${late === 1 ? 'manifest is' : 'manifests are'} left for the next run`,
        });
      }
      for (const [digest, result] of outcome) {
        if (result.status !== 'failed') continue;
        errors.push({
          kind: 'delete',
          repository: plan.repository,
          digest,
          code: result.code,
          message: `could not delete ${plan.repository}@${shortDigest(digest)}: ${result.code}${result.message ? `: ${result.message}` : ''}`,
        });
      }
    }),
  );
  return results;
}

async function readRepository(deps: CleanerDeps, calls: ApiCalls, repository: Repository): Promise<RepositoryState> {
  try {
    const images = await listImages(deps.aws.ecr, calls, repository.name);
    const indexes = images.filter((image) => isIndexMediaType(image.mediaType)).map((image) => image.digest);
    const indexChildren = indexes.length > 0 ? await readIndexChildren(deps.aws.ecr, calls, repository.name, indexes) : new Map();
    return { repository, images, indexChildren };
  } catch (error) {
    return { repository, error: `could not list repository ${repository.name}, so nothing in it is deleted: ${errorMessage(error)}` };
  }
}

async function slackToken(deps: CleanerDeps, calls: ApiCalls, secretId: string): Promise<string> {
  const cached = deps.slackTokens.get(secretId);
  if (cached !== undefined) return cached;
  const token = await readSlackToken(deps.aws.secrets, calls, secretId);
  deps.slackTokens.set(secretId, token);
  return token;
}

/**
 * Deletes a repository's plan wave by wave. A manifest whose index or subject was not deleted is skipped:
 * ECR would refuse a child, and a signature must not vanish from an image that stays. A manifest that ECR
 * still finds listed by an index is tried once more at the end, after its known parents are gone.
 *
 * The deadline holds for each call: no wave starts after it, and within a wave `ApiCalls` starts no
 * `BatchDeleteImage` after it (a call in flight may finish). What was not sent is skipped as out of time.
 */
async function deleteInWaves(
  deps: CleanerDeps,
  calls: ApiCalls,
  plan: RepositoryPlan,
  outOfTime: () => boolean,
  onDone: (count: number) => void,
): Promise<Map<string, ImageResult>> {
  const results = new Map<string, ImageResult>();
  const owners = new Map(
    plan.decisions.map((decision) => [
      decision.image.digest,
      decision.reasons.filter((reason) => reason.includes('-of:')).map((reason) => reason.slice(reason.indexOf(':') + 1)),
    ]),
  );
  const gone = (digest: string): boolean => ['deleted', 'already-gone'].includes(results.get(digest)?.status ?? '');
  // A delete that ApiCalls did not send, because the deadline had passed, is skipped, not failed.
  const unlessOutOfTime = (outcome: ImageResult): ImageResult =>
    outcome.status === 'failed' && outcome.code === DEADLINE_PASSED ? { status: 'skipped', why: OUT_OF_TIME } : outcome;

  const referenced: string[] = [];
  for (const wave of plan.deletionWaves) {
    if (outOfTime()) {
      for (const digest of wave) results.set(digest, { status: 'skipped', why: OUT_OF_TIME });
      continue;
    }
    const ready: string[] = [];
    for (const digest of wave) {
      const blocker = (owners.get(digest) ?? []).find((owner) => !gone(owner));
      if (blocker) results.set(digest, { status: 'skipped', why: `${shortDigest(blocker)}, which it belongs to, was not deleted` });
      else ready.push(digest);
    }
    const outcomes = await deleteImages(deps.aws.ecr, calls, plan.repository, ready);
    let deferred = 0;
    for (const [digest, outcome] of outcomes) {
      if (outcome.status === 'failed' && outcome.code === 'ImageReferencedByManifestList') {
        referenced.push(digest);
        deferred += 1;
      } else results.set(digest, unlessOutOfTime(outcome));
    }
    onDone(wave.length - deferred);
  }

  if (referenced.length > 0) {
    const retried = await deleteImages(deps.aws.ecr, calls, plan.repository, referenced);
    for (const [digest, outcome] of retried) {
      results.set(
        digest,
        outcome.status === 'failed' && outcome.code === 'ImageReferencedByManifestList'
          ? { status: 'kept-by-ecr', why: 'an image index that is not in the plan lists it (pushed during the run?); the next run judges it again' }
          : unlessOutOfTime(outcome),
      );
    }
    onDone(referenced.length);
  }
  return results;
}
