#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import cdkNag from 'cdk-nag';
import { OneTimeUploadStack } from '../lib/one-time-upload-stack.js';
import { readSettings } from '../lib/settings.js';

/**
 * The CDK app. Account and region come from the CLI's environment when it has credentials; without them
 * the stack is environment-agnostic, so `cdk synth` works offline (no lookups are made).
 */
const app = new App();
const settings = readSettings((key) => app.node.tryGetContext(key));
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
new OneTimeUploadStack(app, app.node.tryGetContext('stackName') ?? 'OneTimeUploadStack', {
  description: 'One-time upload URLs for Amazon S3',
  ...(account && region ? { env: { account, region } } : {}),
  settings,
});
// Every finding of the AWS Solutions rules fails the synth unless acknowledged with a reason in the stack.
Validations.of(app).addPlugins(new cdkNag.AwsSolutionsChecks(app, { verbose: true }));
