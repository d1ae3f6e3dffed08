/**
 * What the benchmark runs besides the CLI: the floor, bundled as the CLI is bundled (one file, the SDK's
 * ES modules, no TypeScript at run time), and the Lambda handler as `cdk synth` bundles it, with the
 * settings of the synthesized template.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

/** Bundles `floor.mjs` into `dir`; resolves to the bundle's path. */
export async function bundleFloor(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const outfile = path.join(dir, 'floor.mjs');
  await build({
    entryPoints: [path.join(__dirname, 'floor.mjs')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    mainFields: ['module', 'main'],
    logLevel: 'error',
    // Some CommonJS dependencies call require() on Node's built-ins.
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  });
  return outfile;
}

export interface SynthesizedLambda {
  /** The folder that holds the bundled `index.js`. */
  readonly bundleDir: string;
  /** The function's environment variables that are plain strings (the template's references are left out). */
  readonly variables: Record<string, string>;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
}

/** `cdk synth` of the stack with its defaults (a dry run, no Slack) into `dir`; the function as synthesized. */
export async function synthLambda(dir: string): Promise<SynthesizedLambda> {
  const outdir = path.join(dir, 'cdk.out');
  const stderr: Buffer[] = [];
  const status = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--output', outdir, '-c', 'deleteEnabled=false', '-c', 'slackEnabled=false'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', AWS_EC2_METADATA_DISABLED: 'true' },
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (status !== 0) throw new Error(`cdk synth failed:\n${Buffer.concat(stderr).toString('utf8')}`);
  const template = JSON.parse(readFileSync(path.join(outdir, 'EcrMaintainer.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Metadata?: Record<string, string> }>;
  };
  const [fn] = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
  const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {};
  return {
    bundleDir: path.join(outdir, fn.Metadata?.['aws:asset:path'] ?? ''),
    variables: Object.fromEntries(Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
    timeoutSeconds: fn.Properties.Timeout as number,
    memorySize: fn.Properties.MemorySize as number,
  };
}
