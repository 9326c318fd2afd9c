import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetBucketVersioningCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { newBucket, startTestEndpoint } from './helpers.js';

const dataDir = mkdtempSync(join(tmpdir(), 'embedded-aws-persist-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('dataDir', () => {
  it('keeps buckets, objects, versioning and tables across a restart', async () => {
    const first = await startTestEndpoint({ dataDir });
    const bucket = await newBucket(first.s3, { versioned: true });
    await first.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'kept', Body: 'still here' }));
    await first.dynamodb.send(
      new CreateTableCommand({
        TableName: 'kept',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    await first.dynamodb.send(new PutItemCommand({ TableName: 'kept', Item: { pk: { S: 'a' } } }));
    await first.stop();

    const second = await startTestEndpoint({ dataDir });
    try {
      const got = await second.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'kept' }));
      expect(await got.Body?.transformToString()).toBe('still here');
      const versioning = await second.s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
      expect(versioning.Status).toBe('Enabled');
      const item = await second.dynamodb.send(
        new GetItemCommand({ TableName: 'kept', Key: { pk: { S: 'a' } } }),
      );
      expect(item.Item?.pk?.S).toBe('a');
    } finally {
      await second.stop();
    }
  });

  it('removes a temporary data folder on stop', async () => {
    const endpoint = await startTestEndpoint();
    const { existsSync } = await import('node:fs');
    expect(existsSync(endpoint.aws.dataDir)).toBe(true);
    await endpoint.stop();
    expect(existsSync(endpoint.aws.dataDir)).toBe(false);
  });
});
