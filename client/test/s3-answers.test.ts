import { describe, expect, it } from 'vitest';
import type { IssuedUpload } from '../src/api-client.js';
import { s3Refused } from '../src/commands.js';
import { EXIT_CODES } from '../src/errors.js';

const upload = {
  id: 'abc',
  key: 'uploads/x',
  method: 'POST',
  url: 'http://s3',
  fields: {},
  expiresAt: '',
} as IssuedUpload;

describe('S3 answers to an upload', () => {
  it('treats a 4xx as a refusal of this upload (exit 5)', () => {
    const error = s3Refused(upload, {
      file: 'a.txt',
      size: 1,
      s3: { status: 403, code: 'AccessDenied', message: 'Policy expired.' },
    });
    expect(error.kind).toBe('s3-refused');
    expect(error.message).toContain('403 AccessDenied: Policy expired.');
    expect(error.exitCode).toBe(EXIT_CODES.uploadRefused);
    expect(error.exitCode).toBe(5);
  });

  it('treats a 5xx as S3 being unavailable, to try again (exit 6)', () => {
    for (const s3 of [
      { status: 500, code: 'InternalError' },
      { status: 503, code: 'SlowDown' },
    ]) {
      const error = s3Refused(upload, { file: 'a.txt', size: 1, s3 });
      expect(error.kind).toBe('unavailable');
      expect(error.message).toContain('right now');
      expect(error.exitCode).toBe(6);
    }
  });
});
