/**
 * A Node.js function of this project, bundled locally by esbuild from `lambda/` (no Docker), on the
 * runtime and architecture the project tests, logging JSON to a log group of its own: the single-account
 * cleaner and the organisation's three functions are all made here, so that they are built alike.
 */
import * as path from 'node:path';
import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

const PROJECT_ROOT = path.join(__dirname, '..');

export interface BundledFunctionProps {
  /** The entry file, relative to `lambda/`, such as `handler.ts`; its export `handler` is the handler. */
  readonly entry: string;
  readonly description: string;
  readonly role: iam.IRole;
  readonly logGroup: logs.ILogGroup;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  /** @default lambda.ApplicationLogLevel.INFO */
  readonly logLevel?: lambda.ApplicationLogLevel;
  /** @default - none: the account's unreserved concurrency */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * The function. An asynchronous invocation is never retried (`retryAttempts: 0`): a failed run is
 * reported, and the next scheduled run converges.
 */
export function createBundledFunction(scope: Construct, id: string, props: BundledFunctionProps): NodejsFunction {
  return new NodejsFunction(scope, id, {
    description: props.description,
    entry: path.join(PROJECT_ROOT, 'lambda', props.entry),
    handler: 'handler',
    depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
    projectRoot: PROJECT_ROOT,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    timeout: props.timeout,
    memorySize: props.memorySize,
    role: props.role,
    logGroup: props.logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: props.logLevel ?? lambda.ApplicationLogLevel.INFO,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    retryAttempts: 0,
    maxEventAge: Duration.hours(1),
    environment: props.environment,
    bundling: {
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      target: 'node24',
      format: OutputFormat.CJS,
      // Bundle our pinned SDK, so that the Lambda runs exactly what the CLI and the tests run.
      externalModules: [],
    },
  });
}
