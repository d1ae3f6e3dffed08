import { discoverLambdaImages } from '../../../lambda/aws/lambda-functions';
import type { ImageUse, InUseDiscovery } from '../../../lambda/core/types';
import { image, registryHost, type FaultRule, type Fixture, type FixtureFunction, type FixtureFunctionImage } from '../../emulator/fixture';
import type { Emulator } from '../../emulator/server';
import { destroy, restoreEnv, startWith } from '../../support/aws';

afterAll(restoreEnv);

const HOST = registryHost({});

/** An image deployed by tag, with the digest that Lambda resolved it to. */
function deployed(repository: string, tag: string): FixtureFunctionImage {
  return { uri: `${HOST}/${repository}:${tag}`, digest: image(`${repository}:${tag}`).digest };
}

/** An image function whose published versions 1..n run `<name>:v1`..`:vn`, and $LATEST `:latest`. */
function imageFunction(name: string, versions: number, extra: Partial<FixtureFunction> = {}): FixtureFunction {
  return {
    name,
    latest: deployed(name, 'latest'),
    versions: Array.from({ length: versions }, (_, n) => deployed(name, `v${n + 1}`)),
    ...extra,
  };
}

function use(name: string, tag: string, label: string): ImageUse {
  return { source: 'lambda-function', reference: `${HOST}/${name}:${tag}`, digest: image(`${name}:${tag}`).digest, function: label };
}

async function discover(
  functions: readonly FixtureFunction[],
  options: { keepVersions?: number; errors?: readonly FaultRule[]; throttle?: { rate: number; seed: number }; maxAttempts?: number } = {},
): Promise<{ result: InUseDiscovery; emulator: Emulator }> {
  const fixture: Fixture = { repositories: [], functions, faults: { ...(options.throttle && { throttle: options.throttle }), errors: options.errors ?? [] } };
  const { emulator, aws, calls } = await startWith(fixture, { maxAttempts: options.maxAttempts ?? 8 });
  try {
    return { result: await discoverLambdaImages(aws.lambda, calls, { keepVersions: options.keepVersions ?? 2 }), emulator };
  } finally {
    destroy(aws);
    await emulator.stop();
  }
}

function qualifiersRead(emulator: Emulator, name: string): string[] {
  return emulator
    .callsOf('Lambda.GetFunction')
    .filter((call) => call.params.FunctionName === name)
    .map((call) => String(call.params.Qualifier))
    .sort();
}

describe('discoverLambdaImages', () => {
  it("reports $LATEST, every version an alias routes to and the newest versions, with the digests Lambda resolved, and nothing older", async () => {
    const resize = imageFunction('resize', 7, {
      aliases: [
        { name: 'live', version: '5', additionalVersionWeights: { '3': 0.1 } },
        { name: 'beta', version: '7' },
      ],
    });

    const { result, emulator } = await discover([resize], { keepVersions: 2 });

    expect(result.problems).toEqual([]);
    expect(result.uses).toEqual([
      use('resize', 'latest', 'resize:$LATEST'),
      use('resize', 'v7', 'resize:beta (version 7)'),
      use('resize', 'v5', 'resize:live (version 5)'),
      use('resize', 'v3', 'resize:live (version 3, 10% of traffic)'),
      use('resize', 'v6', 'resize:6'),
    ]);
    // Version 7 is both an alias target and the newest: it is read once.
    expect(qualifiersRead(emulator, 'resize')).toEqual(['$LATEST', '3', '5', '6', '7']);
  });

  it('makes no call about a function packaged as a .zip archive after listing it', async () => {
    const { result, emulator } = await discover([{ name: 'zipped', packageType: 'Zip', versions: [{}, {}] }, imageFunction('img', 1)]);

    expect(result.problems).toEqual([]);
    expect(result.uses.map((found) => found.function)).toEqual(['img:$LATEST', 'img:1']);
    expect(emulator.calls.filter((call) => call.params.FunctionName === 'zipped')).toEqual([]);
  });

  it('still reports $LATEST and the alias targets when keepVersions is 0', async () => {
    const { result, emulator } = await discover([imageFunction('api', 4, { aliases: [{ name: 'prod', version: '2' }] })], { keepVersions: 0 });

    expect(result.problems).toEqual([]);
    expect(result.uses.map((found) => found.function)).toEqual(['api:$LATEST', 'api:prod (version 2)']);
    expect(qualifiersRead(emulator, 'api')).toEqual(['$LATEST', '2']);
  });

  it('reports an alias that points to $LATEST under its own name, reading $LATEST once', async () => {
    const { result, emulator } = await discover([imageFunction('edge', 0, { aliases: [{ name: 'current', version: '$LATEST' }] })]);

    expect(result.uses.map((found) => found.function)).toEqual(['edge:current ($LATEST)']);
    expect(qualifiersRead(emulator, 'edge')).toEqual(['$LATEST']);
  });

  it('pages through functions, aliases and versions, and makes no more calls than the lower bound', async () => {
    const zipped = Array.from({ length: 60 }, (_, n): FixtureFunction => ({ name: `zip-${n}`, packageType: 'Zip' }));
    const images = Array.from({ length: 59 }, (_, n) => imageFunction(`img-${n}`, 1));
    const busy = imageFunction('busy', 120, { aliases: Array.from({ length: 60 }, (_, n) => ({ name: `a${n}`, version: '1' })) });

    const { result, emulator } = await discover([...zipped, ...images, busy], { keepVersions: 3 });

    expect(result.problems).toEqual([]);
    expect(result.uses.filter((found) => found.function?.startsWith('busy:') && !found.function.includes('(')).map((found) => found.function)).toEqual([
      'busy:$LATEST',
      'busy:120',
      'busy:119',
      'busy:118',
    ]);
    expect(result.uses.filter((found) => found.function?.startsWith('busy:a'))).toHaveLength(60);
    expect(emulator.callsOf('Lambda.ListFunctions').map((call) => call.params.MaxItems)).toEqual(['50', '50', '50']);
    expect(emulator.callsOf('Lambda.ListAliases').filter((call) => call.params.FunctionName === 'busy')).toHaveLength(2);
    expect(emulator.callsOf('Lambda.ListVersionsByFunction').filter((call) => call.params.FunctionName === 'busy')).toHaveLength(3);
    // ceil(119/50) ListFunctions + per image function: ListAliases pages + ListVersionsByFunction pages + one GetFunction per distinct version.
    const imageFunctions = 60;
    const lowerBound = 3 + (imageFunctions - 1) * (1 + 1 + 2) + (2 + 3 + (1 + 3 + 1));
    expect(emulator.calls).toHaveLength(lowerBound);
  });

  it('finds everything when a quarter of the calls are throttled (HTTP 429), which the SDK retries', async () => {
    const functions = Array.from({ length: 4 }, (_, n) => imageFunction(`f${n}`, 3, { aliases: [{ name: 'live', version: '2' }] }));

    const { result, emulator } = await discover(functions, { throttle: { rate: 0.25, seed: 7 } });

    expect(result.problems).toEqual([]);
    expect(result.uses).toHaveLength(4 * 3);
    expect(emulator.calls.filter((call) => call.outcome === 'TooManyRequestsException').length).toBeGreaterThan(1);
  });
});

