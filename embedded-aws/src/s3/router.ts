import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AuthContext, verifyHeaderAuth, verifyPresignedQuery } from './auth.js';
import {
  createBucket,
  getCors,
  getLocation,
  getVersioning,
  listBuckets,
  listObjects,
  listObjectVersions,
  preflight,
  putCors,
  putVersioning,
} from './buckets.js';
import type { S3Context } from './context.js';
import { corsHeaders, findCorsRule } from './cors.js';
import { errors, S3Error } from './errors.js';
import {
  abortUpload,
  completeUpload,
  createUpload,
  listParts,
  listUploads,
  uploadPart,
} from './multipart.js';
import { copyObject, deleteObject, deleteObjects, getObject, putObject } from './objects.js';
import { handlePostObject } from './post-response.js';
import { header, parseS3Request, type S3Request, send, sendError } from './request.js';

/** Dispatches one S3 request: authentication, then the operation chosen by method, key and query. */

const MAX_XML_BODY = 1024 * 1024;
/** Subresources this endpoint does not implement: a clear 501 rather than a wrong answer. */
const UNSUPPORTED = [
  'acl',
  'policy',
  'tagging',
  'lifecycle',
  'notification',
  'encryption',
  'replication',
  'website',
  'logging',
  'object-lock',
  'retention',
  'legal-hold',
  'ownershipControls',
  'publicAccessBlock',
  'accelerate',
  'requestPayment',
  'analytics',
  'metrics',
  'inventory',
  'intelligent-tiering',
  'attributes',
  'restore',
  'select',
  'torrent',
];

export async function handleS3(ctx: S3Context, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let r: S3Request;
  try {
    r = parseS3Request(req, res);
  } catch {
    // A request target that is not even a URL (e.g. `GET http://[ HTTP/1.1`).
    req.resume();
    res.writeHead(400, { 'content-type': 'application/xml', connection: 'close' });
    res.end(
      '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>InvalidURI</Code><Message>Couldn\'t parse the specified URI.</Message></Error>',
    );
    return;
  }
  addCorsHeaders(ctx, r);
  try {
    await route(ctx, r);
  } catch (error) {
    if (req.socket.destroyed || (error as NodeJS.ErrnoException).code === 'ECONNRESET') {
      // The client went away mid-request: nobody is left to answer.
      res.destroy();
      return;
    }
    const s3Error = error instanceof S3Error ? error : errors.internal();
    if (!(error instanceof S3Error)) console.error('[embedded-aws] internal error', error);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    // Never answer before the request body is consumed: a client still sending would see a reset.
    if (!req.readableEnded) req.resume();
    sendError(r, s3Error);
  }
}

/** Browsers need the CORS headers on every answer, errors included, to read S3's reply. */
function addCorsHeaders(ctx: S3Context, r: S3Request): void {
  const origin = header(r, 'origin');
  if (!origin || r.method === 'OPTIONS' || !r.bucket) return;
  let rules: ReturnType<typeof ctx.store.getBucket>['cors'];
  try {
    rules = ctx.store.getBucket(r.bucket).cors;
  } catch {
    return;
  }
  const rule = findCorsRule(rules, origin, r.method === 'HEAD' ? 'HEAD' : r.method);
  if (!rule) return;
  for (const [name, value] of Object.entries(corsHeaders(rule, origin))) r.res.setHeader(name, value);
}

function authenticate(ctx: S3Context, r: S3Request): AuthContext {
  const request = { method: r.method, rawPath: r.rawPath, query: r.query, headers: r.req.headers };
  if (r.req.headers.authorization !== undefined) {
    if (r.query.has('X-Amz-Algorithm')) {
      throw errors.invalidArgument(
        'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
        'Authorization',
        header(r, 'authorization') ?? '',
      );
    }
    return verifyHeaderAuth(request, ctx.credentials, r.now);
  }
  if (r.query.has('X-Amz-Algorithm') || r.query.has('X-Amz-Credential')) {
    return verifyPresignedQuery(request, ctx.credentials, r.now);
  }
  // The endpoint's buckets are private: an anonymous request is refused as S3 refuses it.
  throw errors.accessDenied();
}

