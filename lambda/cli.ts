/**
 * The local command: `npm run cleaner -- [options]`. Flags become the same Config that the Lambda
 * builds from its environment, and the same cleaner runs. A dry run unless --delete is given.
 *
 * It says what it will do before it does it: the account and caller (from STS), the region, the mode
 * and every setting, each with what gave it; then it plans, and in a terminal asks before deleting.
 * The header, the warnings and the question go to stderr; the final summary goes to stdout, so that
 * `npm run --silent cleaner > plan.txt` keeps only the result.
 */
import { closeSync, existsSync, openSync, unlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ApiCalls } from './aws/api-calls';
import { createAwsClients } from './aws/clients';
import { readCallerIdentity, type CallerIdentity } from './aws/identity';
import { readProfileRegion } from './aws/profile-region';
import { AssumeRoleFailedError } from './aws/assume-role';
import { type Progress, type RunOutcome } from './cleaner';
import { runFleet } from './cli-fleet';
import { EVERY_REGISTRY, expandTargets, targetName, type Target } from './core/targets';
import { parseFanOutFlags, resolveFanOut } from './fan-out-flags';
import { RoleSessions, runTarget } from './target-run';
import { parseConfig, type Config } from './config';
import { planLines, type RunReport } from './core/report';
import { formatBytes, plural } from './core/words';
import { csvLines } from './render/csv';
import { htmlReportChunks } from './render/html';
import { decisionChunks } from './render/explain';
import { renderSummary } from './render/summary';
import { ruleLines } from './render/text';
import { AwsCallError, ConfigError, errorMessage } from './errors';
import { keepHeapTight } from './heap';
import { closestName } from './core/did-you-mean';
import { FILE_LABELS, writeFileInChunks, writeOut } from './report-files';
import { readRulesFile } from './rules-file';
import { emfRecord, runMetrics } from './metrics';

