/**
 * Test support for the CDK code: apps with the project's own feature flags (from cdk.json), asset
 * bundling skipped unless asked for, and readable renderings of CloudFormation intrinsics.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EcrCleaner, type EcrCleanerProps } from '../../lib/ecr-cleaner';

const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };

/** An app with cdk.json's context; bundling is skipped unless `bundle` is set. */
export function testApp(context: Record<string, unknown> = {}, options: { bundle?: boolean } = {}): App {
  return new App({ context: { ...cdkJson.context, ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context } });
}

export function synthCleaner(props?: EcrCleanerProps): { stack: Stack; cleaner: EcrCleaner; template: Template } {
  const stack = new Stack(testApp(), 'Test');
  const cleaner = new EcrCleaner(stack, 'Cleaner', props);
  return { stack, cleaner, template: Template.fromStack(stack) };
}

/** Renders Ref, Fn::GetAtt and Fn::Join as text, such as `arn:${AWS::Partition}:ecr:…`. */
export function render(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(render);
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `\${${String(object.Ref)}}`;
  if ('Fn::GetAtt' in object) return `\${${(object['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map((part) => String(render(part))).join(separator);
  }
  return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, render(inner)]));
}

export interface Statement {
  readonly Sid?: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
  readonly Effect: string;
}

/** The statements of every policy attached to the role that a service principal assumes, rendered. */
export function statementsOfRole(template: Template, principal: string): Statement[] {
  const roles = Object.entries(template.findResources('AWS::IAM::Role')).filter(([, role]) =>
    JSON.stringify(role.Properties.AssumeRolePolicyDocument).includes(`"${principal}"`),
  );
  if (roles.length !== 1) throw new Error(`expected one role for ${principal}, found ${roles.length}`);
  const [roleId] = roles[0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap((policy) => render(policy.Properties.PolicyDocument.Statement) as Statement[]);
}

/** Every action that a role's policies allow. */
export function actionsOf(statements: readonly Statement[]): string[] {
  return [...new Set(statements.flatMap((statement) => (Array.isArray(statement.Action) ? statement.Action : [statement.Action])))].sort();
}

/** What `act` throws; a test that expects an error fails when there is none. */
export function catchError(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
