/**
 * The cleanup use case, shared by the Lambda handler and the CLI.
 */
import type { Config } from './config';
import { ApiCalls, DEADLINE_PASSED } from './aws/api-calls';
import type { AwsClients } from './aws/clients';
import { deleteImages, listImages, listRepositories, readIndexChildren } from './aws/ecr';
import { uploadLines } from './aws/uploads';
import { findEarlierPlan } from './aws/earlier-plan';
import { deletableFrom } from './core/grace';
import { discoverImageUses } from './aws/ecs';
import { readSlackToken } from './aws/secrets';
import { readInUseList } from './aws/in-use-list';
import { discoverLambdaImages } from './aws/lambda-functions';
import { discoverScheduledTaskImages } from './aws/scheduled-tasks';
import { TaskDefinitionReader, discoverTaskDefinitionImages } from './aws/task-definitions';
import { isIndexMediaType } from './core/artifact-graph';
import { describePlace, describeWorkload, resolveUses, usesByRepository, type UseResolution } from './core/in-use';
import { planRepository } from './core/planner';
import { idleRules, policyOf, ruleFor, type RepositoryRule } from './core/rules';
import { AUDIT_PAGE_MAX_IMAGES, auditKeys, type AuditObjects } from './core/audit';
import { buildRunReport, listArtifacts, planLines, type ArtifactListing, type RunError, type RunFacts, type RunReport } from './core/report';
import { shortDigest } from './core/words';
import { csvLines } from './render/csv';
import { HTML_CONTENT_TYPE, htmlReportChunks } from './render/html';
import type { ImageTable } from './core/image-table';
import type { ImageResult, InUseDiscovery, Repository, RepositoryPlan } from './core/types';
import { errorMessage } from './errors';
import { postReportToSlack, type SlackPostOptions } from './notify/slack';

export interface CleanerDeps {
  readonly aws: AwsClients;
  /**
   * Other places whose workloads may pull this registry's images: the registry's own account in the
   * other regions of a fan-out (a task may pull across regions), and the workload accounts of a central
   * registry in each of those regions. In-use discovery runs in each of them too, and their uses protect
   * this registry's images. A place whose role could not be assumed carries the reason in `error`, and
   * then nothing is deleted.
   */
  readonly workloads?: readonly WorkloadPlaceClients[];
  /** Slack tokens read from Secrets Manager, by secret id; kept for the life of the process. */
  readonly slackTokens: Map<string, string>;
  /** Tests shorten Slack's timeouts; the shells use the defaults. */
  readonly slackOptions?: Partial<Pick<SlackPostOptions, 'timeoutMs' | 'retries' | 'maxRateLimitWaitSeconds'>>;
}

/**
 * The clients of a place where workloads may pull the registry's images, or why there are none. `account`
 * is set for another account than the registry's (a workload account), `region` for another region.
 */
export type WorkloadPlaceClients = WorkloadPlace & ({ readonly aws: Pick<AwsClients, 'ecs' | 'events' | 'scheduler' | 'lambda'> } | { readonly error: string });

/** Another account, another region, or both, than the registry's own. */
export interface WorkloadPlace {
  readonly account?: string;
  readonly region?: string;
}

export type Progress =
  | { readonly phase: 'repositories'; readonly count: number }
  | { readonly phase: 'images'; readonly done: number; readonly total: number }
  | { readonly phase: 'in-use'; readonly done: number; readonly total: number }
  | { readonly phase: 'delete'; readonly done: number; readonly total: number }
  | { readonly phase: 'audit' }
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
  readonly confirmDeletion?: (plan: RunReport, artifacts: ArtifactListing) => Promise<boolean>;
  /** The account, when the shell already knows it (from STS); otherwise the registry's id. */
  readonly account?: string;
  /** Warnings from the settings, shown in every summary. */
  readonly warnings?: readonly string[];
}

export interface RunOutcome {
  readonly report: RunReport;
  /** The plan in detail, artifact by artifact, built again from the listing one repository at a time. */
  readonly artifacts: ArtifactListing;
  /** False when the run had any error: the shells then exit 1, or throw. */
  readonly ok: boolean;
}

