/**
 * A cross-check against moto, an AWS emulator that nobody here wrote: task definition families,
 * registered and deregistered in moto_server through the SDK and read by the cleaner's own adapter,
 * with clients built as the cleaner builds them (`AWS_ENDPOINT_URL`).
 *
 * Where moto cannot serve: moto 5.2.1 has no service revisions and no service deployments
 * (`DescribeServiceRevisions`, `ListServiceDeployments`, `DescribeServiceDeployments`), and its
 * `ListTaskDefinitions` answers every ARN in one page (no `maxResults`, no `nextToken`), so paging,
 * limits and failures are checked against our emulator only.
 */
import { DeregisterTaskDefinitionCommand, type ECSClient, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ApiCalls } from '../../lambda/aws/api-calls';
import { discoverTaskDefinitionImages, TaskDefinitionReader } from '../../lambda/aws/task-definitions';
import { MOTO_AVAILABLE, reportMotoMissing, useMotoClients } from '../support/moto';

jest.setTimeout(90_000);

const REGION = 'eu-west-2';
const ACCOUNT = '123456789012';
const HOST = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`;
const TD = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition`;

if (!MOTO_AVAILABLE) {
  reportMotoMissing('task definition families');
} else {
  describe('task definition families against moto_server', () => {
    const clients = useMotoClients(REGION, (aws) => seed(aws.ecs));

    const calls = new ApiCalls(8);
    const discover = (keepRevisions: number): ReturnType<typeof discoverTaskDefinitionImages> =>
      discoverTaskDefinitionImages(clients().ecs, calls, { keepRevisions, taskDefinitions: new TaskDefinitionReader(clients().ecs, calls) });

    it('keeps the newest ACTIVE revisions of each family, api and api-worker apart, as our emulator does', async () => {
      const result = await discover(2);

      expect(result.problems).toEqual([]);
      expect(calls.stats().byOperation).toEqual({ 'ECS.DescribeTaskDefinition': 4, 'ECS.ListTaskDefinitions': 1 });
      expect(result.uses.map((use) => `${use.taskDefinition} ${use.container} ${use.reference}`).sort()).toEqual([
        `${TD}/api-worker:1 worker ${HOST}/worker:w1`,
        `${TD}/api-worker:2 worker ${HOST}/worker:w2`,
        `${TD}/api:2 api ${HOST}/api:v2`,
        `${TD}/api:3 api ${HOST}/api:v3`,
      ]);
    });

    it('makes no call when keepRevisions is 0', async () => {
      const before = calls.stats().total;

      expect(await discover(0)).toEqual({ uses: [], problems: [] });
      expect(calls.stats().total).toBe(before);
    });
  });
}

/** `api` revisions 1 to 4, of which 4 is deregistered (INACTIVE); `api-worker` revisions 1 and 2. */
async function seed(ecs: ECSClient): Promise<void> {
  for (const tag of ['v1', 'v2', 'v3', 'v4']) {
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'api', containerDefinitions: [{ name: 'api', image: `${HOST}/api:${tag}`, memory: 128 }] }));
  }
  for (const tag of ['w1', 'w2']) {
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'api-worker', containerDefinitions: [{ name: 'worker', image: `${HOST}/worker:${tag}`, memory: 128 }] }));
  }
  await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: 'api:4' }));
}
