/**
 * The demo's report as an HTML file: the cleaner run in this process over the emulator with the sample
 * account and the demo's rules (`test/demo/rules.yaml`), as `npm run demo` runs it (a dry run), then the
 * HTML renderer into a temporary folder. For the browser tests and the README's screenshot.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCleanup, type RunOutcome } from '../../lambda/cleaner';
import { createAwsClients } from '../../lambda/aws/clients';
import { parseConfig } from '../../lambda/config';
import { htmlReportChunks } from '../../lambda/render/html';
import { writeFileInChunks } from '../../lambda/report-files';
import { readRulesFile } from '../../lambda/rules-file';
import { sampleAccount } from '../emulator/sample-account';
import { Emulator } from '../emulator/server';
import { destroy, restoreEnv, useEmulatorEnv } from '../support/aws';

export interface DemoReport {
  /** The HTML file. */
  readonly file: string;
  readonly outcome: RunOutcome;
}

/** Runs the demo's dry run and writes its HTML report, chunk by chunk, as the CLI writes its files. */
export async function writeDemoReport(folder = mkdtempSync(path.join(tmpdir(), 'ecr-maintainer-html-'))): Promise<DemoReport> {
  const emulator = await Emulator.start(sampleAccount());
  try {
    useEmulatorEnv(emulator);
    const config = parseConfig(emulator.env(), { rules: readRulesFile(path.join(__dirname, '..', 'demo', 'rules.yaml')) });
    const aws = createAwsClients(config);
    try {
      const outcome = await runCleanup({ aws, slackTokens: new Map() }, config, { now: new Date() });
      const file = path.join(folder, 'plan.html');
      await writeFileInChunks(file, htmlReportChunks(outcome.report, outcome.artifacts));
      return { file, outcome };
    } finally {
      destroy(aws);
    }
  } finally {
    await emulator.stop();
    restoreEnv();
  }
}
