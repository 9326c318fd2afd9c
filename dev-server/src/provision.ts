import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  PutBucketVersioningCommand,
} from '@aws-sdk/client-s3';
import type { AwsClients, ServiceConfig } from '@one-time-upload/services';

/**
 * Creates what the CDK stack creates on AWS, when absent: the bucket (versioned, with CORS for browser
 * uploads) and the claims table (with its TTL attribute). Safe to run on every start.
 */
export async function provision(
  clients: AwsClients,
  config: ServiceConfig,
  corsOrigins: string[] = ['*'],
): Promise<void> {
  const exists = await clients.s3.send(new HeadBucketCommand({ Bucket: config.bucketName })).then(
    () => true,
    () => false,
  );
  if (!exists) await clients.s3.send(new CreateBucketCommand({ Bucket: config.bucketName }));
  await clients.s3.send(
    new PutBucketVersioningCommand({
      Bucket: config.bucketName,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  await clients.s3.send(
    new PutBucketCorsCommand({
      Bucket: config.bucketName,
      CORSConfiguration: {
        CORSRules: [
          {
            AllowedOrigins: corsOrigins,
            AllowedMethods: ['POST', 'PUT'],
            AllowedHeaders: ['*'],
            ExposeHeaders: ['ETag', 'Location', 'x-amz-version-id'],
            MaxAgeSeconds: 3000,
          },
        ],
      },
    }),
  );

  try {
    await clients.dynamodb.send(new DescribeTableCommand({ TableName: config.tableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await clients.dynamodb.send(
      new CreateTableCommand({
        TableName: config.tableName,
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  }
  const ttl = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: config.tableName }));
  if (ttl.TimeToLiveDescription?.TimeToLiveStatus !== 'ENABLED') {
    await clients.dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: config.tableName,
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      }),
    );
  }
}
