import { S3Client } from '@aws-sdk/client-s3';
import { loadDevServerConfig, startDevServer } from '@one-time-upload/dev-server';
import { copyFault } from './faults.js';
import type { Target, UsagePlanTarget } from './target.js';

/**
 * The embedded stack: the dev server with the embedded S3 + DynamoDB endpoint, in this process. Events
 * are delivered chaotically (some twice, out of order) for every test, and failed handlers are retried
 * after 100 ms, so each test also runs under S3's delivery guarantees.
 */
const API_KEY = 'integration-test-key-0123456789';
const TTL_SECONDS = 4;
const MAX_UPLOAD_BYTES = 1024 * 1024;

export async function startEmbeddedTarget(): Promise<Target> {
  const config = loadDevServerConfig({
    PORT: '0',
    EMBEDDED_PORT: '0',
    API_KEYS: API_KEY,
    UPLOAD_URL_TTL_SECONDS: String(TTL_SECONDS),
    MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
    EVENT_RETRY_DELAY_MS: '100',
  });
  const fault = copyFault();
  const server = await startDevServer(config, {
    logger: false,
    chaos: { duplicateProbability: 0.3, maxDelayMs: 40 },
    wrapClients: fault.wrapClients,
  });
  const s3 = new S3Client({
    endpoint: server.s3Endpoint,
    region: server.aws.region,
    forcePathStyle: true,
    credentials: server.aws.credentials,
  });

  const tightUsagePlan = async (): Promise<UsagePlanTarget> => {
    const tight = await startDevServer(
      loadDevServerConfig({
        PORT: '0',
        EMBEDDED_PORT: '0',
        API_KEYS: API_KEY,
        USAGE_PLAN_RATE_LIMIT: '1',
        USAGE_PLAN_BURST_LIMIT: '3',
        USAGE_PLAN_QUOTA_PER_DAY: '5',
      }),
      { logger: false },
    );
    return { apiUrl: tight.apiUrl, apiKey: API_KEY, burstLimit: 3, quotaPerDay: 5, stop: () => tight.stop() };
  };

  return {
    name: 'embedded',
    apiUrl: server.apiUrl,
    apiKey: API_KEY,
    bucket: config.service.bucketName,
    s3,
    uploadUrlTtlSeconds: TTL_SECONDS,
    maxUploadBytes: MAX_UPLOAD_BYTES,
    gaps: {},
    tightUsagePlan,
    failNextCopy: () => fault.arm(),
    async stop() {
      s3.destroy();
      await server.stop();
    },
  };
}
