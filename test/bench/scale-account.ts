/**
 * The benchmark's world of a given size: `images` images spread evenly over `repositories` repositories
 * (one tag each, pushed a day apart over a year, so that most are old enough to delete), and `tasks`
 * running ECS tasks in clusters of 250, each running an old image that the cleaner must keep. Nothing
 * else is in use: the other sources are empty, and each costs only its first listing.
 *
 * The fixture holds one small record per image (the emulator keeps its own copy); a world of 1,000,000
 * images costs the benchmark's process about 1 GB.
 */
import { image, registryHost, type Fixture, type FixtureCluster, type FixtureImage } from '../emulator/fixture';
import { lowerBound, type Account } from './account';

export interface Scale {
  /** Images in all, spread evenly over the repositories (the first ones hold one more when it does not divide). */
  readonly images: number;
  readonly repositories: number;
  /** Running tasks, in clusters of `TASKS_PER_CLUSTER`. */
  readonly tasks: number;
}

const TASKS_PER_CLUSTER = 250;

/** The world of `scale`, with its description and lower bound. */
export function buildScaleAccount(scale: Scale): Account {
  const host = registryHost({});
  const name = (r: number): string => `app-${String(r).padStart(4, '0')}/service`;
  const sizeOf = (r: number): number => Math.floor(scale.images / scale.repositories) + (r < scale.images % scale.repositories ? 1 : 0);
  const repositories = Array.from({ length: scale.repositories }, (_, r) => {
    const size = sizeOf(r);
    const images: FixtureImage[] = new Array<FixtureImage>(size);
    for (let n = 0; n < size; n += 1) images[n] = image(`s${r}:${n}`, { tags: [`v${n}`], pushedDaysAgo: 1 + ((size - 1 - n) * 365) / size, sizeBytes: 40_000_000 });
    return { name: name(r), images };
  });
  const clusters: FixtureCluster[] = Array.from({ length: Math.ceil(scale.tasks / TASKS_PER_CLUSTER) }, (_, c) => ({
    name: `cluster-${c}`,
    tasks: Array.from({ length: Math.min(TASKS_PER_CLUSTER, scale.tasks - c * TASKS_PER_CLUSTER) }, (_, t) => {
      const i = c * TASKS_PER_CLUSTER + t;
      const r = i % scale.repositories;
      return { id: `c${c}t${t}`, containers: [{ name: 'app', image: `${host}/${name(r)}:v${(i * 7) % Math.max(1, sizeOf(r))}` }] };
    }),
  }));
  const fixture: Fixture = { repositories, clusters, faults: {} };
  return {
    fixture,
    args: [],
    variables: {},
    description: `${scale.images.toLocaleString('en')} images in ${scale.repositories.toLocaleString('en')} repositories; ${scale.tasks.toLocaleString('en')} running tasks in ${clusters.length} ${clusters.length === 1 ? 'cluster' : 'clusters'}; no other source in use`,
    lowerBound: (run) => lowerBound(fixture, [], run),
  };
}
