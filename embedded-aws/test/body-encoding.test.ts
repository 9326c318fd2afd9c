import { createHash, createHmac } from 'node:crypto';
import {
  type ChecksumAlgorithm,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBucket, parseErrorXml, startTestEndpoint, type TestEndpoint } from './helpers.js';

let endpoint: TestEndpoint;
let bucket: string;
beforeAll(async () => {
  endpoint = await startTestEndpoint();
  bucket = await newBucket(endpoint.s3);
});
afterAll(async () => {
  await endpoint.stop();
});

async function read(key: string): Promise<Buffer> {
  const got = await endpoint.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from((await got.Body?.transformToByteArray()) ?? []);
}

describe('flexible checksums', () => {
  it.each(['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] satisfies ChecksumAlgorithm[])(
    'verifies, stores and returns %s',
    async (algorithm) => {
      const body = Buffer.from(`checksummed with ${algorithm}`);
      const put = await endpoint.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `sum-${algorithm}`,
          Body: body,
          ChecksumAlgorithm: algorithm,
        }),
      );
      const field = `Checksum${algorithm}` as const;
      expect(put[field]).toBeDefined();
      const head = await endpoint.s3.send(
        new HeadObjectCommand({ Bucket: bucket, Key: `sum-${algorithm}`, ChecksumMode: 'ENABLED' }),
      );
      expect(head[field]).toBe(put[field]);
      if (algorithm === 'SHA256')
        expect(head.ChecksumSHA256).toBe(createHash('sha256').update(body).digest('base64'));
    },
  );

  it('refuses a body whose checksum header does not match (BadDigest)', async () => {
    const s3 = endpoint.s3;
    const wrong = createHash('sha256').update('something else').digest('base64');
    await expect(
      s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'bad-sum', Body: 'payload', ChecksumSHA256: wrong }),
      ),
    ).rejects.toMatchObject({ name: 'BadDigest', $metadata: { httpStatusCode: 400 } });
  });

  it('refuses a body whose Content-MD5 does not match', async () => {
    await expect(
      endpoint.s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'bad-md5',
          Body: 'payload',
          ContentMD5: createHash('md5').update('other').digest('base64'),
        }),
      ),
    ).rejects.toMatchObject({ name: 'BadDigest' });
  });
});

/** Builds a SigV4 request by hand, the way SDKs that send signed chunks do. */
function signedChunkedPut(
  key: string,
  chunks: Buffer[],
  options: { corruptChunk?: number; trailer?: string } = {},
) {
  const url = new URL(`${endpoint.aws.endpoint}/${bucket}/${key}`);
  const now = new Date();
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const shortDate = amzDate.slice(0, 8);
  const scope = `${shortDate}/us-east-1/s3/aws4_request`;
  const hmac = (k: Buffer | string, d: string) => createHmac('sha256', k).update(d).digest();
  const signingKey = hmac(hmac(hmac(hmac('AWS4test', shortDate), 'us-east-1'), 's3'), 'aws4_request');
  const decodedLength = chunks.reduce((n, c) => n + c.length, 0);
  const headers: Record<string, string> = {
    host: url.host,
    'content-encoding': 'aws-chunked',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'x-amz-date': amzDate,
    'x-amz-decoded-content-length': String(decodedLength),
  };
  const signed = Object.keys(headers).sort();
  const canonical = [
    'PUT',
    url.pathname,
    '',
    ...signed.map((h) => `${h}:${headers[h]}`),
    '',
    signed.join(';'),
    'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  ].join('\n');
  const sha = (d: string | Buffer) => createHash('sha256').update(d).digest('hex');
  const seed = hmac(signingKey, ['AWS4-HMAC-SHA256', amzDate, scope, sha(canonical)].join('\n')).toString(
    'hex',
  );
  let previous = seed;
  const parts: Buffer[] = [];
  for (const [index, chunk] of [...chunks, Buffer.alloc(0)].entries()) {
    const stringToSign = ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, previous, sha(''), sha(chunk)].join(
      '\n',
    );
    let signature = hmac(signingKey, stringToSign).toString('hex');
    previous = signature;
    if (index === options.corruptChunk) signature = signature.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    parts.push(
      Buffer.from(`${chunk.length.toString(16)};chunk-signature=${signature}\r\n`),
      chunk,
      Buffer.from('\r\n'),
    );
  }
  const body = Buffer.concat(parts);
  return fetch(url, {
    method: 'PUT',
    headers: {
      ...headers,
      'content-length': String(body.length),
      authorization: `AWS4-HMAC-SHA256 Credential=test/${scope}, SignedHeaders=${signed.join(';')}, Signature=${seed}`,
    },
    body,
  });
}

describe('aws-chunked bodies', () => {
  it('decodes STREAMING-AWS4-HMAC-SHA256-PAYLOAD and verifies each chunk signature', async () => {
    const chunks = [Buffer.alloc(8192, 'a'), Buffer.alloc(8192, 'b'), Buffer.from('tail')];
    const response = await signedChunkedPut('signed-chunks', chunks);
    expect(response.status).toBe(200);
    expect((await read('signed-chunks')).equals(Buffer.concat(chunks))).toBe(true);
  });

  it('refuses a body with a forged chunk signature', async () => {
    const response = await signedChunkedPut('forged-chunks', [Buffer.alloc(8192, 'a'), Buffer.from('b')], {
      corruptChunk: 1,
    });
    expect(response.status).toBe(403);
    expect(parseErrorXml(await response.text()).Code).toBe('SignatureDoesNotMatch');
  });

  it('refuses a checksum trailer that does not match (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', async () => {
    // The SDK's streamed PutObject, with the trailer's value replaced on the wire.
    const s3 = endpoint.s3;
    const { Readable } = await import('node:stream');
    s3.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, string>; body: NodeJS.ReadableStream };
        if (request.headers['x-amz-trailer']) {
          const original = request.body;
          request.body = Readable.from(
            (async function* () {
              for await (const chunk of original as AsyncIterable<Buffer | string>) {
                yield Buffer.from(chunk.toString().replace(/(x-amz-checksum-crc32:)[^\r\n]+/, '$1AAAAAA=='));
              }
            })(),
          );
        }
        return next(args);
      },
      { step: 'finalizeRequest', priority: 'low', name: 'corruptTrailer' },
    );
    try {
      await expect(
        s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: 'bad-trailer',
            Body: Readable.from([Buffer.from('streamed body')]),
            ContentLength: 13,
          }),
        ),
      ).rejects.toMatchObject({ name: 'BadDigest' });
    } finally {
      s3.middlewareStack.remove('corruptTrailer');
    }
  });
});
