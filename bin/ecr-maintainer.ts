#!/usr/bin/env node
/**
 * The CDK app: `npm run synth`, `npm run cdk -- deploy`. Settings come from CDK context (see README).
 * With the context key `org` (lib/org-context.ts), it also synthesizes the organisation's stacks:
 * EcrMaintainerOrg for the central account and EcrMaintainerMember for each member account.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EcrCleanerMemberStack } from '../lib/ecr-cleaner-member-stack';
import { EcrMaintainerOrgStack } from '../lib/ecr-maintainer-org-stack';
import { InvalidSettingsError } from '../lib/errors';
import { EcrMaintainerStack } from '../lib/ecr-maintainer-stack';
import { orgFromContext } from '../lib/org-context';

const app = new App();
try {
  new EcrMaintainerStack(app, 'EcrMaintainer', {
    description: 'ECR Maintainer: removes unused ECR images on a schedule, never one that a workload runs or may start again',
  });
  const org = orgFromContext(app);
  if (org) {
    new EcrMaintainerOrgStack(app, 'EcrMaintainerOrg', {
      description: 'ECR Maintainer (organisation): cleans every account and region, each in its own Lambda run, on a schedule',
      // Only in the central account: a deploy with another account's credentials is refused.
      env: { account: org.centralAccount, region: process.env.CDK_DEFAULT_REGION },
      org: org.org,
    });
    new EcrCleanerMemberStack(app, 'EcrMaintainerMember', {
      description: 'ECR Maintainer (member): the role that the central cleaner assumes in this account',
      member: org.member,
    });
  }
} catch (error) {
  // Bad settings are the user's to fix: print the list of problems alone, without a stack trace.
  // Any other error is a bug, and keeps its stack.
  if (!(error instanceof InvalidSettingsError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
}
// Synthesis fails on any finding of the AWS Solutions pack that is not acknowledged next to its code.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
