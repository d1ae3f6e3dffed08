/**
 * The accounts that the end-to-end tests run against: one small and varied, one large for paging. Their
 * images' ages count back from the emulator's start, so that the CLI runs at the real time: `--now` is
 * for previews only, and never goes with deletion.
 */
import { image, multiArchImage, registryHost, type Fixture, type FixtureCluster, type FixtureImage } from '../emulator/fixture';

export const HOST = registryHost({});
export const SLACK_TOKEN = 'xoxb-e2e-0000-never-print-this';

/** Images of `repository` named by tag, pushed `days` ago. */
function tagged(repository: string, days: Record<string, number>): Record<string, FixtureImage> {
  return Object.fromEntries(Object.entries(days).map(([tag, pushedDaysAgo]) => [tag, image(`${repository}:${tag}`, { tags: [tag], pushedDaysAgo, sizeBytes: 1_000_000 })]));
}

/**
 * `app` has ten releases, a week apart. With the defaults (3 newest, 7 days) the rules keep:
 * - r9 (recent, min-count), r8 and r7 (min-count);
 * - r2, run by digest; r3, run by tag; r4, run as `repo:tag@sha256:`; r5, run through one of its two tags.
 * r0, r1 and r6 are deleted. `web` has an old multi-architecture release to delete, and three new ones.
 */
export function smallAccount(): Fixture & { app: Record<string, FixtureImage>; oldWeb: ReturnType<typeof multiArchImage> } {
  const app = tagged('app', Object.fromEntries(Array.from({ length: 10 }, (_, n) => [`r${n}`, 90 - n * 10])));
  const r5 = { ...app.r5, tags: ['r5', 'blue'] };
  const oldWeb = multiArchImage('web:old', { tags: ['w0'], pushedDaysAgo: 60, attestations: true });
  const newWeb = [3, 2, 1].map((days) => multiArchImage(`web:${days}`, { tags: [`w${4 - days}`], pushedDaysAgo: days + 10 }));
  return {
    app,
    oldWeb,
    repositories: [
      { name: 'app', images: [...Object.values(app).filter((i) => i !== app.r5), r5] },
      { name: 'web', images: [...oldWeb.all, ...newWeb.flatMap((release) => release.all)] },
    ],
    clusters: [
      {
        name: 'prod',
        tasks: [
          { id: 'by-digest', containers: [{ name: 'app', image: `${HOST}/app:latest`, imageDigest: app.r2.digest }] },
          { id: 'by-tag', containers: [{ name: 'app', image: `${HOST}/app:r3` }] },
        ],
      },
      {
        name: 'batch',
        tasks: [
          { id: 'tag-and-digest', containers: [{ name: 'job', image: `${HOST}/app:r4@${app.r4.digest}` }] },
          { id: 'second-tag', containers: [{ name: 'job', image: `${HOST}/app:blue` }, { name: 'redis', image: 'redis:7' }] },
        ],
      },
    ],
    secrets: { 'ecr-maintainer/slack': JSON.stringify({ token: SLACK_TOKEN }) },
    slack: { token: SLACK_TOKEN, channels: [{ id: 'C0ECRMAINT', name: 'platform-alerts' }] },
  };
}

/**
 * 40 repositories, one of them with 2,500 images; 250 running tasks over three clusters, each running an
 * old image of `big`.
 */
export function largeAccount(): Fixture & { inUse: readonly string[] } {
  const big = Array.from({ length: 2500 }, (_, n) => image(`big:${n}`, { tags: [`b${n}`], pushedDaysAgo: 400 - n * 0.15, sizeBytes: 10_000_000 }));
  const others = Array.from({ length: 39 }, (_, r) => ({
    name: `team-${String(r).padStart(2, '0')}/service`,
    images: Array.from({ length: 12 }, (_, n) => image(`team-${r}:${n}`, { tags: [`v${n}`], pushedDaysAgo: 120 - n * 10, sizeBytes: 5_000_000 })),
  }));
  const clusterSizes = [120, 100, 30];
  let used = 0;
  const inUse: string[] = [];
  const clusters: FixtureCluster[] = clusterSizes.map((size, c) => ({
    name: `cluster-${c}`,
    tasks: Array.from({ length: size }, (_, t) => {
      const target = big[used * 7];
      used += 1;
      inUse.push(target.digest);
      return { id: `c${c}-t${t}`, containers: [{ name: 'app', image: `${HOST}/big:${target.tags[0]}`, ...(t % 2 === 0 && { imageDigest: target.digest }) }] };
    }),
  }));
  return { repositories: [{ name: 'big', images: big }, ...others], clusters, inUse };
}
