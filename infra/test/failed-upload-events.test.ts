import { describe, expect, it } from 'vitest';
import { logicalId, synth } from './synth.js';

describe('failed upload events', () => {
  const { stack, template } = synth();
  const queue = logicalId(stack, stack.failedUploadEvents);

  it('parks an S3 event the acceptor failed on after two retries, instead of dropping it', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(stack, stack.functions.acceptor.function) },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queue, 'Arn'] } } },
    });
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
  });

  it('keeps parked events for 14 days, encrypted, over TLS only', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 24 * 3600,
      SqsManagedSseEnabled: true,
    });
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(JSON.stringify(policies)).toContain('"aws:SecureTransport":"false"');
  });
});
