import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { call, issuePost, issuePut, postFile, putFile, status, waitForStatus } from '../src/client.js';
import type { Target } from '../src/target.js';
import { selectTarget } from './select-target.js';

/** The one-time upload flow, end to end, against whichever target INTEGRATION_TARGET names. */
let target: Target;
let skipReason: string | undefined;
beforeAll(async () => {
  const selection = await selectTarget();
  if (selection.skipReason !== undefined) {
    skipReason = selection.skipReason;
    console.warn(`integration suite skipped on ${process.env.INTEGRATION_TARGET}: ${skipReason}`);
    return;
  }
  target = selection.target;
});
afterAll(async () => {
  await target?.stop();
});

/** Skips the test, with the reason, when the target is absent or lacks what the test needs. */
function need(context: TestContext, gap?: keyof Target['gaps']): void {
  if (skipReason !== undefined) context.skip(skipReason);
  const missing = gap ? target.gaps[gap] : undefined;
  if (missing) context.skip(`${target.name}: ${missing}`);
}

async function acceptedBytes(acceptedKey: string): Promise<string> {
  const got = await target.s3.send(new GetObjectCommand({ Bucket: target.bucket, Key: acceptedKey }));
  return (await got.Body?.transformToString()) ?? '';
}

const accepted = (duplicates: number) => (s: { status: string; duplicateAttempts: number }) =>
  s.status === 'accepted' && s.duplicateAttempts === duplicates;

