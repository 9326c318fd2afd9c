import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Worker } from 'node:worker_threads';

/**
 * DynamoDB through dynalite, on the same port as S3 (requests are told apart by `X-Amz-Target`).
 * dynalite lacks UpdateTimeToLive; it is answered here, and the setting is reported by
 * DescribeTimeToLive. Expired items are not swept: readers compare the TTL attribute themselves, as they
 * must on AWS too (DynamoDB deletes expired items only eventually). dynalite runs in a worker thread.
 */
export interface DynamoDbOptions {
  /** Keep tables in this folder (LevelDB); in memory when omitted. */
  path?: string;
}

type TtlSpec = { AttributeName: string; Enabled: boolean };

export class DynamoDb {
  private readonly worker: Worker;
  private readonly ttl = new Map<string, TtlSpec>();
  private readonly pending = new Map<number, (answer: DynamoDbAnswer) => void>();
  private nextId = 0;
  private readonly ready: Promise<void>;
  /** Set when the worker died: every later request is answered with this error at once. */
  private failure: string | undefined;

  constructor(options: DynamoDbOptions) {
    this.worker = new Worker(new URL('./dynalite-worker.mjs', import.meta.url), {
      workerData: { path: options.path },
    });
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('error', reject);
      this.worker.once('message', () => resolve());
    });
    this.worker.on('message', (message: { id?: number } & DynamoDbAnswer) => {
      if (message.id === undefined) return;
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.({
        statusCode: message.statusCode,
        headers: message.headers,
        body: Buffer.from(message.body),
      });
    });
    this.worker.on('error', (error) => {
      // The worker is gone: answer every waiting request rather than leave it hanging.
      this.failure = String(error);
      for (const resolve of this.pending.values()) {
        resolve(
          reply(500, {
            __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
            message: String(error),
          }),
        );
      }
      this.pending.clear();
    });
  }

  /** Resolves when the worker's DynamoDB is ready for requests. */
  started(): Promise<void> {
    return this.ready;
  }

  static isDynamoDbRequest(req: IncomingMessage): boolean {
    const target = req.headers['x-amz-target'];
    return typeof target === 'string' && target.startsWith('DynamoDB_');
  }

  /** Serves a request that came in on the endpoint's port. */
  handle(req: IncomingMessage, res: ServerResponse): void {
    void this.readAndInvoke(req, res);
  }

  private async readAndInvoke(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // dynalite throws from its request 'error' listener, which would end the process when a client drops
    // a connection mid-request; so the body is read here and handed over in one piece.
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    } catch {
      res.destroy();
      return;
    }
    const answer = await this.invoke({
      method: req.method ?? 'POST',
      url: req.url ?? '/',
      headers: req.headers as Record<string, string>,
      body: Buffer.concat(chunks),
    });
    res.statusCode = answer.statusCode;
    for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
    res.end(answer.body);
  }

  /**
   * Serves one buffered request in process and resolves with the answer: what both the port and the
   * in-process SDK transport use.
   */
  invoke(request: DynamoDbRequest): Promise<DynamoDbAnswer> {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.indexOf('.') + 1);
    if (operation === 'UpdateTimeToLive' || operation === 'DescribeTimeToLive') {
      return this.handleTtl(operation, request.body);
    }
    if (this.failure !== undefined) {
      return Promise.resolve(
        reply(500, { __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError', message: this.failure }),
      );
    }
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      this.worker.postMessage({
        id,
        method: request.method,
        url: request.url,
        headers: request.headers,
        body: request.body,
      });
    });
  }

  private async handleTtl(operation: string, raw: Buffer): Promise<DynamoDbAnswer> {
    let body: {
      TableName?: unknown;
      TimeToLiveSpecification?: { AttributeName?: unknown; Enabled?: unknown };
    };
    try {
      body = JSON.parse(raw.toString('utf8') || '{}');
    } catch {
      return reply(400, {
        __type: 'com.amazon.coral.service#SerializationException',
        message: 'Malformed JSON',
      });
    }
    const tableName = typeof body.TableName === 'string' ? body.TableName : '';
    if (!(await this.tableExists(tableName))) {
      return reply(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
        message: 'Requested resource not found',
      });
    }
    if (operation === 'DescribeTimeToLive') {
      const spec = this.ttl.get(tableName);
      return reply(200, {
        TimeToLiveDescription: spec?.Enabled
          ? { TimeToLiveStatus: 'ENABLED', AttributeName: spec.AttributeName }
          : { TimeToLiveStatus: 'DISABLED' },
      });
    }
    const spec = body.TimeToLiveSpecification;
    if (
      !spec ||
      typeof spec.AttributeName !== 'string' ||
      !spec.AttributeName ||
      typeof spec.Enabled !== 'boolean'
    ) {
      return reply(400, {
        __type: 'com.amazon.coral.validate#ValidationException',
        message: 'TimeToLiveSpecification needs an AttributeName and Enabled',
      });
    }
    const current = this.ttl.get(tableName);
    if (current?.Enabled === spec.Enabled) {
      return reply(400, {
        __type: 'com.amazon.coral.validate#ValidationException',
        message: `TimeToLive is already ${spec.Enabled ? 'enabled' : 'disabled'}`,
      });
    }
    this.ttl.set(tableName, { AttributeName: spec.AttributeName, Enabled: spec.Enabled });
    return reply(200, {
      TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled },
    });
  }

  private async tableExists(name: string): Promise<boolean> {
    if (!name) return false;
    const answer = await this.invoke({
      method: 'POST',
      url: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.DescribeTable',
        'x-amz-date': '20200101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=internal/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: Buffer.from(JSON.stringify({ TableName: name })),
    });
    return answer.statusCode === 200;
  }

  async close(): Promise<void> {
    await this.ready.catch(() => undefined);
    if (this.failure !== undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5_000);
      this.worker.on('message', (message: { type?: string }) => {
        if (message.type === 'closed') {
          clearTimeout(timer);
          resolve();
        }
      });
      this.worker.postMessage({ type: 'close' });
    });
    await this.worker.terminate();
  }
}

export interface DynamoDbRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface DynamoDbAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: Buffer;
}

function reply(statusCode: number, body: unknown): DynamoDbAnswer {
  const text = Buffer.from(JSON.stringify(body));
  return {
    statusCode,
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amzn-requestid': randomUUID(),
      'content-length': String(text.length),
    },
    body: text,
  };
}
