import type { ServiceHandlers } from '@one-time-upload/services';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { ApiKeys } from '../src/api-keys.js';
import { buildApp } from '../src/app.js';
import { UsagePlanLimiter } from '../src/usage-plan.js';

const KEY = 'k'.repeat(20);
const OTHER = 'o'.repeat(24);

/** Handlers that echo the proxy event they receive, to see what the gateway hands to Lambda. */
function echoHandlers(): ServiceHandlers & { events: APIGatewayProxyEvent[] } {
  const events: APIGatewayProxyEvent[] = [];
  const echo = async (event: APIGatewayProxyEvent) => {
    events.push(event);
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ok: true }),
    };
  };
  return {
    events,
    issueUploadUrl: echo,
    getUploadStatus: echo,
    acceptFirstUpload: async () => {},
    processAcceptedFile: async () => {},
  };
}

async function app(plan = { rateLimit: 1000, burstLimit: 1000, quotaPerDay: 1000 }, now?: () => number) {
  const handlers = echoHandlers();
  const instance = await buildApp({
    apiKeys: [KEY, OTHER],
    usagePlan: plan,
    handlers,
    logger: false,
    ...(now ? { now } : {}),
  });
  return { instance, handlers };
}

describe('API Gateway emulation', () => {
  it('answers 403 Forbidden without a key or with an unknown key', async () => {
    const { instance, handlers } = await app();
    for (const headers of [{}, { 'x-api-key': 'wrong-key-wrong-key-wrong' }, { 'x-api-key': KEY.slice(1) }]) {
      const response = await instance.inject({ method: 'GET', url: '/getpresignedurl', headers });
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({ message: 'Forbidden' });
    }
    expect(handlers.events).toHaveLength(0);
  });

  it("hands a proxy event to the handler, without the key's value", async () => {
    const { instance, handlers } = await app();
    const response = await instance.inject({
      method: 'POST',
      url: '/uploads?x=1',
      headers: { 'x-api-key': OTHER, 'content-type': 'application/json' },
      payload: '{"method":"POST"}',
    });
    expect(response.statusCode).toBe(200);
    const [event] = handlers.events;
    expect(event).toMatchObject({
      httpMethod: 'POST',
      resource: '/uploads',
      path: '/uploads',
      body: '{"method":"POST"}',
    });
    expect(event?.queryStringParameters).toEqual({ x: '1' });
    expect(JSON.stringify(event)).not.toContain(OTHER);
    expect(event?.requestContext.identity.apiKeyId).toBe('local-key-1');
  });

  it('passes path parameters as API Gateway does', async () => {
    const { instance, handlers } = await app();
    await instance.inject({ method: 'GET', url: '/uploads/abc123', headers: { 'x-api-key': KEY } });
    expect(handlers.events[0]).toMatchObject({ resource: '/uploads/{id}', pathParameters: { id: 'abc123' } });
  });

  it('answers an unknown route with Missing Authentication Token', async () => {
    const { instance } = await app();
    const response = await instance.inject({
      method: 'DELETE',
      url: '/uploads',
      headers: { 'x-api-key': KEY },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  it('throttles past the burst with 429 Too Many Requests, and refills at the rate', async () => {
    let now = 1_000_000;
    const { instance } = await app({ rateLimit: 2, burstLimit: 3, quotaPerDay: 100 }, () => now);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push(
        (await instance.inject({ method: 'GET', url: '/getpresignedurl', headers: { 'x-api-key': KEY } }))
          .statusCode,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    const throttled = await instance.inject({
      method: 'GET',
      url: '/getpresignedurl',
      headers: { 'x-api-key': KEY },
    });
    expect(throttled.json()).toEqual({ message: 'Too Many Requests' });
    now += 500; // 2 per second: one token back
    expect(
      (await instance.inject({ method: 'GET', url: '/getpresignedurl', headers: { 'x-api-key': KEY } }))
        .statusCode,
    ).toBe(200);
    // Another key has its own bucket.
    expect(
      (await instance.inject({ method: 'GET', url: '/getpresignedurl', headers: { 'x-api-key': OTHER } }))
        .statusCode,
    ).toBe(200);
  });

  it('stops a key at its daily quota with 429 Limit Exceeded, until the next UTC day', async () => {
    let now = Date.parse('2026-06-01T23:59:00Z');
    const { instance } = await app({ rateLimit: 1000, burstLimit: 1000, quotaPerDay: 2 }, () => now);
    const call = () =>
      instance.inject({ method: 'GET', url: '/getpresignedurl', headers: { 'x-api-key': KEY } });
    expect((await call()).statusCode).toBe(200);
    expect((await call()).statusCode).toBe(200);
    const over = await call();
    expect(over.statusCode).toBe(429);
    expect(over.json()).toEqual({ message: 'Limit Exceeded' });
    now = Date.parse('2026-06-02T00:00:01Z');
    expect((await call()).statusCode).toBe(200);
  });

  it('serves /health without a key', async () => {
    const { instance } = await app();
    expect((await instance.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({ status: 'ok' });
  });
});

describe('API keys', () => {
  it("matches only the exact key, whatever the candidate's length", () => {
    const keys = new ApiKeys([KEY, OTHER]);
    expect(keys.match(KEY)).toBe(0);
    expect(keys.match(OTHER)).toBe(1);
    expect(keys.match(`${KEY}x`)).toBe(-1);
    expect(keys.match('')).toBe(-1);
    expect(keys.match(undefined)).toBe(-1);
  });
});

describe('usage plan limiter', () => {
  it('keeps keys apart', () => {
    const limiter = new UsagePlanLimiter({ rateLimit: 1, burstLimit: 1, quotaPerDay: 5 }, () => 0);
    expect(limiter.check(0)).toBe('allowed');
    expect(limiter.check(0)).toBe('throttled');
    expect(limiter.check(1)).toBe('allowed');
    expect(limiter.remainingQuota(0)).toBe(4);
  });
});
