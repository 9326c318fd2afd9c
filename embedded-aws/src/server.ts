import { mkdirSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDb } from './dynamodb.js';
import type { Credentials } from './s3/auth.js';
import type { S3Context } from './s3/context.js';
import {
  type ChaosOptions,
  EventBus,
  type EventFilter,
  type EventHandler,
  type S3Event,
} from './s3/events.js';
import { handleS3 } from './s3/router.js';
import { Store } from './s3/store.js';
import { type InProcessRequestHandler, inProcessDynamoDbHandler } from './sdk-transport.js';

export interface StartOptions {
  /** TCP port; 0 picks a free one. Default 4566, like LocalStack's edge port. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** Keep objects and tables in this folder across restarts; a temporary folder (removed on stop) otherwise. */
  dataDir?: string;
  /** Accepted access keys and their secrets. Default `{ test: 'test' }`, as LocalStack. */
  credentials?: Credentials;
  /** Region reported for new buckets and in event records. Default `us-east-1`. */
  region?: string;
  /** Deliver some events twice and out of order, to test consumers against S3's delivery guarantees. */
  chaos?: ChaosOptions;
  /** Called when an event subscriber throws; default: printed to stderr. */
  onSubscriberError?: (error: unknown, event: S3Event) => void;
}

export interface EmbeddedAws {
  /** `http://host:port`: use it as `endpoint` for S3 (with `forcePathStyle`) and DynamoDB clients. */
  endpoint: string;
  port: number;
  dataDir: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Subscribes to S3 event notifications; returns a function that unsubscribes. */
  subscribe(filter: EventFilter, handler: EventHandler): () => void;
  /** Resolves once every scheduled event delivery has finished. */
  eventsIdle(): Promise<void>;
  /**
   * A `requestHandler` for the AWS SDK's DynamoDB client that reaches this endpoint's DynamoDB in process
   * (same requests and answers, no sockets). For servers that run in the same process as the endpoint.
   */
  dynamodbRequestHandler: InProcessRequestHandler;
  stop(): Promise<void>;
}

export async function start(options: StartOptions = {}): Promise<EmbeddedAws> {
  const region = options.region ?? 'us-east-1';
  const credentials = options.credentials ?? { test: 'test' };
  const [accessKeyId, secretAccessKey] = Object.entries(credentials)[0] ?? ['test', 'test'];
  const keepData = options.dataDir !== undefined;
  const dataDir = keepData
    ? resolve(options.dataDir as string)
    : mkdtempSync(join(tmpdir(), 'embedded-aws-'));
  mkdirSync(dataDir, { recursive: true });

  const store = new Store(dataDir, keepData);
  const events = new EventBus(
    region,
    options.chaos,
    options.onSubscriberError ??
      ((error, event) => {
        const key = event.Records[0]?.s3.object.key;
        console.error(`[embedded-aws] event subscriber failed for ${key}:`, error);
      }),
  );
  const ctx: S3Context = { store, events, credentials, region };
  const dynamo = new DynamoDb(keepData ? { path: join(dataDir, 'dynamodb') } : {});
  await dynamo.started();

  const server: Server = createServer((req, res) => {
    if (DynamoDb.isDynamoDbRequest(req)) dynamo.handle(req, res);
    else
      handleS3(ctx, req, res).catch((error: unknown) => {
        // Never let one request end the process that serves every other.
        console.error('[embedded-aws] request failed', error);
        res.destroy();
      });
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0; // large uploads may take long; S3 does not cut them either
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4566, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  const host =
    options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;

  let stopped = false;
  return {
    endpoint,
    port: address.port,
    dataDir,
    region,
    credentials: { accessKeyId, secretAccessKey },
    subscribe: (filter, handler) => events.subscribe(filter, handler),
    eventsIdle: () => events.idle(),
    dynamodbRequestHandler: inProcessDynamoDbHandler(dynamo),
    async stop() {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      });
      await events.idle();
      await store.flush();
      await dynamo.close();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
