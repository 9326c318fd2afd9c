import { request } from 'node:http';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBucket, parseErrorXml, startTestEndpoint, type TestEndpoint } from './helpers.js';
import { type Field, presignedPost } from './post-client.js';

let endpoint: TestEndpoint;
let bucket: string;
let valid: { url: string; fields: Field[] };
beforeAll(async () => {
  endpoint = await startTestEndpoint();
  bucket = await newBucket(endpoint.s3);
  valid = await presignedPost(endpoint.s3, { Bucket: bucket, Key: 'target', Expires: 3600 });
});
afterAll(async () => {
  await endpoint.stop();
});

const BOUNDARY = '----embeddedFormBoundary';

function multipart(fields: Field[], file: Buffer | undefined): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    parts.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  if (file) {
    parts.push(
      Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n\r\n`),
      file,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(parts);
}

async function send(body: Buffer, contentType: string) {
  const response = await fetch(valid.url, { method: 'POST', headers: { 'content-type': contentType }, body });
  return { status: response.status, text: await response.text() };
}

async function expectS3Error(result: { status: number; text: string }) {
  expect(result.status).toBeGreaterThanOrEqual(400);
  expect(result.status).toBeLessThan(500);
  expect(parseErrorXml(result.text).Code).toMatch(/^[A-Za-z]+$/);
  // The endpoint still answers.
  const buckets = await endpoint.s3.send(new ListBucketsCommand({}));
  expect(buckets.Buckets?.length).toBeGreaterThan(0);
}

const formContentType = `multipart/form-data; boundary=${BOUNDARY}`;

/** Starts a POST that declares more bytes than it sends, sends `parts`, then drops the connection. */
function postThenDisconnect(
  parts: (string | Buffer)[],
  declaredLength: number,
  afterMs: number,
): Promise<void> {
  const url = new URL(valid.url);
  return new Promise<void>((resolve) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: { 'content-type': formContentType, 'content-length': declaredLength },
    });
    req.on('error', () => resolve());
    for (const part of parts) req.write(part);
    setTimeout(() => {
      req.destroy();
      resolve();
    }, afterMs);
  });
}

async function expectStillServing() {
  const buckets = await endpoint.s3.send(new ListBucketsCommand({}));
  expect(buckets.Buckets?.some((b) => b.Name === bucket)).toBe(true);
}

describe('POST Object under malformed input (property tests)', () => {
  it('answers garbage multipart bodies with an S3 error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        await expectS3Error(await send(Buffer.from(bytes), formContentType));
      }),
      { numRuns: 60 },
    );
  });

  it('answers forged or corrupted policies with an S3 error', async () => {
    const policyArb = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.json().map((json) => Buffer.from(json).toString('base64')),
      fc.base64String({ maxLength: 400 }),
    );
    await fc.assert(
      fc.asyncProperty(policyArb, async (policy) => {
        const fields = valid.fields.map(([n, v]): Field => [n, n === 'Policy' ? policy : v]);
        fc.pre(fields.find(([n]) => n === 'Policy')?.[1] !== valid.fields.find(([n]) => n === 'Policy')?.[1]);
        await expectS3Error(await send(multipart(fields, Buffer.from('data')), formContentType));
      }),
      { numRuns: 60 },
    );
  });

  it('answers forms missing any of the signed fields with an S3 error', async () => {
    // The bucket field is optional: S3 takes the bucket from the URL.
    const names = valid.fields.map(([n]) => n).filter((n) => n !== 'bucket');
    await fc.assert(
      fc.asyncProperty(fc.subarray(names, { minLength: 1 }), async (removed) => {
        const fields = valid.fields.filter(([n]) => !removed.includes(n));
        await expectS3Error(await send(multipart(fields, Buffer.from('data')), formContentType));
      }),
      { numRuns: 40 },
    );
  });

  it('answers a changed key or an extra field with an S3 error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc
            .string({ minLength: 1, maxLength: 40 })
            .map((key): Field[] => valid.fields.map(([n, v]) => [n, n === 'key' ? `${v}${key}` : v])),
          fc
            .tuple(fc.stringMatching(/^x-amz-meta-[a-z]{1,10}$/), fc.string({ maxLength: 20 }))
            .map((extra): Field[] => [...valid.fields, extra]),
        ),
        async (fields) => {
          await expectS3Error(await send(multipart(fields, Buffer.from('data')), formContentType));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('answers bodies cut off inside the form with an S3 error', async () => {
    const whole = multipart(valid.fields, Buffer.alloc(4096, 'x'));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: whole.length - 200 }), async (cut) => {
        await expectS3Error(await send(whole.subarray(0, cut), formContentType));
      }),
      { numRuns: 40 },
    );
  });

  it('answers arbitrary Content-Type headers with an S3 error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 80 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
        async (contentType) => {
          fc.pre(contentType !== formContentType);
          await expectS3Error(
            await send(multipart(valid.fields, Buffer.from('data')), contentType || 'text/plain'),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('other malformed requests', () => {
  it('answers a malformed Authorization header with an S3 error', async () => {
    for (const authorization of [
      'AWS4-HMAC-SHA256',
      'AWS4-HMAC-SHA256 Credential=bad',
      'Bearer x',
      'AWS4-HMAC-SHA256 Credential=test/x/y/z/w, SignedHeaders=host, Signature=00',
    ]) {
      const response = await fetch(`${endpoint.aws.endpoint}/${bucket}`, { headers: { authorization } });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(parseErrorXml(await response.text()).Code).toBeTruthy();
    }
  });

  it('answers malformed XML with MalformedXML', async () => {
    const { PutBucketVersioningCommand } = await import('@aws-sdk/client-s3');
    const s3 = endpoint.s3;
    s3.middlewareStack.add(
      (next) => async (args) => {
        (args.request as { body: string }).body = '<VersioningConfiguration><Status>Enab';
        return next(args);
      },
      { step: 'serialize', priority: 'low', name: 'breakXml' },
    );
    try {
      await expect(
        s3.send(
          new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
        ),
      ).rejects.toMatchObject({ name: 'MalformedXML' });
    } finally {
      s3.middlewareStack.remove('breakXml');
    }
  });

  it('survives a client that drops the connection in the middle of an upload', async () => {
    await postThenDisconnect([multipart(valid.fields, undefined).subarray(0, 500)], 1_000_000, 50);
    await expectStillServing();
  });

  it('answers a request target that is not a URL with 400 and keeps serving', async () => {
    const { connect } = await import('node:net');
    const url = new URL(endpoint.aws.endpoint);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.write('GET http://[ HTTP/1.1\r\nHost: x\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk) => {
        text += chunk.toString();
      });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    await expectStillServing();
  });

  it('removes the partial file of an upload whose client disconnects mid-file', async () => {
    const { readdirSync } = await import('node:fs');
    const { join } = await import('node:path');
    const blobs = () => readdirSync(join(endpoint.aws.dataDir, 'blobs')).length;
    const before = blobs();
    const head = multipart(valid.fields, undefined).subarray(0, -`--${BOUNDARY}--\r\n`.length);
    const fileHeader = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n\r\n`;
    await postThenDisconnect([head, fileHeader, Buffer.alloc(256 * 1024, 'p')], 10_000_000, 100);
    const deadline = Date.now() + 5000;
    while (blobs() > before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(blobs()).toBe(before);
  });

  it('answers DynamoDB requests with malformed JSON with a DynamoDB error', async () => {
    const response = await fetch(endpoint.aws.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'DynamoDB_20120810.UpdateTimeToLive',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: '{not json',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { __type: string }).__type).toContain('SerializationException');
  });
});