interface RepositoryState {
  readonly repository: Repository;
  /** The rule that applies to it; none: the global settings. */
  readonly rule?: RepositoryRule;
  readonly images?: ImageTable;
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
  const warnings = [...(options.warnings ?? [])];

  // 1. List.
  const states = await listRegistry(deps, calls, config, progress, errors, warnings);

  // 2 and 3. Find what is in use, after listing (an image pushed since is not in the plan, and a workload
  // started since is seen), and plan each repository.
  let judged = await judge(deps, calls, config, states, options.now, progress);
  // The account, as the shell knows it (STS, the target), or as the registry names itself.
  const account = options.account ?? states[0]?.repository.registryId;

  // 5's report, for any set of results: built for the confirmation, and again at the end. The report
  // holds counts; the plans are built again from the listing whenever the detail is read.
  let auditObjects: AuditObjects | undefined;
  let graceBlocked: string | undefined = undefined;
  const factsOf = (results: ReadonlyMap<string, ReadonlyMap<string, ImageResult>>, declined = false, awaitingConfirmation = false): RunFacts => {
    const { resolutions, problems } = judged;
    return {
      deleteEnabled: config.deleteEnabled,
      region: config.region,
      ...(account !== undefined && { account }),
      now: options.now,
      startedAt,
      finishedAt: new Date(),
      policy: config.policy,
      storagePricePerGbMonth: config.storagePricePerGbMonth,
      gracePeriodDays: config.gracePeriodDays,
      ...(auditObjects && { auditObjects }),
      rules: config.rules,
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
        ...(judged.planners.has(state.repository.name) && { plan: judged.planners.get(state.repository.name) }),
        ...(state.error && { error: state.error }),
        ...(state.rule && { rule: state.rule.index, ...(state.rule.exclude && { excluded: true }) }),
      })),
      resolutions,
      discoveryProblems: problems,
      results,
      errors: [...errors],
      apiCalls: calls.stats(),
      warnings,
      sources: describeSources(config, deps.workloads),
      declined,
      awaitingConfirmation,
      ...(graceBlocked !== undefined && { graceBlocked }),
    };
  };
  const build = (results: ReadonlyMap<string, ReadonlyMap<string, ImageResult>>, declined = false, awaitingConfirmation = false): RunOutcome => {
    const facts = factsOf(results, declined, awaitingConfirmation);
    const report = buildRunReport(facts);
    return { report, artifacts: () => listArtifacts(facts, report), ok: errors.length === 0 };
  };

  // 4. Delete. The planner already keeps everything when discovery was incomplete; this check is the
  // second lock on the same door. The shell may ask for confirmation first: then, since the operator may
  // have taken a while, in-use discovery runs again, and only what both plans delete is deleted.
  // The grace period is read first: the plan shown and the plan carried out hold back the same images.
  const grace = config.gracePeriodDays > 0 ? await gracePeriod(deps, calls, config, account, options.now, errors) : undefined;
  graceBlocked = grace?.blocked;
  let declined = false;
  let confirmed: Judgement | undefined;
  if (config.deleteEnabled && judged.problems.length === 0 && graceBlocked === undefined && options.confirmDeletion) {
    const plan = build(grace ? markAll(judged.planners, grace.hold) : new Map(), false, true);
    if (plan.report.totals.toDelete > plan.report.totals.marked) {
      declined = !(await options.confirmDeletion(plan.report, plan.artifacts));
      if (!declined) {
        confirmed = judged;
        judged = await judge(deps, calls, config, states, options.now, progress);
      }
    }
  }
  for (const problem of judged.problems) errors.push({ kind: 'in-use', message: `in-use discovery: ${problem}` });
  const deleting = config.deleteEnabled && !declined && judged.problems.length === 0 && graceBlocked === undefined;
  const results = deleting
    ? await deletePlans(deps, calls, { planners: judged.planners, ...(confirmed && { confirmed: confirmed.planners }), ...(grace && { hold: grace.hold }) }, config.maxConcurrentCalls, options.deleteDeadline, progress, errors)
    : grace
      ? markAll(judged.planners, grace.hold)
      : new Map<string, Map<string, ImageResult>>();

  // 5. Report: write the audit trail, then tell Slack, which links it.
  let outcome = build(results, declined);
  if (config.audit) {
    progress({ phase: 'audit' });
    // The page only up to the size a browser opens comfortably: beyond, the CSV and the plan say it all.
    const withPage = outcome.report.totals.images <= AUDIT_PAGE_MAX_IMAGES;
    const { html, ...files } = auditKeys(config.audit, outcome.report);
    if (!withPage) warnings.push(`the audit trail has no page of this plan: its ${outcome.report.totals.images} images are more than a browser opens comfortably (${AUDIT_PAGE_MAX_IMAGES}); the CSV and the JSON Lines plan hold it all`);
    try {
      await uploadLines(deps.aws.s3, calls, files.csv, csvLines(outcome.report, outcome.artifacts), 'text/csv; charset=utf-8');
      await uploadLines(deps.aws.s3, calls, files.plan, planLines(outcome.report, outcome.artifacts), 'application/x-ndjson; charset=utf-8');
      if (withPage) await uploadLines(deps.aws.s3, calls, html as string, htmlReportChunks(outcome.report, outcome.artifacts), HTML_CONTENT_TYPE);
      auditObjects = withPage ? { ...files, html } : files;
    } catch (error) {
      errors.push({ kind: 'audit', message: `could not write the audit trail to s3://${config.audit.bucket}/${config.audit.prefix}: ${errorMessage(error)}` });
    }
    outcome = build(results, declined);
  }
  if (config.slack) {
    // Slack gets the planned deletions as a file whenever there are any (built only then, and at most
    // 16 MB of it); the CLI streams its own.
    const { report, artifacts } = outcome;
    const csv = (): Iterable<string> => csvLines(report, artifacts);
    progress({ phase: 'slack' });
    try {
      const token = config.slack.token ?? (await slackToken(deps, calls, config.slack.tokenSecretId as string));
      await postReportToSlack(outcome.report, csv, {
        token,
        channel: config.slack.channel,
        maxMessageLength: config.slack.maxMessageLength,
        ...(config.slack.apiUrl !== undefined && { apiUrl: config.slack.apiUrl }),
        ...deps.slackOptions,
      });
    } catch (error) {
      errors.push({ kind: 'slack', message: `could not post to Slack: ${errorMessage(error)}` });
      outcome = build(results, declined);
    }
  }
  return outcome;
}

