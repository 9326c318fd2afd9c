import { GetObjectCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClaimStore } from '../src/core/claims.js';
import { issueUploadUrl } from '../src/core/issue-upload-url.js';
import { createServiceHandlers } from '../src/index.js';
import { createIssueDeps } from '../src/wiring.js';
import { captureStdout, metricValues, startEnvironment, type TestEnvironment } from './environment.js';

let env: TestEnvironment;
let events: S3Event[];
beforeEach(async () => {
  env = await startEnvironment();
  events = [];
  // Real S3 event records from the endpoint, held so each test decides the order of delivery.
  env.aws.subscribe({ bucket: env.config.bucketName, prefix: 'uploads/' }, (event) => {
    events.push(event as unknown as S3Event);
  });
});
afterEach(async () => {
  await env.stop();
});

const handlers = () => createServiceHandlers({ clients: env.clients, config: env.config });
const claims = () => new ClaimStore(env.clients.dynamodb, env.config.tableName);

async function issue() {
  return issueUploadUrl(createIssueDeps({ clients: env.clients, config: env.config }), { method: 'POST' });
}

async function upload(
  post: { url: string; fields?: Record<string, string> },
  content: string,
): Promise<number> {
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields ?? {})) form.append(name, value);
  form.append('file', new Blob([content]), 'file.txt');
  const response = await fetch(post.url, { method: 'POST', body: form });
  await response.arrayBuffer();
  return response.status;
}

async function read(key: string): Promise<string> {
  const got = await env.clients.s3.send(new GetObjectCommand({ Bucket: env.config.bucketName, Key: key }));
  return (await got.Body?.transformToString()) ?? '';
}

async function deliveredEvents(count: number): Promise<S3Event[]> {
  await env.aws.eventsIdle();
  expect(events).toHaveLength(count);
  return events;
}

function errorLines(lines: Record<string, unknown>[]) {
  return lines.filter((l) => l.level === 'ERROR');
}

