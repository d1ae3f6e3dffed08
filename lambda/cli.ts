/**
 * The local command: `npm run cleaner -- [options]`. Flags become the same Config that the Lambda
 * builds from its environment, and the same cleaner runs. A dry run unless --delete is given.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createAwsClients } from './aws/clients';
import { runCleanup, type Progress } from './cleaner';
import { parseConfig } from './config';
import { renderDecisions, renderSummary } from './core/report';
import { ConfigError, errorMessage } from './errors';

const USAGE = `Usage: npm run cleaner -- [options]

Plans the cleanup of unused ECR images in one account and region, and with --delete carries it out.
Without --delete it is a dry run: it writes the plan and changes nothing.

Keep rules (an image is kept when any applies):
  in use by ECS: running or recently stopped tasks, and services' deployments
  --keep-days N             pushed within N days             KEEP_IMAGES_NEWER_THAN_DAYS (default 7)
  --keep-min N              among the N newest of its repo   KEEP_MIN_IMAGE_COUNT (default 3)

Options:
  --region REGION           the region to clean              AWS_REGION (default eu-west-2)
  --delete                  delete the planned images        DELETE_ENABLED=true
  --repositories A,B        only these repositories          ECR_REPOSITORIES (default: all)
  --clusters A,B            only look for images in use in these ECS clusters
                                                             ECS_CLUSTERS (default: all)
  --ignore-service-deployments
                            do not keep the images of services' deployments
                                                             KEEP_SERVICE_DEPLOYMENT_IMAGES=false
  --max-concurrent-calls N  AWS calls in flight at once      MAX_CONCURRENT_CALLS (default 8)
  --now TIME                evaluate the rules at this ISO 8601 instant, e.g. 2026-12-01
  --csv PATH                where the planned deletions go   (default ./to_delete.csv)
  --json PATH               also write the whole plan, with every reason, as JSON
  --explain                 print every decision with its reasons
  --slack                   post the report to Slack         SLACK_ENABLED=true
  --slack-channel ID        the channel to post to           SLACK_CHANNEL
  --slack-token-secret ID   read the bot token from this Secrets Manager secret
                                                             SLACK_TOKEN_SECRET_ARN (or SLACK_TOKEN)
  --quiet                   show no progress
  -h, --help                show this help

Credentials, profiles and endpoints come from the usual AWS settings (AWS_PROFILE, AWS_ENDPOINT_URL, ...).
Exit status: 0 done, 1 the run had errors, 2 bad settings or usage.
`;

const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  region: { type: 'string' },
  delete: { type: 'boolean' },
  'keep-min': { type: 'string' },
  'keep-days': { type: 'string' },
  repositories: { type: 'string' },
  clusters: { type: 'string' },
  'ignore-service-deployments': { type: 'boolean' },
  'max-concurrent-calls': { type: 'string' },
  now: { type: 'string' },
  csv: { type: 'string' },
  json: { type: 'string' },
  explain: { type: 'boolean' },
  slack: { type: 'boolean' },
  'slack-channel': { type: 'string' },
  'slack-token-secret': { type: 'string' },
  quiet: { type: 'boolean' },
} as const;

/** Runs the command; resolves to the exit status. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  try {
    ({ values } = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n\nRun with --help for the options.\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  let config;
  try {
    config = parseConfig(env, {
      region: values.region,
      delete: values.delete,
      keepMin: values['keep-min'],
      keepDays: values['keep-days'],
      repositories: values.repositories,
      clusters: values.clusters,
      ignoreServiceDeployments: values['ignore-service-deployments'],
      maxConcurrentCalls: values['max-concurrent-calls'],
      now: values.now,
      slack: values.slack,
      slackChannel: values['slack-channel'],
      slackTokenSecret: values['slack-token-secret'],
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 2;
  }

  const progress = values.quiet || !process.stderr.isTTY ? undefined : terminalProgress();
  const outcome = await runCleanup({ aws: createAwsClients(config), slackTokens: new Map() }, config, {
    now: config.now ?? new Date(),
    ...(progress && { onProgress: progress.update }),
  });
  progress?.clear();

  const csvPath = values.csv ?? 'to_delete.csv';
  writeFileSync(csvPath, outcome.csv);
  const written = [`Planned deletions: ${csvPath}`];
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify(outcome.report, null, 2)}\n`);
    written.push(`Whole plan: ${values.json}`);
  }
  const decisions = values.explain ? `${renderDecisions(outcome.report)}\n` : '';
  process.stdout.write(`${decisions}${renderSummary(outcome.report)}${written.join('\n')}\n`);
  return outcome.ok ? 0 : 1;
}

/** One line on stderr, rewritten in place. */
function terminalProgress(): { update: (progress: Progress) => void; clear: () => void } {
  let shown = false;
  const show = (text: string): void => {
    process.stderr.write(`\r\x1b[2K${text}`);
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
      if (shown) process.stderr.write('\r\x1b[2K');
    },
  };
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (status) => {
      process.exitCode = status;
    },
    (error: unknown) => {
      process.stderr.write(`ecr-maintainer: unexpected error: ${errorMessage(error)}\n`);
      process.exitCode = 1;
    },
  );
}
