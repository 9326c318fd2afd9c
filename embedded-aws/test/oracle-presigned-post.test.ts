import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newBucket, startTestEndpoint, type TestEndpoint } from './helpers.js';
import { expectOracleError, oracle } from './oracle.js';
import { type Field, postForm, presignedPost, replaced, sigV2Post, without } from './post-client.js';

/** Each case sends the request described in fixtures/aws-oracle/README.md and compares with real S3. */
let endpoint: TestEndpoint;
let bucket: string;
beforeAll(async () => {
  endpoint = await startTestEndpoint();
  bucket = await newBucket(endpoint.s3);
});
afterAll(async () => {
  await endpoint.stop();
});

const post = (
  key: string,
  extra: { Conditions?: never[] | unknown[]; Fields?: Record<string, string>; Expires?: number } = {},
) =>
  presignedPost(endpoint.s3, {
    Bucket: bucket,
    Key: key,
    Expires: extra.Expires ?? 60,
    ...(extra.Fields ? { Fields: extra.Fields } : {}),
    // biome-ignore lint/suspicious/noExplicitAny: conditions are deliberately malformed in some cases
    ...(extra.Conditions ? { Conditions: extra.Conditions as any } : {}),
  });

async function bodyOf(key: string): Promise<string> {
  const got = await endpoint.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await got.Body?.transformToString()) ?? '';
}

function v2Form(key: string, expiresInSeconds = 60): { url: string; fields: Field[] } {
  const expiration = new Date(Date.now() + expiresInSeconds * 1000).toISOString();
  const fields = sigV2Post({ expiration, conditions: [{ bucket }, { key }] }, 'test', 'test', [['key', key]]);
  return { url: `${endpoint.aws.endpoint}/${bucket}`, fields };
}

