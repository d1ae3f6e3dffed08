/**
 * The emulator's Lambda, as the real SDK sees it: shapes, page sizes, limits and errors as the API
 * reference and the SDK's model state them.
 */
import { GetFunctionCommand, ListAliasesCommand, ListFunctionsCommand, ListVersionsByFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { destroy, restoreEnv, startWith } from '../support/aws';
import { image, registryHost, type Fixture, type FixtureFunction } from './fixture';
import type { Emulator } from './server';

afterAll(restoreEnv);

const HOST = registryHost({});
const V1 = image('fn:v1').digest;
const V2 = image('fn:v2').digest;
const LATEST = image('fn:latest').digest;

const fn: FixtureFunction = {
  name: 'fn',
  latest: { uri: `${HOST}/fn:latest`, digest: LATEST },
  versions: [
    { uri: `${HOST}/fn:v1`, digest: V1 },
    { uri: `${HOST}/fn:v2`, digest: V2 },
  ],
  aliases: [{ name: 'live', version: '2', additionalVersionWeights: { '1': 0.25 } }],
};

async function withLambda(fixture: Fixture, test: (lambda: LambdaClient, emulator: Emulator) => Promise<void>): Promise<void> {
  const { emulator, aws } = await startWith(fixture, { maxAttempts: 1 });
  try {
    await test(aws.lambda, emulator);
  } finally {
    destroy(aws);
    await emulator.stop();
  }
}

/** The error that a call rejects with, or a failure when it succeeds. */
async function failure(call: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the call succeeded');
}

describe('the emulated Lambda', () => {
  it('answers GetFunction for $LATEST, a version and an alias with the image and the resolved digest', async () => {
    await withLambda({ repositories: [], functions: [fn] }, async (lambda) => {
      const latest = await lambda.send(new GetFunctionCommand({ FunctionName: 'fn' }));
      const version = await lambda.send(new GetFunctionCommand({ FunctionName: 'fn', Qualifier: '1' }));
      const alias = await lambda.send(new GetFunctionCommand({ FunctionName: `arn:aws:lambda:eu-west-2:123456789012:function:fn`, Qualifier: 'live' }));

      expect(latest.Code).toEqual({ RepositoryType: 'ECR', ImageUri: `${HOST}/fn:latest`, ResolvedImageUri: `${HOST}/fn@${LATEST}` });
      expect(latest.Configuration?.Version).toBe('$LATEST');
      expect(version.Code?.ResolvedImageUri).toBe(`${HOST}/fn@${V1}`);
      expect(alias.Configuration).toMatchObject({ Version: '2', PackageType: 'Image', FunctionArn: 'arn:aws:lambda:eu-west-2:123456789012:function:fn:live' });
      expect(alias.Code?.ImageUri).toBe(`${HOST}/fn:v2`);
    });
  });

  it('lists $LATEST first and then the published versions in ascending order, and aliases with their routing weights', async () => {
    await withLambda({ repositories: [], functions: [fn] }, async (lambda) => {
      const versions = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'fn' }));
      const aliases = await lambda.send(new ListAliasesCommand({ FunctionName: 'fn' }));

      expect(versions.Versions?.map((version) => [version.Version, version.FunctionArn])).toEqual([
        ['$LATEST', 'arn:aws:lambda:eu-west-2:123456789012:function:fn:$LATEST'],
        ['1', 'arn:aws:lambda:eu-west-2:123456789012:function:fn:1'],
        ['2', 'arn:aws:lambda:eu-west-2:123456789012:function:fn:2'],
      ]);
      expect(aliases.Aliases).toEqual([
        expect.objectContaining({ Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '1': 0.25 } } }),
      ]);
    });
  });

  it('returns at most 50 functions a page even when MaxItems asks for more, and follows NextMarker to the end', async () => {
    const functions = Array.from({ length: 120 }, (_, n): FixtureFunction => ({ name: `f${n}`, packageType: n % 2 === 0 ? 'Zip' : 'Image' }));
    await withLambda({ repositories: [], functions }, async (lambda) => {
      const sizes: number[] = [];
      let marker: string | undefined;
      do {
        const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 1000, Marker: marker }));
        sizes.push(page.Functions?.length ?? 0);
        marker = page.NextMarker;
      } while (marker);

      expect(sizes).toEqual([50, 50, 20]);
      const first = await lambda.send(new ListFunctionsCommand({ MaxItems: 2 }));
      expect(first.Functions?.map((listed) => [listed.FunctionName, listed.PackageType, listed.FunctionArn])).toEqual([
        ['f0', 'Zip', 'arn:aws:lambda:eu-west-2:123456789012:function:f0'],
        ['f1', 'Image', 'arn:aws:lambda:eu-west-2:123456789012:function:f1'],
      ]);
    });
  });

  it.each([0, 10_001])('refuses MaxItems %i as Lambda does, with ValidationException', async (maxItems) => {
    await withLambda({ repositories: [], functions: [fn] }, async (lambda) => {
      const error = await failure(lambda.send(new ListAliasesCommand({ FunctionName: 'fn', MaxItems: maxItems })));

      expect(error.name).toBe('ValidationException');
      expect(error.$metadata?.httpStatusCode).toBe(400);
      expect(error.message).toMatch(`Value '${maxItems}' at 'maxItems' failed to satisfy constraint`);
    });
  });

  it('refuses a Marker from another listing', async () => {
    await withLambda({ repositories: [], functions: Array.from({ length: 60 }, (_, n) => ({ name: `f${n}` })) }, async (lambda) => {
      const { NextMarker } = await lambda.send(new ListFunctionsCommand({}));

      const error = await failure(lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'f0', Marker: NextMarker })));

      expect(error.name).toBe('InvalidParameterValueException');
    });
  });

  it('answers ResourceNotFoundException with HTTP 404 for an unknown function, version or alias', async () => {
    await withLambda({ repositories: [], functions: [fn] }, async (lambda) => {
      const missing = await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'nope' })));
      const version = await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'fn', Qualifier: '9' })));
      const alias = await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'fn:gone' })));
      const aliases = await failure(lambda.send(new ListAliasesCommand({ FunctionName: 'nope' })));

      expect([missing.name, missing.$metadata?.httpStatusCode, missing.message]).toEqual([
        'ResourceNotFoundException',
        404,
        'Function not found: arn:aws:lambda:eu-west-2:123456789012:function:nope',
      ]);
      expect(version.message).toBe('Function not found: arn:aws:lambda:eu-west-2:123456789012:function:fn:9');
      expect(alias.message).toBe('Function not found: arn:aws:lambda:eu-west-2:123456789012:function:fn:gone');
      expect(aliases.name).toBe('ResourceNotFoundException');
    });
  });

  it('answers a denial with HTTP 403 and a throttle with HTTP 429, named as Lambda names them, and records both', async () => {
    const faults = { errors: [{ operation: 'Lambda.GetFunction', function: 'fn' }, { operation: 'Lambda.ListAliases', code: 'TooManyRequestsException' }] };
    await withLambda({ repositories: [], functions: [fn], faults }, async (lambda, emulator) => {
      const denied = await failure(lambda.send(new GetFunctionCommand({ FunctionName: 'fn', Qualifier: '1' })));
      const throttled = await failure(lambda.send(new ListAliasesCommand({ FunctionName: 'fn' })));

      expect([denied.name, denied.$metadata?.httpStatusCode]).toEqual(['AccessDeniedException', 403]);
      expect(denied.message).toMatch(/is not authorized to perform: lambda:GetFunction/);
      expect([throttled.name, throttled.$metadata?.httpStatusCode]).toEqual(['TooManyRequestsException', 429]);
      expect(emulator.calls.map((call) => [call.operation, call.params.FunctionName, call.params.Qualifier, call.outcome])).toEqual([
        ['Lambda.GetFunction', 'fn', '1', 'AccessDeniedException'],
        ['Lambda.ListAliases', 'fn', undefined, 'TooManyRequestsException'],
      ]);
    });
  });
});
