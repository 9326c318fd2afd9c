import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBucket, parseErrorXml, startTestEndpoint, type TestEndpoint } from './helpers.js';

let endpoint: TestEndpoint;
let bucket: string;
beforeAll(async () => {
  endpoint = await startTestEndpoint();
  bucket = await newBucket(endpoint.s3);
  await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'signed', Body: 'secret bytes' }));
});
afterAll(async () => {
  await endpoint.stop();
});

function clientWith(accessKeyId: string, secretAccessKey: string) {
  return new S3Client({
    endpoint: endpoint.aws.endpoint,
    region: 'eu-central-1',
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
}

describe('SigV4 header authentication', () => {
  it('accepts requests signed for any region', async () => {
    const s3 = clientWith('test', 'test');
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'signed' }));
    expect(await got.Body?.transformToString()).toBe('secret bytes');
    s3.destroy();
  });

  it('refuses an unknown access key with InvalidAccessKeyId', async () => {
    const s3 = clientWith('nobody', 'test');
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'signed' }))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
      $metadata: { httpStatusCode: 403 },
    });
    s3.destroy();
  });

  it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    const s3 = clientWith('test', 'wrong');
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'signed' }))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
      $metadata: { httpStatusCode: 403 },
    });
    s3.destroy();
  });

  it('refuses anonymous requests: the buckets are private', async () => {
    const response = await fetch(`${endpoint.aws.endpoint}/${bucket}/signed`);
    expect(response.status).toBe(403);
    expect(parseErrorXml(await response.text()).Code).toBe('AccessDenied');
  });

  it('refuses a body that does not match x-amz-content-sha256', async () => {
    // The SDK signs its `x-id` query parameter too.
    const url = `${endpoint.aws.endpoint}/${bucket}/tampered?x-id=PutObject`;
    // Sign a request for one body, then send another.
    const s3 = clientWith('test', 'test');
    let captured: Record<string, string> = {};
    s3.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string> };
        captured = { ...request.headers };
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low' },
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'tampered',
        Body: 'original',
        ChecksumAlgorithm: undefined,
      }),
    );
    s3.destroy();
    expect(captured['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    const headers = Object.fromEntries(
      Object.entries(captured).filter(([name]) => name !== 'host' && name !== 'content-length'),
    );
    // Same length, other bytes: the signature still matches, the payload hash does not.
    const response = await fetch(url, { method: 'PUT', headers, body: 'tampered' });
    expect(response.status).toBe(400);
    expect(parseErrorXml(await response.text()).Code).toBe('XAmzContentSHA256Mismatch');
    const got = await endpoint.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'tampered' }));
    expect(await got.Body?.transformToString()).toBe('original');
  });
});

describe('presigned URLs', () => {
  it('serves a presigned GET', async () => {
    const url = await getSignedUrl(endpoint.s3, new GetObjectCommand({ Bucket: bucket, Key: 'signed' }), {
      expiresIn: 60,
    });
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('secret bytes');
  });

  it('refuses a presigned URL after X-Amz-Expires', async () => {
    const url = await getSignedUrl(endpoint.s3, new GetObjectCommand({ Bucket: bucket, Key: 'signed' }), {
      expiresIn: 1,
      signingDate: new Date(Date.now() - 5_000),
    });
    const response = await fetch(url);
    expect(response.status).toBe(403);
    const error = parseErrorXml(await response.text());
    expect(error.Code).toBe('AccessDenied');
    expect(error.Message).toBe('Request has expired');
    expect(error['X-Amz-Expires']).toBe('1');
  });

  it('refuses a presigned URL whose signature was altered', async () => {
    const url = new URL(
      await getSignedUrl(endpoint.s3, new GetObjectCommand({ Bucket: bucket, Key: 'signed' }), {
        expiresIn: 60,
      }),
    );
    const signature = url.searchParams.get('X-Amz-Signature') ?? '';
    url.searchParams.set(
      'X-Amz-Signature',
      `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`,
    );
    const response = await fetch(url);
    expect(response.status).toBe(403);
    expect(parseErrorXml(await response.text()).Code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a presigned URL used for another key', async () => {
    const url = await getSignedUrl(endpoint.s3, new GetObjectCommand({ Bucket: bucket, Key: 'signed' }), {
      expiresIn: 60,
    });
    const response = await fetch(url.replace('/signed?', '/other?'));
    expect(response.status).toBe(403);
    expect(parseErrorXml(await response.text()).Code).toBe('SignatureDoesNotMatch');
  });

  it('requires the signed If-None-Match header on a presigned PUT, and then refuses a second write', async () => {
    const url = await getSignedUrl(
      endpoint.s3,
      new PutObjectCommand({ Bucket: bucket, Key: 'strict', IfNoneMatch: '*' }),
      { expiresIn: 60, signableHeaders: new Set(['if-none-match']) },
    );
    expect(new URL(url).searchParams.get('X-Amz-SignedHeaders')).toContain('if-none-match');
    const withoutHeader = await fetch(url, { method: 'PUT', body: 'no header' });
    expect(withoutHeader.status).toBe(403);
    expect(parseErrorXml(await withoutHeader.text()).Code).toBe('SignatureDoesNotMatch');

    const first = await fetch(url, { method: 'PUT', body: 'first', headers: { 'if-none-match': '*' } });
    expect(first.status).toBe(200);
    const second = await fetch(url, { method: 'PUT', body: 'second', headers: { 'if-none-match': '*' } });
    expect(second.status).toBe(412);
    expect(parseErrorXml(await second.text()).Code).toBe('PreconditionFailed');
    const got = await endpoint.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'strict' }));
    expect(await got.Body?.transformToString()).toBe('first');
  });

  it('refuses X-Amz-Expires over a week', async () => {
    const url = new URL(
      await getSignedUrl(endpoint.s3, new GetObjectCommand({ Bucket: bucket, Key: 'signed' }), {
        expiresIn: 60,
      }),
    );
    url.searchParams.set('X-Amz-Expires', '604801');
    const response = await fetch(url);
    expect(response.status).toBe(400);
    expect(parseErrorXml(await response.text()).Code).toBe('AuthorizationQueryParametersError');
  });
});
