import { type ChaosOptions, type EmbeddedAws, start as startEmbedded } from '@one-time-upload/embedded-aws';
import {
  type AwsClients,
  createClients,
  createServiceHandlers,
  type ServiceHandlers,
} from '@one-time-upload/services';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import { buildApp } from './app.js';
import type { DevServerConfig } from './config.js';
import { subscribeHandlers } from './event-delivery.js';
import { provision } from './provision.js';

/**
 * The whole local stack in one process: the embedded S3 + DynamoDB endpoint, the bucket and table, the
 * handlers subscribed to S3 events, and the API on its port.
 */
export interface DevServer {
  app: FastifyInstance;
  aws: EmbeddedAws;
  apiUrl: string;
  s3Endpoint: string;
  config: DevServerConfig;
  clients: AwsClients;
  stop(): Promise<void>;
}

export interface StartOptions {
  logger?: FastifyServerOptions['logger'];
  /** Deliver S3 events twice and out of order (testing). */
  chaos?: ChaosOptions;
  /** Replace the clients the handlers use (testing: inject faults). */
  wrapClients?: (clients: AwsClients) => AwsClients;
}

export async function startDevServer(
  config: DevServerConfig,
  options: StartOptions = {},
): Promise<DevServer> {
  const aws = await startEmbedded({
    port: config.embeddedPort,
    host: config.host,
    ...(config.dataDir ? { dataDir: config.dataDir } : {}),
    ...(options.chaos ? { chaos: options.chaos } : {}),
  });
  try {
    const baseClients = createClients(
      {},
      {
        region: aws.region,
        s3Endpoint: aws.endpoint,
        dynamodbEndpoint: aws.endpoint,
        credentials: aws.credentials,
        // Same SDK requests, no sockets: a claim per issued URL is the hot path of this server.
        dynamodbRequestHandler: aws.dynamodbRequestHandler,
      },
    );
    const clients = options.wrapClients ? options.wrapClients(baseClients) : baseClients;
    await provision(baseClients, config.service);
    const handlers: ServiceHandlers = createServiceHandlers({ clients, config: config.service });
    const app = await buildApp({
      apiKeys: config.apiKeys,
      usagePlan: config.usagePlan,
      handlers,
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
      health: () => ({
        s3Endpoint: aws.endpoint,
        bucket: config.service.bucketName,
        table: config.service.tableName,
      }),
    });
    const unsubscribe = subscribeHandlers(
      aws,
      [
        {
          bucket: config.service.bucketName,
          prefix: config.service.uploadsPrefix,
          name: 'accept-first-upload',
          handler: handlers.acceptFirstUpload,
        },
        {
          bucket: config.service.bucketName,
          prefix: config.service.acceptedPrefix,
          name: 'process-accepted-file',
          handler: handlers.processAcceptedFile,
        },
      ],
      { retryDelayMs: config.eventRetryDelayMs, log: app.log },
    );
    const address = await app.listen({ port: config.port, host: config.host });
    const apiUrl = address.replace('[::1]', 'localhost').replace('0.0.0.0', '127.0.0.1');
    return {
      app,
      aws,
      apiUrl,
      s3Endpoint: aws.endpoint,
      config,
      clients,
      async stop() {
        unsubscribe();
        await app.close();
        await aws.eventsIdle();
        clients.s3.destroy();
        clients.dynamodb.destroy();
        baseClients.s3.destroy();
        baseClients.dynamodb.destroy();
        await aws.stop();
      },
    };
  } catch (error) {
    await aws.stop();
    throw error;
  }
}
