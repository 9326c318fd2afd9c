import { describe, expect, it } from 'vitest';
import type { UploadStatus } from '../src/api-client.js';
import { defaultLateDelaySeconds } from '../src/commands.js';
import { CliError } from '../src/errors.js';
import { multipartEnvelope } from '../src/multipart.js';
import { formatBytes, renderProgress } from '../src/progress-bar.js';
import { waitForStatus } from '../src/verdict.js';

describe('multipart envelope', () => {
  it('puts every field first and the file last, and knows the exact length', async () => {
    const fields = { key: 'uploads/k', Policy: 'cG9saWN5', 'X-Amz-Signature': 'abc' };
    const file = Buffer.from('héllo, file\r\n--not-a-boundary');
    const envelope = multipartEnvelope(fields, { filename: 'a "b".txt', size: file.length }, 'BOUNDARY');

    const body = Buffer.concat([envelope.preamble, file, envelope.epilogue]);

    expect(envelope.contentLength).toBe(body.length);
    expect(envelope.contentType).toBe('multipart/form-data; boundary=BOUNDARY');
    // A parser that knows the format (the Fetch API's) reads back exactly the fields and the file.
    const form = await new Response(body, { headers: { 'content-type': envelope.contentType } }).formData();
    expect([...form.keys()]).toEqual(['key', 'Policy', 'X-Amz-Signature', 'file']);
    expect(form.get('Policy')).toBe('cG9saWN5');
    const part = form.get('file') as File;
    expect(part.name).toBe('a "b".txt');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(file);
  });

  it('uses a fresh random boundary by default', () => {
    const a = multipartEnvelope({}, { filename: 'f', size: 1 });
    const b = multipartEnvelope({}, { filename: 'f', size: 1 });
    expect(a.contentType).not.toBe(b.contentType);
  });
});

describe('progress bar', () => {
  it('shows the share sent, the sizes and the rate', () => {
    expect(renderProgress('f.bin', 25_000_000, 50_000_000, 1000, 10)).toBe(
      'f.bin █████░░░░░  50%  25.0 MB / 50.0 MB  25.0 MB/s',
    );
    expect(renderProgress('f.bin', 50_000_000, 50_000_000, 0, 4)).toBe('f.bin ████ 100%  50.0 MB / 50.0 MB');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(2 * 1024 ** 3)).toBe('2.1 GB');
  });
});

describe('late delay', () => {
  it("defaults to the URL's validity plus ten seconds, counted from when it was issued", () => {
    const issuedAt = Date.parse('2026-01-01T00:00:00.000Z');
    expect(defaultLateDelaySeconds({ expiresAt: '2026-01-01T00:00:30.000Z' }, issuedAt)).toBe(40);
    expect(defaultLateDelaySeconds({ expiresAt: '2026-01-01T00:00:04.200Z' }, issuedAt)).toBe(15);
  });
});

describe('waiting for the verdict', () => {
  const status = (over: Partial<UploadStatus>): UploadStatus => ({
    id: 'i',
    key: 'k',
    status: 'issued',
    method: 'POST',
    expiresAt: '2026-01-01T00:00:30.000Z',
    duplicateAttempts: 0,
    ...over,
  });

  it('polls until the status is the expected one, throttling only delaying it', async () => {
    const answers: (UploadStatus | CliError)[] = [
      status({}),
      new CliError('throttled', '429'),
      status({ status: 'accepted' }),
    ];
    let clock = 0;
    const advance = (ms: number) => {
      clock += ms;
    };
    const result = await waitForStatus(
      {
        status: async () => {
          const next = answers.shift();
          if (next instanceof Error) throw next;
          if (!next) throw new Error('polled after the verdict');
          return next;
        },
      },
      'i',
      (s) => s.status === 'accepted',
      { deadlineMs: 10_000, now: () => clock, sleep: async (ms) => advance(ms) },
    );
    expect(result).toEqual({ status: status({ status: 'accepted' }), met: true });
  });

  it('gives up at the deadline with the last status seen', async () => {
    let clock = 0;
    const advance = (ms: number) => {
      clock += ms;
    };
    let polls = 0;
    const result = await waitForStatus(
      {
        status: async () => {
          polls++;
          return status({});
        },
      },
      'i',
      (s) => s.status === 'accepted',
      { deadlineMs: 5_000, now: () => clock, sleep: async (ms) => advance(ms) },
    );
    expect(result).toEqual({ status: status({}), met: false });
    expect(clock).toBe(5_000);
    expect(polls).toBeGreaterThan(5);
  });

  it('stops at once on an error that waiting cannot fix', async () => {
    await expect(
      waitForStatus(
        { status: async () => Promise.reject(new CliError('quota-exceeded', 'Limit Exceeded')) },
        'i',
        () => true,
        { deadlineMs: 5_000 },
      ),
    ).rejects.toMatchObject({ kind: 'quota-exceeded' });
  });
});