const USAGE = `Usage: npm run cleaner -- [options]

Plans the cleanup of unused ECR images in an account and region (or many:
see --regions and --accounts), and with --delete carries it out. Without
--delete it is a dry run: it writes the plan and changes nothing. It first
prints the account, region, mode and settings; in a terminal, it asks you to
type the account ID before deleting.

Keep rules (an image is kept when any applies):
  in use by ECS tasks and services, scheduled tasks, task definitions, Lambda
  --keep-days N               pushed within N days
                              KEEP_IMAGES_NEWER_THAN_DAYS (default 7)
  --keep-min N                among the N newest of its repository
                              KEEP_MIN_IMAGE_COUNT (default 3)
  --keep-pulled-days N        pulled within N days (0: off)
                              KEEP_IMAGES_PULLED_WITHIN_DAYS (default 0)
  --keep-task-definition-revisions N
                              the images of each family's N newest ACTIVE
                              task definitions (0: off)
                              KEEP_TASK_DEFINITION_REVISIONS (default 1)
  --keep-lambda-versions N    the images of each container-image Lambda
                              function's N newest published versions
                              KEEP_LAMBDA_VERSIONS (default 3)
  --in-use-images PATH|s3://BUCKET/KEY
                              a list of image references in use elsewhere
                              IN_USE_IMAGES_URI
  --ignore-service-deployments
                              not the images of services' deployments
                              KEEP_SERVICE_DEPLOYMENT_IMAGES=false
  --ignore-scheduled-tasks    not the images of scheduled ECS tasks
                              KEEP_SCHEDULED_TASK_IMAGES=false
  --ignore-lambda             not the images of Lambda functions
                              KEEP_LAMBDA_IMAGES=false
  --rules FILE                rules per repository (JSON or YAML): the first
                              whose pattern matches a repository sets its
                              keep rules, protected tags, untagged age, or
                              excludes it; the settings above apply to the
                              rest                      RULES (JSON)

Mode:
  --dry-run                   plan only, whatever DELETE_ENABLED says
  --delete                    delete the planned images  DELETE_ENABLED=true
  --yes                       delete without asking for the account ID
  --grace-period-days N       delete only what a plan at least N days old
                              planned too; the rest is marked
                              GRACE_PERIOD_DAYS (default 0)
  --earlier-plan FILE         that earlier plan (JSON Lines from --json),
                              instead of the newest old enough in --upload
  --now TIME                  preview the rules at a later ISO 8601 instant,
                              e.g. 2026-12-01T00:00:00Z (dry runs only)

Scope:
  --region REGION             the region to clean: --region, AWS_REGION,
                              AWS_DEFAULT_REGION, the profile's region,
                              else eu-west-2
  --repositories A,B          only these repositories   ECR_REPOSITORIES
  --clusters A,B              only look for images in use in these ECS
                              clusters                  ECS_CLUSTERS
  --max-concurrent-calls N    AWS calls in flight at once
                              MAX_CONCURRENT_CALLS (default 8)
  --storage-price USD         ECR storage per GB-month, for the estimated
                              saving  STORAGE_PRICE_PER_GB_MONTH (default 0.10)

Many accounts and regions (each account × region is a run of its own; one
summary covers them all, and every row of the files names its target):
  --regions A,B               clean each of these regions
  --accounts A,B              clean each of these accounts, through a role:
  --role-name NAME            the role of that name in each account, or
  --role-arn-template ARN     arn:aws:iam::{account}:role/NAME
  --workload-accounts A,R=B   accounts whose workloads pull these registries'
                              images (B for registry R only): their ECS,
                              schedules and Lambda are searched too, in each
                              region, through the same role; if one cannot
                              be read, the registry deletes nothing
  --external-id ID            the external ID that the roles' trust requires
                              MEMBER_EXTERNAL_ID
  --max-concurrent-targets N  targets cleaned at once (default 4)

Reports:
  --csv PATH                  the planned deletions (default ./to_delete.csv)
  --json PATH                 also the whole plan, every reason, as JSON Lines
  --html PATH                 also the plan as one page to look at in a
                              browser (with several targets, one page each:
                              report.html gives report-<account>-<region>.html)
  --explain                   print every decision with its reasons
  --metrics PATH              also the run's metrics, as the Lambda logs
                              them (CloudWatch embedded metric format)
  --upload s3://BUCKET[/PREFIX]
                              also write the CSV and the plan to S3, under
                              runs/<account>/<region>/<date>/ AUDIT_BUCKET_URI
  --slack                     post the report to Slack  SLACK_ENABLED=true
  --slack-channel ID          the channel to post to    SLACK_CHANNEL
  --slack-token-secret ID     the Secrets Manager secret that holds the token
                              SLACK_TOKEN_SECRET_ARN (or SLACK_TOKEN)
  --quiet                     show no progress
  -h, --help                  show this help

Credentials, profiles and endpoints come from the usual AWS settings
(AWS_PROFILE, AWS_ENDPOINT_URL, ...).
Exit status: 0 done, 1 the run had errors, 2 bad settings or usage.
`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  region: { type: 'string' },
  delete: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  yes: { type: 'boolean' },
  'keep-min': { type: 'string' },
  'keep-days': { type: 'string' },
  'keep-pulled-days': { type: 'string' },
  'keep-task-definition-revisions': { type: 'string' },
  'keep-lambda-versions': { type: 'string' },
  'in-use-images': { type: 'string' },
  upload: { type: 'string' },
  'grace-period-days': { type: 'string' },
  'earlier-plan': { type: 'string' },
  metrics: { type: 'string' },
  rules: { type: 'string' },
  repositories: { type: 'string' },
  clusters: { type: 'string' },
  'ignore-service-deployments': { type: 'boolean' },
  'ignore-scheduled-tasks': { type: 'boolean' },
  'ignore-lambda': { type: 'boolean' },
  'max-concurrent-calls': { type: 'string' },
  'storage-price': { type: 'string' },
  now: { type: 'string' },
  csv: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
  explain: { type: 'boolean' },
  slack: { type: 'boolean' },
  'slack-channel': { type: 'string' },
  'slack-token-secret': { type: 'string' },
  quiet: { type: 'boolean' },
  regions: { type: 'string' },
  accounts: { type: 'string' },
  'role-name': { type: 'string' },
  'role-arn-template': { type: 'string' },
  'workload-accounts': { type: 'string' },
  'max-concurrent-targets': { type: 'string' },
  'external-id': { type: 'string' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

/** What the CLI reads and writes besides files: the process's streams, or a test's. */
export interface CliIo {
  /** Where results go; a stream that asks to wait (`write` answers false) is waited for until `drain`. */
  readonly stdout: { write(text: string): unknown; once?(event: 'drain', listener: () => void): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** A person can answer only when stdin is a terminal. */
  readonly stdin: { readonly isTTY?: boolean };
  /** Asks one question; resolves to the line typed, or undefined when the input ends or is interrupted. */
  readonly ask: (question: string) => Promise<string | undefined>;
}

/** AWS error codes that mean the credentials were refused: invalid, expired, or for another partition. */
const REFUSED_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'ExpiredToken',
  'ExpiredTokenException',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'AuthFailure',
]);
/** Errors of the SDK's credential chain: no credentials, or an SSO session that has ended. */
const MISSING_CREDENTIALS = new Set(['CredentialsProviderError', 'TokenProviderError']);
const LOGIN_FIX = 'run "aws sso login" (with --profile or AWS_PROFILE), or set AWS_PROFILE / AWS_ACCESS_KEY_ID';

