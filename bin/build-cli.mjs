/**
 * Builds the local CLI (`lambda/cli.ts`) into one CommonJS file, `dist/cli.js`, with esbuild: the AWS
 * SDK and every other dependency bundled in, so that it starts without a TypeScript transpiler and
 * without resolving hundreds of files in node_modules.
 *
 * Next to it, `dist/cli.inputs.json` records what the build read (esbuild's metafile `inputs`, a
 * dependency by its package.json, with each file's size, mtime and SHA-256, plus package-lock.json,
 * npm's node_modules/.package-lock.json and this script), so that the launcher (`bin/cleaner.mjs`)
 * can tell whether the build is stale.
 *
 * Every file is written under a temporary name and renamed into place, the record last, so that two
 * processes building at once (jest workers) never leave or read a half-written file.
 *
 * `node bin/build-cli.mjs` builds it (the `prepare` script runs that after `npm ci`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The project's root: the folder above `bin/`. */
export const DEFAULT_ROOT = path.dirname(HERE);

/** Files that change the build without being among esbuild's inputs. */
const EXTRA_INPUTS = ['package-lock.json', 'node_modules/.package-lock.json', 'bin/build-cli.mjs', 'tsconfig.json'];

/** Where the build of `root` goes, and its record of inputs. */
export function buildPaths(root = DEFAULT_ROOT) {
  const outDir = path.join(root, 'dist');
  return {
    root,
    entry: path.join(root, 'lambda', 'cli.ts'),
    outDir,
    outFile: path.join(outDir, 'cli.js'),
    mapFile: path.join(outDir, 'cli.js.map'),
    inputsFile: path.join(outDir, 'cli.inputs.json'),
  };
}

/**
 * Why the build of `root` must be redone, or undefined when it is up to date: it is missing, or a file
 * that it read is gone, differs in size, or has a new mtime and different contents (a file that was
 * only touched, as a checkout does, is hashed and found unchanged). Costs one stat per input.
 */
export function staleReason(root = DEFAULT_ROOT) {
  const paths = buildPaths(root);
  let record;
  try {
    record = JSON.parse(readFileSync(paths.inputsFile, 'utf8'));
    statSync(paths.outFile);
  } catch {
    return 'no build yet';
  }
  for (const [name, was] of Object.entries(record.inputs ?? {})) {
    const file = path.resolve(root, name);
    const stats = statSync(file, { throwIfNoEntry: false });
    if (!stats) return `${name} is gone`;
    if (stats.size !== was.size || (stats.mtimeMs !== was.mtimeMs && hashFile(file) !== was.sha256)) return `${name} changed`;
  }
  return undefined;
}

/**
 * Builds the CLI of `root` unless it is up to date; says why in one line through `say` when it does.
 * Resolves to whether it built.
 */
export async function ensureBuilt(root = DEFAULT_ROOT, say = (line) => process.stderr.write(`${line}\n`)) {
  const reason = staleReason(root);
  if (!reason) return false;
  say(`ecr-maintainer: rebuilding dist/cli.js (${reason})`);
  await buildCli(root);
  return true;
}

/**
 * What the record keeps for one of esbuild's inputs: a project file itself, but for a file of a
 * dependency, the package.json of its package. A dependency changes through npm, which rewrites its
 * package.json (and package-lock.json); so the check costs about 100 stats rather than 1,500. A file
 * edited by hand inside node_modules goes unnoticed: `npm run build:cli` rebuilds.
 */
function recordedInput(input) {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  const name = parts[0].startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return `${input.slice(0, at)}node_modules/${name}/package.json`;
}

/** The size, mtime and content hash of one file; undefined when it is missing. */
export function fingerprint(file) {
  let stats;
  try {
    stats = statSync(file);
  } catch {
    return undefined;
  }
  return { size: stats.size, mtimeMs: stats.mtimeMs, sha256: hashFile(file) };
}

/** The SHA-256 of a file's contents, in hex. */
export function hashFile(file) {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/**
 * Builds the CLI of `root` into `root/dist`; resolves to the number of inputs recorded.
 * esbuild is loaded here, not at the top, so that the launcher pays for it only when it rebuilds.
 */
export async function buildCli(root = DEFAULT_ROOT) {
  const paths = buildPaths(root);
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: root,
    entryPoints: [paths.entry],
    outfile: paths.outFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // The SDK's ES modules (dist-es) rather than its CommonJS (dist-cjs): esbuild can drop the commands
    // and schemas that the CLI never uses, and needs no CommonJS interop shims. A third less to load.
    mainFields: ['module', 'main'],
    // import() of a Node built-in (the SDK does it for node:http) becomes require(), which the
    // launcher's vm.Script can run without a dynamic import callback.
    supported: { 'dynamic-import': false },
    // Minified, the bundle parses faster (a third less to read at start-up); the map keeps the names.
    minify: true,
    keepNames: false,
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    // A fresh id per build: the launcher keeps its V8 code cache only for the build that made it.
    banner: { js: `/*build:${randomBytes(8).toString('hex')}*/` },
    metafile: true,
    write: false,
    logLevel: 'silent',
  });
  const inputs = {};
  for (const input of new Set([...Object.keys(result.metafile.inputs).map(recordedInput), ...EXTRA_INPUTS])) {
    // esbuild names inputs relative to absWorkingDir; a namespace prefix (`ns:path`) is not a file.
    if (/^[a-z-]+:/.test(input)) continue;
    const print = fingerprint(path.resolve(root, input));
    if (print) inputs[input] = print;
  }
  mkdirSync(paths.outDir, { recursive: true });
  const suffix = `.${process.pid}.${Date.now()}.tmp`;
  const written = [];
  try {
    for (const file of result.outputFiles) {
      // The linked map comment names `cli.js.map`, which is where the map lands after the rename.
      writeFileSync(file.path + suffix, file.contents);
      written.push(file.path);
    }
    writeFileSync(paths.inputsFile + suffix, JSON.stringify({ esbuild: (await import('esbuild')).version, inputs }));
    for (const file of written) renameSync(file + suffix, file);
    renameSync(paths.inputsFile + suffix, paths.inputsFile);
  } finally {
    for (const file of [...written, paths.inputsFile]) rmSync(file + suffix, { force: true });
  }
  return Object.keys(inputs).length;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = performance.now();
  buildCli().then(
    (count) => process.stderr.write(`ecr-maintainer: built dist/cli.js from ${count} files in ${Math.round(performance.now() - started)} ms\n`),
    (error) => {
      process.stderr.write(`ecr-maintainer: could not build the CLI: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
