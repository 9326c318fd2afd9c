import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

describe('service configuration', () => {
  it('demands the resource names a function needs, naming the variable', () => {
    expect(() => loadConfig({ TABLE_NAME: 't' })).toThrow('BUCKET_NAME must be set');
    expect(() => loadConfig({ BUCKET_NAME: 'b' }, {}, { bucket: true, table: true })).toThrow(
      'TABLE_NAME must be set',
    );
  });

  it('does not demand names a function never uses', () => {
    const status = loadConfig({ TABLE_NAME: 't' }, {}, { bucket: false, table: true });
    expect(status.tableName).toBe('t');
    expect(status.bucketName).toBe('');
    expect(loadConfig({}, {}, { bucket: false, table: false }).uploadsPrefix).toBe('uploads/');
  });

  it("rejects malformed numbers with the variable's name", () => {
    expect(() => loadConfig({ BUCKET_NAME: 'b', TABLE_NAME: 't', UPLOAD_URL_TTL_SECONDS: '30s' })).toThrow(
      'UPLOAD_URL_TTL_SECONDS must be a whole number',
    );
  });
});
