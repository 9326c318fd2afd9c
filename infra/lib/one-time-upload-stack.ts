import { DEFAULTS, ENV } from '@one-time-upload/services/config';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ClaimsTable } from './claims-table.js';
import { HandlerFunction } from './handler-function.js';
import { acknowledge } from './nag.js';
import type { StackSettings } from './settings.js';
import { UploadAlarms } from './upload-alarms.js';
import { UploadApi } from './upload-api.js';
import { UploadBucket } from './upload-bucket.js';

export interface OneTimeUploadStackProps extends StackProps {
  settings: StackSettings;
}

/** Names of the stack outputs; the integration suite and docs/deploy.md refer to them. */
export const OUTPUT = {
  apiUrl: 'ApiUrl',
  apiKeyId: 'ApiKeyId',
  apiKeyValueCommand: 'ApiKeyValueCommand',
  bucketName: 'BucketName',
  tableName: 'TableName',
  alarmTopicArn: 'AlarmTopicArn',
  failedUploadEventsQueueUrl: 'FailedUploadEventsQueueUrl',
  acceptFunctionName: 'AcceptFunctionName',
  region: 'Region',
  uploadUrlTtlSeconds: 'UploadUrlTtlSeconds',
  maxUploadBytes: 'MaxUploadBytes',
} as const;

/**
 * The whole service on AWS: the upload bucket and the claims table, the four handlers with exactly the
 * permissions each uses, the REST API with its key and usage plan, and the alarms. The same template
 * deploys to LocalStack (no custom resources).
 */
export class OneTimeUploadStack extends Stack {
  readonly bucket: UploadBucket;
  readonly claims: ClaimsTable;
  readonly api: UploadApi;
  readonly alarms: UploadAlarms;
  readonly functions: Record<'issuer' | 'status' | 'acceptor' | 'processor', HandlerFunction>;
  /** S3 events the acceptor failed on after Lambda's retries: kept to be replayed, never lost. */
  readonly failedUploadEvents: Queue;

  constructor(scope: Construct, id: string, props: OneTimeUploadStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const removalPolicy = settings.destroyOnRemoval ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
    const logRetention = settings.logRetentionDays as RetentionDays;

    const key = settings.kms
      ? new Key(this, 'Key', {
          description: 'Encrypts the one-time upload bucket and alarm topic',
          enableKeyRotation: true,
          removalPolicy,
        })
      : undefined;
    if (key) {
      // CloudWatch publishes alarms to the encrypted topic on its own behalf.
      key.addToResourcePolicy(
        new PolicyStatement({
          principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
        }),
      );
    }

    this.bucket = new UploadBucket(this, 'Uploads', {
      allowedOrigins: settings.allowedOrigins,
      uploadsExpirationDays: settings.uploadsExpirationDays,
      noncurrentVersionExpirationDays: settings.noncurrentVersionExpirationDays,
      ...(key ? { encryptionKey: key } : {}),
      removalPolicy,
    });
    this.claims = new ClaimsTable(this, 'Claims', {
      deletionProtection: settings.deletionProtection,
      removalPolicy,
    });

    const common = { logLevel: settings.logLevel, logRetention, removalPolicy };
    const issuer = new HandlerFunction(this, 'IssueUploadUrl', {
      ...common,
      handler: 'issueUploadUrl',
      description: 'Issues one-time upload URLs (presigned POST/PUT) after recording a claim',
      timeout: Duration.seconds(10),
      memorySize: 512,
    });
    const status = new HandlerFunction(this, 'GetUploadStatus', {
      ...common,
      handler: 'getUploadStatus',
      description: 'Answers the status of an upload from its claim',
      timeout: Duration.seconds(10),
      memorySize: 256,
    });
    const acceptor = new HandlerFunction(this, 'AcceptFirstUpload', {
      ...common,
      handler: 'acceptFirstUpload',
      description: 'Accepts the first upload to an issued key and flags every other one',
      // A server-side copy of a 5 GiB object can take minutes.
      timeout: Duration.minutes(5),
      memorySize: 512,
    });
    const processor = new HandlerFunction(this, 'ProcessAcceptedFile', {
      ...common,
      handler: 'processAcceptedFile',
      description: 'Processes accepted files',
      timeout: Duration.minutes(1),
      memorySize: 256,
    });
    this.functions = { issuer, status, acceptor, processor };

    // Lambda retries an S3 event twice; after that the event would be gone and the upload never accepted.
    // Kept here instead, every step of the acceptor is idempotent, so replaying the event completes it.
    this.failedUploadEvents = new Queue(this, 'FailedUploadEvents', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    acknowledge(
      this.failedUploadEvents,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter destination of the accept handler; nothing consumes it automatically.',
    );
    acceptor.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      // Lambda needs only sqs:SendMessage to deliver; SqsDestination would also grant reading the queue.
      onFailure: {
        bind: (_scope, fn) => {
          this.failedUploadEvents.grant(fn, 'sqs:SendMessage');
          return { destination: this.failedUploadEvents.queueArn };
        },
      },
    });