async function readSmallBody(r: S3Request): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of r.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_XML_BODY) throw new S3Error(400, 'MaxMessageLengthExceeded', 'Your request was too big.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function route(ctx: S3Context, r: S3Request): Promise<void> {
  const { method, query } = r;
  if (method === 'OPTIONS') return preflight(ctx, r);
  if (method === 'POST' && r.bucket && !r.key && !query.has('delete') && !query.has('uploads')) {
    return handlePostObject(ctx, r, ctx.store.getBucket(r.bucket));
  }
  const auth = authenticate(ctx, r);

  if (!r.bucket) {
    if (method === 'GET') return listBuckets(ctx, r);
    throw errors.methodNotAllowed(method, 'SERVICE');
  }
  const unsupported = UNSUPPORTED.find((name) => query.has(name));
  if (unsupported) throw errors.notImplemented(`The ?${unsupported} subresource`);

  if (!r.key) {
    if (method === 'PUT' && query.has('versioning'))
      return putVersioning(ctx, r, ctx.store.getBucket(r.bucket), await readSmallBody(r));
    if (method === 'PUT' && query.has('cors'))
      return putCors(ctx, r, ctx.store.getBucket(r.bucket), await readSmallBody(r));
    if (method === 'PUT') return createBucket(ctx, r, r.bucket, await readSmallBody(r));
    const bucket = ctx.store.getBucket(r.bucket);
    if (method === 'HEAD') return send(r, 200, { 'x-amz-bucket-region': bucket.region });
    if (method === 'DELETE' && query.has('cors')) {
      ctx.store.setCors(bucket, undefined);
      return send(r, 204);
    }
    if (method === 'DELETE') {
      ctx.store.deleteBucket(bucket.name);
      return send(r, 204);
    }
    if (method === 'POST' && query.has('delete'))
      return deleteObjects(ctx, r, bucket, await readSmallBody(r), auth);
    if (method === 'GET') {
      if (query.has('versioning')) return getVersioning(r, bucket);
      if (query.has('cors')) return getCors(r, bucket);
      if (query.has('location')) return getLocation(r, bucket);
      if (query.has('versions')) return listObjectVersions(ctx, r, bucket);
      if (query.has('uploads')) return listUploads(r, bucket);
      return listObjects(ctx, r, bucket);
    }
    throw errors.methodNotAllowed(method, 'BUCKET');
  }

  const bucket = ctx.store.getBucket(r.bucket);
  const key = r.key;
  if (Buffer.byteLength(key) > 1024) {
    throw new S3Error(400, 'KeyTooLongError', 'Your key is too long', {
      MaxSizeAllowed: '1024',
      Size: String(Buffer.byteLength(key)),
    });
  }
  switch (method) {
    case 'PUT':
      if (query.has('uploadId')) return uploadPart(ctx, r, bucket, key, auth);
      if (header(r, 'x-amz-copy-source') !== undefined) return copyObject(ctx, r, bucket, key, auth);
      return putObject(ctx, r, bucket, key, auth);
    case 'GET':
      if (query.has('uploadId')) return listParts(ctx, r, bucket, key);
      return getObject(ctx, r, bucket, key);
    case 'HEAD':
      return getObject(ctx, r, bucket, key);
    case 'DELETE':
      if (query.has('uploadId')) return abortUpload(ctx, r, bucket);
      return deleteObject(ctx, r, bucket, key, auth);
    case 'POST':
      if (query.has('uploads')) return createUpload(ctx, r, bucket, key);
      if (query.has('uploadId')) return completeUpload(ctx, r, bucket, key, await readSmallBody(r), auth);
      throw errors.methodNotAllowed(method, 'OBJECT');
    default:
      throw errors.methodNotAllowed(method, 'OBJECT');
  }
}
