import type { METRIC } from '@one-time-upload/services';
import { DEFAULTS } from '@one-time-upload/services/config';
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, SmsSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { HandlerFunction } from './handler-function.js';

/**
 * The names of the metrics alarmed on, as `services` writes them: restated because importing `METRIC`
 * would load the handlers' dependencies into the CDK app; typed from it (a type-only import), so the
 * compiler rejects a name that differs.
 */
const ALARMED_METRICS: Pick<typeof METRIC, 'duplicateUploadAttempts' | 'unclaimedUploads'> = {
  duplicateUploadAttempts: 'DuplicateUploadAttempts',
  unclaimedUploads: 'UnclaimedUploads',
};

export interface UploadAlarmsProps {
  issuer: HandlerFunction;
  acceptor: HandlerFunction;
  /** The acceptor's on-failure destination: anything in it is an upload waiting to be accepted. */
  failedUploadEvents: IQueue;
  smsNumber?: string;
  alarmEmail?: string;
  /** Encrypts the topic; CloudWatch must be allowed to use it (see the stack). */
  masterKey?: IKey;
}

/**
 * Alarms on what must not happen unnoticed, all to one SNS topic: a second upload to a one-time URL
 * (`DuplicateUploadAttempts`), an upload to a key the service never issued (`UnclaimedUploads`), any
 * error of the issuer or the acceptor, and an event left in the acceptor's dead-letter queue. Each fires
 * on a single occurrence within a minute.
 */
export class UploadAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: UploadAlarmsProps) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', {
      displayName: 'One-time upload alarms',
      enforceSSL: true,
      ...(props.masterKey ? { masterKey: props.masterKey } : {}),
    });
    if (props.smsNumber) this.topic.addSubscription(new SmsSubscription(props.smsNumber));
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.add('DuplicateUploadAttempts', serviceMetric(ALARMED_METRICS.duplicateUploadAttempts), {
      description: 'A one-time upload URL was used more than once; the later uploads were not accepted.',
    });
    this.add('UnclaimedUploads', serviceMetric(ALARMED_METRICS.unclaimedUploads), {
      description: 'An object landed under uploads/ at a key this service never issued a URL for.',
    });
    this.add('IssuerErrors', props.issuer.function.metricErrors({ period: Duration.minutes(1) }), {
      description: 'The upload URL issuer failed (Lambda Errors).',
    });
    this.add('AcceptorErrors', props.acceptor.function.metricErrors({ period: Duration.minutes(1) }), {
      description: 'The accept handler failed (Lambda Errors); S3 retries the event twice.',
    });
    this.add(
      'FailedUploadEvents',
      props.failedUploadEvents.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: Stats.MAXIMUM,
      }),
      {
        description: 'An S3 event failed on every attempt and waits in the dead-letter queue to be replayed.',
      },
    );
  }

  private add(id: string, metric: IMetric, { description }: { description: string }): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      // No data means nothing happened: the metrics are only written when there is something to count.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/**
 * A metric the handlers write as EMF through Powertools, which adds the dimension `service` (the
 * POWERTOOLS_SERVICE_NAME the functions get): the alarm must name the same dimension to see the data.
 */
function serviceMetric(metricName: string): Metric {
  return new Metric({
    namespace: DEFAULTS.metricsNamespace,
    metricName,
    dimensionsMap: { service: DEFAULTS.serviceName },
    statistic: Stats.SUM,
    period: Duration.minutes(1),
  });
}