    for (const fn of [issuer, status, acceptor, processor]) {
      fn.function.addEnvironment(ENV.uploadUrlTtlSeconds, String(settings.uploadUrlTtlSeconds));
      fn.function.addEnvironment(ENV.maxUploadBytes, String(settings.maxUploadBytes));
    }
    this.bucket.grantSignUploads(issuer);
    this.claims.grantRecordClaims(issuer);
    this.bucket.grantAcceptUploads(acceptor);
    this.claims.grantAcceptUploads(acceptor);
    this.claims.grantReadClaims(status);
    this.bucket.grantReadAccepted(processor);
    this.bucket.notifyOnObjectCreated(DEFAULTS.uploadsPrefix, acceptor);
    this.bucket.notifyOnObjectCreated(DEFAULTS.acceptedPrefix, processor);

    this.api = new UploadApi(this, 'Api', {
      issuer,
      status,
      usagePlan: settings.usagePlan,
      maxUploadBytes: settings.maxUploadBytes,
      logRetention,
      removalPolicy,
    });
    this.alarms = new UploadAlarms(this, 'Alarms', {
      issuer,
      acceptor,
      failedUploadEvents: this.failedUploadEvents,
      ...(settings.smsNumber ? { smsNumber: settings.smsNumber } : {}),
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
      ...(key ? { masterKey: key } : {}),
    });

    this.outputs(settings);
  }

  private outputs(settings: StackSettings): void {
    const output = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    output(OUTPUT.apiUrl, this.api.api.url, 'Base URL of the API; routes: getpresignedurl, uploads');
    output(OUTPUT.apiKeyId, this.api.apiKey.keyId, 'Id of the API key (not its value)');
    output(
      OUTPUT.apiKeyValueCommand,
      `aws apigateway get-api-key --api-key ${this.api.apiKey.keyId} --include-value --query value --output text`,
      'Prints the API key value to send as x-api-key',
    );
    output(OUTPUT.bucketName, this.bucket.bucketName, 'Upload bucket (uploads/ and accepted/)');
    output(OUTPUT.tableName, this.claims.table.tableName, 'Claims table');
    output(OUTPUT.alarmTopicArn, this.alarms.topic.topicArn, 'SNS topic that receives the alarms');
    output(
      OUTPUT.failedUploadEventsQueueUrl,
      this.failedUploadEvents.queueUrl,
      'S3 events the accept handler failed on after its retries, to replay (see docs/deploy.md)',
    );
    output(
      OUTPUT.acceptFunctionName,
      this.functions.acceptor.function.functionName,
      'The accept handler, to replay a failed event with',
    );
    output(OUTPUT.region, this.region, 'Region of the stack');
    output(
      OUTPUT.uploadUrlTtlSeconds,
      String(settings.uploadUrlTtlSeconds),
      'How long an upload URL is valid',
    );
    output(OUTPUT.maxUploadBytes, String(settings.maxUploadBytes), 'Largest upload accepted, in bytes');
  }
}
