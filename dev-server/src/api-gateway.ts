import { randomUUID } from 'node:crypto';
import type { ApiHandler, ServiceHandlers } from '@one-time-upload/services';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiKeys } from './api-keys.js';
import type { UsagePlan } from './config.js';
import { UsagePlanLimiter } from './usage-plan.js';

/**
 * Emulates the REST API in API Gateway: every route requires `x-api-key` (403 `Forbidden`), the usage
 * plan throttles (429 `Too Many Requests`) and caps the day (429 `Limit Exceeded`), an unknown route is 403
 * `Missing Authentication Token`; requests become proxy events for the same handlers Lambda runs.
 */
export interface ApiGatewayOptions {
  apiKeys: string[];
  usagePlan: UsagePlan;
  handlers: Pick<ServiceHandlers, 'issueUploadUrl' | 'getUploadStatus'>;
  now?: () => number;
}

const STAGE = 'local';

function toProxyEvent(request: FastifyRequest, resource: string, keyIndex: number): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === 'x-api-key') continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const url = new URL(request.url, 'http://local');
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) multiQuery[name] = [...(multiQuery[name] ?? []), value];
  const body = typeof request.body === 'string' && request.body.length > 0 ? request.body : null;
  const params = request.params as Record<string, string> | undefined;
  return {
    resource,
    path: url.pathname,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: query ? multiQuery : null,
    pathParameters: params && Object.keys(params).length > 0 ? params : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: request.method,
      path: `/${STAGE}${url.pathname}`,
      stage: STAGE,
      requestId: randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: resource,
      identity: {
        // API Gateway passes the key's id, never its value.
        apiKeyId: `local-key-${keyIndex}`,
        apiKey: null,
        sourceIp: request.ip,
        userAgent: request.headers['user-agent'] ?? null,
        accessKey: null,
        accountId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        user: null,
        userArn: null,
      },
    },
  };
}

function gatewayError(reply: FastifyReply, status: number, message: string, type: string) {
  return reply.code(status).header('x-amzn-errortype', type).send({ message });
}

export async function apiGateway(app: FastifyInstance, options: ApiGatewayOptions): Promise<void> {
  const keys = new ApiKeys(options.apiKeys);
  const limiter = new UsagePlanLimiter(options.usagePlan, options.now);

  // API Gateway hands the body to the function as a string, whatever its type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 10 * 1024 * 1024 }, (_req, body, done) =>
    done(null, body),
  );

  app.decorateRequest('apiKeyIndex', -1);
  app.addHook('onRequest', async (request, reply) => {
    // An unknown route is API Gateway's "Missing Authentication Token" (the not-found handler), with or
    // without a key, and spends none of the key's usage plan.
    if (!request.routeOptions.url) return;
    const presented = request.headers['x-api-key'];
    const keyIndex = keys.match(typeof presented === 'string' ? presented : undefined);
    if (keyIndex < 0) return gatewayError(reply, 403, 'Forbidden', 'ForbiddenException');
    const decision = limiter.check(keyIndex);
    if (decision === 'throttled')
      return gatewayError(reply, 429, 'Too Many Requests', 'TooManyRequestsException');
    if (decision === 'quota-exceeded')
      return gatewayError(reply, 429, 'Limit Exceeded', 'LimitExceededException');
    (request as FastifyRequest & { apiKeyIndex: number }).apiKeyIndex = keyIndex;
  });

  const route = (method: 'GET' | 'POST', url: string, resource: string, handler: ApiHandler) => {
    app.route({
      method,
      url,
      handler: async (request, reply) => {
        const keyIndex = (request as FastifyRequest & { apiKeyIndex: number }).apiKeyIndex;
        const result = await handler(toProxyEvent(request, resource, keyIndex));
        reply.code(result.statusCode);
        for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, String(value));
        return reply.send(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
      },
    });
  };
  route('GET', '/getpresignedurl', '/getpresignedurl', options.handlers.issueUploadUrl);
  route('POST', '/uploads', '/uploads', options.handlers.issueUploadUrl);
  route('GET', '/uploads/:id', '/uploads/{id}', options.handlers.getUploadStatus);

  app.setNotFoundHandler((_request, reply) =>
    gatewayError(reply, 403, 'Missing Authentication Token', 'MissingAuthenticationTokenException'),
  );
}
