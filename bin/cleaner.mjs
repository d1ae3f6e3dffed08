#!/usr/bin/env node
/**
 * `npm run cleaner`: runs the CLI built into `dist/cli.js`, rebuilding it first when it is missing or
 * stale, so that a `git pull` never leaves it behind and no TypeScript transpiler runs at start-up.
 *
 * Stale means: a file that the last build read (esbuild's metafile inputs, plus package-lock.json and
 * the build script) is gone, or differs in size, or has a new mtime and different contents (see
 * `staleReason` in `bin/build-cli.mjs`). Then it says so in one line on stderr and rebuilds; otherwise
 * it prints nothing of its own, so `npm run --silent cleaner > plan.txt` keeps only the CLI's output.
 *
 * It then loads the bundle in this process and calls its `start` with process.argv and process.env, as
 * `lambda/cli.ts` does when run directly. The bundle is compiled through `vm.Script` with a V8 code
 * cache (`dist/cli.js.v8cache`, written after the first run of each build), which saves most of the
 * time that V8 spends compiling a megabyte of JavaScript.
 */
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';
import { ensureBuilt } from './build-cli.mjs';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const DIST = path.join(ROOT, 'dist');
const OUT_FILE = path.join(DIST, 'cli.js');
const CACHE_FILE = path.join(DIST, 'cli.js.v8cache');

/**
 * Loads `dist/cli.js` as CommonJS, as `require` would, but compiled with the code cache when there is
 * one for this very build (the build id on the bundle's first line names it). Returns its exports.
 */
function loadCli() {
  const source = readFileSync(OUT_FILE, 'utf8');
  const buildId = /^\/\*build:([0-9a-f]+)\*\//.exec(source)?.[1] ?? '';
  let cachedData;
  try {
    const cache = readFileSync(CACHE_FILE);
    if (buildId && cache.subarray(0, buildId.length).toString('latin1') === buildId) cachedData = cache.subarray(buildId.length);
  } catch {
    // No cache yet: this run writes one.
  }
  const script = new Script(Module.wrap(source), { filename: OUT_FILE, ...(cachedData && { cachedData }) });
  if (buildId && (!cachedData || script.cachedDataRejected)) {
    // At exit, the cache also holds every function that this run compiled, not only the top level.
    process.once('exit', () => writeCache(buildId, script));
  }
  const module = new Module(OUT_FILE);
  module.filename = OUT_FILE;
  module.paths = Module._nodeModulePaths(DIST);
  const wrapper = script.runInThisContext({ displayErrors: true });
  wrapper.call(module.exports, module.exports, createRequire(OUT_FILE), module, OUT_FILE, DIST);
  module.loaded = true;
  return module.exports;
}

function writeCache(buildId, script) {
  const temporary = `${CACHE_FILE}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, Buffer.concat([Buffer.from(buildId, 'latin1'), script.createCachedData()]));
    renameSync(temporary, CACHE_FILE);
  } catch {
    // A cache is only a speed-up: a read-only dist/ runs without one.
    rmSync(temporary, { force: true });
  }
}

/**
 * The heap flag of `lambda/heap.ts` (`keepHeapTight`), set here before the bundle is compiled: V8 takes a
 * code cache only under the flags that made it, so the flag must be the same when the cache is made (at
 * exit) and when it is read (at start). `start` sets it again, to the same value, which changes nothing.
 */
setFlagsFromString('--heap-growing-percent=30');

async function run() {
  try {
    await ensureBuilt(ROOT);
  } catch (error) {
    process.stderr.write(`ecr-maintainer: could not build dist/cli.js: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  return loadCli().start(process.argv.slice(2), process.env);
}

run().then(
  (status) => {
    process.exitCode = status;
  },
  (error) => {
    process.stderr.write(`ecr-maintainer: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
