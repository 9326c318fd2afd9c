import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBucket, startTestEndpoint, type TestEndpoint } from './helpers.js';

let endpoint: TestEndpoint;
beforeAll(async () => {
  endpoint = await startTestEndpoint();
});
afterAll(async () => {
  await endpoint.stop();
});

describe('S3 through the AWS SDK v3', () => {
  it('stores a Buffer body and returns the same bytes, ETag and metadata', async () => {
    const bucket = await newBucket(endpoint.s3);
    const body = Buffer.from('hello, embedded S3');
    const put = await endpoint.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'a/b c.txt',
        Body: body,
        ContentType: 'text/plain',
        Metadata: { owner: 'me' },
      }),
    );
    expect(put.ETag).toBe(`"${createHash('md5').update(body).digest('hex')}"`);
    const got = await endpoint.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b c.txt' }));
    expect(Buffer.from((await got.Body?.transformToByteArray()) ?? [])).toEqual(body);
    expect(got.ContentType).toBe('text/plain');
    expect(got.Metadata).toEqual({ owner: 'me' });
    expect(got.ContentLength).toBe(body.length);
  });

  it('accepts a streamed body (aws-chunked with a checksum trailer) and verifies its checksum', async () => {
    const bucket = await newBucket(endpoint.s3);
    const chunks = Array.from({ length: 50 }, (_, i) => Buffer.alloc(10_000, i));
    const all = Buffer.concat(chunks);
    await endpoint.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'streamed',
        Body: Readable.from(chunks),
        ContentLength: all.length,
      }),
    );
    const got = await endpoint.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'streamed', ChecksumMode: 'ENABLED' }),
    );
    const bytes = Buffer.from((await got.Body?.transformToByteArray()) ?? []);
    expect(bytes.equals(all)).toBe(true);
    expect(got.ChecksumCRC32 ?? got.ChecksumCRC64NVME).toBeDefined();
  });

  it('serves byte ranges', async () => {
    const bucket = await newBucket(endpoint.s3);
    await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'r', Body: '0123456789' }));
    const got = await endpoint.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'r', Range: 'bytes=2-5' }),
    );
    expect(await got.Body?.transformToString()).toBe('2345');
    expect(got.ContentRange).toBe('bytes 2-5/10');
    const tail = await endpoint.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'r', Range: 'bytes=-3' }),
    );
    expect(await tail.Body?.transformToString()).toBe('789');
    await expect(
      endpoint.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'r', Range: 'bytes=20-30' })),
    ).rejects.toMatchObject({ name: 'InvalidRange', $metadata: { httpStatusCode: 416 } });
  });

  it('refuses a second PutObject with If-None-Match: * (412) and If-Match with a wrong ETag', async () => {
    const bucket = await newBucket(endpoint.s3);
    await endpoint.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'first', IfNoneMatch: '*' }),
    );
    await expect(
      endpoint.s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'second', IfNoneMatch: '*' }),
      ),
    ).rejects.toMatchObject({ name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
    await expect(
      endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'once', Body: 'x', IfMatch: '"0000"' })),
    ).rejects.toMatchObject({ name: 'PreconditionFailed' });
    const got = await endpoint.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'once' }));
    expect(await got.Body?.transformToString()).toBe('first');
  });

  it('keeps every version in a versioned bucket and copies a chosen version', async () => {
    const bucket = await newBucket(endpoint.s3, { versioned: true });
    const v1 = await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one' }));
    const v2 = await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two' }));
    expect(v1.VersionId).toBeDefined();
    expect(v1.VersionId).not.toBe(v2.VersionId);
    const copy = await endpoint.s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy',
        CopySource: `${bucket}/k?versionId=${v1.VersionId}`,
      }),
    );
    expect(copy.CopySourceVersionId).toBe(v1.VersionId);
    const got = await endpoint.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'copy' }));
    expect(await got.Body?.transformToString()).toBe('one');

    const deleted = await endpoint.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(deleted.DeleteMarker).toBe(true);
    await expect(endpoint.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).rejects.toMatchObject(
      {
        $metadata: { httpStatusCode: 404 },
      },
    );
    const old = await endpoint.s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'k', VersionId: v1.VersionId }),
    );
    expect(await old.Body?.transformToString()).toBe('one');

    const versions = await endpoint.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'k' }));
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual([v2.VersionId, v1.VersionId]);
    expect(versions.DeleteMarkers?.[0]?.IsLatest).toBe(true);
  });

  it('lists with prefix, delimiter and continuation tokens', async () => {
    const bucket = await newBucket(endpoint.s3);
    for (const key of ['a/1', 'a/2', 'a/3', 'b/1', 'c']) {
      await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    const top = await endpoint.s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/']);
    expect(top.Contents?.map((c) => c.Key)).toEqual(['c']);
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await endpoint.s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: 'a/', MaxKeys: 2, ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((c) => c.Key ?? ''));
      token = page.NextContinuationToken;
    } while (token);
    expect(keys).toEqual(['a/1', 'a/2', 'a/3']);
  });

  it('deletes many objects at once and lists buckets', async () => {
    const bucket = await newBucket(endpoint.s3);
    await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x' }));
    await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'y', Body: 'y' }));
    const result = await endpoint.s3.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'x' }, { Key: 'y' }] } }),
    );
    expect(result.Deleted?.map((d) => d.Key).sort()).toEqual(['x', 'y']);
    const list = await endpoint.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(list.KeyCount).toBe(0);
    const buckets = await endpoint.s3.send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.some((b) => b.Name === bucket)).toBe(true);
  });
});