describe('discoverLambdaImages: failing closed', () => {
  it.each([
    ['Lambda.ListFunctions', 'Lambda.ListFunctions failed for the account: AccessDeniedException: '],
    ['Lambda.ListAliases', 'Lambda.ListAliases failed for function app: AccessDeniedException: '],
    ['Lambda.ListVersionsByFunction', 'Lambda.ListVersionsByFunction failed for function app: AccessDeniedException: '],
    ['Lambda.GetFunction', 'Lambda.GetFunction failed for function app:$LATEST: AccessDeniedException: '],
  ])('records a problem when %s is denied', async (operation, problem) => {
    const { result } = await discover([imageFunction('app', 2)], { errors: [{ operation }] });

    expect(result.problems).toHaveLength(operation === 'Lambda.GetFunction' ? 3 : 1);
    expect(result.problems).toContainEqual(expect.stringMatching(new RegExp(`^${problem.replace(/[$.]/g, '\\$&')}User: .* is not authorized to perform: lambda:`)));
  });

  it('records a problem when the second page of functions fails, and still reads the first page', async () => {
    const functions = Array.from({ length: 60 }, (_, n) => imageFunction(`f${n}`, 0));

    const { result } = await discover(functions, { errors: [{ operation: 'Lambda.ListFunctions', after: 1, code: 'ServiceException', status: 500, message: 'Internal error' }], maxAttempts: 2 });

    expect(result.problems).toEqual(['Lambda.ListFunctions failed for the account: ServiceException: Internal error']);
    expect(result.uses).toHaveLength(50);
  });

  it('records a problem when the second page of versions fails', async () => {
    const { result } = await discover([imageFunction('many', 70)], {
      errors: [{ operation: 'Lambda.ListVersionsByFunction', function: 'many', after: 1, code: 'ServiceException', status: 500, message: 'Internal error' }],
      maxAttempts: 2,
    });

    expect(result.problems).toEqual(['Lambda.ListVersionsByFunction failed for function many: ServiceException: Internal error']);
  });

  it('skips a function deleted before GetFunction, which can no longer run anything', async () => {
    const { result } = await discover([imageFunction('gone', 1), imageFunction('here', 0)], {
      errors: [{ operation: 'Lambda.GetFunction', function: 'gone', code: 'ResourceNotFoundException', status: 404, message: 'Function not found' }],
    });

    expect(result.problems).toEqual([]);
    expect(result.uses.map((found) => found.function)).toEqual(['here:$LATEST']);
  });

  it('skips a function deleted before its aliases and versions are listed', async () => {
    const notFound = { code: 'ResourceNotFoundException', status: 404, message: 'Function not found', function: 'gone' };
    const { result } = await discover([imageFunction('gone', 1)], {
      errors: [{ operation: 'Lambda.ListAliases', ...notFound }, { operation: 'Lambda.ListVersionsByFunction', ...notFound }, { operation: 'Lambda.GetFunction', ...notFound }],
    });

    expect(result).toEqual({ uses: [], problems: [] });
  });

  it('records a problem for a version whose resolved image GetFunction does not report, and for one with no image at all', async () => {
    const { result } = await discover([{ name: 'odd', latest: { uri: `${HOST}/odd:latest` }, versions: [{}] }], { keepVersions: 1 });

    expect(result.problems).toEqual([
      `Lambda.GetFunction reported no resolved image for function odd:$LATEST (${HOST}/odd:latest)`,
      'Lambda.GetFunction reported no image for function odd:1',
    ]);
    expect(result.uses).toEqual([{ source: 'lambda-function', reference: `${HOST}/odd:latest`, function: 'odd:$LATEST' }]);
  });
});
