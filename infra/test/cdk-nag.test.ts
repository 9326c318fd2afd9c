import { App, Stack } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import cdkNag from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { synth } from './synth.js';

describe('cdk-nag', () => {
  it.each([
    ['the defaults', {}],
    [
      'KMS, subscriptions and protection',
      { kms: 'on', smsNumber: '+14155550100', alarmEmail: 'ops@example.com', deletionProtection: 'true' },
    ],
  ])('passes the AWS Solutions checks with %s, each exception acknowledged with a reason', (_, context) => {
    const { app } = synth(context);
    const report = new cdkNag.AwsSolutionsChecks(app, { verbose: true }).validateScope(app);
    expect(
      report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`),
    ).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('reports a finding that is not acknowledged (the check itself works)', () => {
    const app = new App();
    new Bucket(new Stack(app, 'Plain'), 'Bucket');
    const report = new cdkNag.AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-S1');
  });
});
