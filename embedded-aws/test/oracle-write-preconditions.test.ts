import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBucket, startTestEndpoint, type TestEndpoint } from './helpers.js';
import { oracle } from './oracle.js';

/** Conditional writes, compared with S3's recorded answers (fixtures/aws-oracle). */
let endpoint: TestEndpoint;
let s3: S3Client;
beforeAll(async () => {
  endpoint = await startTestEndpoint();
  s3 = endpoint.s3;
});
afterAll(async () => {
  await endpoint.stop();
});

const KEY = 'test-precondition';
const rec = (test: string, entry: string) => oracle('s3_write_preconditions', test, entry);

/** The SDK turns S3's error XML into an exception carrying Code, message and the extra fields. */
async function expectRecordedError(promise: Promise<unknown>, recorded: Record<string, unknown>) {
  const error = (await promise.then(
    () => {
      throw new Error('expected S3 to refuse the request');
    },
    (e: unknown) => e,
  )) as Record<string, unknown> & { $metadata: { httpStatusCode: number }; name: string; message: string };
  const expected = recorded.Error as Record<string, string>;
  expect(error.name).toBe(expected.Code);
  expect(error.message).toBe(expected.Message);
  expect(error.$metadata.httpStatusCode).toBe(
    (recorded.ResponseMetadata as { HTTPStatusCode: number }).HTTPStatusCode,
  );
  for (const [field, value] of Object.entries(expected)) {
    if (field === 'Code' || field === 'Message') continue;
    expect(error[field], field).toBe(field === 'Key' ? (KEY_ALIASES[value] ?? value) : value);
  }
}
const KEY_ALIASES: Record<string, string> = {};

async function putEtag(bucket: string, body: string, extra: { IfMatch?: string; IfNoneMatch?: string } = {}) {
  return (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: body, ...extra }))).ETag ?? '';
}

async function startMultipart(bucket: string) {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: KEY }));
  const part = await s3.send(
    new UploadPartCommand({ Bucket: bucket, Key: KEY, UploadId, PartNumber: 1, Body: 'test' }),
  );
  return (conditions: { IfMatch?: string; IfNoneMatch?: string } = {}) =>
    s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: KEY,
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
        ...conditions,
      }),
    );
}

describe('PutObject preconditions', () => {
  it('test_put_object_if_none_match', async () => {
    const bucket = await newBucket(s3);
    await putEtag(bucket, '');
    await expectRecordedError(
      putEtag(bucket, '', { IfNoneMatch: '*' }),
      rec('test_put_object_if_none_match', 'put-obj-if-none-match'),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: KEY }));
    expect(await putEtag(bucket, '', { IfNoneMatch: '*' })).toBe(
      (rec('test_put_object_if_none_match', 'put-obj-after-del') as { ETag: string }).ETag,
    );
  });

  it('test_put_object_if_none_match_validation', async () => {
    const bucket = await newBucket(s3);
    await putEtag(bucket, '');
    await expectRecordedError(
      putEtag(bucket, '', { IfNoneMatch: 'abcdef' }),
      rec('test_put_object_if_none_match_validation', 'put-obj-if-none-match-bad-value'),
    );
  });

  it('test_put_object_if_none_match_versioned_bucket: a delete marker reopens the key', async () => {
    const bucket = await newBucket(s3, { versioned: true });
    await putEtag(bucket, '');
    await expectRecordedError(
      putEtag(bucket, '', { IfNoneMatch: '*' }),
      rec('test_put_object_if_none_match_versioned_bucket', 'put-obj-if-none-match'),
    );
    const deleted = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: KEY }));
    expect(deleted.DeleteMarker).toBe(true);
    await putEtag(bucket, '', { IfNoneMatch: '*' });
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const expected = rec('test_put_object_if_none_match_versioned_bucket', 'list-object-versions') as {
      Versions: { IsLatest: boolean; Size: number }[];
      DeleteMarkers: { IsLatest: boolean }[];
    };
    expect(listed.Versions?.map((v) => [v.IsLatest, v.Size])).toEqual(
      expected.Versions.map((v) => [v.IsLatest, v.Size]),
    );
    expect(listed.DeleteMarkers?.map((m) => m.IsLatest)).toEqual(
      expected.DeleteMarkers.map((m) => m.IsLatest),
    );
  });

  it('test_put_object_if_match', async () => {
    const bucket = await newBucket(s3);
    const etag = await putEtag(bucket, 'test');
    expect(etag).toBe((rec('test_put_object_if_match', 'put-obj') as { ETag: string }).ETag);
    await expectRecordedError(
      putEtag(bucket, '', { IfMatch: '"abcdef"' }),
      rec('test_put_object_if_match', 'put-obj-if-match-wrong-etag'),
    );
    await putEtag(bucket, '', { IfMatch: etag });
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: KEY }));
    await expectRecordedError(
      putEtag(bucket, '', { IfMatch: etag }),
      rec('test_put_object_if_match', 'put-obj-if-match-key-not-exists'),
    );
  });

  it('test_put_object_if_match_validation', async () => {
    const bucket = await newBucket(s3);
    await expectRecordedError(
      putEtag(bucket, '', { IfMatch: '*' }),
      rec('test_put_object_if_match_validation', 'put-obj-if-match-star-value'),
    );
    KEY_ALIASES['test-precondition-validation'] = KEY;
    await expectRecordedError(
      putEtag(bucket, '', { IfMatch: 'abcdef' }),
      rec('test_put_object_if_match_validation', 'put-obj-if-match-bad-value'),
    );
  });

  it('test_put_object_if_match_versioned_bucket', async () => {
    const bucket = await newBucket(s3, { versioned: true });
    await putEtag(bucket, 'test');
    await expectRecordedError(
      putEtag(bucket, '', { IfMatch: '"abcdef"' }),
      rec('test_put_object_if_match_versioned_bucket', 'put-obj-if-none-match-bad-value'),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: KEY }));
    await expectRecordedError(
      putEtag(bucket, '', { IfMatch: '"abcdef"' }),
      rec('test_put_object_if_match_versioned_bucket', 'put-obj-after-del-exc'),
    );
    const etag = await putEtag(bucket, 'test after del');
    await putEtag(bucket, 'if match works', { IfMatch: etag });
    const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(listed.Versions?.map((v) => v.Size)).toEqual([14, 14, 4]);
  });

  it('test_put_object_if_match_and_if_none_match_validation', async () => {
    const bucket = await newBucket(s3);
    await expectRecordedError(
      putEtag(bucket, '', { IfMatch: '"abc"', IfNoneMatch: '*' }),
      rec('test_put_object_if_match_and_if_none_match_validation', 'put-obj-both-precondition'),
    );
  });
});

