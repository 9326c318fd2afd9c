import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimStore } from '../src/core/claims.js';
import { parseUploadRequest } from '../src/core/issue-upload-url.js';
import { idFromKey, newUploadId } from '../src/core/upload-key.js';
import { createClients, createServiceHandlers } from '../src/index.js';
import { captureStdout, startEnvironment, type TestEnvironment } from './environment.js';

let env: TestEnvironment;
beforeAll(async () => {
  env = await startEnvironment();
});
afterAll(async () => {
  await env.stop();
});

function apiEvent(
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  pathParameters?: Record<string, string>,
): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    resource: path,
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
    isBase64Encoded: false,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: pathParameters ?? null,
    stageVariables: null,
    requestContext: {} as APIGatewayProxyEvent['requestContext'],
  };
}

const handlers = () => createServiceHandlers({ clients: env.clients, config: env.config });

function decodePolicy(fields: Record<string, string>): { expiration: string; conditions: unknown[] } {
  return JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8'));
}

describe('issue-upload-url', () => {
  it("GET /getpresignedurl answers the original clients' shape and records the claim first", async () => {
    const response = await handlers().issueUploadUrl(apiEvent('GET', '/getpresignedurl'));
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'id', 'key', 'url']);
    expect(body.url.url).toBe(`${env.aws.endpoint}/${env.config.bucketName}`);
    expect(body.url.fields.key).toBe(body.key);
    expect(body.key).toMatch(/^uploads\/UploadFilename-\d{8}_\d{6}-[A-Za-z0-9]{22}$/);
    const claim = await new ClaimStore(env.clients.dynamodb, env.config.tableName).get(body.id);
    expect(claim).toMatchObject({ key: body.key, status: 'issued', method: 'POST', duplicateAttempts: 0 });
    expect(claim?.ttl).toBeGreaterThan(Date.parse(body.expiresAt) / 1000 + 24 * 3600);
  });

  it('pins the bucket, the exact key, the size range and the Content-Type in the POST policy', async () => {
    const response = await handlers().issueUploadUrl(
      apiEvent('POST', '/uploads', { contentType: 'image/png', maxBytes: 5000 }),
    );
    expect(response.statusCode).toBe(201);
    const body = JSON.parse(response.body);
    expect(body.method).toBe('POST');
    const policy = decodePolicy(body.fields);
    expect(policy.conditions).toContainEqual({ bucket: env.config.bucketName });
    expect(policy.conditions).toContainEqual({ key: body.key });
    expect(policy.conditions).toContainEqual(['content-length-range', 1, 5000]);
    expect(policy.conditions).toContainEqual({ 'Content-Type': 'image/png' });
    expect(body.fields['Content-Type']).toBe('image/png');
    const ttl = (Date.parse(policy.expiration) - Date.now()) / 1000;
    expect(ttl).toBeGreaterThan(25);
    expect(ttl).toBeLessThanOrEqual(30);
  });

  it('signs If-None-Match and the exact Content-Length in strict (PUT) mode', async () => {
    const response = await handlers().issueUploadUrl(
      apiEvent('POST', '/uploads', { method: 'PUT', contentLength: 42 }),
    );
    expect(response.statusCode).toBe(201);
    const body = JSON.parse(response.body);
    expect(body.headers).toEqual({ 'If-None-Match': '*', 'Content-Length': '42' });
    const url = new URL(body.url);
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';')).toEqual([
      'content-length',
      'host',
      'if-none-match',
    ]);
    expect(url.searchParams.get('X-Amz-Expires')).toBe('30');
    expect([...url.searchParams.keys()].some((k) => k.toLowerCase().includes('checksum'))).toBe(false);
  });

  it.each([
    ['not JSON', '{', 'the request body is not valid JSON'],
    ['an array', [], 'the request body must be a JSON object'],
    ['an unknown field', { size: 3 }, 'unknown field "size"'],
    ['a bad method', { method: 'GET' }, 'method must be "POST" or "PUT"'],
    ['a bad content type', { contentType: 'png' }, 'contentType must be a MIME type'],
    [
      'a content type over 255 characters',
      { contentType: `text/${'x'.repeat(300)}` },
      'contentType must be a MIME type',
    ],
    [
      'a content type spanning lines',
      { contentType: 'text/plain;\r\n charset=utf-8' },
      'contentType must be a MIME type',
    ],
    ['maxBytes over the limit', { maxBytes: 2 * 1024 * 1024 }, 'maxBytes must be at most 1048576 bytes'],
    ['maxBytes not a number', { maxBytes: '10' }, 'maxBytes must be a whole number'],
    ['PUT without contentLength', { method: 'PUT' }, 'contentLength is required'],
    ['contentLength with POST', { contentLength: 5 }, 'contentLength is only for method "PUT"'],
  ])('answers 400 naming the problem for %s', async (_name, body, expected) => {
    const response = await handlers().issueUploadUrl(apiEvent('POST', '/uploads', body));
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).message).toContain(expected);
  });

  it('answers 503 and hands out no URL when the claim cannot be recorded', async () => {
    const broken = createServiceHandlers({
      clients: env.clients,
      config: { ...env.config, tableName: 'no-such-table' },
    });
    const run = await captureStdout(() => broken.issueUploadUrl(apiEvent('GET', '/getpresignedurl')));
    expect(run.result?.statusCode).toBe(503);
    expect(run.result?.body).not.toContain('http');
    expect(run.lines.some((l) => l.ClaimNotRecorded === 1)).toBe(true);
  });

  it('answers 503 when DynamoDB cannot be reached at all', async () => {
    const unreachable = createClients(
      {},
      {
        region: 'us-east-1',
        s3Endpoint: env.aws.endpoint,
        dynamodbEndpoint: 'http://127.0.0.1:9',
        credentials: env.aws.credentials,
      },
    );
    const broken = createServiceHandlers({ clients: unreachable, config: env.config });
    const run = await captureStdout(() => broken.issueUploadUrl(apiEvent('POST', '/uploads', {})));
    expect(run.result?.statusCode).toBe(503);
  });
});