const OUT_OF_TIME = 'the run reached its time limit; the next run goes on';

/** What deleting one repository's plan needs, and no more. */
interface RepositoryDeletion {
  readonly repository: string;
  /**
   * The digests to delete, in waves: every wave is deleted before the next starts (an index before its
   * children, as ECR requires; a subject before its referrers).
   */
  readonly waves: readonly (readonly string[])[];
  /** For each manifest to delete that belongs to another (a child, a referrer), the digests of its owners. */
  readonly owners: ReadonlyMap<string, readonly string[]>;
}

interface Judgement {
  readonly resolutions: readonly UseResolution[];
  /** What made in-use discovery incomplete; any problem stops all deletion. */
  readonly problems: readonly string[];
  /**
   * How to plan each completely listed repository with this judgement's uses: the same plan each time.
   * Plans are built when they are needed (to report, to delete) and dropped after, one repository at a
   * time, since a plan costs far more memory than the compact listing it is built from.
   */
  readonly planners: ReadonlyMap<string, () => RepositoryPlan>;
}

/** Steps 2 and 3: find every image in use, and match the uses to the listed images, ready to plan. */
async function judge(
  deps: CleanerDeps,
  calls: ApiCalls,
  config: Config,
  states: readonly RepositoryState[],
  now: Date,
  progress: (progress: Progress) => void,
): Promise<Judgement> {
  const found = await findImagesInUse(deps, calls, config, progress);
  const listed = new Map(states.flatMap((state) => (state.images ? [[state.repository.name, state.images] as const] : [])));
  const excluded = new Set(states.filter((state) => state.rule?.exclude).map((state) => state.repository.name));
  const resolutions = resolveUses(found.uses, states.map((state) => state.repository), listed, excluded);
  const problems = [
    ...found.problems,
    ...resolutions.flatMap((resolution) => (!resolution.matched && resolution.problem ? [`${describeWorkload(resolution.use)}: ${resolution.use.reference}: ${resolution.why}`] : [])),
  ];
  const uses = usesByRepository(resolutions);
  const planners = new Map<string, () => RepositoryPlan>();
  for (const { repository, rule, images, indexChildren } of states) {
    if (!images || !indexChildren) continue;
    const input = { repository: repository.name, indexChildren, uses: uses.get(repository.name) ?? new Map(), inUseComplete: problems.length === 0 };
    const policy = policyOf(rule, config.policy);
    planners.set(repository.name, () => planRepository({ ...input, images: images.records() }, policy, now));
  }
  return { resolutions, problems, planners };
}