describe('CompleteMultipartUpload preconditions', () => {
  it('test_multipart_if_none_match_with_delete', async () => {
    const bucket = await newBucket(s3);
    await putEtag(bucket, '');
    const complete = await startMultipart(bucket);
    await expectRecordedError(
      complete({ IfNoneMatch: '*' }),
      rec('test_multipart_if_none_match_with_delete', 'complete-multipart-if-none-match'),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: KEY }));
    await expectRecordedError(
      complete({ IfNoneMatch: '*' }),
      rec('test_multipart_if_none_match_with_delete', 'complete-multipart-after-del'),
    );
    const restart = await startMultipart(bucket);
    const done = await restart({ IfNoneMatch: '*' });
    const expected = rec(
      'test_multipart_if_none_match_with_delete',
      'complete-multipart-after-del-restart',
    ) as { ETag: string; ChecksumCRC64NVME: string };
    expect(done.ETag).toBe(expected.ETag);
    expect(done.ChecksumCRC64NVME).toBe(expected.ChecksumCRC64NVME);
  });

  it('test_multipart_if_none_match_with_put', async () => {
    const bucket = await newBucket(s3);
    const complete = await startMultipart(bucket);
    await putEtag(bucket, '');
    await expectRecordedError(
      complete({ IfNoneMatch: '*' }),
      rec('test_multipart_if_none_match_with_put', 'complete-multipart-if-none-match-put-during'),
    );
  });

  it('test_multipart_if_match_with_put', async () => {
    const bucket = await newBucket(s3);
    const before = await putEtag(bucket, 'test');
    const complete = await startMultipart(bucket);
    const during = await putEtag(bucket, 'test during');
    await expectRecordedError(
      complete({ IfMatch: before }),
      rec('test_multipart_if_match_with_put', 'complete-multipart-if-match-put-before'),
    );
    await expectRecordedError(
      complete({ IfMatch: during }),
      rec('test_multipart_if_match_with_put', 'complete-multipart-if-match-put-during'),
    );
    const again = await startMultipart(bucket);
    await again({ IfMatch: during });
  });

  it('test_multipart_if_match_with_put_identical', async () => {
    const bucket = await newBucket(s3);
    const etag = await putEtag(bucket, 'test');
    const complete = await startMultipart(bucket);
    expect(await putEtag(bucket, 'test')).toBe(etag);
    await expectRecordedError(
      complete({ IfMatch: etag }),
      rec('test_multipart_if_match_with_put_identical', 'complete-multipart-if-match-put-during'),
    );
  });

  it('test_multipart_if_match_with_delete', async () => {
    const bucket = await newBucket(s3);
    const etag = await putEtag(bucket, 'test');
    const complete = await startMultipart(bucket);
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: KEY }));
    await expectRecordedError(
      complete({ IfMatch: etag }),
      rec('test_multipart_if_match_with_delete', 'complete-multipart-after-del'),
    );
    await putEtag(bucket, 'test');
    await expectRecordedError(
      complete({ IfMatch: etag }),
      rec('test_multipart_if_match_with_delete', 'complete-multipart-if-match-after-put'),
    );
  });

  it('test_multipart_if_match_etag', async () => {
    const bucket = await newBucket(s3);
    const original = await putEtag(bucket, 'test');
    const first = await (await startMultipart(bucket))({ IfMatch: original });
    const expected = rec('test_multipart_if_match_etag', 'complete-multipart-if-match') as { ETag: string };
    expect(first.ETag).toBe(expected.ETag);
    const overwrite = await startMultipart(bucket);
    await expectRecordedError(
      overwrite({ IfMatch: original }),
      rec('test_multipart_if_match_etag', 'complete-multipart-if-match-true-etag'),
    );
    const last = await overwrite({ IfMatch: first.ETag ?? '' });
    expect(last.ETag).toBe(expected.ETag);
  });
});