/** Runs the command; resolves to the exit status. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo = processIo()): Promise<number> {
  let values: Values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    const unknown = /Unknown option '--([^']+)'/.exec(errorMessage(error))?.[1];
    const closest = unknown === undefined ? undefined : closestName(unknown, Object.keys(OPTIONS), 2);
    io.stderr.write(`${errorMessage(error)}${closest ? ` (did you mean --${closest}?)` : ''}\n\nRun with --help for the options.\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }

  let config: Config;
  try {
    const profileRegion = await readProfileRegion(env);
    const rules = values.rules === undefined ? undefined : readRulesFile(values.rules);
    config = parseConfig(env, { ...configFlags(values), ...(rules && { rules }) }, { shell: 'cli', ...(profileRegion && { profileRegion }) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return 2;
  }
  const fanOut = parseFanOutFlags({
    region: values.region,
    regions: values.regions,
    accounts: values.accounts,
    roleName: values['role-name'],
    roleArnTemplate: values['role-arn-template'],
    workloadAccounts: values['workload-accounts'],
    maxConcurrentTargets: values['max-concurrent-targets'],
    earlierPlan: values['earlier-plan'],
  });
  if ('problems' in fanOut) {
    io.stderr.write(`${['invalid options:', ...fanOut.problems.map((problem) => `  ${problem}`)].join('\n')}\n\nRun with --help for the options.\n`);
    return 2;
  }
  const reports = {
    csv: values.csv ?? 'to_delete.csv',
    ...(values.json !== undefined && { json: values.json }),
    ...(values.html !== undefined && { html: values.html }),
    ...(values.metrics !== undefined && { metrics: values.metrics }),
  };
  for (const [flag, file] of Object.entries(reports)) {
    const why = whyUnwritable(file);
    if (why) {
      io.stderr.write(`ecr-maintainer: --${flag} ${file}${flag === 'csv' && values.csv === undefined ? ' (the default)' : ''} cannot be written: ${why}\n`);
      return 2;
    }
  }
  // A local list that cannot be read would fail the run closed at its end: say so before any AWS call.
  if (config.inUseImagesUri !== undefined && !config.inUseImagesUri.startsWith('s3://')) {
    const why = whyUnreadable(config.inUseImagesUri);
    if (why) {
      io.stderr.write(`ecr-maintainer: the in-use list ${config.inUseImagesUri} (${originOf(config, 'IN_USE_IMAGES_URI')}) cannot be read: ${why}\n`);
      return 2;
    }
  }

  if (config.earlierPlanFile !== undefined && config.gracePeriodDays > 0) {
    const why = whyUnreadable(config.earlierPlanFile);
    if (why) {
      io.stderr.write(`ecr-maintainer: --earlier-plan ${config.earlierPlanFile} cannot be read: ${why}; give a plan written by --json, or leave it out to use the audit trail's\n`);
      return 2;
    }
  }

  const aws = createAwsClients(config);
  let caller: CallerIdentity;
  try {
    caller = await readCallerIdentity(aws.sts, new ApiCalls(1, { maxAttempts: config.awsMaxAttempts }));
  } catch (error) {
    io.stderr.write(`ecr-maintainer: ${describeIdentityFailure(error, env)}\n`);
    return 1;
  }

  const asking = config.deleteEnabled && io.stdin.isTTY === true && values.yes !== true;
  const warnings = [...config.warnings];
  if (values.yes && !config.deleteEnabled) warnings.push('--yes has no effect in a dry run: nothing is deleted, so nothing is asked');
  const targets = expandTargets(resolveFanOut(fanOut, caller, config.region));
  const misplaced = [
    ...Object.keys(fanOut.workloadAccounts ?? {})
      .filter((registry) => registry !== EVERY_REGISTRY && !targets.some((target) => target.account === registry))
      .map((registry) => `--workload-accounts names the registry ${registry}=…, which is not cleaned here: add it to --accounts, or drop "${registry}="`),
    ...(config.memberExternalId !== undefined && !targets.some((target) => target.roleArn !== undefined || target.workloadAccounts !== undefined)
      ? [`${originOf(config, 'MEMBER_EXTERNAL_ID')} has no effect without --accounts or --workload-accounts: no role is assumed`]
      : []),
  ];
  if (misplaced.length > 0) {
    io.stderr.write(`${['invalid options:', ...misplaced.map((problem) => `  ${problem}`)].join('\n')}\n`);
    return 2;
  }
  io.stderr.write(renderHeader(config, caller, env, asking ? 'asked' : values.yes ? 'yes' : 'no-terminal', targets));
  for (const warning of warnings) io.stderr.write(`WARNING: ${warning}\n`);
  io.stderr.write('\n');

  if (targets.length > 1) {
    const fleet = await runFleet(
      aws,
      config,
      {
        targets,
        concurrency: fanOut.concurrency,
        files: Object.entries(reports)
          .filter(([flag]) => flag !== 'html')
          .map(([flag, path]) => ({ flag: `--${flag}`, path })),
        ...(reports.html !== undefined && { html: reports.html }),
        explain: values.explain === true,
        now: config.now ?? new Date(),
        warnings,
        ...(asking && { confirm: (plan: RunReport, target: Target) => confirm(plan, target.account, io) }),
      },
      io,
    );
    return fleet.results.every((result) => result.ok) && fleet.written ? 0 : 1;
  }

  const [target] = targets;
  const progress = values.quiet || !io.stderr.isTTY ? undefined : terminalProgress(io.stderr);
  let outcome: RunOutcome;
  try {
    outcome = await runTarget({ aws, slackTokens: new Map() }, new RoleSessions(aws, config), target, config, {
      now: config.now ?? new Date(),
      warnings,
      ...(progress && { onProgress: progress.update }),
      ...(asking && {
        confirmDeletion: async (plan: RunReport) => {
          progress?.clear();
          return confirm(plan, target.account, io);
        },
      }),
    });
  } catch (error) {
    progress?.clear();
    if (!(error instanceof AssumeRoleFailedError)) throw error;
    io.stderr.write(`ecr-maintainer: ${error.message}; nothing was read or deleted in ${targetName(target)}\n`);
    return 1;
  }
  progress?.clear();

  // The summary comes first: if a report cannot be written now (a full disk), what was done is still said.
  if (values.explain) {
    for (const chunk of decisionChunks(outcome.report, outcome.artifacts)) await writeOut(io.stdout, chunk);
    await writeOut(io.stdout, '\n');
  }
  io.stdout.write(renderSummary(outcome.report));
  // Each file is written as a stream, a batch at a time: no string holds a whole file.
  const files: [flag: string, path: string | undefined, chunks: () => Iterable<string>][] = [
    ['--csv', reports.csv, () => csvLines(outcome.report, outcome.artifacts)],
    ['--json', reports.json, () => planLines(outcome.report, outcome.artifacts)],
    ['--html', reports.html, () => htmlReportChunks(outcome.report, outcome.artifacts)],
    ['--metrics', reports.metrics, () => [`${JSON.stringify(emfRecord(runMetrics(outcome.report), outcome.report.mode))}\n`]],
  ];
  let written = true;
  for (const [flag, file, chunks] of files) {
    if (file === undefined) continue;
    try {
      await writeFileInChunks(file, chunks());
      io.stdout.write(`${FILE_LABELS[flag]}: ${file}\n`);
    } catch (error) {
      written = false;
      io.stderr.write(`ecr-maintainer: could not write ${flag} ${file}: ${describeFileError(error)}\n`);
    }
  }
  return outcome.ok && written ? 0 : 1;
}


function configFlags(values: Values): Parameters<typeof parseConfig>[1] {
  return {
    region: values.region,
    delete: values.delete,
    dryRun: values['dry-run'],
    keepMin: values['keep-min'],
    keepDays: values['keep-days'],
    keepPulledDays: values['keep-pulled-days'],
    keepTaskDefinitionRevisions: values['keep-task-definition-revisions'],
    keepLambdaVersions: values['keep-lambda-versions'],
    inUseImages: values['in-use-images'],
    upload: values.upload,
    gracePeriodDays: values['grace-period-days'],
    earlierPlan: values['earlier-plan'],
    repositories: values.repositories,
    clusters: values.clusters,
    ignoreServiceDeployments: values['ignore-service-deployments'],
    ignoreScheduledTasks: values['ignore-scheduled-tasks'],
    ignoreLambda: values['ignore-lambda'],
    maxConcurrentCalls: values['max-concurrent-calls'],
    storagePrice: values['storage-price'],
    now: values.now,
    slack: values.slack,
    slackChannel: values['slack-channel'],
    slackTokenSecret: values['slack-token-secret'],
    externalId: values['external-id'],
  };
}

/**
 * Why a report file cannot be written, or undefined when it can. The file is opened for appending, which
 * neither truncates nor touches an existing one; a file created by the check is removed again.
 */
