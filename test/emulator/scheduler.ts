/**
 * Amazon EventBridge Scheduler, as far as the cleaner uses it, over REST-JSON: `GET /schedules`
 * (ListSchedules: `ScheduleGroup`, `NamePrefix`, `State`, `NextToken`, `MaxResults` 1..100),
 * `GET /schedules/{Name}?groupName=` (GetSchedule; the group defaults to `default`) and
 * `GET /schedule-groups` (ListScheduleGroups). Errors carry their HTTP status from the model
 * (ResourceNotFoundException 404, ValidationException 400, ThrottlingException 429, …).
 */
import { AwsError, epochSeconds, text, type Params } from './protocol';
import type { Fixture, FixtureSchedule, FixtureScheduleGroup } from './fixture';
import { pageOf, validationError } from './events';

/** The HTTP status of each error code, from the Scheduler model (and 403 for IAM's AccessDeniedException). */
export const REST_JSON_ERROR_STATUS: Readonly<Record<string, number>> = {
  ValidationException: 400,
  ServiceQuotaExceededException: 402,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ThrottlingException: 429,
  InternalServerException: 500,
};

interface Entry {
  readonly group: string;
  readonly schedule: FixtureSchedule;
}

export class Scheduler {
  private readonly groups: readonly FixtureScheduleGroup[];
  private readonly created: Date;

  constructor(
    private readonly accountId: string,
    private readonly region: string,
    fixture: Fixture,
    now: Date,
  ) {
    const groups = fixture.scheduleGroups ?? [];
    this.groups = groups.some((group) => group.name === 'default') ? groups : [{ name: 'default', schedules: [] }, ...groups];
    this.created = new Date(now.getTime() - 30 * 86_400_000);
  }

  /** The operation that a method and path name, for the call log; undefined for a path it does not serve. */
  static operation(method: string, path: string): string | undefined {
    if (method !== 'GET') return undefined;
    if (path === '/schedules') return 'ListSchedules';
    if (/^\/schedules\/[^/]+$/.test(path)) return 'GetSchedule';
    if (path === '/schedule-groups') return 'ListScheduleGroups';
    return undefined;
  }

  /** The request as the call log records it: the query's fields and the path's name. */
  static params(path: string, query: URLSearchParams): Params {
    const params: Params = Object.fromEntries(query);
    if (typeof params.MaxResults === 'string') params.MaxResults = Number(params.MaxResults);
    const name = /^\/schedules\/([^/]+)$/.exec(path)?.[1];
    return name === undefined ? params : { ...params, Name: decodeURIComponent(name) };
  }

  handle(operation: string, params: Params): unknown {
    switch (operation) {
      case 'ListSchedules':
        return this.listSchedules(params);
      case 'GetSchedule':
        return this.getSchedule(params);
      case 'ListScheduleGroups': {
        const { page, nextToken } = pageOf(this.groups, params.MaxResults, params.NextToken, 'ListScheduleGroups', 'maxResults');
        return {
          ScheduleGroups: page.map((group) => ({
            Arn: this.arn(`schedule-group/${group.name}`),
            Name: group.name,
            State: 'ACTIVE',
            CreationDate: epochSeconds(this.created),
            LastModificationDate: epochSeconds(this.created),
          })),
          ...(nextToken && { NextToken: nextToken }),
        };
      }
      default:
        throw new AwsError('UnknownOperationException', `Scheduler operation ${operation} is not emulated`);
    }
  }

  private listSchedules(params: Params): unknown {
    const group = typeof params.ScheduleGroup === 'string' ? params.ScheduleGroup : undefined;
    if (group !== undefined && !this.groups.some((candidate) => candidate.name === group)) {
      throw new AwsError('ResourceNotFoundException', `Schedule group ${group} does not exist.`);
    }
    const state = params.State;
    if (state !== undefined && state !== 'ENABLED' && state !== 'DISABLED') {
      throw validationError(`1 validation error detected: Value '${text(state)}' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]`);
    }
    const prefix = typeof params.NamePrefix === 'string' ? params.NamePrefix : '';
    const entries = this.entries().filter(
      (entry) =>
        (group === undefined || entry.group === group) && entry.schedule.name.startsWith(prefix) && (state === undefined || (entry.schedule.state ?? 'ENABLED') === state),
    );
    const { page, nextToken } = pageOf(entries, params.MaxResults, params.NextToken, `ListSchedules:${group ?? ''}:${prefix}:${String(state ?? '')}`, 'maxResults');
    return {
      Schedules: page.map(({ group: groupName, schedule }) => ({
        Arn: this.scheduleArn(groupName, schedule.name),
        Name: schedule.name,
        GroupName: groupName,
        State: schedule.state ?? 'ENABLED',
        CreationDate: epochSeconds(this.created),
        LastModificationDate: epochSeconds(this.created),
        Target: { Arn: this.targetArn(schedule) },
      })),
      ...(nextToken && { NextToken: nextToken }),
    };
  }

  private getSchedule(params: Params): unknown {
    const group = typeof params.groupName === 'string' && params.groupName !== '' ? params.groupName : 'default';
    const entry = this.entries().find((candidate) => candidate.group === group && candidate.schedule.name === params.Name);
    if (!entry) throw new AwsError('ResourceNotFoundException', `Schedule ${String(params.Name)} does not exist.`);
    const { schedule } = entry;
    return {
      Arn: this.scheduleArn(group, schedule.name),
      GroupName: group,
      Name: schedule.name,
      ScheduleExpression: 'cron(0 2 * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      State: schedule.state ?? 'ENABLED',
      CreationDate: epochSeconds(this.created),
      LastModificationDate: epochSeconds(this.created),
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'NONE',
      Target: {
        Arn: this.targetArn(schedule),
        RoleArn: `arn:aws:iam::${this.accountId}:role/scheduler-ecs`,
        RetryPolicy: { MaximumEventAgeInSeconds: 86_400, MaximumRetryAttempts: 185 },
        ...(schedule.target.input !== undefined && { Input: schedule.target.input }),
        ...(schedule.target.taskDefinition && {
          EcsParameters: { TaskDefinitionArn: this.taskDefinitionArn(schedule.target.taskDefinition), TaskCount: 1, LaunchType: 'FARGATE' },
        }),
      },
    };
  }

  private entries(): Entry[] {
    return this.groups.flatMap((group) => (group.schedules ?? []).map((schedule) => ({ group: group.name, schedule })));
  }

  private targetArn(schedule: FixtureSchedule): string {
    const { arn, taskDefinition } = schedule.target;
    return taskDefinition && !arn.startsWith('arn:') ? `arn:aws:ecs:${this.region}:${this.accountId}:cluster/${arn}` : arn;
  }

  private scheduleArn(group: string, name: string): string {
    return this.arn(`schedule/${group}/${name}`);
  }

  private arn(resource: string): string {
    return `arn:aws:scheduler:${this.region}:${this.accountId}:${resource}`;
  }

  private taskDefinitionArn(name: string): string {
    return name.startsWith('arn:') ? name : `arn:aws:ecs:${this.region}:${this.accountId}:task-definition/${name}`;
  }
}