describe('CopyObject preconditions', () => {
  async function withSource(versioned = false) {
    const bucket = await newBucket(s3, { versioned });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'source-object', Body: 'source content' }));
    const copy = (key: string, conditions: { IfMatch?: string; IfNoneMatch?: string } = {}) =>
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: key,
          CopySource: `${bucket}/source-object`,
          ...conditions,
        }),
      );
    return { bucket, copy };
  }

  it('test_copy_object_if_none_match', async () => {
    const { copy } = await withSource();
    const done = await copy('dest-object', { IfNoneMatch: '*' });
    expect(done.CopyObjectResult?.ETag).toBe(
      (rec('test_copy_object_if_none_match', 'copy-obj') as { CopyObjectResult: { ETag: string } })
        .CopyObjectResult.ETag,
    );
    await expectRecordedError(
      copy('dest-object', { IfNoneMatch: '*' }),
      rec('test_copy_object_if_none_match', 'copy-obj-if-none-match-fail'),
    );
  });

  it('test_copy_object_if_match', async () => {
    const { copy } = await withSource();
    const first = await copy('dest-object');
    await copy('dest-object', { IfMatch: first.CopyObjectResult?.ETag ?? '' });
    await expectRecordedError(
      copy('dest-object', { IfMatch: '"abcdef"' }),
      rec('test_copy_object_if_match', 'copy-obj-if-match-fail-wrong-etag'),
    );
    KEY_ALIASES['non-existent-key'] = 'non-existent-key';
    await expectRecordedError(
      copy('non-existent-key', { IfMatch: '"abcdef"' }),
      rec('test_copy_object_if_match', 'copy-obj-if-match-fail-no-object'),
    );
  });

  it('test_copy_object_if_none_match_versioned_bucket', async () => {
    const { bucket, copy } = await withSource(true);
    await copy('dest-object', { IfNoneMatch: '*' });
    await expectRecordedError(
      copy('dest-object', { IfNoneMatch: '*' }),
      rec('test_copy_object_if_none_match_versioned_bucket', 'copy-obj-if-none-match-fail'),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'dest-object' }));
    const after = await copy('dest-object', { IfNoneMatch: '*' });
    expect(after.CopySourceVersionId).toBeDefined();
    expect(after.VersionId).toBeDefined();
  });

  it('test_copy_object_if_match_versioned_bucket', async () => {
    const { bucket, copy } = await withSource(true);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'dest-object', Body: 'dest content' }));
    await expectRecordedError(
      copy('dest-object', { IfMatch: '"abcdef"' }),
      rec('test_copy_object_if_match_versioned_bucket', 'copy-obj-if-match-wrong-etag'),
    );
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'dest-object' }));
    KEY_ALIASES['dest-object'] = 'dest-object';
    await expectRecordedError(
      copy('dest-object', { IfMatch: '"abcdef"' }),
      rec('test_copy_object_if_match_versioned_bucket', 'copy-obj-after-del-exc'),
    );
  });

  it('test_copy_object_precondition_write_validation', async () => {
    const { copy } = await withSource();
    const test = 'test_copy_object_precondition_write_validation';
    await expectRecordedError(
      copy('dest-object', { IfNoneMatch: '"etag"' }),
      rec(test, 'copy-obj-none-match-etag'),
    );
    await expectRecordedError(copy('dest-object', { IfMatch: '*' }), rec(test, 'copy-obj-if-match-star'));
    await expectRecordedError(
      copy('dest-object', { IfMatch: '"a"', IfNoneMatch: '*' }),
      rec(test, 'copy-obj-both'),
    );
  });

  it('test_copy_object_if_none_match_in_place and test_copy_object_if_match_in_place', async () => {
    const { bucket } = await withSource();
    const inPlace = (conditions: { IfMatch?: string; IfNoneMatch?: string }) =>
      s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: 'source-object',
          CopySource: `${bucket}/source-object`,
          MetadataDirective: 'REPLACE',
          ...conditions,
        }),
      );
    await expectRecordedError(
      inPlace({ IfNoneMatch: '*' }),
      rec('test_copy_object_if_none_match_in_place', 'copy-obj-if-none-match-fail'),
    );
    const etag = (
      rec('test_copy_object_if_match_in_place', 'copy-obj-if-match-in-place') as {
        CopyObjectResult: { ETag: string };
      }
    ).CopyObjectResult.ETag;
    const done = await inPlace({ IfMatch: etag });
    expect(done.CopyObjectResult?.ETag).toBe(etag);
  });
});
