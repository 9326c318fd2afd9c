import { describe, expect, it } from 'vitest';
import { loadDevServerConfig } from '../src/config.js';
import { parseS3Event } from '../src/sqs-events.js';

describe('the LocalStack backend', () => {
  it('is chosen with BACKEND and reads the emulator and public S3 addresses', () => {
    const config = loadDevServerConfig({
      BACKEND: 'localstack',
      AWS_ENDPOINT_URL: 'http://localstack:4566/',
      S3_PUBLIC_ENDPOINT: 'http://localhost:4566',
      EVENTS_QUEUE_NAME: 'events',
    });
    expect(config.backend).toBe('localstack');
    expect(config.aws).toEqual({
      endpoint: 'http://localstack:4566',
      publicS3Endpoint: 'http://localhost:4566',
      region: 'us-east-1',
      queueName: 'events',
    });
  });

  it("signs for the emulator's own address unless told otherwise", () => {
    const config = loadDevServerConfig({ BACKEND: 'localstack', AWS_ENDPOINT_URL: 'http://127.0.0.1:4510' });
    expect(config.aws.publicS3Endpoint).toBe('http://127.0.0.1:4510');
    expect(loadDevServerConfig({}).backend).toBe('embedded');
  });

  it.each([
    [{ BACKEND: 'docker' }, 'BACKEND must be "embedded" or "localstack"'],
    [{ AWS_ENDPOINT_URL: 'localhost:4566' }, 'AWS_ENDPOINT_URL must be'],
    [{ S3_PUBLIC_ENDPOINT: 'ftp://x' }, 'S3_PUBLIC_ENDPOINT must be an http or https URL'],
  ])('fails fast naming the variable: %o', (env, message) => {
    expect(() => loadDevServerConfig(env)).toThrow(message);
  });

  it("reads S3 events from queue messages and ignores S3's test event and noise", () => {
    const record = { s3: { object: { key: 'uploads/a' }, bucket: { name: 'b' } } };
    expect(parseS3Event(JSON.stringify({ Records: [record] }))?.Records[0]?.s3.object.key).toBe('uploads/a');
    expect(
      parseS3Event(JSON.stringify({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' })),
    ).toBeUndefined();
    expect(parseS3Event('not json')).toBeUndefined();
    expect(parseS3Event(undefined)).toBeUndefined();
  });
});
