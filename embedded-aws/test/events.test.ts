import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import type { S3Event, S3EventRecord } from '../src/index.js';
import { newBucket, startTestEndpoint, type TestEndpoint } from './helpers.js';
import { postForm, presignedPost } from './post-client.js';

let endpoint: TestEndpoint | undefined;
afterEach(async () => {
  await endpoint?.stop();
  endpoint = undefined;
});

function collect(target: TestEndpoint, filter: Parameters<TestEndpoint['aws']['subscribe']>[0] = {}) {
  const records: S3EventRecord[] = [];
  target.aws.subscribe(filter, (event: S3Event) => {
    records.push(...event.Records);
  });
  return records;
}

/** S3 orders events for one key by sequencer: right-pad the shorter with zeros, compare as hex. */
function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const x = BigInt(`0x${a.padEnd(width, '0')}`);
  const y = BigInt(`0x${b.padEnd(width, '0')}`);
  return x < y ? -1 : x > y ? 1 : 0;
}

describe('S3 event notifications', () => {
  it('delivers an AWS-shaped record after a PutObject', async () => {
    endpoint = await startTestEndpoint();
    const bucket = await newBucket(endpoint.s3);
    const records = collect(endpoint);
    const put = await endpoint.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'dir/my file+1.txt', Body: 'hello' }),
    );
    await endpoint.aws.eventsIdle();
    expect(records).toHaveLength(1);
    const [record] = records as [S3EventRecord];
    expect(record).toMatchObject({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventName: 'ObjectCreated:Put',
      s3: {
        s3SchemaVersion: '1.0',
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key: 'dir/my+file%2B1.txt', size: 5, eTag: put.ETag?.replaceAll('"', '') },
      },
    });
    expect(Number.isNaN(Date.parse(record.eventTime))).toBe(false);
    expect(record.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
    expect(record.s3.object.versionId).toBeUndefined();
  });

  it('names POST and Copy uploads, includes versionId when versioned, and reports deletes', async () => {
    endpoint = await startTestEndpoint();
    const bucket = await newBucket(endpoint.s3, { versioned: true });
    const records = collect(endpoint);
    const { url, fields } = await presignedPost(endpoint.s3, { Bucket: bucket, Key: 'posted' });
    expect((await postForm(url, fields, { content: 'form', filename: 'f' })).status).toBe(204);
    await endpoint.s3.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'copied', CopySource: `${bucket}/posted` }),
    );
    await endpoint.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'copied' }));
    await endpoint.aws.eventsIdle();
    expect(records.map((r) => [r.eventName, r.s3.object.key])).toEqual([
      ['ObjectCreated:Post', 'posted'],
      ['ObjectCreated:Copy', 'copied'],
      ['ObjectRemoved:DeleteMarkerCreated', 'copied'],
    ]);
    for (const record of records) expect(record.s3.object.versionId).toBeTruthy();
  });

  it('filters by event type, prefix and suffix', async () => {
    endpoint = await startTestEndpoint();
    const bucket = await newBucket(endpoint.s3);
    const uploads = collect(endpoint, {
      bucket,
      events: ['s3:ObjectCreated:*'],
      prefix: 'uploads/',
      suffix: '.txt',
    });
    const removals = collect(endpoint, { events: ['s3:ObjectRemoved:Delete'] });
    for (const key of ['uploads/a.txt', 'uploads/b.bin', 'accepted/a.txt']) {
      await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    }
    await endpoint.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'uploads/a.txt' }));
    await endpoint.aws.eventsIdle();
    expect(uploads.map((r) => r.s3.object.key)).toEqual(['uploads/a.txt']);
    expect(removals.map((r) => [r.eventName, r.s3.object.key])).toEqual([
      ['ObjectRemoved:Delete', 'uploads/a.txt'],
    ]);
  });

  it('gives later writes to a key a larger sequencer', async () => {
    endpoint = await startTestEndpoint();
    const bucket = await newBucket(endpoint.s3);
    const records = collect(endpoint);
    for (let i = 0; i < 5; i++) {
      await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'same', Body: `write ${i}` }));
    }
    await endpoint.aws.eventsIdle();
    const sequencers = records.map((r) => r.s3.object.sequencer);
    const sorted = [...sequencers].sort(compareSequencers);
    expect(sequencers).toEqual(sorted);
    expect(new Set(sequencers).size).toBe(5);
  });

  it('delivers after the response: the object can be read from the handler', async () => {
    endpoint = await startTestEndpoint();
    const bucket = await newBucket(endpoint.s3);
    const seen: string[] = [];
    const target = endpoint;
    target.aws.subscribe({ bucket }, async (event) => {
      const { GetObjectCommand } = await import('@aws-sdk/client-s3');
      const key = decodeURIComponent((event.Records[0]?.s3.object.key ?? '').replace(/\+/g, ' '));
      const got = await target.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      seen.push(await (got.Body?.transformToString() ?? ''));
    });
    await target.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'readable', Body: 'visible' }));
    await target.aws.eventsIdle();
    expect(seen).toEqual(['visible']);
  });

  it('with chaos, delivers some events twice and out of order, and never loses one', async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    endpoint = await startTestEndpoint({ chaos: { duplicateProbability: 0.5, maxDelayMs: 30, random } });
    const bucket = await newBucket(endpoint.s3);
    const records = collect(endpoint);
    for (let i = 0; i < 20; i++) {
      await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: String(i) }));
    }
    await endpoint.aws.eventsIdle();
    const sequencers = records.map((r) => r.s3.object.sequencer);
    expect(new Set(sequencers).size).toBe(20);
    expect(records.length).toBeGreaterThan(20);
    expect(sequencers).not.toEqual([...sequencers].sort(compareSequencers));
  });

  it('reports a failing subscriber without breaking the endpoint', async () => {
    const failures: unknown[] = [];
    endpoint = await startTestEndpoint({ onSubscriberError: (error) => failures.push(error) });
    const bucket = await newBucket(endpoint.s3);
    endpoint.aws.subscribe({}, () => {
      throw new Error('handler broke');
    });
    await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'x', Body: 'x' }));
    await endpoint.aws.eventsIdle();
    expect(failures).toHaveLength(1);
    await endpoint.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'y', Body: 'y' }));
  });
});