describe('one-time upload URLs', () => {
  it("accepts one upload with identical bytes (GET /getpresignedurl, the original clients' call)", async (context) => {
    need(context);
    const response = await call(target, 'GET', '/getpresignedurl');
    expect(response.status).toBe(200);
    const issued = response.json as {
      url: { url: string; fields: Record<string, string> };
      id: string;
      key: string;
    };
    const content = `one upload ${Date.now()}`;
    expect((await postFile(issued.url.url, issued.url.fields, content)).status).toBe(204);
    const done = await waitForStatus(target, issued.id, accepted(0));
    expect(done.acceptedKey).toBe(issued.key.replace(/^uploads\//, 'accepted/'));
    expect(await acceptedBytes(done.acceptedKey ?? '')).toBe(content);
  });

  it('accepts the first of two uploads to one URL and flags the second', async (context) => {
    need(context);
    const issued = await issuePost(target);
    expect((await postFile(issued.url, issued.fields, 'first of two')).status).toBe(204);
    expect((await postFile(issued.url, issued.fields, 'second of two')).status).toBe(204);
    const done = await waitForStatus(target, issued.id, accepted(1));
    expect(await acceptedBytes(done.acceptedKey ?? '')).toBe('first of two');
  });

  it('accepts the first of three uploads to one URL and counts two duplicates', async (context) => {
    need(context);
    const issued = await issuePost(target);
    for (const content of ['first of three', 'second of three', 'third of three']) {
      expect((await postFile(issued.url, issued.fields, content)).status).toBe(204);
    }
    const done = await waitForStatus(target, issued.id, accepted(2));
    expect(await acceptedBytes(done.acceptedKey ?? '')).toBe('first of three');
  });

  it('has S3 refuse an upload after the URL expired', async (context) => {
    need(context);
    const issued = await issuePost(target);
    const wait = Date.parse(issued.expiresAt) - Date.now() + 1500;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
    const answer = await postFile(issued.url, issued.fields, 'too late');
    expect(answer.status).toBe(403);
    expect(answer.code).toBe('AccessDenied');
    expect(answer.message).toBe('Invalid according to Policy: Policy expired.');
    expect((await status(target, issued.id)).status).toBe('expired');
  }, 120_000);

  describe('tampered forms', () => {
    it('refuses a changed key (403)', async (context) => {
      need(context);
      const issued = await issuePost(target);
      const answer = await postFile(issued.url, { ...issued.fields, key: `${issued.fields.key}-mine` }, 'x');
      expect(answer.status).toBe(403);
      expect(answer.code).toBe('AccessDenied');
    });

    it('refuses a changed policy (403)', async (context) => {
      need(context, 'postSignatures');
      const issued = await issuePost(target);
      const policy = JSON.parse(Buffer.from(issued.fields.Policy ?? '', 'base64').toString());
      policy.conditions = policy.conditions.map((c: unknown) =>
        Array.isArray(c) && c[0] === 'content-length-range' ? ['content-length-range', 1, 10 * 1024 ** 3] : c,
      );
      const forged = Buffer.from(JSON.stringify(policy)).toString('base64');
      const answer = await postFile(issued.url, { ...issued.fields, Policy: forged }, 'x');
      expect(answer.status).toBe(403);
      expect(answer.code).toBe('SignatureDoesNotMatch');
    });

    it('refuses a changed signature (403)', async (context) => {
      need(context, 'postSignatures');
      const issued = await issuePost(target);
      const signature = issued.fields['X-Amz-Signature'] ?? '';
      const forged = `${signature.slice(0, -1)}${signature.endsWith('a') ? 'b' : 'a'}`;
      const answer = await postFile(issued.url, { ...issued.fields, 'X-Amz-Signature': forged }, 'x');
      expect(answer.status).toBe(403);
      expect(answer.code).toBe('SignatureDoesNotMatch');
    });
  });

  it("has S3 refuse a file over the caller's maxBytes (400 EntityTooLarge)", async (context) => {
    need(context);
    const issued = await issuePost(target, { maxBytes: 10 });
    const answer = await postFile(issued.url, issued.fields, 'eleven byte');
    expect(answer.status).toBe(400);
    expect(answer.code).toBe('EntityTooLarge');
    expect((await status(target, issued.id)).status).not.toBe('accepted');
  });

  it('has S3 refuse a file over MAX_UPLOAD_BYTES (400 EntityTooLarge)', async (context) => {
    need(context);
    const issued = await issuePost(target);
    const answer = await postFile(issued.url, issued.fields, Buffer.alloc(target.maxUploadBytes + 1, 'x'));
    expect(answer.status).toBe(400);
    expect(answer.code).toBe('EntityTooLarge');
  });

  it('in strict mode, has S3 refuse the second PUT (412) and accepts the first', async (context) => {
    need(context);
    const content = 'strict mode upload';
    const issued = await issuePut(target, Buffer.byteLength(content));
    expect(issued.headers['If-None-Match']).toBe('*');
    expect((await putFile(issued, content)).status).toBe(200);
    const second = await putFile(issued, 'strict mode again!');
    expect(second.status).toBe(412);
    expect(second.code).toBe('PreconditionFailed');
    const done = await waitForStatus(target, issued.id, accepted(0));
    expect(await acceptedBytes(done.acceptedKey ?? '')).toBe(content);
  });

  it('refuses a missing or wrong API key (403 Forbidden)', async (context) => {
    need(context);
    for (const key of [null, 'not-the-key-not-the-key-not-the-key']) {
      const response = await call(target, 'GET', '/getpresignedurl', undefined, key);
      expect(response.status).toBe(403);
      expect(response.json).toEqual({ message: 'Forbidden' });
    }
  });

  it('answers 400 naming the problem for a bad body', async (context) => {
    need(context);
    const response = await call(target, 'POST', '/uploads', { method: 'PUT' });
    expect(response.status).toBe(400);
    expect(String(response.json.message)).toContain('contentLength');
  });

  it('answers 404 for an unknown upload id', async (context) => {
    need(context);
    const response = await call(target, 'GET', '/uploads/AAAAAAAAAAAAAAAAAAAAAA');
    expect(response.status).toBe(404);
  });

  it('throttles (429 Too Many Requests) and enforces the daily quota (429 Limit Exceeded)', async (context) => {
    need(context, 'usagePlan');
    if (!target.tightUsagePlan) context.skip(`${target.name}: no tight usage plan here`);
    const tight = await (target.tightUsagePlan as NonNullable<Target['tightUsagePlan']>)();
    try {
      const burst = await Promise.all(
        Array.from({ length: tight.burstLimit + 2 }, () => call(tight, 'GET', '/getpresignedurl')),
      );
      const statuses = burst.map((r) => r.status).sort();
      expect(statuses.filter((s) => s === 200)).toHaveLength(tight.burstLimit);
      expect(burst.find((r) => r.status === 429)?.json).toEqual({ message: 'Too Many Requests' });
      // Use the rest of the day's quota as tokens come back, then one more.
      let used = tight.burstLimit;
      let last = { status: 0, json: {} as Record<string, unknown> };
      const until = Date.now() + 20_000;
      while (Date.now() < until) {
        last = await call(tight, 'GET', '/getpresignedurl');
        if (last.status === 200) used += 1;
        if (last.status === 429 && last.json.message === 'Limit Exceeded') break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(used).toBe(tight.quotaPerDay);
      expect(last).toMatchObject({ status: 429, json: { message: 'Limit Exceeded' } });
    } finally {
      await tight.stop();
    }
  });

  it('holds under duplicated and reordered event delivery', async (context) => {
    need(context, 'chaoticDelivery');
    const uploads = await Promise.all(Array.from({ length: 3 }, () => issuePost(target)));
    for (const issued of uploads) {
      for (const n of [1, 2, 3, 4]) await postFile(issued.url, issued.fields, `${issued.id} upload ${n}`);
    }
    for (const issued of uploads) {
      const done = await waitForStatus(target, issued.id, accepted(3));
      expect(await acceptedBytes(done.acceptedKey ?? '')).toBe(`${issued.id} upload 1`);
    }
  });

  it('completes the copy when the handler dies between claim and copy, on retry', async (context) => {
    need(context, 'faultInjection');
    if (!target.failNextCopy) context.skip(`${target.name}: no fault injection here`);
    const fault = (target.failNextCopy as NonNullable<Target['failNextCopy']>)();
    const issued = await issuePost(target);
    expect((await postFile(issued.url, issued.fields, 'survives a crash')).status).toBe(204);
    const done = await waitForStatus(target, issued.id, accepted(0));
    expect(fault.failed()).toBe(true);
    expect(await acceptedBytes(done.acceptedKey ?? '')).toBe('survives a crash');
  });
});
