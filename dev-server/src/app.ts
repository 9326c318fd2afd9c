import { readFile } from 'node:fs/promises';
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
    // API Gateway has no implicit HEAD routes: a HEAD must not run a handler (and record a claim).
    exposeHeadRoutes: false,
  });
  app.get('/health', async () => ({ status: 'ok', ...(options.health?.() ?? {}) }));
  // The browser upload page: public like /health (outside the gateway plugin, whose hook asks for a key);
  // the page sends the key itself, to the API routes. connect-src stays open: S3's origin is whatever the
  // issued URL says.
  const uploadPage = await readFile(new URL('../public/index.html', import.meta.url), 'utf8');
  app.get('/', async (_request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .header(
        'content-security-policy',
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src *; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      )
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('cache-control', 'no-store')
      .send(uploadPage),
  );
  await app.register(apiGateway, {
    apiKeys: options.apiKeys,
    usagePlan: options.usagePlan,
    handlers: options.handlers,
    ...(options.now ? { now: options.now } : {}),
  });
  return app;
}