/** Whether the grace period holds a planned deletion back, and as what: undefined lets it go. */
type Hold = (repository: string, digest: string) => ImageResult | undefined;

const NOT_CONFIRMED: ImageResult = Object.freeze({ status: 'skipped', why: 'it was not in the plan that was confirmed; the next run judges it again' });

/**
 * What deleting a repository's plan needs: the plan itself is dropped. With `allowed` (what the plan that
 * the operator confirmed deletes), only what both delete is deleted: the operator did not see the rest,
 * and the next run judges it again. With `hold` (the grace period), only what it lets go. What is held
 * back is recorded in `held`, with why.
 */
function deletionOf(plan: RepositoryPlan, allowed: ReadonlySet<string> | undefined, hold: Hold | undefined, held: Map<string, ImageResult>): RepositoryDeletion {
  const owners = new Map<string, string[]>();
  for (const decision of plan.decisions) {
    if (decision.action !== 'delete') continue;
    const of = decision.reasons.filter((reason) => reason.includes('-of:')).map((reason) => reason.slice(reason.indexOf(':') + 1));
    if (of.length > 0) owners.set(decision.image.digest, of);
  }
  if (!allowed && !hold) return { repository: plan.repository, waves: plan.deletionWaves, owners };
  const graced = hold ? heldBack(plan, hold) : undefined;
  const goes = (digest: string): boolean => {
    const back = allowed && !allowed.has(digest) ? NOT_CONFIRMED : graced?.get(digest);
    if (back) held.set(digest, back);
    return back === undefined;
  };
  const waves = plan.deletionWaves.map((wave) => wave.filter(goes)).filter((wave) => wave.length > 0);
  return { repository: plan.repository, waves, owners };
}

/**
 * What the grace period holds back in a repository's plan, image by image: when it holds any manifest of
 * an image (an index, a platform image, a signature), it holds them all, so that no image goes in part.
 */
function heldBack(plan: RepositoryPlan, hold: Hold): Map<string, ImageResult> {
  const manifestsOf = new Map<string, string[]>();
  for (const decision of plan.decisions) {
    if (decision.action !== 'delete') continue;
    const manifests = manifestsOf.get(decision.artifact);
    if (manifests) manifests.push(decision.image.digest);
    else manifestsOf.set(decision.artifact, [decision.image.digest]);
  }
  const held = new Map<string, ImageResult>();
  for (const manifests of manifestsOf.values()) {
    let back: ImageResult | undefined;
    for (const digest of manifests) back ??= hold(plan.repository, digest);
    if (back) for (const digest of manifests) held.set(digest, back);
  }
  return held;
}

/** A run that deletes nothing under a grace period still says what it marks. */
function markAll(planners: ReadonlyMap<string, () => RepositoryPlan>, hold: Hold): Map<string, Map<string, ImageResult>> {
  const results = new Map<string, Map<string, ImageResult>>();
  for (const plan of planners.values()) {
    const repositoryPlan = plan();
    const marks = heldBack(repositoryPlan, hold);
    if (marks.size > 0) results.set(repositoryPlan.repository, marks);
  }
  return results;
}

