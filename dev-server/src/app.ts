import type { ServiceHandlers } from '@one-time-upload/services';
import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import { apiGateway } from './api-gateway.js';
import type { UsagePlan } from './config.js';

/** Builds the dev server's HTTP app without listening: the API Gateway emulation and a health check. */
export interface BuildAppOptions {
  apiKeys: string[];
  usagePlan: UsagePlan;
  handlers: ServiceHandlers;
  /** Fastify's logger option; JSON logs at `info` by default, nothing in tests. */
  logger?: FastifyServerOptions['logger'];
  now?: () => number;
  /** What `GET /health` reports besides `status`. */
  health?: () => Record<string, unknown>;
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? { level: 'info' },
    // Request lines would be noise at thousands of URLs per second; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 10 * 1024 * 1024,
  });
  app.get('/health', async () => ({ status: 'ok', ...(options.health?.() ?? {}) }));
  await app.register(apiGateway, {
    apiKeys: options.apiKeys,
    usagePlan: options.usagePlan,
    handlers: options.handlers,
    ...(options.now ? { now: options.now } : {}),
  });
  return app;
}