function whyUnwritable(file: string): string | undefined {
  const existed = existsSync(file);
  try {
    closeSync(openSync(file, 'a'));
    if (!existed) unlinkSync(file);
    return undefined;
  } catch (error) {
    return describeFileError(error);
  }
}

/** Why a file could not be opened, read or written, in words, with the system's code. */
function describeFileError(error: unknown, reading = false): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return reading ? 'it does not exist (ENOENT)' : 'its folder does not exist (ENOENT)';
    case 'ENOTDIR':
      return 'a part of its path is not a folder (ENOTDIR)';
    case 'EISDIR':
      return 'it is a folder (EISDIR)';
    case 'EACCES':
    case 'EPERM':
      return `permission denied (${code})`;
    case 'EROFS':
      return 'the file system is read-only (EROFS)';
    case 'ENOSPC':
      return 'the disk is full (ENOSPC)';
    default:
      return errorMessage(error);
  }
}

/** Why a local file cannot be read, or undefined when it can. */
function whyUnreadable(file: string): string | undefined {
  try {
    closeSync(openSync(file, 'r'));
    return undefined;
  } catch (error) {
    return describeFileError(error, true);
  }
}

/** What gave a setting its value: `--in-use-images`, `IN_USE_IMAGES_URI`, … */
function originOf(config: Config, setting: string): string {
  return config.origins.find((origin) => origin.setting === setting)?.from ?? setting;
}

