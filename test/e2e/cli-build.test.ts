/**
 * The launcher that `npm run cleaner` runs (`bin/cleaner.mjs`): it builds `dist/cli.js` when there is
 * none, rebuilds it when a file that the build read changed, and otherwise runs the build it has.
 * Each test works on a copy of the project (bin/, lambda/, the package files, node_modules linked), so
 * that no real source is touched.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, run, workFolder, type ProcessResult } from '../support/cli';

jest.setTimeout(120_000);

const REBUILDING = 'ecr-maintainer: rebuilding dist/cli.js';

/** A copy of the project's sources, with node_modules linked, and no build. */
function copyProject(): string {
  const root = workFolder();
  mkdirSync(path.join(root, 'bin'));
  for (const file of ['bin/cleaner.mjs', 'bin/build-cli.mjs', 'package.json', 'package-lock.json', 'tsconfig.json']) cpSync(path.join(ROOT, file), path.join(root, file));
  cpSync(path.join(ROOT, 'lambda'), path.join(root, 'lambda'), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  return root;
}

/** `node bin/cleaner.mjs args` in the project at `root`. */
function launch(root: string, args: readonly string[]): Promise<ProcessResult> {
  return run(process.execPath, [path.join(root, 'bin', 'cleaner.mjs'), ...args], {}, root);
}

/** The id that esbuild's banner gives each build, on the bundle's first line. */
function buildId(root: string): string {
  return /^\/\*build:([0-9a-f]+)\*\//.exec(readFileSync(path.join(root, 'dist', 'cli.js'), 'utf8'))?.[1] ?? 'none';
}

let built: string;

beforeAll(async () => {
  built = copyProject();
  const first = await launch(built, ['--help']);
  if (first.status !== 0) throw new Error(`the first build failed:\n${first.stderr}`);
});

/** A copy of the project that was built once, so that a test can change it. */
function copyBuilt(): string {
  const root = workFolder();
  cpSync(built, root, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  return root;
}

describe('npm run cleaner runs the built CLI, rebuilt when its sources change', () => {
  it('builds dist/cli.js on the first run, says why in one line on stderr, and the built CLI prints its help', async () => {
    const root = copyProject();

    const result = await launch(root, ['--help']);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run cleaner -- \[options\]/);
    expect(result.stderr).toBe(`${REBUILDING} (no build yet)\n`);
    expect(existsSync(path.join(root, 'dist', 'cli.js'))).toBe(true);
    expect(existsSync(path.join(root, 'dist', 'cli.js.map'))).toBe(true);
  });

  it('does not rebuild when nothing changed, and prints nothing of its own', async () => {
    const root = copyBuilt();
    const before = buildId(root);

    const result = await launch(root, ['--help']);

    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    expect(buildId(root)).toBe(before);
  });

  it('does not rebuild when a source was only touched, as a checkout does', async () => {
    const root = copyBuilt();
    const before = buildId(root);
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(root, 'lambda', 'config.ts'), later, later);

    const result = await launch(root, ['--help']);

    expect(result.stderr).toBe('');
    expect(buildId(root)).toBe(before);
  });

  it('rebuilds when a source changed, and runs the new code', async () => {
    const root = copyBuilt();
    const cli = path.join(root, 'lambda', 'cli.ts');
    writeFileSync(cli, readFileSync(cli, 'utf8').replace('Usage: npm run cleaner -- [options]', 'Usage: npm run cleaner -- [changed options]'));

    const result = await launch(root, ['--help']);

    expect(result.status).toBe(0);
    expect(result.stderr).toBe(`${REBUILDING} (lambda/cli.ts changed)\n`);
    expect(result.stdout).toMatch(/^Usage: npm run cleaner -- \[changed options\]/);
  });

  it('rebuilds when a module that the CLI imports changed, not only the entry', async () => {
    const root = copyBuilt();
    const report = path.join(root, 'lambda', 'core', 'report.ts');
    writeFileSync(report, `${readFileSync(report, 'utf8')}\n// changed\n`);

    const result = await launch(root, ['--help']);

    expect(result.stderr).toBe(`${REBUILDING} (lambda/core/report.ts changed)\n`);
  });

  it('rebuilds when package-lock.json changed, as after npm ci brings other dependencies', async () => {
    const root = copyBuilt();
    const before = buildId(root);
    writeFileSync(path.join(root, 'package-lock.json'), `${readFileSync(path.join(root, 'package-lock.json'), 'utf8')}\n`);

    const result = await launch(root, ['--help']);

    expect(result.stderr).toBe(`${REBUILDING} (package-lock.json changed)\n`);
    expect(buildId(root)).not.toBe(before);
  });

  it('stops with exit 1 and esbuild\'s error when a source does not compile, and runs no stale build', async () => {
    const root = copyBuilt();
    writeFileSync(path.join(root, 'lambda', 'config.ts'), 'export const = ;\n');

    const result = await launch(root, ['--help']);

    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('ecr-maintainer: could not build dist/cli.js: ');
    expect(result.stderr).toContain('lambda/config.ts:1:');
  });

  it('lets two launchers rebuild a stale build at once, and both run a whole build', async () => {
    const root = copyBuilt();
    const cli = path.join(root, 'lambda', 'cli.ts');
    writeFileSync(cli, readFileSync(cli, 'utf8').replace('Usage: npm run cleaner -- [options]', 'Usage: npm run cleaner -- [raced options]'));

    const results = await Promise.all([launch(root, ['--help']), launch(root, ['--help'])]);

    for (const result of results) {
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: npm run cleaner -- \[raced options\]/);
    }
    const after = await launch(root, ['--help']);
    expect(after.stderr).toBe('');
  });

  it('builds a bundle that runs on its own, without tsx or node_modules', async () => {
    const alone = workFolder();
    cpSync(path.join(built, 'dist', 'cli.js'), path.join(alone, 'cli.js'));

    const result = await run(process.execPath, [path.join(alone, 'cli.js'), '--help'], {}, alone);

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run cleaner -- \[options\]/);
  });

  it('keeps npm run --silent cleaner free of npm\'s noise: the help alone on stdout, nothing on stderr', async () => {
    const result = await run('npm', ['run', '--silent', 'cleaner', '--', '--help'], {}, copyBuilt());

    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^Usage: npm run cleaner -- \[options\]/);
    expect(result.stderr).toBe('');
  });
});
