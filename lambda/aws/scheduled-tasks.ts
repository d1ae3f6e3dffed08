/**
 * Scheduled ECS tasks: EventBridge rules and EventBridge Scheduler schedules whose target runs an ECS
 * task. Such a target starts its task definition's images at its next run, even when no task of it runs
 * now, so its images are in use. Disabled rules and schedules count too: they can be enabled again.
 *
 * Like every source, it never throws for an AWS failure: each one becomes a problem that names the
 * rule or schedule and the operation, and any problem stops all deletion.
 */
import { type EventBridgeClient, ListEventBusesCommand, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, ListSchedulesCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { errorMessage } from '../errors';
import { CLUSTER_ARN, clusterName } from '../core/names';
import type { ImageUse, InUseDiscovery } from '../core/types';
import { listAll, type ApiCalls } from './api-calls';
import type { TaskDefinitionReader } from './task-definitions';

/** The largest page of ListEventBuses, ListRules, ListTargetsByRule and ListSchedules. */
const PAGE_SIZE = 100;
/**
 * Scheduler's universal targets for the ECS actions that start a task definition: RunTask and StartTask
 * start tasks, CreateService and UpdateService deploy one. Their `Input` is the action's request as JSON.
 */
const UNIVERSAL_ECS_TARGET = /^arn:aws[a-z-]*:scheduler:::aws-sdk:ecs:(runTask|startTask|createService|updateService)$/;
/** The universal actions that must name a task definition; an UpdateService may change only the count. */
const NAMES_TASK_DEFINITION = new Set(['runTask', 'startTask', 'createService']);

export interface ScheduledTaskClients {
  readonly events: EventBridgeClient;
  readonly scheduler: SchedulerClient;
}

export interface ScheduledTaskOptions {
  /** Reads each task definition once per run, shared with the other sources. */
  readonly taskDefinitions: TaskDefinitionReader;
}

/** An ECS task that a rule or schedule starts. */
interface ScheduledTask {
  /** `rule <bus>/<name>` or `schedule <group>/<name>`. */
  readonly schedule: string;
  /** A task definition ARN, with or without a revision, or a family (with or without `:revision`). */
  readonly taskDefinition: string;
  readonly cluster?: string;
}

/**
 * Finds the images of the ECS tasks that EventBridge rules and Scheduler schedules start:
 * 1. EventBridge: every event bus, every rule on each, every target of each rule; a target with
 *    `EcsParameters.TaskDefinitionArn` names a task definition (a bare family runs its latest ACTIVE
 *    revision, which DescribeTaskDefinition by family answers);
 * 2. Scheduler: every schedule of every group; `GetSchedule` only for those whose target is an ECS
 *    cluster (templated RunTask) or the universal `aws-sdk:ecs:runTask` target (whose `Input` names the
 *    task definition);
 * 3. each task definition, read once per run through the shared reader: one use per container.
 */
export async function discoverScheduledTaskImages(
  clients: ScheduledTaskClients,
  calls: ApiCalls,
  options: ScheduledTaskOptions,
): Promise<InUseDiscovery> {
  const problems: string[] = [];
  const [fromRules, fromSchedules] = await Promise.all([
    findRuleTasks(clients.events, calls, problems),
    findScheduleTasks(clients.scheduler, calls, problems),
  ]);
  const uses: ImageUse[] = [];
  const found = await Promise.all(
    [...fromRules, ...fromSchedules].map((task) =>
      options.taskDefinitions.uses(task.taskDefinition, { source: 'scheduled-task', schedule: task.schedule, ...(task.cluster && { cluster: task.cluster }) }, `${task.schedule}: `),
    ),
  );
  for (const result of found) {
    uses.push(...result.uses);
    problems.push(...result.problems);
  }
  return { uses, problems };
}

async function findRuleTasks(events: EventBridgeClient, calls: ApiCalls, problems: string[]): Promise<ScheduledTask[]> {
  let buses: string[];
  try {
    buses = await listAll(async (NextToken) => {
      const page = await calls.send('Events.ListEventBuses', 'the account', () => events.send(new ListEventBusesCommand({ Limit: PAGE_SIZE, NextToken })));
      return { items: (page.EventBuses ?? []).map((bus) => bus.Name ?? '?'), nextToken: page.NextToken };
    });
  } catch (error) {
    problems.push(errorMessage(error));
    return [];
  }

  const tasks: ScheduledTask[] = [];
  await Promise.all(
    buses.map(async (bus) => {
      let rules: string[];
      try {
        rules = await listAll(async (NextToken) => {
          const page = await calls.send('Events.ListRules', `event bus ${bus}`, () =>
            events.send(new ListRulesCommand({ EventBusName: bus, Limit: PAGE_SIZE, NextToken })),
          );
          return { items: (page.Rules ?? []).map((rule) => rule.Name ?? '?'), nextToken: page.NextToken };
        });
      } catch (error) {
        problems.push(errorMessage(error));
        return;
      }
      await Promise.all(
        rules.map(async (rule) => {
          const schedule = `rule ${bus}/${rule}`;
          try {
            await listAll(async (NextToken) => {
              const page = await calls.send('Events.ListTargetsByRule', schedule, () =>
                events.send(new ListTargetsByRuleCommand({ Rule: rule, EventBusName: bus, Limit: PAGE_SIZE, NextToken })),
              );
              for (const target of page.Targets ?? []) {
                if (!target.EcsParameters) continue;
                const taskDefinition = target.EcsParameters.TaskDefinitionArn;
                if (!taskDefinition) {
                  problems.push(`${schedule}: ECS target ${target.Id ?? '?'} names no task definition`);
                  continue;
                }
                tasks.push({ schedule, taskDefinition, ...clusterOf(target.Arn) });
              }
              return { items: [], nextToken: page.NextToken };
            });
          } catch (error) {
            problems.push(errorMessage(error));
          }
        }),
      );
    }),
  );
  return tasks;
}

async function findScheduleTasks(scheduler: SchedulerClient, calls: ApiCalls, problems: string[]): Promise<ScheduledTask[]> {
  let schedules: { name: string; group: string }[];
  try {
    schedules = await listAll(async (NextToken) => {
      const page = await calls.send('Scheduler.ListSchedules', 'the account', () => scheduler.send(new ListSchedulesCommand({ MaxResults: PAGE_SIZE, NextToken })));
      // A summary without a target's ARN is read in full too: it might start a task.
      const ecs = (page.Schedules ?? []).filter((summary) => summary.Target?.Arn === undefined || isEcsTarget(summary.Target.Arn));
      return { items: ecs.map((summary) => ({ name: summary.Name ?? '?', group: summary.GroupName ?? 'default' })), nextToken: page.NextToken };
    });
  } catch (error) {
    problems.push(errorMessage(error));
    return [];
  }

  const tasks: ScheduledTask[] = [];
  await Promise.all(
    schedules.map(async ({ name, group }) => {
      const schedule = `schedule ${group}/${name}`;
      try {
        const { Target: target } = await calls.send('Scheduler.GetSchedule', schedule, () => scheduler.send(new GetScheduleCommand({ Name: name, GroupName: group })));
        const arn = target?.Arn;
        if (arn === undefined) {
          problems.push(`${schedule}: Scheduler.GetSchedule answered a schedule without a target ARN`);
          return;
        }
        if (!isEcsTarget(arn)) return;
        const universal = UNIVERSAL_ECS_TARGET.exec(arn)?.[1];
        const task = universal ? ecsRequestInput(target?.Input, NAMES_TASK_DEFINITION.has(universal)) : { taskDefinition: target?.EcsParameters?.TaskDefinitionArn, ...clusterOf(arn) };
        if (typeof task === 'string') problems.push(`${schedule}: Scheduler.GetSchedule answered a universal ecs:${universal ?? '?'} target whose Input ${task}`);
        else if (task.taskDefinition) tasks.push({ schedule, taskDefinition: task.taskDefinition, ...(task.cluster && { cluster: task.cluster }) });
        else if (!universal) problems.push(`${schedule}: Scheduler.GetSchedule answered an ECS target that names no task definition`);
      } catch (error) {
        problems.push(errorMessage(error));
      }
    }),
  );
  return tasks;
}

function isEcsTarget(arn: string | undefined): boolean {
  return arn !== undefined && (CLUSTER_ARN.test(arn) || UNIVERSAL_ECS_TARGET.test(arn));
}

/** The cluster's name, when the target's ARN is a cluster's. */
function clusterOf(arn: string | undefined): { cluster?: string } {
  return arn !== undefined && CLUSTER_ARN.test(arn) ? { cluster: clusterName(arn) } : {};
}

/**
 * The task definition and cluster of a universal ECS target's `Input` (the action's request, whose members
 * Scheduler accepts in either case), or why it cannot be read.
 */
function ecsRequestInput(input: string | undefined, needsTaskDefinition: boolean): { taskDefinition?: string; cluster?: string } | string {
  if (input === undefined) return 'is missing';
  let request: unknown;
  try {
    request = JSON.parse(input);
  } catch {
    return 'is not JSON';
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return 'is not a JSON object';
  const fields = request as Record<string, unknown>;
  const taskDefinition = fields.TaskDefinition ?? fields.taskDefinition;
  const cluster = fields.Cluster ?? fields.cluster;
  const clusterField = typeof cluster === 'string' && cluster !== '' ? { cluster: clusterName(cluster) } : {};
  if (taskDefinition === undefined && !needsTaskDefinition) return clusterField;
  if (typeof taskDefinition !== 'string' || taskDefinition === '') return 'names no TaskDefinition';
  return { taskDefinition, ...clusterField };
}

