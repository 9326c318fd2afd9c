import type { DynamoDb } from './dynamodb.js';

/**
 * An in-process transport for the AWS SDK's DynamoDB client: the client still builds, signs and parses
 * every request as it would over the network; only the sockets are skipped. A local server that issues a
 * claim per request spends about half its time in the two HTTP stacks otherwise.
 *
 * Use it as `new DynamoDBClient({ endpoint: aws.endpoint, requestHandler: aws.dynamodbRequestHandler })`.
 */
interface SdkHttpRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

export interface InProcessRequestHandler {
  handle(
    request: SdkHttpRequest,
  ): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: Uint8Array } }>;
  updateHttpClientConfig(): void;
  httpHandlerConfigs(): Record<string, never>;
  destroy(): void;
}

function bodyBytes(body: unknown): Buffer {
  if (body === undefined || body === null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('the in-process DynamoDB transport takes string or byte bodies only');
}

export function inProcessDynamoDbHandler(dynamo: DynamoDb): InProcessRequestHandler {
  return {
    async handle(request) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
      const answer = await dynamo.invoke({
        method: request.method,
        url: request.path,
        headers,
        body: bodyBytes(request.body),
      });
      return { response: { statusCode: answer.statusCode, headers: answer.headers, body: answer.body } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
}
