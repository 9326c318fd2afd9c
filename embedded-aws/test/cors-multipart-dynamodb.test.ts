import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBServiceException,
  PutItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  AbortMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetBucketCorsCommand,
  GetObjectCommand,
  ListPartsCommand,
  PutBucketCorsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBucket, parseErrorXml, startTestEndpoint, type TestEndpoint } from './helpers.js';
import { presignedPost } from './post-client.js';

let endpoint: TestEndpoint;
beforeAll(async () => {
  endpoint = await startTestEndpoint();
});
afterAll(async () => {
  await endpoint.stop();
});

describe('bucket CORS', () => {
  async function corsBucket() {
    const bucket = await newBucket(endpoint.s3);
    await endpoint.s3.send(
      new PutBucketCorsCommand({
        Bucket: bucket,
        CORSConfiguration: {
          CORSRules: [
            {
              AllowedOrigins: ['http://localhost:*'],
              AllowedMethods: ['POST', 'PUT'],
              AllowedHeaders: ['*'],
              ExposeHeaders: ['ETag'],
              MaxAgeSeconds: 600,
            },
          ],
        },
      }),
    );
    return bucket;
  }

  it('stores the rules and answers an allowed preflight', async () => {
    const bucket = await corsBucket();
    const rules = await endpoint.s3.send(new GetBucketCorsCommand({ Bucket: bucket }));
    expect(rules.CORSRules?.[0]?.AllowedMethods).toEqual(['POST', 'PUT']);
    const response = await fetch(`${endpoint.aws.endpoint}/${bucket}`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(response.headers.get('access-control-allow-methods')).toBe('POST, PUT');
    expect(response.headers.get('access-control-allow-headers')).toBe('content-type');
    expect(response.headers.get('access-control-max-age')).toBe('600');
  });

  it('refuses a preflight from another origin', async () => {
    const bucket = await corsBucket();
    const response = await fetch(`${endpoint.aws.endpoint}/${bucket}`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(403);
    expect(parseErrorXml(await response.text()).Code).toBe('AccessForbidden');
  });

  it('adds CORS headers to a POST upload and to its errors', async () => {
    const bucket = await corsBucket();
    const { url, fields } = await presignedPost(endpoint.s3, { Bucket: bucket, Key: 'browser' });
    const form = new FormData();
    for (const [name, value] of fields) form.append(name, value);
    form.append('file', new Blob(['from a page']), 'page.txt');
    const ok = await fetch(url, { method: 'POST', body: form, headers: { origin: 'http://localhost:3000' } });
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(ok.headers.get('access-control-expose-headers')).toBe('ETag');

    const refused = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams({ a: 'b' }),
      headers: { origin: 'http://localhost:3000' },
    });
    expect(refused.status).toBe(412);
    expect(refused.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  });
});

describe('multipart uploads', () => {
  it('uploads a 12 MiB stream in parts with lib-storage Upload and reads it back', async () => {
    const bucket = await newBucket(endpoint.s3);
    const data = randomBytes(12 * 1024 * 1024);
    const upload = new Upload({
      client: endpoint.s3,
      params: {
        Bucket: bucket,
        Key: 'big.bin',
        Body: Readable.from([data.subarray(0, 7e6), data.subarray(7e6)]),
      },
      partSize: 5 * 1024 * 1024,
      queueSize: 2,
    });
    const result = await upload.done();
    expect(result.ETag).toMatch(/-3"$/);
    const got = await endpoint.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'big.bin' }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? []).equals(data)).toBe(true);
  });

  it('lists parts, refuses a small middle part, and aborts', async () => {
    const bucket = await newBucket(endpoint.s3);
    const { UploadId } = await endpoint.s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'parts' }),
    );
    for (const PartNumber of [1, 2]) {
      await endpoint.s3.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'parts',
          UploadId,
          PartNumber,
          Body: `part ${PartNumber}`,
        }),
      );
    }
    const parts = await endpoint.s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'parts', UploadId }));
    expect(parts.Parts?.map((p) => [p.PartNumber, p.Size])).toEqual([
      [1, 6],
      [2, 6],
    ]);
    const { CompleteMultipartUploadCommand } = await import('@aws-sdk/client-s3');
    await expect(
      endpoint.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'parts',
          UploadId,
          MultipartUpload: { Parts: parts.Parts?.map((p) => ({ PartNumber: p.PartNumber, ETag: p.ETag })) },
        }),
      ),
    ).rejects.toMatchObject({ name: 'EntityTooSmall' });
    await endpoint.s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'parts', UploadId }));
    await expect(
      endpoint.s3.send(new ListPartsCommand({ Bucket: bucket, Key: 'parts', UploadId })),
    ).rejects.toMatchObject({
      name: 'NoSuchUpload',
    });
  });
});

describe('DynamoDB on the same port', () => {
  it('creates a table and enforces conditional writes', async () => {
    const db = endpoint.dynamodb;
    await db.send(
      new CreateTableCommand({
        TableName: 'claims',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const claim = new PutItemCommand({
      TableName: 'claims',
      Item: { pk: { S: 'uploads/a' } },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    await db.send(claim);
    await expect(db.send(claim)).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('answers UpdateTimeToLive and DescribeTimeToLive, which dynalite lacks', async () => {
    const db = endpoint.dynamodb;
    await db.send(
      new CreateTableCommand({
        TableName: 'with-ttl',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    const before = await db.send(new DescribeTimeToLiveCommand({ TableName: 'with-ttl' }));
    expect(before.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
    await db.send(
      new UpdateTimeToLiveCommand({
        TableName: 'with-ttl',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      }),
    );
    const after = await db.send(new DescribeTimeToLiveCommand({ TableName: 'with-ttl' }));
    expect(after.TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
    await expect(
      db.send(
        new UpdateTimeToLiveCommand({
          TableName: 'missing',
          TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('answers an operation dynalite does not know with a clear error', async () => {
    const { TransactWriteItemsCommand } = await import('@aws-sdk/client-dynamodb');
    const error = await endpoint.dynamodb
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: 'claims', Item: { pk: { S: 'x' } } } }],
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamoDBServiceException);
    expect((error as DynamoDBServiceException).name).toBe('UnknownOperationException');
  });
});