/**
 * The grace period: reads the earlier plan, and holds back every planned deletion that it did not plan
 * too. Without an earlier plan old enough, or one that can be read, it holds back everything, and says
 * why in `blocked`; a plan that cannot be read is also an error.
 */
async function gracePeriod(
  deps: CleanerDeps,
  calls: ApiCalls,
  config: Config,
  account: string | undefined,
  now: Date,
  errors: RunError[],
): Promise<{ readonly hold: Hold; readonly blocked?: string }> {
  const marked: ImageResult = { status: 'marked', deletableFrom: deletableFrom(now, config.gracePeriodDays) };
  const all: Hold = () => marked;
  try {
    const earlier = await findEarlierPlan(deps.aws.s3, calls, { ...config, ...(account !== undefined && { account }), region: config.region, now });
    if ('missing' in earlier) return { hold: all, blocked: earlier.missing };
    return { hold: (repository, digest) => (earlier.deletions.has(repository, digest) ? undefined : marked) };
  } catch (error) {
    errors.push({ kind: 'audit', message: `grace period: could not read the earlier plan: ${errorMessage(error)}` });
    return { hold: all, blocked: 'the earlier plan could not be read' };
  }
}

/**
 * Asks every source that is on, concurrently, for the images its workloads run or may start: here, and
 * in each other place (where each use and each problem names the place, and every cluster is searched:
 * `ECS_CLUSTERS` names this account's clusters in this region). The operator's list is read once.
 */
async function findImagesInUse(deps: CleanerDeps, calls: ApiCalls, config: Config, progress: (progress: Progress) => void): Promise<InUseDiscovery> {
  const none: Promise<InUseDiscovery> = Promise.resolve({ uses: [], problems: [] });
  const results = await Promise.all([
    discoverWorkloads(deps.aws, calls, config, (done, total) => progress({ phase: 'in-use', done, total })),
    config.inUseImagesUri !== undefined ? readInUseList(deps.aws.s3, calls, config.inUseImagesUri) : none,
    ...(deps.workloads ?? []).map(async (workload): Promise<InUseDiscovery> => {
      const place = { ...(workload.account !== undefined && { account: workload.account }), ...(workload.region !== undefined && { region: workload.region }) };
      if ('error' in workload) return { uses: [], problems: [`workloads ${describePlace(place)}: ${workload.error}`] };
      const found = await discoverWorkloads(workload.aws, calls, { ...config, clusters: undefined });
      return {
        uses: found.uses.map((use) => ({ ...use, ...place })),
        problems: found.problems.map((problem) => `workloads ${describePlace(place)}: ${problem}`),
      };
    }),
  ]);
  return { uses: results.flatMap((result) => result.uses), problems: results.flatMap((result) => result.problems) };
}

/**
 * The images that one account's workloads run or may start: ECS tasks and services, scheduled tasks,
 * task definition families and Lambda functions, as the settings switch them on. The sources share one
 * task-definition reader, so each task definition is described once per account.
 */
async function discoverWorkloads(
  aws: Pick<AwsClients, 'ecs' | 'events' | 'scheduler' | 'lambda'>,
  calls: ApiCalls,
  config: Config,
  onClusterDone?: (done: number, total: number) => void,
): Promise<InUseDiscovery> {
  const { ecs, events, scheduler, lambda } = aws;
  const taskDefinitions = new TaskDefinitionReader(ecs, calls);
  const none: Promise<InUseDiscovery> = Promise.resolve({ uses: [], problems: [] });
  const results = await Promise.all([
    discoverImageUses(ecs, calls, {
      ...(config.clusters && { clusters: config.clusters }),
      includeServices: config.keepServiceDeploymentImages,
      taskDefinitions,
      ...(onClusterDone && { onClusterDone }),
    }),
    config.keepScheduledTaskImages ? discoverScheduledTaskImages({ events, scheduler }, calls, { taskDefinitions }) : none,
    discoverTaskDefinitionImages(ecs, calls, { keepRevisions: config.keepTaskDefinitionRevisions, taskDefinitions }),
    config.keepLambdaImages ? discoverLambdaImages(lambda, calls, { keepVersions: config.keepLambdaVersions }) : none,
  ]);
  return { uses: results.flatMap((result) => result.uses), problems: results.flatMap((result) => result.problems) };
}

