import { S3Client } from '@aws-sdk/client-s3';
import { loadDevServerConfig, startLocalStackDevServer } from '@one-time-upload/dev-server';
import { copyFault } from './faults.js';
import type { Target, UsagePlanTarget } from './target.js';

/**
 * LocalStack (or Floci: set LOCALSTACK_IMAGE=floci/floci:1.7.0) in a container started by testcontainers,
 * with the dev server against it (BACKEND=localstack: events through SQS). Needs a Docker engine; without
 * one, `unavailableReason` says why and the suite skips.
 */
export const DEFAULT_LOCALSTACK_IMAGE = 'localstack/localstack:4.14.0';
const API_KEY = 'integration-test-key-0123456789';
const TTL_SECONDS = 5;
const MAX_UPLOAD_BYTES = 1024 * 1024;

export async function dockerUnavailableReason(): Promise<string | undefined> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return undefined;
  } catch (error) {
    return `no Docker engine reachable (${error instanceof Error ? error.message : String(error)}); the LocalStack run needs one`;
  }
}

export async function startLocalStackTarget(): Promise<Target> {
  const { LocalstackContainer } = await import('@testcontainers/localstack');
  const image = process.env.LOCALSTACK_IMAGE ?? DEFAULT_LOCALSTACK_IMAGE;
  const token = process.env.LOCALSTACK_AUTH_TOKEN;
  const container = await new LocalstackContainer(image)
    .withEnvironment({ SERVICES: 's3,dynamodb,sqs', ...(token ? { LOCALSTACK_AUTH_TOKEN: token } : {}) })
    .start();
  const endpoint = container.getConnectionUri();
  const env = (extra: Record<string, string>) =>
    loadDevServerConfig({
      PORT: '0',
      BACKEND: 'localstack',
      AWS_ENDPOINT_URL: endpoint,
      API_KEYS: API_KEY,
      UPLOAD_URL_TTL_SECONDS: String(TTL_SECONDS),
      MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      ...extra,
    });
  const config = env({});
  const fault = copyFault();
  const server = await startLocalStackDevServer(config, {
    logger: false,
    wrapClients: fault.wrapClients,
  });
  const s3 = new S3Client({
    endpoint,
    region: config.aws.region,
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const tightUsagePlan = async (): Promise<UsagePlanTarget> => {
    const tight = await startLocalStackDevServer(
      env({
        USAGE_PLAN_RATE_LIMIT: '1',
        USAGE_PLAN_BURST_LIMIT: '3',
        USAGE_PLAN_QUOTA_PER_DAY: '5',
        BUCKET_NAME: 'one-time-upload-tight',
        TABLE_NAME: 'one-time-upload-tight',
        EVENTS_QUEUE_NAME: 'one-time-upload-tight',
      }),
      { logger: false },
    );
    return { apiUrl: tight.apiUrl, apiKey: API_KEY, burstLimit: 3, quotaPerDay: 5, stop: () => tight.stop() };
  };
  return {
    name: `localstack (${image})`,
    apiUrl: server.apiUrl,
    apiKey: API_KEY,
    bucket: config.service.bucketName,
    s3,
    uploadUrlTtlSeconds: TTL_SECONDS,
    maxUploadBytes: MAX_UPLOAD_BYTES,
    gaps: {
      postSignatures:
        'LocalStack does not verify POST policy signatures (a changed policy or signature is accepted)',
      chaoticDelivery:
        'events come through SQS here; only the embedded endpoint can force duplicated, reordered delivery',
    },
    tightUsagePlan,
    failNextCopy: () => fault.arm(),
    async stop() {
      s3.destroy();
      await server.stop();
      await container.stop();
    },
  };
}