describe('upload keys', () => {
  it('draws ids of 22 characters from the whole alphabet', () => {
    const ids = Array.from({ length: 2000 }, () => newUploadId());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9]{22}$/);
    const letters = new Set(ids.join(''));
    expect(letters.size).toBe(62);
  });

  it('reads the id back from a key and rejects keys it did not issue', () => {
    expect(idFromKey('uploads/', 'uploads/UploadFilename-20260101_120000-abcdefghijklmnopqrstuv')).toBe(
      'abcdefghijklmnopqrstuv',
    );
    expect(idFromKey('uploads/', 'uploads/other-file.txt')).toBeUndefined();
    expect(
      idFromKey('uploads/', 'accepted/UploadFilename-20260101_120000-abcdefghijklmnopqrstuv'),
    ).toBeUndefined();
  });

  it('parses an empty body as a default POST', () => {
    expect(parseUploadRequest(undefined, env.config)).toEqual({ method: 'POST' });
  });
});

describe('get-upload-status', () => {
  it('answers issued, then accepted; 404 for an unknown id', async () => {
    const issued = JSON.parse((await handlers().issueUploadUrl(apiEvent('POST', '/uploads', {}))).body);
    const status = await handlers().getUploadStatus(
      apiEvent('GET', `/uploads/${issued.id}`, undefined, { id: issued.id }),
    );
    expect(status.statusCode).toBe(200);
    expect(JSON.parse(status.body)).toEqual({
      id: issued.id,
      key: issued.key,
      status: 'issued',
      method: 'POST',
      expiresAt: issued.expiresAt,
      duplicateAttempts: 0,
    });
    const missing = await handlers().getUploadStatus(
      apiEvent('GET', '/uploads/x', undefined, { id: 'AAAAAAAAAAAAAAAAAAAAAA' }),
    );
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ message: 'Not Found' });
    const malformed = await handlers().getUploadStatus(
      apiEvent('GET', '/uploads/x', undefined, { id: '../etc' }),
    );
    expect(malformed.statusCode).toBe(404);
  });

  it('answers expired once the URL has expired with no upload', async () => {
    const late = createServiceHandlers({
      clients: env.clients,
      config: env.config,
      now: () => new Date(Date.now() - 60_000),
    });
    const issued = JSON.parse((await late.issueUploadUrl(apiEvent('POST', '/uploads', {}))).body);
    const status = await handlers().getUploadStatus(
      apiEvent('GET', `/uploads/${issued.id}`, undefined, { id: issued.id }),
    );
    expect(JSON.parse(status.body).status).toBe('expired');
  });
});