/** One line that says what went wrong with STS, and the fix when it is the credentials. */
function describeIdentityFailure(error: unknown, env: NodeJS.ProcessEnv): string {
  const code = error instanceof AwsCallError ? error.code : 'Error';
  const said = oneLine(errorMessage(error instanceof AwsCallError ? error.cause : error));
  // A profile, once named, is where the SDK looks: keys in the environment are then not used.
  const profile = env.AWS_PROFILE?.trim();
  if (MISSING_CREDENTIALS.has(code) && profile) {
    return `no usable AWS credentials in the profile "${profile}" (AWS_PROFILE), which the SDK reads instead of any keys in the environment: check that the profile exists in ${env.AWS_CONFIG_FILE?.trim() || '~/.aws/config'} and run "aws sso login --profile ${profile}", or unset AWS_PROFILE to use the keys (the SDK said: ${said})`;
  }
  if (MISSING_CREDENTIALS.has(code)) return `no usable AWS credentials: ${LOGIN_FIX} (the SDK said: ${said})`;
  if (REFUSED_CREDENTIALS.has(code)) return `AWS refused the credentials (${code}): ${LOGIN_FIX} (STS said: ${said})`;
  return `could not ask STS which account the credentials belong to, so nothing was read: ${oneLine(errorMessage(error))}`;
}

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * What the run is about to do, before it does anything: the account and caller, the region, the mode,
 * whether it will ask, and every setting with its origin. Defaults share a line, to keep it short.
 */
