/**
 * The Lambda adapter: finds the images that Lambda functions packaged as container images run, or may
 * run again. It never throws for an AWS failure: each one becomes a problem, which stops all deletion.
 */
import {
  GetFunctionCommand,
  type LambdaClient,
  ListAliasesCommand,
  ListFunctionsCommand,
  ListVersionsByFunctionCommand,
} from '@aws-sdk/client-lambda';
import { parseImageReference } from '../core/image-ref';
import { AwsCallError, errorMessage } from '../errors';
import type { ImageUse, InUseDiscovery } from '../core/types';
import { listAll, type ApiCalls } from './api-calls';

/** `ListFunctions` and `ListVersionsByFunction` return at most 50 items a response, whatever `MaxItems` asks. */
const PAGE_SIZE = 50;
/** `ListAliases` documents no cap below its `MaxItems` limit. */
const ALIAS_PAGE_SIZE = 10_000;
const LATEST = '$LATEST';

export interface LambdaDiscoveryOptions {
  /** The newest published versions of each function that count as in use, besides $LATEST and alias targets (0 or more). */
  readonly keepVersions: number;
}

/** Why a version of a function is read: it is $LATEST, an alias routes to it, or it is among the newest. */
interface Reason {
  readonly alias?: string;
  /** The alias's share of traffic that goes to this version, when it is an additional version. */
  readonly weight?: number;
}

/**
 * Finds the images that Lambda functions run or may run:
 * 1. list the functions (50 a page) and skip those whose package type is not `Image`;
 * 2. for each image function, in parallel: its aliases (with the versions that their routing weights
 *    name) and its published versions, every page;
 * 3. read each distinct version once with `GetFunction`: $LATEST, every alias target, and the newest
 *    `keepVersions` published versions; the image is `Code.ImageUri`, the digest that Lambda runs is
 *    the one in `Code.ResolvedImageUri`.
 *
 * A function deleted in the meantime (`ResourceNotFoundException`) runs nothing and is skipped.
 */
export async function discoverLambdaImages(lambda: LambdaClient, calls: ApiCalls, options: LambdaDiscoveryOptions): Promise<InUseDiscovery> {
  const uses: ImageUse[] = [];
  const problems: string[] = [];
  const pending: Promise<void>[] = [];
  try {
    let marker: string | undefined;
    do {
      const page = await calls.send('Lambda.ListFunctions', 'the account', () => lambda.send(new ListFunctionsCommand({ MaxItems: PAGE_SIZE, Marker: marker })));
      for (const fn of page.Functions ?? []) {
        // Only a .zip function runs no image; one whose package type is not stated is read in full.
        if (fn.PackageType === 'Zip') continue;
        const name = fn.FunctionName ?? fn.FunctionArn ?? '?';
        pending.push(
          findFunctionImages(lambda, calls, name, options.keepVersions).then((found) => {
            uses.push(...found.uses);
            problems.push(...found.problems);
          }),
        );
      }
      marker = page.NextMarker;
    } while (marker);
  } catch (error) {
    problems.push(errorMessage(error));
  }
  await Promise.all(pending);
  return { uses, problems };
}

/** The uses of one image function; a listing that fails is a problem, and what could be read is still reported. */
async function findFunctionImages(lambda: LambdaClient, calls: ApiCalls, name: string, keepVersions: number): Promise<InUseDiscovery> {
  const problems: string[] = [];
  const fail = (error: unknown): [] => {
    // The function was deleted since it was listed: it runs nothing.
    if (!isGone(error)) problems.push(errorMessage(error));
    return [];
  };
  // Each version is read once, whatever the number of reasons to read it.
  const reasons = new Map<string, Reason[]>();
  const reads = new Map<string, Promise<FunctionCode | undefined>>();
  const read = (version: string, reason: Reason): void => {
    reasons.set(version, [...(reasons.get(version) ?? []), reason]);
    if (!reads.has(version)) {
      reads.set(
        version,
        readVersion(lambda, calls, name, version).catch((error: unknown) => {
          fail(error);
          return undefined;
        }),
      );
    }
  };

  read(LATEST, {});
  const [aliases, versions] = await Promise.all([listAliases(lambda, calls, name).catch(fail), listPublishedVersions(lambda, calls, name).catch(fail)]);
  for (const alias of aliases) {
    read(alias.version, { alias: alias.name });
    for (const [version, weight] of Object.entries(alias.weights)) read(version, { alias: alias.name, weight });
  }
  for (const version of versions.slice(0, keepVersions)) read(version, {});

  const uses: ImageUse[] = [];
  for (const [version, pending] of reads) {
    const code = await pending;
    if (code) uses.push(...usesOf(name, version, code, reasons.get(version) ?? [], problems));
  }
  return { uses, problems };
}

