// The benchmark's floor: the least a client must do to see the world that the cleaner sees, with the same
// SDK and the same number of calls in flight. It lists every repository's images (DescribeRepositories
// and DescribeImages, pages of 1000) and every cluster's running tasks (ListClusters, ListTasks pages of
// 100, DescribeTasks per 100), keeps only counts, and prints them as JSON. The benchmark bundles it with
// esbuild as the CLI is bundled, so that both pay the same start-up.
//
//   FLOOR_CONCURRENCY=8 node floor.js     # with the emulator's environment (AWS_ENDPOINT_URL, …)
import { DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { DescribeTasksCommand, ECSClient, ListClustersCommand, ListTasksCommand } from '@aws-sdk/client-ecs';

const limit = Number(process.env.FLOOR_CONCURRENCY ?? '8');
const ecr = new ECRClient({ maxAttempts: 8 });
const ecs = new ECSClient({ maxAttempts: 8 });
let inFlight = 0;
let calls = 0;
const waiting = [];

/** Sends one command when fewer than `limit` are in flight. */
async function send(client, command) {
  if (inFlight >= limit) await new Promise((resolve) => waiting.push(resolve));
  else inFlight += 1;
  calls += 1;
  try {
    return await client.send(command);
  } finally {
    const next = waiting.shift();
    if (next) next();
    else inFlight -= 1;
  }
}

/** Every page of a listing, `read` once per page. */
async function pages(read) {
  let token;
  do {
    token = await read(token);
  } while (token);
}

async function listImages() {
  let images = 0;
  const names = [];
  await pages(async (nextToken) => {
    const answer = await send(ecr, new DescribeRepositoriesCommand({ maxResults: 1000, nextToken }));
    for (const repository of answer.repositories ?? []) names.push(repository.repositoryName);
    return answer.nextToken;
  });
  await Promise.all(
    names.map((repositoryName) =>
      pages(async (nextToken) => {
        const answer = await send(ecr, new DescribeImagesCommand({ repositoryName, maxResults: 1000, nextToken }));
        images += (answer.imageDetails ?? []).length;
        return answer.nextToken;
      }),
    ),
  );
  return { repositories: names.length, images };
}

async function listTasks() {
  let tasks = 0;
  const clusters = [];
  await pages(async (nextToken) => {
    const answer = await send(ecs, new ListClustersCommand({ maxResults: 100, nextToken }));
    clusters.push(...(answer.clusterArns ?? []));
    return answer.nextToken;
  });
  await Promise.all(
    clusters.map((cluster) =>
      pages(async (nextToken) => {
        const answer = await send(ecs, new ListTasksCommand({ cluster, desiredStatus: 'RUNNING', maxResults: 100, nextToken }));
        if ((answer.taskArns ?? []).length > 0) {
          const described = await send(ecs, new DescribeTasksCommand({ cluster, tasks: answer.taskArns }));
          tasks += (described.tasks ?? []).length;
        }
        return answer.nextToken;
      }),
    ),
  );
  return { clusters: clusters.length, tasks };
}

const [images, tasks] = await Promise.all([listImages(), listTasks()]);
process.stdout.write(`${JSON.stringify({ ...images, ...tasks, calls })}\n`);