/** The sources searched for images in use, in words, for the summaries. */
function describeSources(config: Config, workloads: readonly WorkloadPlaceClients[] = []): string[] {
  const places = workloads.map((workload) => describePlace(workload).replace(/^in /, ''));
  return [
    config.clusters ? `ECS tasks in ${config.clusters.join(', ')}` : 'ECS tasks',
    ...(config.keepServiceDeploymentImages ? ['ECS services'] : []),
    ...(config.keepScheduledTaskImages ? ['scheduled tasks'] : []),
    ...(config.keepTaskDefinitionRevisions > 0 ? [`the newest ${config.keepTaskDefinitionRevisions} task definition ${config.keepTaskDefinitionRevisions === 1 ? 'revision' : 'revisions'} of each family`] : []),
    ...(config.keepLambdaImages ? [`Lambda functions ($LATEST, aliases, the newest ${config.keepLambdaVersions} ${config.keepLambdaVersions === 1 ? 'version' : 'versions'})`] : []),
    ...(config.inUseImagesUri !== undefined ? [`the list ${config.inUseImagesUri}`] : []),
    ...(places.length > 0 ? [`the same sources in ${places.join(', ')}`] : []),
  ];
}


/**
 * Lists the repositories in scope and, concurrently, every image of each, but those that a rule excludes.
 * Rules that apply to no repository become warnings.
 */