export function renderHeader(
  config: Config,
  caller: CallerIdentity,
  env: NodeJS.ProcessEnv,
  confirmation: 'asked' | 'yes' | 'no-terminal',
  targets: readonly Target[] = [{ account: caller.account, region: config.region }],
): string {
  const origin = (setting: string): string => config.origins.find((entry) => entry.setting === setting)?.from ?? 'default';
  const from = (text: string): string => (text.startsWith('default') ? `(${text})` : `(from ${text})`);
  const modeFrom = origin('DELETE_ENABLED');
  const accounts = [...new Set(targets.map((target) => target.account))];
  const regions = [...new Set(targets.map((target) => target.region))];
  const roles = [...new Set(targets.flatMap((target) => (target.roleArn === undefined ? [] : [target.roleArn.replace(target.account, '{account}')])))];
  const workloads = [...new Set(targets.flatMap((target) => (target.workloadAccounts ?? []).map((workload) => workload.account)))];
  const rows: [string, string][] = [
    [accounts.length === 1 && roles.length === 0 ? 'Account' : 'Caller', `${caller.account} (${caller.arn})`],
    ...(accounts.length > 1 || roles.length > 0 ? [['Accounts', `${accounts.join(', ')}${roles.length > 0 ? `, each through the role ${roles.join(', ')}` : ''}`] as [string, string]] : []),
    [regions.length === 1 ? 'Region' : 'Regions', regions.length === 1 && targets.length === 1 ? `${config.region} ${from(origin('AWS_REGION'))}` : `${regions.join(', ')} (from --regions)`],
    ...(targets.length > 1 ? [['Targets', `${targets.length}: ${accounts.length} ${plural(accounts.length, 'account')} × ${regions.length} ${plural(regions.length, 'region')}, each a run of its own`] as [string, string]] : []),
    ...(workloads.length > 0 ? [['Workloads', `also searched for images in use: ${workloads.join(', ')} (a use there keeps the image; if one cannot be read, nothing is deleted)`] as [string, string]] : []),
    [
      'Mode',
      config.deleteEnabled
        ? `DELETE ${from(modeFrom)}; ${
            confirmation === 'asked'
              ? 'you will be asked to type the account ID first'
              : confirmation === 'yes'
                ? 'not asked first: --yes'
                : 'not asked first: stdin is not a terminal'
          }`
        : `DRY RUN, nothing is deleted ${from(modeFrom === 'default' ? 'default: a dry run unless --delete or DELETE_ENABLED=true' : modeFrom)}`,
    ],
  ];
  if (env.AWS_ENDPOINT_URL?.trim()) rows.push(['Endpoint', `${env.AWS_ENDPOINT_URL.trim()} (from AWS_ENDPOINT_URL)`]);
  if (config.now) rows.push(['Rules at', `${config.now.toISOString()} (from --now: a preview)`]);

  const settings = config.origins.filter((entry) => entry.setting !== 'AWS_REGION' && entry.setting !== 'DELETE_ENABLED');
  const given = settings.filter((entry) => entry.from !== 'default');
  const defaults = settings.filter((entry) => entry.from === 'default');
  const width = Math.max(0, ...given.map((entry) => `${entry.setting}=${entry.value}`.length));
  const settingLines = [
    ...given.map((entry) => `${`${entry.setting}=${entry.value}`.padEnd(width)}  (from ${entry.from})`),
    ...wrap(`defaults: ${defaults.map((entry) => `${entry.setting}=${entry.value}`).join(', ')}`, 90),
  ];
  rows.push(['Settings', settingLines[0] ?? ''], ...settingLines.slice(1).map((line): [string, string] => ['', line]));
  // The rules in words, as the plan applies them: the first whose pattern matches a repository.
  const rules = ruleLines(config.rules, config.policy);
  rows.push(...rules.map((line, position): [string, string] => [position === 0 ? 'Rules' : '', line]));
  return `${rows.map(([label, text]) => `${label.padEnd(10)}${text}`).join('\n')}\n`;
}

