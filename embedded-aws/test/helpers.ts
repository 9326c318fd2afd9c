import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, PutBucketVersioningCommand, S3Client } from '@aws-sdk/client-s3';
import { type EmbeddedAws, type StartOptions, start } from '../src/index.js';

export interface TestEndpoint {
  aws: EmbeddedAws;
  s3: S3Client;
  dynamodb: DynamoDBClient;
  stop(): Promise<void>;
}

export async function startTestEndpoint(options: StartOptions = {}): Promise<TestEndpoint> {
  const aws = await start({ port: 0, ...options });
  const clientConfig = {
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: aws.credentials,
  };
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const dynamodb = new DynamoDBClient(clientConfig);
  return {
    aws,
    s3,
    dynamodb,
    async stop() {
      s3.destroy();
      dynamodb.destroy();
      await aws.stop();
    },
  };
}

let counter = 0;
export async function newBucket(s3: S3Client, options: { versioned?: boolean } = {}): Promise<string> {
  counter += 1;
  const bucket = `test-bucket-${process.pid}-${counter}`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (options.versioned) {
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
  }
  return bucket;
}

/** Parses `<Error>` XML into its fields. */
export function parseErrorXml(xml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const inner = xml.match(/<Error>([\s\S]*)<\/Error>/)?.[1] ?? '';
  for (const m of inner.matchAll(/<([A-Za-z0-9-]+)(?:\/>|>([\s\S]*?)<\/\1>)/g)) {
    fields[m[1] as string] = decodeXml(m[2] ?? '');
  }
  return fields;
}

function decodeXml(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}