async function listRegistry(
  deps: CleanerDeps,
  calls: ApiCalls,
  config: Config,
  progress: (progress: Progress) => void,
  errors: RunError[],
  warnings: string[],
): Promise<RepositoryState[]> {
  let states: RepositoryState[] = [];
  try {
    const listing = await listRepositories(deps.aws.ecr, calls, config.repositories);
    for (const name of listing.missing) {
      errors.push({ kind: 'repository', repository: name, message: `repository ${name} does not exist (it is named in the configured scope)` });
    }
    warnings.push(...idleRules(config.rules, listing.repositories.map((repository) => repository.name), config.rulesSource, config.repositories !== undefined));
    const ruled = listing.repositories.map((repository) => ({ repository, rule: ruleFor(repository.name, config.rules) }));
    const cleaned = ruled.filter(({ rule }) => !rule?.exclude);
    if (cleaned.length === 0 && ruled.length > 0 && config.rules.length > 0) {
      warnings.push(`the rules exclude every one of the ${ruled.length} ${ruled.length === 1 ? 'repository' : 'repositories'} in scope, so nothing is cleaned`);
    }
    progress({ phase: 'repositories', count: cleaned.length });
    let listed = 0;
    states = await Promise.all(
      ruled.map(async ({ repository, rule }): Promise<RepositoryState> => {
        if (rule?.exclude) return { repository, rule };
        const state = await readRepository(deps, calls, repository);
        listed += 1;
        progress({ phase: 'images', done: listed, total: cleaned.length });
        return rule ? { ...state, rule } : state;
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

/**
 * Deletes every repository's plan, a few repositories at a time (as many as calls may be in flight), and
 * records each failure as an error. Each repository is planned again when its turn comes and its plan is
 * dropped after, so that only a few plans are held at once; a first pass counts what is to go, for the
 * progress.
 */
async function deletePlans(
  deps: CleanerDeps,
  calls: ApiCalls,
  plans: { readonly planners: ReadonlyMap<string, () => RepositoryPlan>; readonly confirmed?: ReadonlyMap<string, () => RepositoryPlan>; readonly hold?: Hold },
  width: number,
  deadline: Date | undefined,
  progress: (progress: Progress) => void,
  errors: RunError[],
): Promise<Map<string, Map<string, ImageResult>>> {
  const results = new Map<string, Map<string, ImageResult>>();
  const repositories = [...plans.planners.keys()];
  const count = (name: string): number => (plans.planners.get(name) as () => RepositoryPlan)().deletionWaves.reduce((sum, wave) => sum + wave.length, 0);
  const doomed = repositories.map((name) => [name, count(name)] as const).filter(([, manifests]) => manifests > 0);
  const total = doomed.reduce((sum, [, manifests]) => sum + manifests, 0);
  let done = 0;
  const outOfTime = (): boolean => deadline !== undefined && Date.now() > deadline.getTime();
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let taken = next++; taken < doomed.length; taken = next++) {
      const [name] = doomed[taken];
      const outcome = new Map<string, ImageResult>();
      // Confirmed: only what the confirmed plan deleted too; a repository it did not plan, nothing.
      const allowed = plans.confirmed && new Set(plans.confirmed.get(name)?.().deletionWaves.flat() ?? []);
      const deletion = deletionOf((plans.planners.get(name) as () => RepositoryPlan)(), allowed, plans.hold, outcome);
      done += outcome.size;
      for (const [digest, result] of await deleteInWaves(deps, calls, deletion, outOfTime, (manifests) => {
        done += manifests;
        progress({ phase: 'delete', done, total });
      })) {
        outcome.set(digest, result);
      }
      results.set(name, outcome);
      reportDeletionErrors(name, outcome, errors);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(width, doomed.length)) }, worker));
  return results;
}

/** Records a repository's failed deletions, and what the deadline left, as errors. */
function reportDeletionErrors(repository: string, outcome: ReadonlyMap<string, ImageResult>, errors: RunError[]): void {
  const late = [...outcome.values()].filter((result) => result.status === 'skipped' && result.why === OUT_OF_TIME).length;
  if (late > 0) {
    errors.push({
      kind: 'delete',
      repository,
      message: `stopped deleting in ${repository} at the time limit: ${late} ${late === 1 ? 'manifest is' : 'manifests are'} left for the next run`,
    });
  }
  for (const [digest, result] of outcome) {
    if (result.status !== 'failed') continue;
    errors.push({
      kind: 'delete',
      repository,
      digest,
      code: result.code,
      message: `could not delete ${repository}@${shortDigest(digest)}: ${result.code}${result.message ? `: ${result.message}` : ''}`,
    });
  }
}

async function readRepository(deps: CleanerDeps, calls: ApiCalls, repository: Repository): Promise<RepositoryState> {
  try {
    const images = await listImages(deps.aws.ecr, calls, repository.name);
    const indexes = images.records().filter((image) => isIndexMediaType(image.mediaType)).map((image) => image.digest);
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
 * Deletes a repository's planned deletions wave by wave. A manifest whose index or subject was not deleted is skipped:
 * ECR would refuse a child, and a signature must not vanish from an image that stays. A manifest that ECR
 * still finds listed by an index is tried once more at the end, after its known parents are gone.
 *
 * The deadline holds for each call: no wave starts after it, and within a wave `ApiCalls` starts no
 * `BatchDeleteImage` after it (a call in flight may finish). What was not sent is skipped as out of time.
 */
async function deleteInWaves(
  deps: CleanerDeps,
  calls: ApiCalls,
  deletion: RepositoryDeletion,
  outOfTime: () => boolean,
  onDone: (count: number) => void,
): Promise<Map<string, ImageResult>> {
  const results = new Map<string, ImageResult>();
  const { owners } = deletion;
  const gone = (digest: string): boolean => ['deleted', 'already-gone'].includes(results.get(digest)?.status ?? '');
  // A delete that ApiCalls did not send, because the deadline had passed, is skipped, not failed.
  const unlessOutOfTime = (outcome: ImageResult): ImageResult =>
    outcome.status === 'failed' && outcome.code === DEADLINE_PASSED ? { status: 'skipped', why: OUT_OF_TIME } : outcome;

  const referenced: string[] = [];
  for (const wave of deletion.waves) {
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
    const outcomes = await deleteImages(deps.aws.ecr, calls, deletion.repository, ready);
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
    const retried = await deleteImages(deps.aws.ecr, calls, deletion.repository, referenced);
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