describe('POST Object against recorded S3 answers', () => {
  it('test_post_request_expires: an expired policy is refused', async () => {
    const { url, fields } = await post('expired', { Expires: -2 });
    const res = await postForm(url, fields, { content: 'late', filename: 'late.txt' });
    expectOracleError(res, oracle('s3_presigned_post', 'test_post_request_expires', 'exception'));
  });

  it('test_post_request_malformed_policy[s3v4]: a truncated policy fails its signature', async () => {
    const { url, fields } = await post('malformed-v4');
    const policy = fields.find(([n]) => n === 'Policy')?.[1] ?? '';
    const res = await postForm(url, replaced(fields, 'Policy', policy.slice(0, -8)), {
      content: 'x',
      filename: 'x',
    });
    expectOracleError(
      res,
      oracle('s3_presigned_post', 'test_post_request_malformed_policy[s3v4]', 'exception-policy'),
    );
    expect(res.body).toContain(`<StringToSign>${policy.slice(0, -8)}</StringToSign>`);
  });

  it('test_post_request_malformed_policy[s3]: the same with a SigV2 form', async () => {
    const { url, fields } = v2Form('malformed-v2');
    const policy = fields.find(([n]) => n === 'policy')?.[1] ?? '';
    const res = await postForm(url, replaced(fields, 'policy', policy.slice(0, -8)), {
      content: 'x',
      filename: 'x',
    });
    expectOracleError(
      res,
      oracle('s3_presigned_post', 'test_post_request_malformed_policy[s3]', 'exception-policy'),
    );
  });

  it('test_post_request_missing_signature[s3v4]', async () => {
    const { url, fields } = await post('missing-sig-v4');
    const res = await postForm(url, without(fields, 'X-Amz-Signature'), { content: 'x', filename: 'x' });
    expectOracleError(
      res,
      oracle('s3_presigned_post', 'test_post_request_missing_signature[s3v4]', 'exception-missing-signature'),
    );
  });

  it('test_post_request_missing_signature[s3]', async () => {
    const { url, fields } = v2Form('missing-sig-v2');
    const res = await postForm(url, without(fields, 'signature'), { content: 'x', filename: 'x' });
    expectOracleError(
      res,
      oracle('s3_presigned_post', 'test_post_request_missing_signature[s3]', 'exception-missing-signature'),
    );
  });

  it('test_post_request_missing_fields[s3v4]: no X-Amz-Algorithm', async () => {
    const { url, fields } = await post('missing-alg');
    const res = await postForm(url, without(fields, 'X-Amz-Algorithm'), { content: 'x', filename: 'x' });
    expectOracleError(
      res,
      oracle('s3_presigned_post', 'test_post_request_missing_fields[s3v4]', 'exception-missing-fields'),
    );
  });

  it('test_post_request_missing_fields[s3v4]: no signature fields at all', async () => {
    const { url, fields } = await post('no-sig-fields');
    const stripped = without(
      fields,
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Signature',
      'Policy',
    );
    const res = await postForm(url, stripped, { content: 'x', filename: 'x' });
    expectOracleError(
      res,
      oracle(
        's3_presigned_post',
        'test_post_request_missing_fields[s3v4]',
        'exception-no-sig-related-fields',
      ),
    );
  });

  it('test_post_request_missing_fields[s3]: no AWSAccessKeyId', async () => {
    const { url, fields } = v2Form('missing-akid');
    const res = await postForm(url, without(fields, 'AWSAccessKeyId'), { content: 'x', filename: 'x' });
    expectOracleError(
      res,
      oracle('s3_presigned_post', 'test_post_request_missing_fields[s3]', 'exception-missing-fields'),
    );
  });

  it('test_post_request_missing_fields[s3]: no signature fields at all', async () => {
    const { url, fields } = v2Form('no-sig-v2');
    const res = await postForm(url, without(fields, 'AWSAccessKeyId', 'policy', 'signature'), {
      content: 'x',
      filename: 'x',
    });
    expectOracleError(
      res,
      oracle('s3_presigned_post', 'test_post_request_missing_fields[s3]', 'exception-no-sig-related-fields'),
    );
  });

  it('test_post_object_with_wrong_content_type: a urlencoded form is refused', async () => {
    const { url, fields } = await post('wrong-type');
    const response = await fetch(url, {
      method: 'POST',
      body: new URLSearchParams([...fields, ['file', 'content']]),
    });
    expectOracleError(
      { status: response.status, body: await response.text() },
      oracle('s3_presigned_post', 'test_post_object_with_wrong_content_type', 'invalid-content-type-error'),
    );
  });

  describe('test_post_object_policy_validation_size', () => {
    const sized = () => post('sized', { Conditions: [['content-length-range', 5, 10]] });

    it('refuses 12 bytes against a 5..10 range', async () => {
      const { url, fields } = await sized();
      const res = await postForm(url, fields, { content: 'a'.repeat(12), filename: 'f' });
      expectOracleError(
        res,
        oracle(
          's3_presigned_post',
          'test_post_object_policy_validation_size',
          'invalid-content-length-too-big',
        ),
      );
    });

    it('refuses 1 byte against a 5..10 range', async () => {
      const { url, fields } = await sized();
      const res = await postForm(url, fields, { content: 'a', filename: 'f' });
      expectOracleError(
        res,
        oracle(
          's3_presigned_post',
          'test_post_object_policy_validation_size',
          'invalid-content-length-too-small',
        ),
      );
    });

    it('accepts 10 bytes and stores them as S3 does', async () => {
      const { url, fields } = await sized();
      const res = await postForm(url, fields, { content: 'a'.repeat(10), filename: 'f' });
      expect(res.status).toBe(204);
      const expected = oracle('s3_presigned_post', 'test_post_object_policy_validation_size', 'final-object');
      const got = await endpoint.s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: 'sized', ChecksumMode: 'ENABLED' }),
      );
      expect(await got.Body?.transformToString()).toBe(expected.Body);
      expect(got.ETag).toBe(expected.ETag);
      expect(got.ContentLength).toBe(expected.ContentLength);
      expect(got.ContentType).toBe(expected.ContentType);
      expect(got.ChecksumCRC64NVME).toBe(expected.ChecksumCRC64NVME);
      expect(got.ServerSideEncryption).toBe(expected.ServerSideEncryption);
    });

    it('refuses a range given as non-numbers', async () => {
      const { url, fields } = await post('sized-bad', {
        Conditions: [['content-length-range', 'test', '10']],
      });
      const res = await postForm(url, fields, { content: 'aaaaaa', filename: 'f' });
      expectOracleError(
        res,
        oracle(
          's3_presigned_post',
          'test_post_object_policy_validation_size',
          'invalid-content-length-wrong-type',
        ),
      );
    });
  });

  describe('test_post_object_policy_conditions_validation_eq', () => {
    const redirect = 'http://localhost.test/random';
    const withRedirect = (condition: unknown) =>
      post('eq-key', { Fields: { success_action_redirect: redirect }, Conditions: [condition] });

    it('refuses a field that differs from an eq condition', async () => {
      const { url, fields } = await withRedirect(['eq', '$success_action_redirect', redirect]);
      const res = await postForm(url, replaced(fields, 'success_action_redirect', 'http://wrong.test/x'), {
        content: 'abcdef',
        filename: 'f',
      });
      expectOracleError(
        res,
        oracle(
          's3_presigned_post',
          'test_post_object_policy_conditions_validation_eq',
          'invalid-condition-eq',
        ),
      );
    });

    it('refuses a condition that names the field without $', async () => {
      const { url, fields } = await withRedirect(['eq', 'success_action_redirect', redirect]);
      const res = await postForm(url, fields, { content: 'abcdef', filename: 'f' });
      expectOracleError(
        res,
        oracle(
          's3_presigned_post',
          'test_post_object_policy_conditions_validation_eq',
          'invalid-condition-missing-prefix',
        ),
      );
    });

    it('refuses a simple condition with two properties', async () => {
      const { url, fields } = await withRedirect({ success_action_redirect: redirect, 'x-amz-meta-a': 'b' });
      const res = await postForm(url, fields, { content: 'abcdef', filename: 'f' });
      expectOracleError(
        res,
        oracle(
          's3_presigned_post',
          'test_post_object_policy_conditions_validation_eq',
          'invalid-condition-wrong-condition',
        ),
      );
    });

    it('compares values with their letter case', async () => {
      const { url, fields } = await withRedirect([
        'eq',
        '$success_action_redirect',
        redirect.replace('http', 'HTTP'),
      ]);
      const res = await postForm(url, fields, { content: 'abcdef', filename: 'f' });
      expectOracleError(
        res,
        oracle(
          's3_presigned_post',
          'test_post_object_policy_conditions_validation_eq',
          'invalid-condition-wrong-value-casing',
        ),
      );
    });

    it('matches field names without regard to case and redirects on success', async () => {
      const { url, fields } = await withRedirect(['eq', '$success_action_redirect', redirect]);
      const renamed = fields.map(
        ([n, v]): Field => [n === 'success_action_redirect' ? 'Success_Action_Redirect' : n, v],
      );
      const res = await postForm(url, renamed, { content: 'abcdef', filename: 'f' });
      expect(res.status).toBe(303);
      const location = new URL(res.headers.get('location') ?? '');
      expect(`${location.origin}${location.pathname}`).toBe(redirect);
      expect(location.searchParams.get('key')).toBe('eq-key');
      const expected = oracle(
        's3_presigned_post',
        'test_post_object_policy_conditions_validation_eq',
        'final-object',
      );
      const got = await endpoint.s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: 'eq-key', ChecksumMode: 'ENABLED' }),
      );
      expect(await got.Body?.transformToString()).toBe(expected.Body);
      expect(got.ETag).toBe(expected.ETag);
      expect(got.ChecksumCRC64NVME).toBe(expected.ChecksumCRC64NVME);
    });
  });

  describe('test_post_object_policy_conditions_validation_starts_with', () => {
    const condition = ['starts-with', '$success_action_redirect', 'http://localhost'];

    it('refuses a value that does not start with the prefix', async () => {
      const { url, fields } = await post('sw-key', {
        Fields: { success_action_redirect: 'http://wrong.test/x' },
        Conditions: [condition],
      });
      const res = await postForm(url, fields, { content: 'abcdef', filename: 'f' });
      expectOracleError(
        res,
        oracle(
          's3_presigned_post',
          'test_post_object_policy_conditions_validation_starts_with',
          'invalid-condition-starts-with',
        ),
      );
    });

    it('compares the prefix with its letter case', async () => {
      const { url, fields } = await post('sw-key', {
        Fields: { success_action_redirect: 'HTTP://localhost.test/x' },
        Conditions: [condition],
      });
      const res = await postForm(url, fields, { content: 'abcdef', filename: 'f' });
      expectOracleError(
        res,
        oracle(
          's3_presigned_post',
          'test_post_object_policy_conditions_validation_starts_with',
          'invalid-condition-starts-with-casing',
        ),
      );
    });

    it('accepts a matching prefix, and a later upload replaces the object', async () => {
      for (const [content, entry] of [
        ['abcdef', 'get-object-1'],
        ['manual value to change ETag', 'get-object-2'],
      ] as const) {
        const { url, fields } = await post('sw-key', {
          Fields: { success_action_redirect: 'http://localhost.test/ok' },
          Conditions: [condition],
        });
        const res = await postForm(url, fields, { content, filename: 'f' });
        expect(res.status).toBe(303);
        const expected = oracle(
          's3_presigned_post',
          'test_post_object_policy_conditions_validation_starts_with',
          entry,
        );
        const got = await endpoint.s3.send(
          new GetObjectCommand({ Bucket: bucket, Key: 'sw-key', ChecksumMode: 'ENABLED' }),
        );
        expect(await got.Body?.transformToString()).toBe(expected.Body);
        expect(got.ETag).toBe(expected.ETag);
        expect(got.ChecksumCRC64NVME).toBe(expected.ChecksumCRC64NVME);
      }
    });
  });

  it('test_post_object_with_metadata: Content-Type, x-amz-meta-* and Expires are stored', async () => {
    const { url, fields } = await post('with-meta', {
      Fields: {
        'Content-Type': 'text/plain',
        'x-amz-meta-test-1': 'test-meta-1',
        'x-amz-meta-test-2': 'test-meta-2',
        Expires: new Date(Date.now() + 86_400_000).toUTCString(),
      },
    });
    const res = await postForm(url, fields, { content: 'seventeen bytes!!', filename: 'f' });
    expect(res.status).toBe(204);
    const expected = oracle('s3_presigned_post', 'test_post_object_with_metadata', 'head-object');
    const head = await endpoint.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'with-meta' }));
    expect(head.ContentType).toBe(expected.ContentType);
    expect(head.Metadata).toEqual(expected.Metadata);
    expect(head.ContentLength).toBe(expected.ContentLength);
    expect(head.ServerSideEncryption).toBe(expected.ServerSideEncryption);
    expect(head.ExpiresString).toBeDefined();
  });

  it('test_post_object_with_storage_class: stored, and an unknown class is refused', async () => {
    const ok = await post('with-class', { Fields: { 'x-amz-storage-class': 'STANDARD_IA' } });
    expect((await postForm(ok.url, ok.fields, { content: 'x'.repeat(23), filename: 'f' })).status).toBe(204);
    const head = await endpoint.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'with-class' }));
    const expected = oracle('s3_presigned_post', 'test_post_object_with_storage_class', 'head-object');
    expect(head.StorageClass).toBe(expected.StorageClass);

    const bad = await post('with-bad-class', { Fields: { 'x-amz-storage-class': 'FakeClass' } });
    const res = await postForm(bad.url, bad.fields, { content: 'x', filename: 'f' });
    expectOracleError(
      res,
      oracle('s3_presigned_post', 'test_post_object_with_storage_class', 'invalid-storage-error'),
    );
  });

  it('test_post_object_with_file_as_string: the file may be a plain field; ${filename} stays literal', async () => {
    const key = 'file-as-field-${filename}';
    const { url, fields } = await post(key);
    const res = await postForm(url, fields, { content: 'x'.repeat(44) });
    expect(res.status).toBe(204);
    const listed = await endpoint.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'file-as-field-' }),
    );
    const expected = oracle('s3_presigned_post', 'test_post_object_with_file_as_string', 'list-objects') as {
      Contents: { Key: string; Size: number; ChecksumAlgorithm: string[] }[];
    };
    expect(listed.Contents?.[0]?.Key).toBe(expected.Contents[0]?.Key);
    expect(listed.Contents?.[0]?.Size).toBe(expected.Contents[0]?.Size);
    expect(listed.Contents?.[0]?.ChecksumAlgorithm).toEqual(expected.Contents[0]?.ChecksumAlgorithm);
  });

  it('replaces ${filename} with the uploaded file name', async () => {
    const { url, fields } = await presignedPost(endpoint.s3, {
      Bucket: bucket,
      Key: 'named/${filename}',
      Conditions: [['starts-with', '$key', 'named/']],
    });
    const res = await postForm(url, fields, { content: 'named', filename: 'photo.jpg' });
    expect(res.status).toBe(204);
    expect(await bodyOf('named/photo.jpg')).toBe('named');
  });

  it('test_post_object_default_checksum: S3 computes a CRC64NVME', async () => {
    const { url, fields } = await post('default-checksum');
    await postForm(url, fields, { content: 'abcdef', filename: 'f' });
    const head = await endpoint.s3.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'default-checksum', ChecksumMode: 'ENABLED' }),
    );
    const expected = oracle('s3_presigned_post', 'test_post_object_default_checksum', 'head-object');
    expect(head.ChecksumType).toBe(expected.ChecksumType);
    expect(head.ChecksumCRC64NVME).toBe('Pact6XRTYyA='); // S3's CRC64NVME of "abcdef", recorded above
  });

  it('test_post_object_with_unicode_metadata: unicode key and RFC 2047 metadata on HEAD', async () => {
    const key = 'test_unicode\u2014_file.pdf';
    const { url, fields } = await post(key, {
      Fields: {
        success_action_status: '201',
        'x-amz-meta-nonascii': 'ÄMÄZÕÑ S3',
        'x-amz-meta-utf-8': '\u0000\u0001\u0002\u0003\u0004',
        'x-amz-meta-q-encoded': '=?UTF-8?Q?actually-ascii?=',
      },
    });
    const res = await postForm(url, fields, { content: 'x'.repeat(17), filename: 'f' });
    expect(res.status).toBe(201);
    const expected = oracle('s3_presigned_post', 'test_post_object_with_unicode_metadata', 'post-object') as {
      PostResponse: { Key: string; Location: string };
    };
    expect(res.body).toContain(`<Key>${expected.PostResponse.Key}</Key>`);
    expect(
      res.headers.get('location')?.endsWith(expected.PostResponse.Location.replace('<bucket-url>', '')),
    ).toBe(true);
    const head = await endpoint.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const recordedHead = oracle(
      's3_presigned_post',
      'test_post_object_with_unicode_metadata',
      'head-object',
    ) as {
      Metadata: Record<string, string>;
    };
    expect(head.Metadata?.nonascii).toBe(recordedHead.Metadata.nonascii);
    expect(head.Metadata?.['utf-8']).toBe(recordedHead.Metadata['utf-8']);
    expect(head.Metadata?.['q-encoded']).toBe(recordedHead.Metadata['q-encoded']);
  });

  it('test_presigned_post_with_different_user_credentials: any known key pair may sign', async () => {
    const other = await startTestEndpoint({ credentials: { test: 'test', other: 'other-secret' } });
    try {
      const b = await newBucket(other.s3);
      const { S3Client } = await import('@aws-sdk/client-s3');
      const s3 = new S3Client({
        endpoint: other.aws.endpoint,
        region: 'eu-west-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'other', secretAccessKey: 'other-secret' },
      });
      const p = await presignedPost(s3, { Bucket: b, Key: 'k' });
      s3.destroy();
      expect((await postForm(p.url, p.fields, { content: 'abcdef', filename: 'f' })).status).toBe(204);
      const expected = oracle(
        's3_presigned_post',
        'test_presigned_post_with_different_user_credentials',
        'get-obj',
      );
      const got = await other.s3.send(new GetObjectCommand({ Bucket: b, Key: 'k' }));
      expect(await got.Body?.transformToString()).toBe(expected.Body);
    } finally {
      await other.stop();
    }
  });
});
