/**
 * Amazon EventBridge, as far as the cleaner uses it: ListEventBuses, ListRules and ListTargetsByRule,
 * over AWS JSON 1.1 (`X-Amz-Target: AWSEvents.<Op>`). Each list takes `Limit` (1 to 100) and
 * `NextToken`; the API reference states 100 as the most results per page, and that is also the page
 * size here when `Limit` is not given.
 */
import { AwsError, text, type Params } from './protocol';
import type { Fixture, FixtureEventBus, FixtureRule } from './fixture';

/** The most results a page of EventBridge's (and EventBridge Scheduler's) list operations holds. */
export const MAX_PAGE_SIZE = 100;

export function validationError(message: string): AwsError {
  return new AwsError('ValidationException', message);
}

/**
 * One page of `items` for the APIs whose paging fields are `NextToken` and a size field (`Limit`,
 * `MaxResults`): sizes out of 1..100 and foreign tokens are refused with ValidationException.
 */
export function pageOf<T>(items: readonly T[], size: unknown, token: unknown, key: string, sizeField: string): { page: T[]; nextToken?: string } {
  if (size !== undefined && (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE)) {
    throw validationError(
      `1 validation error detected: Value '${text(size)}' at '${sizeField}' failed to satisfy constraint: Member must have value ${
        typeof size === 'number' && size < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_PAGE_SIZE}`
      }`,
    );
  }
  const count = typeof size === 'number' ? size : MAX_PAGE_SIZE;
  let offset = 0;
  if (token !== undefined && token !== null) {
    try {
      const decoded = JSON.parse(Buffer.from(text(token), 'base64url').toString('utf8')) as { key: string; offset: number };
      if (decoded.key !== key || !Number.isInteger(decoded.offset)) throw new Error('foreign token');
      offset = decoded.offset;
    } catch {
      throw validationError('The NextToken provided is invalid.');
    }
  }
  const next = offset + count;
  return {
    page: items.slice(offset, next),
    ...(next < items.length && { nextToken: Buffer.from(JSON.stringify({ key, offset: next })).toString('base64url') }),
  };
}

export class Events {
  private readonly buses: readonly FixtureEventBus[];

  constructor(
    private readonly accountId: string,
    private readonly region: string,
    fixture: Fixture,
  ) {
    const buses = fixture.eventBuses ?? [];
    this.buses = buses.some((bus) => bus.name === 'default') ? buses : [{ name: 'default', rules: [] }, ...buses];
    for (const bus of this.buses) {
      const scheduled = (bus.rules ?? []).find((rule) => rule.scheduleExpression !== undefined);
      if (bus.name !== 'default' && scheduled) throw new Error(`fixture: rule ${bus.name}/${scheduled.name}: ScheduleExpression is supported only on the default event bus.`);
    }
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`;
  }

  /** Rules on the default bus are `rule/<name>`; on any other bus, `rule/<bus>/<name>`. */
  ruleArn(bus: string, rule: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:rule/${bus === 'default' ? '' : `${bus}/`}${rule}`;
  }

  handle(operation: string, params: Params): unknown {
    switch (operation) {
      case 'ListEventBuses': {
        const prefix = typeof params.NamePrefix === 'string' ? params.NamePrefix : '';
        const buses = this.buses.filter((bus) => bus.name.startsWith(prefix));
        const { page, nextToken } = pageOf(buses, params.Limit, params.NextToken, `ListEventBuses:${prefix}`, 'limit');
        return { EventBuses: page.map((bus) => ({ Name: bus.name, Arn: this.busArn(bus.name) })), ...(nextToken && { NextToken: nextToken }) };
      }
      case 'ListRules': {
        const bus = this.bus(params.EventBusName);
        const prefix = typeof params.NamePrefix === 'string' ? params.NamePrefix : '';
        const rules = (bus.rules ?? []).filter((rule) => rule.name.startsWith(prefix));
        const { page, nextToken } = pageOf(rules, params.Limit, params.NextToken, `ListRules:${bus.name}:${prefix}`, 'limit');
        return { Rules: page.map((rule) => this.describeRule(bus.name, rule)), ...(nextToken && { NextToken: nextToken }) };
      }
      case 'ListTargetsByRule': {
        const bus = this.bus(params.EventBusName);
        if (typeof params.Rule !== 'string' || params.Rule === '') {
          throw validationError("1 validation error detected: Value null at 'rule' failed to satisfy constraint: Member must not be null");
        }
        const rule = (bus.rules ?? []).find((candidate) => candidate.name === params.Rule);
        if (!rule) throw new AwsError('ResourceNotFoundException', `Rule ${params.Rule} does not exist on EventBus ${bus.name}.`);
        const { page, nextToken } = pageOf(rule.targets ?? [], params.Limit, params.NextToken, `ListTargetsByRule:${bus.name}:${rule.name}`, 'limit');
        return {
          Targets: page.map((target) => ({
            Id: target.id,
            Arn: target.taskDefinition && !target.arn.startsWith('arn:') ? this.arn('ecs', `cluster/${target.arn}`) : target.arn,
            ...(target.taskDefinition && {
              RoleArn: `arn:aws:iam::${this.accountId}:role/ecs-events`,
              EcsParameters: { TaskDefinitionArn: this.taskDefinitionArn(target.taskDefinition), TaskCount: 1, LaunchType: 'FARGATE' },
            }),
          })),
          ...(nextToken && { NextToken: nextToken }),
        };
      }
      default:
        throw new AwsError('UnknownOperationException', `EventBridge operation ${operation} is not emulated`);
    }
  }

  private describeRule(bus: string, rule: FixtureRule): Params {
    return {
      Name: rule.name,
      Arn: this.ruleArn(bus, rule.name),
      State: rule.state ?? 'ENABLED',
      ...(bus === 'default' ? { ScheduleExpression: rule.scheduleExpression ?? 'rate(1 day)' } : { EventPattern: '{"source":["aws.ecr"]}' }),
      EventBusName: bus,
    };
  }

  /** A bus by name or ARN; the default bus when none is named. */
  private bus(nameOrArn: unknown): FixtureEventBus {
    const given = typeof nameOrArn === 'string' && nameOrArn !== '' ? nameOrArn : 'default';
    const name = given.startsWith('arn:') ? given.slice(given.indexOf('event-bus/') + 'event-bus/'.length) : given;
    const bus = this.buses.find((candidate) => candidate.name === name);
    if (!bus) throw new AwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`);
    return bus;
  }

  private arn(service: string, resource: string): string {
    return `arn:aws:${service}:${this.region}:${this.accountId}:${resource}`;
  }

  private taskDefinitionArn(name: string): string {
    return name.startsWith('arn:') ? name : this.arn('ecs', `task-definition/${name}`);
  }
}
