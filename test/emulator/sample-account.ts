/**
 * The sample account that `npm run demo` and the emulator's default serve: several repositories,
 * multi-architecture images with attestations, signatures, running and recently stopped tasks in two
 * clusters, services mid-deployment, a service scaled to zero whose tag has moved, a task pulling through
 * the dual-stack endpoint, an EventBridge rule and a Scheduler schedule that start ECS tasks, a Lambda
 * function packaged as a container image, and images of every age, so that a dry run shows every kind of
 * decision.
 */
import { cosignTagSignature, image, multiArchImage, registryHost, signature, type Fixture, type FixtureImage } from './fixture';

export const SAMPLE_SLACK_TOKEN = 'xoxb-sample-0000000000-demo';
export const SAMPLE_AUDIT_BUCKET = 'ecr-maintainer-audit';

export function sampleAccount(): Fixture {
  const host = registryHost({});
  const ref = (repository: string, tagOrDigest: string): string =>
    `${host}/${repository}${tagOrDigest.startsWith('sha256:') ? '@' : ':'}${tagOrDigest}`;

  // shop/api: a release a week or so, for three months.
  const api = Array.from({ length: 12 }, (_, position) =>
    image(`shop/api:${position}`, { tags: [`v1.${position}`], pushedDaysAgo: 90 - position * 8, sizeBytes: 120_000_000 + position * 1_000_000 }),
  );
  // `canary` has moved to the newest release; the scaled-to-zero canary service pinned v1.6 when it deployed.
  const apiLatest = { ...api[api.length - 1], tags: ['v1.11', 'canary'] };
  api[api.length - 1] = apiLatest;
  const apiSigned = signature(api[10]);
  const dualStack = `${host.split('.')[0]}.dkr-ecr.eu-west-2.on.aws`;

  // shop/web: multi-architecture releases, each an index with two platforms and their attestations.
  const web = [40, 30, 20, 12, 2].map((days, position) =>
    multiArchImage(`shop/web:${position}`, { tags: [`2026.${position + 1}`], pushedDaysAgo: days, attestations: true, sizeBytes: 90_000_000 }),
  );
  const webStable = web[1];
  // One nightly build left without its index: the index was deleted by hand long ago.
  const orphan = image('shop/web:orphan-platform', { pushedDaysAgo: 60, sizeBytes: 45_000_000 });

  // shop/worker: a task pins `tag@digest`; a crash-looping task stopped minutes ago.
  const worker = Array.from({ length: 6 }, (_, position) =>
    image(`shop/worker:${position}`, { tags: [`build-${100 + position}`], pushedDaysAgo: 70 - position * 10, sizeBytes: 60_000_000 }),
  );

  // tools/migrations: fewer images than the minimum, all old.
  const migrations = [200, 150].map((days, position) => image(`tools/migrations:${position}`, { tags: [`m${position}`], pushedDaysAgo: days, sizeBytes: 30_000_000 }));

  // sandbox/experiments: untagged leftovers, one with a legacy cosign signature.
  const sandbox: FixtureImage[] = Array.from({ length: 8 }, (_, position) =>
    image(`sandbox:${position}`, { pushedDaysAgo: 45 - position * 5, sizeBytes: 200_000_000 }),
  );
  const sandboxSignature = cosignTagSignature(sandbox[0]);

  // shop/thumbnailer: a Lambda function packaged as a container image, one release per published version.
  const thumbnailer = Array.from({ length: 6 }, (_, position) =>
    image(`shop/thumbnailer:${position}`, { tags: [`t${position + 1}`], pushedDaysAgo: 70 - position * 10, sizeBytes: 80_000_000 }),
  );

  return {
    accountId: '123456789012',
    region: 'eu-west-2',
    repositories: [
      { name: 'shop/api', images: [...api, apiSigned] },
      { name: 'shop/web', images: [...web.flatMap((release) => release.all), orphan] },
      { name: 'shop/worker', images: worker },
      { name: 'tools/migrations', images: migrations },
      { name: 'sandbox/experiments', images: [...sandbox, sandboxSignature] },
      { name: 'shop/thumbnailer', images: thumbnailer },
    ],
    taskDefinitions: [
      { name: 'api:41', containers: [{ name: 'api', image: ref('shop/api', 'v1.11') }, { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29' }] },
      { name: 'api:40', containers: [{ name: 'api', image: ref('shop/api', 'v1.8') }, { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29' }] },
      { name: 'web:7', containers: [{ name: 'web', image: ref('shop/web', '2026.2') }] },
      { name: 'worker:3', containers: [{ name: 'worker', image: `${ref('shop/worker', 'build-102')}@${worker[2].digest}` }] },
      // The nightly re-index still runs an old worker build, on an old revision of the family.
      { name: 'worker:1', containers: [{ name: 'worker', image: ref('shop/worker', 'build-100') }] },
      { name: 'api-canary:3', containers: [{ name: 'api', image: ref('shop/api', 'canary') }] },
      { name: 'migrations:2', containers: [{ name: 'migrate', image: ref('tools/migrations', 'm0') }] },
    ],
    clusters: [
      {
        name: 'production',
        tasks: [
          // A rolling deployment: one task on the new revision, one still on the old.
          { id: 'a1b2c3d4e5f6', taskDefinition: 'api:41', containers: [{ name: 'api', image: ref('shop/api', 'v1.11'), imageDigest: apiLatest.digest }, { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29' }] },
          { id: 'b2c3d4e5f6a1', taskDefinition: 'api:40', containers: [{ name: 'api', image: ref('shop/api', 'v1.8'), imageDigest: api[8].digest }, { name: 'envoy', image: 'public.ecr.aws/appmesh/aws-appmesh-envoy:v1.29' }] },
          // The web task reports the digest of its platform image, a child of the 2026.2 index.
          { id: 'c3d4e5f6a1b2', taskDefinition: 'web:7', containers: [{ name: 'web', image: ref('shop/web', '2026.2'), imageDigest: webStable.children[1].digest }] },
          { id: 'd4e5f6a1b2c3', taskDefinition: 'worker:3', containers: [{ name: 'worker', image: `${ref('shop/worker', 'build-102')}@${worker[2].digest}` }] },
        ],
        services: [
          { name: 'api', deployments: [{ status: 'PRIMARY', taskDefinition: 'api:41' }, { status: 'ACTIVE', taskDefinition: 'api:40' }] },
          { name: 'web', deployments: [{ status: 'PRIMARY', taskDefinition: 'web:7' }] },
          {
            // Scaled to zero: no task runs it, and its tag has moved, but a scale-out launches the digest
            // that ECS pinned in its service revision.
            name: 'api-canary',
            deployments: [{ status: 'PRIMARY', taskDefinition: 'api-canary:3', rolloutState: 'COMPLETED' }],
            revisions: [{ id: '5d2f9a1c0b7e4e21', taskDefinition: 'api-canary:3', containerImages: [{ containerName: 'api', image: ref('shop/api', 'canary'), imageDigest: api[6].digest }] }],
            currentRevisions: ['5d2f9a1c0b7e4e21'],
          },
        ],
      },
      {
        name: 'staging',
        tasks: [
          // Crash-looping: stopped a few minutes ago, and no task of it runs right now.
          { id: 'e5f6a1b2c3d4', desiredStatus: 'STOPPED', containers: [{ name: 'worker', image: ref('shop/worker', 'build-101') }] },
          // Pulls through the dual-stack endpoint: the same registry under another host name.
          { id: 'a7b8c9d0e1f2', containers: [{ name: 'reports', image: `${dualStack}/shop/api:v1.3`, imageDigest: api[3].digest }] },
          // Images from other registries are never this registry's to protect.
          { id: 'f6a1b2c3d4e5', containers: [{ name: 'redis', image: 'redis:7' }, { name: 'proxy', image: '210987654321.dkr.ecr.eu-west-2.amazonaws.com/shop/api:v1.0' }] },
        ],
        services: [{ name: 'worker', taskSets: [{ status: 'PRIMARY', taskDefinition: 'worker:3' }] }],
      },
    ],
    eventBuses: [{ name: 'default', rules: [{ name: 'nightly-reindex', scheduleExpression: 'cron(0 2 * * ? *)', targets: [{ id: 'reindex', arn: 'production', taskDefinition: 'worker:1' }] }] }],
    scheduleGroups: [{ name: 'default', schedules: [{ name: 'monthly-migrations', target: { arn: 'production', taskDefinition: 'migrations:2' } }] }],
    functions: [
      {
        name: 'thumbnailer',
        latest: { uri: ref('shop/thumbnailer', 't6'), digest: thumbnailer[5].digest },
        versions: thumbnailer.map((release) => ({ uri: ref('shop/thumbnailer', release.tags[0]), digest: release.digest })),
        // The live alias still serves version 2 while the newer versions are tried.
        aliases: [{ name: 'live', version: '2' }],
      },
    ],
    secrets: { 'ecr-maintainer/slack-token': JSON.stringify({ token: SAMPLE_SLACK_TOKEN }) },
    // An empty bucket for the audit trail: `--upload s3://ecr-maintainer-audit`, and the grace period.
    buckets: [SAMPLE_AUDIT_BUCKET],
    slack: { token: SAMPLE_SLACK_TOKEN, channels: [{ id: 'C0ECRMAINT', name: 'platform-alerts' }] },
  };
}
