#!/usr/bin/env node
/** The CDK app: `npm run synth`, `npm run cdk -- deploy`. Settings come from CDK context (see README). */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EcrMaintainerStack } from '../lib/ecr-maintainer-stack';

const app = new App();
new EcrMaintainerStack(app, 'EcrMaintainer', {
  description: 'ECR Maintainer: removes unused ECR images on a schedule, never one that ECS runs or may start again',
});
// Synthesis fails on any finding of the AWS Solutions pack that is not acknowledged next to its code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