describe('accept-first-upload', () => {
  it('accepts the first upload: accepted/ holds its bytes and the claim says accepted', async () => {
    const issued = await issue();
    expect(await upload(issued, 'first bytes')).toBe(204);
    const [event] = await deliveredEvents(1);
    const { lines, error } = await captureStdout(() => handlers().acceptFirstUpload(event as S3Event));
    expect(error).toBeUndefined();
    const acceptedKey = issued.key.replace('uploads/', 'accepted/');
    expect(await read(acceptedKey)).toBe('first bytes');
    const claim = await claims().get(issued.id);
    expect(claim?.status).toBe('accepted');
    expect(claim?.acceptedKey).toBe(acceptedKey);
    expect(metricValues(lines, 'UploadsAccepted')).toEqual([1]);
    expect(errorLines(lines)).toEqual([]);
  });

  it('(a) keeps the EARLIEST upload when a later one replaced uploads/<key> and its event came first', async () => {
    const issued = await issue();
    await upload(issued, 'first');
    await upload(issued, 'second');
    await upload(issued, 'third');
    const [first, second, third] = await deliveredEvents(3);
    // Deliver newest first: by then uploads/<key> holds "third".
    for (const event of [third, second, first]) {
      await captureStdout(() => handlers().acceptFirstUpload(event as S3Event));
    }
    expect(await read(issued.key.replace('uploads/', 'accepted/'))).toBe('first');
    expect((await claims().get(issued.id))?.duplicateAttempts).toBe(2);
  });

  it('(b) treats a redelivered event for the accepted upload as no duplicate: no ERROR, no metric', async () => {
    const issued = await issue();
    await upload(issued, 'only');
    const [event] = await deliveredEvents(1);
    await captureStdout(() => handlers().acceptFirstUpload(event as S3Event));
    const again = await captureStdout(() => handlers().acceptFirstUpload(event as S3Event));
    expect(again.error).toBeUndefined();
    expect(errorLines(again.lines)).toEqual([]);
    expect(metricValues(again.lines, 'DuplicateUploadAttempts')).toEqual([]);
    expect((await claims().get(issued.id))?.duplicateAttempts).toBe(0);
  });

  it('(c) flags each later upload exactly once: an ERROR naming the key and a DuplicateUploadAttempts metric', async () => {
    const issued = await issue();
    await upload(issued, 'one');
    await upload(issued, 'two');
    await upload(issued, 'three');
    const [first, second, third] = await deliveredEvents(3);
    const run = await captureStdout(async () => {
      for (const event of [first, second, third, second, third])
        await handlers().acceptFirstUpload(event as S3Event);
    });
    const errors = errorLines(run.lines);
    expect(errors).toHaveLength(2);
    for (const line of errors) {
      expect(String(line.message)).toContain(issued.key);
      expect(line.uploadKey).toBe(issued.key);
    }
    expect(metricValues(run.lines, 'DuplicateUploadAttempts')).toEqual([1, 1]);
    expect((await claims().get(issued.id))?.duplicateAttempts).toBe(2);
  });

  it('(d) completes the copy on retry when the handler dies after consuming the claim', async () => {
    const issued = await issue();
    await upload(issued, 'must not be lost');
    const [event] = await deliveredEvents(1);
    let failNextCopy = true;
    env.clients.s3.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'CopyObjectCommand' && failNextCopy) {
          failNextCopy = false;
          throw new Error('simulated crash before the copy');
        }
        return next(args);
      },
      { step: 'initialize', name: 'crashOnce' },
    );
    const crashed = await captureStdout(() => handlers().acceptFirstUpload(event as S3Event));
    expect(crashed.error).toBeInstanceOf(AggregateError);
    const afterCrash = await claims().get(issued.id);
    expect(afterCrash?.winner).toBeDefined();
    expect(afterCrash?.status).toBe('issued');

    const retried = await captureStdout(() => handlers().acceptFirstUpload(event as S3Event));
    expect(retried.error).toBeUndefined();
    expect(await read(issued.key.replace('uploads/', 'accepted/'))).toBe('must not be lost');
    expect((await claims().get(issued.id))?.status).toBe('accepted');
    expect(errorLines(retried.lines)).toEqual([]);
  });

  it('(d) completes on retry when the handler dies after the copy, before marking the claim', async () => {
    const issued = await issue();
    await upload(issued, 'copied once');
    const [event] = await deliveredEvents(1);
    let failNextMark = true;
    env.clients.dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { UpdateExpression?: string };
        if (
          context.commandName?.startsWith('Update') &&
          input.UpdateExpression?.includes(':accepted') &&
          failNextMark
        ) {
          failNextMark = false;
          throw new Error('simulated crash after the copy');
        }
        return next(args);
      },
      { step: 'initialize', name: 'crashAfterCopy' },
    );
    expect((await captureStdout(() => handlers().acceptFirstUpload(event as S3Event))).error).toBeDefined();
    expect((await captureStdout(() => handlers().acceptFirstUpload(event as S3Event))).error).toBeUndefined();
    expect((await claims().get(issued.id))?.status).toBe('accepted');
    expect(await read(issued.key.replace('uploads/', 'accepted/'))).toBe('copied once');
  });

  it('(d) never deletes an upload: every version stays in uploads/ after acceptance', async () => {
    const issued = await issue();
    await upload(issued, 'a');
    await upload(issued, 'b');
    for (const event of await deliveredEvents(2))
      await captureStdout(() => handlers().acceptFirstUpload(event));
    const versions = await env.clients.s3.send(
      new ListObjectVersionsCommand({ Bucket: env.config.bucketName, Prefix: issued.key }),
    );
    expect(versions.Versions).toHaveLength(2);
    expect(versions.DeleteMarkers ?? []).toHaveLength(0);
  });

  it("reports the acceptance once when the first upload's event arrives twice at the same moment", async () => {
    const issued = await issue();
    await upload(issued, 'raced');
    const [event] = await deliveredEvents(1);
    const run = await captureStdout(() =>
      Promise.all([
        handlers().acceptFirstUpload(event as S3Event),
        handlers().acceptFirstUpload(event as S3Event),
      ]),
    );
    expect(run.error).toBeUndefined();
    expect(metricValues(run.lines, 'UploadsAccepted')).toEqual([1]);
    expect(await read(issued.key.replace('uploads/', 'accepted/'))).toBe('raced');
  });

  it('(d) on retry, recognises an earlier copy by size and checksum when its ETag differs (SSE-KMS)', async () => {
    const issued = await issue();
    await upload(issued, 'same bytes, other etag');
    const [event] = await deliveredEvents(1);
    // The copy an earlier attempt made, with an ETag unlike the upload's (a multipart object's ends in -1).
    const s3 = await import('@aws-sdk/client-s3');
    const Bucket = env.config.bucketName;
    const Key = issued.key.replace('uploads/', 'accepted/');
    const { UploadId } = await env.clients.s3.send(new s3.CreateMultipartUploadCommand({ Bucket, Key }));
    const part = await env.clients.s3.send(
      new s3.UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'same bytes, other etag' }),
    );
    const copy = await env.clients.s3.send(
      new s3.CompleteMultipartUploadCommand({
        Bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(copy.ETag).toMatch(/-1"$/);
    const run = await captureStdout(() => handlers().acceptFirstUpload(event as S3Event));
    expect(run.error).toBeUndefined();
    expect((await claims().get(issued.id))?.status).toBe('accepted');
  });

  it('(d) refuses to mark accepted when accepted/<key> holds other bytes', async () => {
    const issued = await issue();
    await upload(issued, 'the real first upload');
    const [event] = await deliveredEvents(1);
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await env.clients.s3.send(
      new PutObjectCommand({
        Bucket: env.config.bucketName,
        Key: issued.key.replace('uploads/', 'accepted/'),
        Body: 'something else entirely',
      }),
    );
    const run = await captureStdout(() => handlers().acceptFirstUpload(event as S3Event));
    expect(run.error).toBeInstanceOf(AggregateError);
    expect((await claims().get(issued.id))?.status).toBe('issued');
  });

  it('(e) flags an upload to a key that was never issued, and never accepts it', async () => {
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    const key = 'uploads/UploadFilename-20260101_000000-AAAAAAAAAAAAAAAAAAAAAA';
    await env.clients.s3.send(
      new PutObjectCommand({ Bucket: env.config.bucketName, Key: key, Body: 'intruder' }),
    );
    const [event] = await deliveredEvents(1);
    const run = await captureStdout(async () => {
      await handlers().acceptFirstUpload(event as S3Event);
      await handlers().acceptFirstUpload(event as S3Event);
    });
    expect(errorLines(run.lines)).toHaveLength(1);
    expect(String(errorLines(run.lines)[0]?.message)).toContain(key);
    expect(metricValues(run.lines, 'UnclaimedUploads')).toEqual([1]);
    await expect(read(key.replace('uploads/', 'accepted/'))).rejects.toMatchObject({ name: 'NoSuchKey' });
  });

  it('(e) flags an upload whose claim is gone', async () => {
    const issued = await issue();
    const { DeleteItemCommand } = await import('@aws-sdk/client-dynamodb');
    await env.clients.dynamodb.send(
      new DeleteItemCommand({ TableName: env.config.tableName, Key: { id: { S: issued.id } } }),
    );
    await upload(issued, 'too late');
    const [event] = await deliveredEvents(1);
    const run = await captureStdout(() => handlers().acceptFirstUpload(event as S3Event));
    expect(metricValues(run.lines, 'UnclaimedUploads')).toEqual([1]);
    await expect(read(issued.key.replace('uploads/', 'accepted/'))).rejects.toMatchObject({
      name: 'NoSuchKey',
    });
  });

  it('gives the same result under chaotic delivery: duplicated, reordered, concurrent', async () => {
    const issued = await issue();
    for (const content of ['w1', 'w2', 'w3', 'w4']) await upload(issued, content);
    const delivered = await deliveredEvents(4);
    const storm = [...delivered, ...delivered, ...delivered].sort(() => Math.random() - 0.5);
    const run = await captureStdout(() =>
      Promise.allSettled(storm.map((e) => handlers().acceptFirstUpload(e))),
    );
    expect(await read(issued.key.replace('uploads/', 'accepted/'))).toBe('w1');
    expect((await claims().get(issued.id))?.duplicateAttempts).toBe(3);
    expect(metricValues(run.lines, 'DuplicateUploadAttempts').reduce((a, b) => a + b, 0)).toBe(3);
  });
});
