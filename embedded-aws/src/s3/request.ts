import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorFields, S3Error } from './errors.js';
import { escapeXml } from './xml.js';

/** One S3 request as the router sees it: path-style (or `<bucket>.localhost`) bucket and key, query. */
export interface S3Request {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  bucket: string | undefined;
  key: string | undefined;
  rawPath: string;
  query: URLSearchParams;
  requestId: string;
  hostId: string;
  now: Date;
}

export function parseS3Request(req: IncomingMessage, res: ServerResponse): S3Request {
  const url = new URL(req.url ?? '/', 'http://embedded');
  const rawPath = url.pathname;
  const host = (req.headers.host ?? '').split(':')[0] ?? '';
  const virtualBucket = host.endsWith('.localhost') ? host.slice(0, -'.localhost'.length) : undefined;
  const segments = rawPath.slice(1);
  let bucket: string | undefined;
  let keyPart: string | undefined;
  if (virtualBucket) {
    bucket = virtualBucket;
    keyPart = segments;
  } else {
    const slash = segments.indexOf('/');
    bucket = slash === -1 ? segments : segments.slice(0, slash);
    keyPart = slash === -1 ? undefined : segments.slice(slash + 1);
  }
  return {
    req,
    res,
    method: (req.method ?? 'GET').toUpperCase(),
    bucket: bucket ? safeDecode(bucket) : undefined,
    key: keyPart ? safeDecode(keyPart) : undefined,
    rawPath,
    query: url.searchParams,
    requestId: randomBytes(8).toString('hex').toUpperCase(),
    hostId: randomBytes(32).toString('base64'),
    now: new Date(),
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function header(r: S3Request, name: string): string | undefined {
  const value = r.req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function send(
  r: S3Request,
  status: number,
  headers: Record<string, string | number | undefined> = {},
  body?: string,
): void {
  const { res } = r;
  if (res.headersSent) return;
  res.statusCode = status;
  res.setHeader('x-amz-request-id', r.requestId);
  res.setHeader('x-amz-id-2', r.hostId);
  res.setHeader('server', 'AmazonS3');
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) res.setHeader(name, String(value));
  if (body !== undefined && r.method !== 'HEAD') {
    const bytes = Buffer.from(body, 'utf8');
    if (!res.hasHeader('content-type')) res.setHeader('content-type', 'application/xml');
    res.setHeader('content-length', bytes.length);
    res.end(bytes);
  } else {
    if (!res.hasHeader('content-length') && status !== 304) res.setHeader('content-length', 0);
    res.end();
  }
}

export function sendError(r: S3Request, error: S3Error): void {
  const extra = Object.entries(error.fields as ErrorFields)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) =>
      value === null ? `<${name}/>` : `<${name}>${escapeXml(String(value))}</${name}>`,
    )
    .join('');
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code>` +
    `<Message>${escapeXml(error.message)}</Message>${extra}` +
    `<RequestId>${r.requestId}</RequestId><HostId>${escapeXml(r.hostId)}</HostId></Error>`;
  send(r, error.status, error.headers, r.method === 'HEAD' ? undefined : body);
}
