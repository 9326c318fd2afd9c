import type { ServiceHandlers } from '@one-time-upload/services';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';

/** The upload page is public; the API routes beside it still want a key. (In a browser: client/test.) */
const KEY = 'k'.repeat(20);

const handlers: ServiceHandlers = {
  issueUploadUrl: async () => ({ statusCode: 201, body: '{}' }),
  getUploadStatus: async () => ({ statusCode: 200, body: '{}' }),
  acceptFirstUpload: async () => {},
  processAcceptedFile: async () => {},
};

async function app() {
  return buildApp({
    apiKeys: [KEY],
    usagePlan: { rateLimit: 1000, burstLimit: 1000, quotaPerDay: 1000 },
    handlers,
    logger: false,
  });
}

describe('the upload page', () => {
  it('is served at / without an API key, as HTML that cannot be framed', async () => {
    const response = await (await app()).inject({ method: 'GET', url: '/' });

    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.body).toContain('<title>One-time upload</title>');
    expect(response.body).toMatch(/<input id="api-key" type="password"/);
  });

  it('leaves the API routes behind the key', async () => {
    const response = await (await app()).inject({ method: 'POST', url: '/uploads' });

    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ message: 'Forbidden' });
  });
});