interface FunctionCode {
  readonly imageUri?: string;
  readonly resolvedImageUri?: string;
}

/** The uses of one version's image, one per reason; what GetFunction left out is a problem. */
function usesOf(name: string, version: string, code: FunctionCode, reasons: readonly Reason[], problems: string[]): ImageUse[] {
  const reference = code.imageUri ?? code.resolvedImageUri;
  if (!reference) {
    problems.push(`Lambda.GetFunction reported no image for function ${name}:${version}`);
    return [];
  }
  const digest = code.resolvedImageUri === undefined ? undefined : parseImageReference(code.resolvedImageUri)?.digest;
  if (!code.resolvedImageUri) problems.push(`Lambda.GetFunction reported no resolved image for function ${name}:${version} (${reference})`);
  else if (!digest) problems.push(`Lambda.GetFunction reported a resolved image without a digest for function ${name}:${version}: ${code.resolvedImageUri}`);
  return labels(name, version, reasons).map((label) => ({ source: 'lambda-function', reference, ...(digest && { digest }), function: label }));
}

/** Readable names for a version: `resize:$LATEST`, `resize:7`, `resize:live (version 7)`, `resize:live (version 6, 10% of traffic)`. */
function labels(name: string, version: string, reasons: readonly Reason[]): string[] {
  const viaAlias = reasons.filter((reason) => reason.alias !== undefined);
  if (viaAlias.length === 0) return [`${name}:${version}`];
  const what = version === LATEST ? LATEST : `version ${version}`;
  return [
    ...new Set(
      viaAlias.map((reason) =>
        reason.weight === undefined ? `${name}:${reason.alias} (${what})` : `${name}:${reason.alias} (${what}, ${Math.round(reason.weight * 1000) / 10}% of traffic)`,
      ),
    ),
  ];
}

async function readVersion(lambda: LambdaClient, calls: ApiCalls, name: string, version: string): Promise<FunctionCode> {
  const output = await calls.send('Lambda.GetFunction', `function ${name}:${version}`, () => lambda.send(new GetFunctionCommand({ FunctionName: name, Qualifier: version })));
  return { ...(output.Code?.ImageUri && { imageUri: output.Code.ImageUri }), ...(output.Code?.ResolvedImageUri && { resolvedImageUri: output.Code.ResolvedImageUri }) };
}

async function listAliases(lambda: LambdaClient, calls: ApiCalls, name: string): Promise<{ name: string; version: string; weights: Record<string, number> }[]> {
  return listAll(async (marker) => {
    const page = await calls.send('Lambda.ListAliases', `function ${name}`, () =>
      lambda.send(new ListAliasesCommand({ FunctionName: name, MaxItems: ALIAS_PAGE_SIZE, Marker: marker })),
    );
    const items = (page.Aliases ?? []).map((alias) => {
      if (!alias.FunctionVersion) throw new AwsCallError('Lambda.ListAliases', `function ${name}`, new Error(`alias ${alias.Name ?? '?'} names no version`));
      return { name: alias.Name ?? '?', version: alias.FunctionVersion, weights: alias.RoutingConfig?.AdditionalVersionWeights ?? {} };
    });
    return { items, nextToken: page.NextMarker };
  });
}

/** The published versions (not $LATEST), newest first, whatever order Lambda lists them in. */
async function listPublishedVersions(lambda: LambdaClient, calls: ApiCalls, name: string): Promise<string[]> {
  const versions = await listAll(async (marker) => {
    const page = await calls.send('Lambda.ListVersionsByFunction', `function ${name}`, () =>
      lambda.send(new ListVersionsByFunctionCommand({ FunctionName: name, MaxItems: PAGE_SIZE, Marker: marker })),
    );
    return { items: (page.Versions ?? []).flatMap((version) => (version.Version && /^\d+$/.test(version.Version) ? [version.Version] : [])), nextToken: page.NextMarker };
  });
  return versions.sort((a, b) => Number(b) - Number(a));
}

/** The function or version is gone: it can no longer run anything. */
function isGone(error: unknown): boolean {
  return error instanceof AwsCallError && error.code === 'ResourceNotFoundException';
}
