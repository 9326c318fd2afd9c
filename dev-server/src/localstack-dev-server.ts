import type { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type AwsClients, createClients, createServiceHandlers } from '@one-time-upload/services';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp } from './app.js';
import type { DevServerConfig } from './config.js';
import { provision } from './provision.js';
import { pollEvents, provisionEventQueue } from './sqs-events.js';

/**
 * The dev server against an emulator in Docker (LocalStack, or Floci): the same API emulation and
 * handlers; S3 events arrive through an SQS queue. Upload URLs are signed for `S3_PUBLIC_ENDPOINT`, the
 * address the clients use (inside Compose the handlers reach the emulator by its service name).
 */
export interface LocalStackDevServer {
  app: FastifyInstance;
  apiUrl: string;
  s3Endpoint: string;
  config: DevServerConfig;
  clients: AwsClients;
  stop(): Promise<void>;
}

export interface LocalStackStartOptions {
  logger?: FastifyServerOptions['logger'];
  /** Replace the clients the handlers use (testing: inject faults). */
  wrapClients?: (clients: AwsClients) => AwsClients;
  /** How long to wait for the emulator to answer before giving up. Default 60 s. */
  readyTimeoutMs?: number;
}

const CREDENTIALS = {
  accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'test',
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'test',
};

async function waitForEmulator(endpoint: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${endpoint}/_localstack/health`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
      last = new Error(`health answered ${response.status}`);
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the emulator at ${endpoint} did not become ready in ${timeoutMs} ms (${String(last)})`);
}

export async function startLocalStackDevServer(
  config: DevServerConfig,
  options: LocalStackStartOptions = {},
): Promise<LocalStackDevServer> {
  const { endpoint, publicS3Endpoint, region, queueName } = config.aws;
  await waitForEmulator(endpoint, options.readyTimeoutMs ?? 60_000);
  const baseClients = createClients(
    {},
    { region, s3Endpoint: endpoint, dynamodbEndpoint: endpoint, credentials: CREDENTIALS },
  );
  const clients = options.wrapClients ? options.wrapClients(baseClients) : baseClients;
  const signer =
    publicS3Endpoint === endpoint
      ? undefined
      : createClients({}, { region, s3Endpoint: publicS3Endpoint, credentials: CREDENTIALS }).s3;
  const sqs = new SQSClient({ region, endpoint, credentials: CREDENTIALS });

  await provision(baseClients, config.service);
  const queueUrl = await provisionEventQueue(baseClients.s3, sqs, config.service, queueName);
  const handlers = createServiceHandlers({ clients, config: config.service, ...(signer ? { signer } : {}) });
  const app = await buildApp({
    apiKeys: config.apiKeys,
    usagePlan: config.usagePlan,
    handlers,
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    health: () => ({
      backend: 'localstack',
      s3Endpoint: publicS3Endpoint,
      bucket: config.service.bucketName,
      table: config.service.tableName,
    }),
  });
  const polling = new AbortController();
  const poller = pollEvents({
    sqs,
    queueUrl,
    log: app.log,
    signal: polling.signal,
    routes: [
      {
        prefix: config.service.uploadsPrefix,
        name: 'accept-first-upload',
        handler: handlers.acceptFirstUpload,
      },
      {
        prefix: config.service.acceptedPrefix,
        name: 'process-accepted-file',
        handler: handlers.processAcceptedFile,
      },
    ],
  });
  const address = await app.listen({ port: config.port, host: config.host });
  return {
    app,
    apiUrl: address.replace('0.0.0.0', '127.0.0.1'),
    s3Endpoint: publicS3Endpoint,
    config,
    clients,
    async stop() {
      polling.abort();
      await poller;
      await app.close();
      for (const client of [
        sqs,
        signer,
        clients.s3,
        clients.dynamodb,
        baseClients.s3,
        baseClients.dynamodb,
      ]) {
        (client as S3Client | SQSClient | undefined)?.destroy();
      }
    },
  };
}
