import { CreateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { type EmbeddedAws, start } from '@one-time-upload/embedded-aws';
import { type AwsClients, createClients, DEFAULTS, type ServiceConfig } from '../src/index.js';

/** A real (embedded) S3 and DynamoDB with the bucket and table the service expects. */
export interface TestEnvironment {
  aws: EmbeddedAws;
  clients: AwsClients;
  config: ServiceConfig;
  stop(): Promise<void>;
}

let counter = 0;

export async function startEnvironment(overrides: Partial<ServiceConfig> = {}): Promise<TestEnvironment> {
  const aws = await start({ port: 0 });
  const clients = createClients(
    {},
    {
      region: aws.region,
      s3Endpoint: aws.endpoint,
      dynamodbEndpoint: aws.endpoint,
      credentials: aws.credentials,
    },
  );
  counter += 1;
  const config: ServiceConfig = {
    bucketName: `uploads-test-${counter}`,
    tableName: `claims-test-${counter}`,
    uploadUrlTtlSeconds: 30,
    maxUploadBytes: 1024 * 1024,
    claimRetentionSeconds: DEFAULTS.claimRetentionSeconds,
    uploadsPrefix: DEFAULTS.uploadsPrefix,
    acceptedPrefix: DEFAULTS.acceptedPrefix,
    ...overrides,
  };
  await clients.s3.send(new CreateBucketCommand({ Bucket: config.bucketName }));
  await clients.s3.send(
    new PutBucketVersioningCommand({
      Bucket: config.bucketName,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
  await clients.dynamodb.send(
    new CreateTableCommand({
      TableName: config.tableName,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await clients.dynamodb.send(
    new UpdateTimeToLiveCommand({
      TableName: config.tableName,
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    }),
  );
  return {
    aws,
    clients,
    config,
    async stop() {
      clients.s3.destroy();
      clients.dynamodb.destroy();
      await aws.stop();
    },
  };
}

/** Collects what is written to stdout and stderr (JSON log lines, EMF metrics) while `fn` runs. */
export async function captureStdout<T>(
  fn: () => Promise<T>,
): Promise<{ result: T | undefined; error: unknown; lines: Record<string, unknown>[] }> {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  const chunks: string[] = [];
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      return true;
    }) as typeof stream.write;
  }
  let result: T | undefined;
  let error: unknown;
  try {
    result = await fn();
  } catch (e) {
    error = e;
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  }
  const lines = chunks
    .join('')
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { result, error, lines };
}

/** EMF lines that carry the named metric. */
export function metricValues(lines: Record<string, unknown>[], name: string): number[] {
  return lines.filter((l) => typeof l[name] === 'number').map((l) => l[name] as number);
}
