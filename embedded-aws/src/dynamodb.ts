import { EventEmitter } from 'node:events';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import dynalite from 'dynalite';

/**
 * DynamoDB through dynalite, on the same port as S3 (requests are told apart by `X-Amz-Target`).
 * dynalite lacks UpdateTimeToLive; it is answered here, and the setting is reported by
 * DescribeTimeToLive. Expired items are not swept: readers compare the TTL attribute themselves, as they
 * must on AWS too (DynamoDB deletes expired items only eventually).
 */
export interface DynamoDbOptions {
  /** Keep tables in this folder (LevelDB); in memory when omitted. */
  path?: string;
}

type TtlSpec = { AttributeName: string; Enabled: boolean };

export class DynamoDb {
  private readonly server: Server;
  private readonly ttl = new Map<string, TtlSpec>();

  constructor(options: DynamoDbOptions) {
    this.server = dynalite({
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
      ...(options.path ? { path: options.path } : {}),
    });
  }

  static isDynamoDbRequest(req: IncomingMessage): boolean {
    const target = req.headers['x-amz-target'];
    return typeof target === 'string' && target.startsWith('DynamoDB_');
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    const target = String(req.headers['x-amz-target']);
    const operation = target.slice(target.indexOf('.') + 1);
    if (operation === 'UpdateTimeToLive' || operation === 'DescribeTimeToLive') {
      void this.handleTtl(operation, req, res);
      return;
    }
    void this.forward(req, res);
  }

  /**
   * dynalite throws from its request 'error' listener, which would end the process when a client drops
   * a connection mid-request. The body is read here instead and handed to dynalite in one piece.
   */
  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    } catch {
      res.destroy();
      return;
    }
    const relay = Object.assign(new EventEmitter(), {
      headers: req.headers,
      method: req.method,
      url: req.url,
    });
    this.server.emit('request', relay, res);
    if (chunks.length > 0) relay.emit('data', Buffer.concat(chunks));
    relay.emit('end');
  }

  private async handleTtl(operation: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    let body: {
      TableName?: unknown;
      TimeToLiveSpecification?: { AttributeName?: unknown; Enabled?: unknown };
    };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    } catch {
      return reply(res, 400, {
        __type: 'com.amazon.coral.service#SerializationException',
        message: 'Malformed JSON',
      });
    }
    const tableName = typeof body.TableName === 'string' ? body.TableName : '';
    if (!(await this.tableExists(tableName))) {
      return reply(res, 400, {
        __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
        message: 'Requested resource not found',
      });
    }
    if (operation === 'DescribeTimeToLive') {
      const spec = this.ttl.get(tableName);
      return reply(res, 200, {
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
      return reply(res, 400, {
        __type: 'com.amazon.coral.validate#ValidationException',
        message: 'TimeToLiveSpecification needs an AttributeName and Enabled',
      });
    }
    const current = this.ttl.get(tableName);
    if (current?.Enabled === spec.Enabled) {
      return reply(res, 400, {
        __type: 'com.amazon.coral.validate#ValidationException',
        message: `TimeToLive is already ${spec.Enabled ? 'enabled' : 'disabled'}`,
      });
    }
    this.ttl.set(tableName, { AttributeName: spec.AttributeName, Enabled: spec.Enabled });
    reply(res, 200, {
      TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled },
    });
  }

  /** dynalite also listens on a private loopback port, used only to ask it whether a table exists. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
  }

  private async tableExists(name: string): Promise<boolean> {
    const address = this.server.address();
    if (!address || typeof address === 'string' || !name) return false;
    const response = await fetch(`http://127.0.0.1:${address.port}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.DescribeTable',
        'x-amz-date': '20200101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=internal/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify({ TableName: name }),
    });
    await response.arrayBuffer();
    return response.ok;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
  }
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/x-amz-json-1.0');
  res.setHeader('x-amzn-requestid', Math.random().toString(36).slice(2));
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}
