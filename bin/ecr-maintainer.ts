#!/usr/bin/env node
/** The CDK app: `npm run synth`, `npm run cdk -- deploy`. Settings come from CDK context (see README). */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InvalidSettingsError } from '../lib/errors';
import { EcrMaintainerStack } from '../lib/ecr-maintainer-stack';

const app = new App();
try {
  new EcrMaintainerStack(app, 'EcrMaintainer', {
    description: 'ECR Maintainer: removes unused ECR images on a schedule, never one that a workload runs or may start again',
  });
} catch (error) {
  // Bad settings are the user's to fix: print the list of problems alone, without a stack trace.
  // Any other error is a bug, and keeps its stack.
  if (!(error instanceof InvalidSettingsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
// Synthesis fails on any finding of the AWS Solutions pack that is not acknowledged next to its code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
