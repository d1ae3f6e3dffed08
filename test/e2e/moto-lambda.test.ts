/**
 * A cross-check of the Lambda adapter against moto, an AWS emulator that nobody here wrote. moto 5.2.1
 * creates functions packaged as container images without Docker, publishes versions, and answers
 * ListFunctions, ListAliases (with routing weights), ListVersionsByFunction and GetFunction. Run with
 * `MOTO_LAMBDA_STUB_ECR=false`, it resolves each image from its own ECR, so `ResolvedImageUri` carries the
 * digest that moto's ECR reports for the tag that each version was deployed with.
 *
 * Where moto cannot serve as a cross-check:
 * - it does not page: ListFunctions, ListAliases and ListVersionsByFunction answer everything at once and
 *   ignore `MaxItems` (it accepts 0) and `Marker`. Paging and limits are checked against our emulator;
 * - `Code.ImageUri` of a published version is the image of $LATEST (moto's versions share one code
 *   record), so only the resolved digests are compared, and references only by repository;
 * - it cannot invoke an image function (that needs Docker), which the adapter never does;
 * - IAM: the function's role must exist, so it is created with a raw IAM query call (there is no IAM
 *   client among the dependencies).
 */
import type { ChildProcess } from 'node:child_process';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateAliasCommand, CreateFunctionCommand, GetFunctionCommand, LambdaClient, PublishVersionCommand, UpdateFunctionCodeCommand } from '@aws-sdk/client-lambda';
import { ApiCalls } from '../../lambda/aws/api-calls';
import { discoverLambdaImages } from '../../lambda/aws/lambda-functions';
import { image } from '../emulator/fixture';
import { MOTO_AVAILABLE, reportMotoMissing, startMoto } from '../support/moto';

jest.setTimeout(90_000);

const REGION = 'eu-west-2';

if (!MOTO_AVAILABLE) {
  reportMotoMissing('Lambda');
} else {
  describe('discoverLambdaImages against moto_server', () => {
    let moto: ChildProcess;
    let ecr: ECRClient;
    let lambda: LambdaClient;
    let repositoryUri = '';
    /** moto's own digest of each tag of `resize`, from DescribeImages. */
    const digestOf = new Map<string, string>();

    beforeAll(async () => {
      const started = await startMoto({ MOTO_LAMBDA_STUB_ECR: 'false' });
      moto = started.process;
      const endpoint = started.endpoint;
      const config = { region: REGION, endpoint, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' }, maxAttempts: 2 };
      ecr = new ECRClient(config);
      lambda = new LambdaClient(config);

      const role = await createRole(endpoint, 'resize-role');
      repositoryUri = (await ecr.send(new CreateRepositoryCommand({ repositoryName: 'resize' }))).repository?.repositoryUri ?? '';
      for (const tag of ['v1', 'v2', 'v3', 'v4']) {
        const pushed = image(`moto-resize:${tag}`, { tags: [tag] });
        await ecr.send(new PutImageCommand({ repositoryName: 'resize', imageManifest: pushed.manifest, imageTag: tag, imageManifestMediaType: pushed.mediaType }));
      }
      for (const detail of (await ecr.send(new DescribeImagesCommand({ repositoryName: 'resize' }))).imageDetails ?? []) {
        for (const tag of detail.imageTags ?? []) digestOf.set(tag, detail.imageDigest ?? '');
      }

      // Versions 1, 2 and 3 run v1, v2 and v3; $LATEST runs v4. The alias live sends 90% to 2 and 10% to 1.
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'resize', Role: role, PackageType: 'Image', Code: { ImageUri: `${repositoryUri}:v1` } }));
      await lambda.send(new PublishVersionCommand({ FunctionName: 'resize' }));
      for (const tag of ['v2', 'v3']) {
        await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'resize', ImageUri: `${repositoryUri}:${tag}` }));
        await lambda.send(new PublishVersionCommand({ FunctionName: 'resize' }));
      }
      await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'resize', ImageUri: `${repositoryUri}:v4` }));
      await lambda.send(new CreateAliasCommand({ FunctionName: 'resize', Name: 'live', FunctionVersion: '2', RoutingConfig: { AdditionalVersionWeights: { '1': 0.1 } } }));
      const zip = Buffer.from([0x50, 0x4b, 0x05, 0x06, ...new Array<number>(18).fill(0)]);
      await lambda.send(new CreateFunctionCommand({ FunctionName: 'zipped', Role: role, Runtime: 'nodejs20.x', Handler: 'index.handler', Code: { ZipFile: zip } }));
    });

    afterAll(() => {
      moto?.kill();
      ecr?.destroy();
      lambda?.destroy();
    });

    it("reports the digests that moto's ECR holds for $LATEST, the alias's versions and the newest version, and reads nothing of the .zip function", async () => {
      const calls = new ApiCalls(8);

      const result = await discoverLambdaImages(lambda, calls, { keepVersions: 1 });

      expect(result.problems).toEqual([]);
      expect(result.uses.map((use) => [use.function, use.digest])).toEqual([
        ['resize:$LATEST', digestOf.get('v4')],
        ['resize:live (version 2)', digestOf.get('v2')],
        ['resize:live (version 1, 10% of traffic)', digestOf.get('v1')],
        ['resize:3', digestOf.get('v3')],
      ]);
      expect(result.uses.every((use) => use.source === 'lambda-function' && use.reference.startsWith(`${repositoryUri}:`))).toBe(true);
      expect(calls.stats().byOperation).toEqual({ 'Lambda.GetFunction': 4, 'Lambda.ListAliases': 1, 'Lambda.ListFunctions': 1, 'Lambda.ListVersionsByFunction': 1 });
    });

    it('agrees with what moto itself answers for each qualifier', async () => {
      const result = await discoverLambdaImages(lambda, new ApiCalls(8), { keepVersions: 1 });

      for (const [qualifier, use] of [['$LATEST', result.uses[0]], ['live', result.uses[1]], ['1', result.uses[2]], ['3', result.uses[3]]] as const) {
        const answer = await lambda.send(new GetFunctionCommand({ FunctionName: 'resize', Qualifier: qualifier }));
        expect(answer.Code?.ResolvedImageUri).toBe(`${repositoryUri}@${use.digest ?? ''}`);
      }
    });
  });
}

/** Creates an IAM role in moto with a raw query call; moto routes it by the credential scope's service. */
async function createRole(endpoint: string, name: string): Promise<string> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'AWS4-HMAC-SHA256 Credential=moto/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: name, AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }),
  });
  const arn = /<Arn>([^<]+)<\/Arn>/.exec(await response.text())?.[1];
  if (!response.ok || !arn) throw new Error(`moto did not create the role ${name}: HTTP ${response.status}`);
  return arn;
}
