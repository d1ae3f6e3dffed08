/**
 * A cross-check against moto, an AWS emulator that nobody here wrote: the real CLI against moto_server
 * for what moto supports (ECR listing and deleting, ECS tasks, services and task definitions, EventBridge,
 * Scheduler, Lambda, STS, Secrets Manager), seeded
 * through the SDK. moto cannot backdate pushes, so the dry run evaluates the rules 30 days ahead with --now,
 * and the deleting runs (where --now is refused) keep nothing for its age with --keep-days 0.
 * Slack still goes to our emulator, with the token that moto's Secrets Manager holds.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CreateRepositoryCommand, DescribeImagesCommand, ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { image } from '../emulator/fixture';
import { Emulator } from '../emulator/server';
import { runCli } from '../support/cli';
import { MOTO_AVAILABLE, motoEnv, reportMotoMissing, startMoto } from '../support/moto';
import { readPlanFile } from '../support/report';

jest.setTimeout(90_000);

const TOKEN = 'xoxb-moto-0000-never-print';
const REGION = 'eu-west-2';

if (!MOTO_AVAILABLE) {
  reportMotoMissing('the CLI');
} else {
  describe('the CLI against moto_server', () => {
    let moto: ChildProcess;
    let endpoint: string;
    let slack: Emulator;
    const api = ['v0', 'v1', 'v2', 'v3', 'v4'].map((tag) => image(`moto-api:${tag}`, { tags: [tag] }));
    const worker = ['w0', 'w1', 'w2', 'w3'].map((tag) => image(`moto-worker:${tag}`, { tags: [tag] }));
    let clients: { ecr: ECRClient; ecs: ECSClient; secrets: SecretsManagerClient };

    beforeAll(async () => {
      const started = await startMoto();
      moto = started.process;
      endpoint = started.endpoint;
      slack = await Emulator.start({ repositories: [], slack: { token: TOKEN, channels: [{ id: 'C0ECRMAINT', name: 'alerts' }] } });
      const config = { region: REGION, endpoint, credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' } };
      clients = { ecr: new ECRClient(config), ecs: new ECSClient(config), secrets: new SecretsManagerClient(config) };

      const { repository } = await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/api' }));
      await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/worker' }));
      // moto stamps pushes in whole seconds: push one of each a little more than a second apart.
      for (let n = 0; n < api.length; n += 1) {
        if (n > 0) await new Promise((resolve) => setTimeout(resolve, 1050));
        await clients.ecr.send(new PutImageCommand({ repositoryName: 'team/api', imageManifest: api[n].manifest, imageTag: api[n].tags[0], imageManifestMediaType: api[n].mediaType }));
        if (worker[n]) {
          await clients.ecr.send(new PutImageCommand({ repositoryName: 'team/worker', imageManifest: worker[n].manifest, imageTag: worker[n].tags[0], imageManifestMediaType: worker[n].mediaType }));
        }
      }
      await clients.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
      const running = await clients.ecs.send(new RegisterTaskDefinitionCommand({ family: 'api', containerDefinitions: [{ name: 'api', image: `${repository?.repositoryUri}:v1`, memory: 128 }] }));
      const deployed = await clients.ecs.send(new RegisterTaskDefinitionCommand({ family: 'api', containerDefinitions: [{ name: 'api', image: `${repository?.repositoryUri}:v0`, memory: 128 }] }));
      await clients.ecs.send(
        new RunTaskCommand({ cluster: 'prod', taskDefinition: running.taskDefinition?.taskDefinitionArn, launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } } }),
      );
      await clients.ecs.send(new CreateServiceCommand({ cluster: 'prod', serviceName: 'api', taskDefinition: deployed.taskDefinition?.taskDefinitionArn, desiredCount: 0 }));
      await clients.secrets.send(new CreateSecretCommand({ Name: 'ecr-maintainer/slack', SecretString: JSON.stringify({ token: TOKEN }) }));
    });

    afterAll(async () => {
      moto?.kill();
      await slack?.stop();
      for (const client of Object.values(clients ?? {})) client.destroy();
    });

    const env = (): Record<string, string> => ({ ...motoEnv({ endpoint, process: moto }, REGION), SLACK_API_URL: `${slack.url}/api/` });
    const later = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const tags = async (repositoryName: string): Promise<string[]> =>
      ((await clients.ecr.send(new DescribeImagesCommand({ repositoryName }))).imageDetails ?? []).flatMap((detail) => detail.imageTags ?? []).sort();

    it('plans a dry run from what moto lists, deleting nothing', async () => {
      const result = await runCli(['--now', later, '--keep-min', '2', '--json', 'plan.jsonl'], env());

      expect(result.stderr).toContain('Account   123456789012 (arn:aws:sts::123456789012:user/moto)\n');
      expect(result.stderr).not.toMatch(/error/i);
      expect(result.status).toBe(0);
      const rows = readFileSync(path.join(result.cwd, 'to_delete.csv'), 'utf8').trim().split('\n').slice(1);
      expect(rows.map((row) => `${row.split(',')[2]} ${row.split(',')[4]}`)).toEqual(['team/api v2', 'team/worker w1', 'team/worker w0']);
      const plan = readPlanFile(path.join(result.cwd, 'plan.jsonl'));
      expect(Object.fromEntries(plan.repositories[0].artifacts.map((artifact) => [artifact.tags[0], artifact.reasons.join(' ')]))).toEqual({
        v4: 'min-count',
        v3: 'min-count',
        v2: 'unused',
        v1: 'in-use:running',
        v0: 'in-use:service-deployment in-use:task-definition',
      });
      expect(await tags('team/api')).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
    });

    it('deletes through moto, and posts to Slack with the token from moto’s Secrets Manager', async () => {
      const result = await runCli(['--keep-days', '0', '--keep-min', '2', '--delete', '--slack', '--slack-channel', 'C0ECRMAINT', '--slack-token-secret', 'ecr-maintainer/slack'], env());

      expect(result.status).toBe(0);
      expect(await tags('team/api')).toEqual(['v0', 'v1', 'v3', 'v4']);
      expect(await tags('team/worker')).toEqual(['w2', 'w3']);
      expect(slack.slack.messages.at(-1)?.text).toContain('Deleted: 3 images of 3');
      expect(`${result.stdout}${result.stderr}`).not.toContain(TOKEN);
    });

    it('converges: a second run finds nothing more to delete', async () => {
      const result = await runCli(['--keep-days', '0', '--keep-min', '2', '--delete'], env());

      expect(result.status).toBe(0);
      expect(result.stdout).toContain('DELETED: 0 images of 0 planned');
    });
  });
}
