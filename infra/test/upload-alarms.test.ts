import { DEFAULTS } from '@one-time-upload/services/config';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { logicalId, synth } from './synth.js';

describe('alarms', () => {
  const { stack, template } = synth();
  const topicRef = { Ref: logicalId(stack, stack.alarms.topic) };
  const onFirstOccurrence = {
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    EvaluationPeriods: 1,
    DatapointsToAlarm: 1,
    Period: 60,
    Statistic: 'Sum',
    TreatMissingData: 'notBreaching',
    AlarmActions: [topicRef],
  };

  it.each(['DuplicateUploadAttempts', 'UnclaimedUploads'])(
    'alarms on a single %s in a minute, with the dimension Powertools writes',
    (metricName) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ...onFirstOccurrence,
        Namespace: DEFAULTS.metricsNamespace,
        MetricName: metricName,
        Dimensions: [{ Name: 'service', Value: DEFAULTS.serviceName }],
      });
    },
  );

  it.each(['issuer', 'acceptor'] as const)('alarms on a single Lambda error of the %s', (name) => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...onFirstOccurrence,
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [
        {
          Name: 'FunctionName',
          Value: { Ref: logicalId(stack, stack.functions[name].function) },
        },
      ],
    });
  });

  it("alarms when an S3 event lands in the acceptor's dead-letter queue", () => {
    const queue = logicalId(stack, stack.failedUploadEvents);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
      Threshold: 0,
      Period: 60,
      AlarmActions: [topicRef],
    });
  });

  it('has exactly these five alarms', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 5);
  });

  it('sends to a TLS-only topic with no subscriber unless one is given', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('texts the smsNumber and mails the alarmEmail when given', () => {
    const subscribed = synth({ smsNumber: '+14155550100', alarmEmail: 'ops@example.com' }).template;
    subscribed.resourceCountIs('AWS::SNS::Subscription', 2);
    subscribed.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'sms', Endpoint: '+14155550100' });
    subscribed.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });

  it('encrypts the topic with the key when kms is on, and lets CloudWatch use the key', () => {
    const withKey = synth({ kms: 'on' });
    const keyId = logicalId(withKey.stack, withKey.stack.node.findChild('Key'));
    withKey.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    withKey.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    expect(template.toJSON().Resources[topicRef.Ref].Properties.KmsMasterKeyId).toBeUndefined();
  });
});