/** Splits a long line at its spaces, continuing with an indent. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = `  ${word}`;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  return [...lines, line];
}

/** Shows the plan, then asks the operator to type the account ID; anything else cancels. */
async function confirm(plan: RunReport, account: string, io: CliIo): Promise<boolean> {
  const { totals } = plan;
  io.stderr.write(`The plan; nothing is deleted yet:\n\n${renderSummary(plan)}\n`);
  const what = `${totals.toDelete} ${plural(totals.toDelete, 'image')} (${totals.manifestsToDelete} ${plural(totals.manifestsToDelete, 'manifest')}, up to ${formatBytes(totals.reclaimableBytes)})`;
  const answer = await io.ask(`Type the account ID to delete ${what} in ${account}/${plan.region}; anything else cancels: `);
  const confirmed = answer?.trim() === account;
  io.stderr.write(confirmed ? 'Confirmed: deleting.\n\n' : `${answer === undefined ? '\n' : ''}ecr-maintainer: nothing deleted: not confirmed.\n\n`);
  return confirmed;
}

/** The process's own streams, with a question read from the terminal. */
function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    ask: (question) =>
      new Promise((resolve) => {
        const terminal = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
        let answer: string | undefined;
        terminal.on('SIGINT', () => terminal.close());
        terminal.on('close', () => resolve(answer));
        terminal.question(question, (line) => {
          answer = line;
          terminal.close();
        });
      }),
  };
}

/** One line on stderr, rewritten in place. */
function terminalProgress(stderr: CliIo['stderr']): { update: (progress: Progress) => void; clear: () => void } {
  let shown = false;
  const show = (text: string): void => {
    stderr.write(`\r\x1b[2K${text}`);
    shown = true;
  };
  return {
    update: (progress) => {
      switch (progress.phase) {
        case 'repositories':
          return show(`Found ${progress.count} repositories`);
        case 'images':
          return show(`Listing images: ${progress.done}/${progress.total} repositories`);
        case 'in-use':
          return show(`Finding images in use: ${progress.done}/${progress.total} ECS clusters`);
        case 'delete':
          return show(`Deleting: ${progress.done}/${progress.total} manifests`);
        case 'slack':
          return show('Posting to Slack');
      }
    },
    clear: () => {
      if (shown) stderr.write('\r\x1b[2K');
      shown = false;
    },
  };
}

/** The CLI as a process runs it (`bin/cleaner.mjs`, or this file run directly): `main`, with the heap kept tight. */
export function start(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  keepHeapTight();
  return main(argv, env);
}

if (require.main === module) {
  start(process.argv.slice(2), process.env).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`ecr-maintainer: unexpected error: ${errorMessage(error)}\n`);
      process.exitCode = 1;
    },
  );
}
