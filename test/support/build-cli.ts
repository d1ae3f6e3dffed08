/**
 * Jest's globalSetup: builds `dist/cli.js` once, before the workers start, when it is missing or stale,
 * so that the tests that spawn the CLI do not each rebuild it at once. (They could: the launcher
 * builds into temporary files and renames them into place, so a concurrent rebuild is only wasted time.)
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

interface BuildModule {
  readonly ensureBuilt: (root?: string, say?: (line: string) => void) => Promise<boolean>;
}

export default async function buildCliOnce(): Promise<void> {
  const { ensureBuilt } = (await import(pathToFileURL(path.join(__dirname, '..', '..', 'bin', 'build-cli.mjs')).href)) as BuildModule;
  await ensureBuilt();
}
