import { describe, expect, it } from 'vitest';
import { loadDevServerConfig } from '../src/config.js';

describe('dev server configuration', () => {
  it('has the documented defaults and generates a key', () => {
    const config = loadDevServerConfig({});
    expect(config).toMatchObject({
      port: 3000,
      embeddedPort: 4566,
      generatedApiKey: true,
      usagePlan: { rateLimit: 10_000, burstLimit: 1_000, quotaPerDay: 1_000 },
      service: {
        uploadUrlTtlSeconds: 30,
        maxUploadBytes: 2 * 1024 ** 3,
        bucketName: 'one-time-upload-bucket',
        tableName: 'one-time-upload-claims',
      },
    });
    expect(config.apiKeys[0]?.length).toBeGreaterThanOrEqual(20);
  });

  it('reads every variable', () => {
    const config = loadDevServerConfig({
      PORT: '8080',
      EMBEDDED_PORT: '0',
      API_KEYS: 'aaaaaaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbbbb',
      UPLOAD_URL_TTL_SECONDS: '60',
      MAX_UPLOAD_BYTES: '1000',
      USAGE_PLAN_RATE_LIMIT: '5',
      USAGE_PLAN_BURST_LIMIT: '2',
      USAGE_PLAN_QUOTA_PER_DAY: '10',
      BUCKET_NAME: 'b',
      TABLE_NAME: 't',
    });
    expect(config).toMatchObject({
      port: 8080,
      embeddedPort: 0,
      apiKeys: ['aaaaaaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbbbbb'],
      generatedApiKey: false,
      usagePlan: { rateLimit: 5, burstLimit: 2, quotaPerDay: 10 },
      service: { uploadUrlTtlSeconds: 60, maxUploadBytes: 1000, bucketName: 'b', tableName: 't' },
    });
  });

  it.each([
    [{ PORT: 'http' }, 'PORT must be a whole number'],
    [{ PORT: '70000' }, 'PORT must be between 0 and 65535'],
    [{ API_KEYS: 'short' }, 'API_KEYS must be comma-separated keys of at least 20'],
    [{ UPLOAD_URL_TTL_SECONDS: '0' }, 'UPLOAD_URL_TTL_SECONDS must be between 1 and 604800'],
    [{ MAX_UPLOAD_BYTES: '6000000000' }, 'MAX_UPLOAD_BYTES must be between 1 and 5368709120'],
    [{ USAGE_PLAN_RATE_LIMIT: '-1' }, 'USAGE_PLAN_RATE_LIMIT must be a whole number'],
  ])('fails fast naming the variable: %o', (env, message) => {
    expect(() => loadDevServerConfig(env)).toThrow(message);
  });
});
