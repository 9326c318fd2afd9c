import { DEFAULTS, ENV } from '@one-time-upload/services/config';
import { Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { CfnPermission } from 'aws-cdk-lib/aws-lambda';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  CfnBucket,
  HttpMethods,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { bucketArn, uploadBucketName } from './bucket-name.js';
import type { HandlerFunction } from './handler-function.js';
import { acknowledge, wildcardResourceFinding } from './nag.js';

export interface UploadBucketProps {
  allowedOrigins: string[];
  uploadsExpirationDays: number;
  noncurrentVersionExpirationDays: number;
  /** Encrypt with this key (SSE-KMS); S3-managed keys (SSE-S3) without one. */
  encryptionKey?: IKey;
  removalPolicy: RemovalPolicy;
}

/**
 * The upload bucket: versioned (the accept handler picks the earliest version of a key), private, TLS
 * only, encrypted, with CORS for browser uploads and lifecycle rules that expire what the service leaves.
 *
 * Its name is computed (see `uploadBucketName`), so policies, permissions and the functions' BUCKET_NAME
 * are built from the name and never reference the bucket resource: the bucket can then depend on the
 * Lambda permissions its notifications need without a cycle.
 */
export class UploadBucket extends Construct {
  readonly bucket: Bucket;
  readonly bucketName: string;
  private readonly encryptionKey: IKey | undefined;
  private readonly lambdaConfigurations: CfnBucket.LambdaConfigurationProperty[] = [];

  constructor(scope: Construct, id: string, props: UploadBucketProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.bucketName = uploadBucketName(stack);
    this.encryptionKey = props.encryptionKey;
    this.bucket = new Bucket(this, 'Bucket', {
      bucketName: this.bucketName,
      versioned: true,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      ...(props.encryptionKey
        ? { encryption: BucketEncryption.KMS, encryptionKey: props.encryptionKey, bucketKeyEnabled: true }
        : { encryption: BucketEncryption.S3_MANAGED }),
      cors: [
        {
          allowedOrigins: props.allowedOrigins,
          allowedMethods: [HttpMethods.POST, HttpMethods.PUT],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag', 'Location', 'x-amz-version-id'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        {
          id: 'expire-uploads',
          prefix: DEFAULTS.uploadsPrefix,
          // Accepted files are copied to `accepted/` within seconds; the originals are kept a while to
          // investigate duplicates, then expire (a delete marker; the version goes with the rule below).
          expiration: Duration.days(props.uploadsExpirationDays),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays),
          expiredObjectDeleteMarker: true,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
      removalPolicy: props.removalPolicy,
    });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'Server access logs would need a second bucket and record what the service records already: every ' +
        'URL is a claim in the table, every upload to it is counted there (accepted, duplicates) and ' +
        'duplicate or unclaimed uploads raise alarms. Accounts that need a request-level audit trail ' +
        'enable CloudTrail S3 data events, which cover this bucket without changing the stack.',
    );
  }

  /**
   * Invokes `target` for every object created under `prefix`. Written into the bucket's own
   * NotificationConfiguration with an explicit Lambda permission, instead of `addEventNotification`,
   * whose custom resource LocalStack fails to deploy: the same template then deploys on AWS and on
   * LocalStack. The bucket depends on the permission because S3 checks it can invoke the function when
   * the configuration is written.
   */
  notifyOnObjectCreated(prefix: string, target: HandlerFunction): void {
    const stack = Stack.of(this);
    const permission = new CfnPermission(target, 'InvokedByUploadBucket', {
      action: 'lambda:InvokeFunction',
      functionName: target.function.functionArn,
      principal: 's3.amazonaws.com',
      sourceArn: bucketArn(stack, this.bucketName),
      sourceAccount: stack.account,
    });
    this.lambdaConfigurations.push({
      event: 's3:ObjectCreated:*',
      filter: { s3Key: { rules: [{ name: 'prefix', value: prefix }] } },
      function: target.function.functionArn,
    });
    const cfnBucket = this.bucket.node.defaultChild;
    if (!(cfnBucket instanceof CfnBucket)) throw new Error('the upload bucket has no CfnBucket');
    cfnBucket.notificationConfiguration = { lambdaConfigurations: this.lambdaConfigurations };
    cfnBucket.addResourceDependency(permission);
  }

  /**
   * The issuer signs presigned POSTs and PUTs with its own credentials, so whoever holds a URL acts with
   * its permissions: it may put objects under `uploads/` and nothing else (no read, no list, no delete).
   */
  grantSignUploads(target: HandlerFunction): void {
    this.allow(target, ['s3:PutObject'], [this.objects(DEFAULTS.uploadsPrefix)]);
    this.allowKey(target, ['kms:GenerateDataKey']);
    target.function.addEnvironment(ENV.bucketName, this.bucketName);
  }

  /**
   * The acceptor: lists the versions of `uploads/` keys (ListObjectVersions, limited to that prefix),
   * copies a version (GetObjectVersion, GetObject on the source) to `accepted/` (PutObject), and reads
   * an existing copy's ETag (HeadObject needs GetObject).
   */
  grantAcceptUploads(target: HandlerFunction): void {
    const stack = Stack.of(this);
    target.function.addToRolePolicy(
      new PolicyStatement({
        actions: ['s3:ListBucketVersions'],
        resources: [bucketArn(stack, this.bucketName)],
        conditions: { StringLike: { 's3:prefix': [`${DEFAULTS.uploadsPrefix}*`] } },
      }),
    );
    this.allow(target, ['s3:GetObject', 's3:GetObjectVersion'], [this.objects(DEFAULTS.uploadsPrefix)]);
    this.allow(target, ['s3:GetObject', 's3:PutObject'], [this.objects(DEFAULTS.acceptedPrefix)]);
    // Copying decrypts the source and encrypts the copy.
    this.allowKey(target, ['kms:Decrypt', 'kms:GenerateDataKey']);
    target.function.addEnvironment(ENV.bucketName, this.bucketName);
  }

  /** The processor: reads accepted files. */
  grantReadAccepted(target: HandlerFunction): void {
    this.allow(target, ['s3:GetObject'], [this.objects(DEFAULTS.acceptedPrefix)]);
    this.allowKey(target, ['kms:Decrypt']);
    target.function.addEnvironment(ENV.bucketName, this.bucketName);
  }

  private objects(prefix: string): string {
    return bucketArn(Stack.of(this), this.bucketName, `/${prefix}*`);
  }

  private allow(target: HandlerFunction, actions: string[], resources: string[]): void {
    target.function.addToRolePolicy(new PolicyStatement({ actions, resources }));
    for (const resource of resources) {
      acknowledge(
        target,
        wildcardResourceFinding(this, resource),
        'A key prefix is the narrowest grant IAM can express here: upload keys are random and made when a ' +
          'URL is issued, and accepted keys follow them. The prefix keeps each function to its part of ' +
          'the bucket (uploads/ or accepted/).',
      );
    }
  }

  /** Key use only through S3 in this region, so the grant cannot serve anything else. */
  private allowKey(target: HandlerFunction, actions: string[]): void {
    if (!this.encryptionKey) return;
    const stack = Stack.of(this);
    target.function.addToRolePolicy(
      new PolicyStatement({
        actions,
        resources: [this.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
    );
  }
}
