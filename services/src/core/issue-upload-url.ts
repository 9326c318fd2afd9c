import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ServiceConfig } from '../config.js';
import type { ClaimStore, UploadMethod } from './claims.js';
import { InvalidUploadRequestError } from './errors.js';
import { uploadKey } from './upload-key.js';

/**
 * Issues a one-time upload URL: records the claim first (never overwriting one), then signs.
 * POST (default): a presigned POST whose policy pins the bucket, the exact key, the size range and,
 * when given, the exact Content-Type. PUT (strict mode): a presigned PUT that signs `If-None-Match: *`
 * and the exact `Content-Length`, so S3 itself refuses a second write.
 */
export interface UploadRequest {
  method: UploadMethod;
  contentType?: string;
  maxBytes?: number;
  contentLength?: number;
}

export interface IssuedUpload {
  id: string;
  key: string;
  method: UploadMethod;
  url: string;
  /** POST: the form fields to send before the file. */
  fields?: Record<string, string>;
  /** PUT: the headers the upload must carry, exactly. */
  headers?: Record<string, string>;
  expiresAt: string;
}

export interface IssueDeps {
  /** Signs URLs; its credentials are the ones every client's upload will act with. */
  s3: S3Client;
  claims: ClaimStore;
  config: ServiceConfig;
  now: () => Date;
  newId: () => string;
}

/** type/subtype with optional parameters; spaces and tabs only (a header value never spans lines). */
const CONTENT_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}([ \t]*;[ \t]*[A-Za-z0-9!#$&^_.+-]+=("[^"\\\r\n]*"|[A-Za-z0-9!#$&^_.+-]+))*$/;
const MAX_CONTENT_TYPE_LENGTH = 255;
const KNOWN_FIELDS = new Set(['contentType', 'maxBytes', 'method', 'contentLength']);

function positiveInteger(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidUploadRequestError(`${name} must be a whole number of bytes, at least 1`);
  }
  if (value > max) throw new InvalidUploadRequestError(`${name} must be at most ${max} bytes`);
  return value;
}

/** Validates the JSON body of `POST /uploads` (undefined or empty: all defaults). */
export function parseUploadRequest(body: unknown, config: ServiceConfig): UploadRequest {
  if (body === undefined || body === null) return { method: 'POST' };
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidUploadRequestError('the request body must be a JSON object');
  }
  const input = body as Record<string, unknown>;
  const unknown = Object.keys(input).filter((k) => !KNOWN_FIELDS.has(k));
  if (unknown.length > 0) {
    throw new InvalidUploadRequestError(
      `unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: contentType, maxBytes, method, contentLength`,
    );
  }
  const method = input.method ?? 'POST';
  if (method !== 'POST' && method !== 'PUT')
    throw new InvalidUploadRequestError('method must be "POST" or "PUT"');
  const request: UploadRequest = { method };
  if (input.contentType !== undefined) {
    if (
      typeof input.contentType !== 'string' ||
      input.contentType.length > MAX_CONTENT_TYPE_LENGTH ||
      !CONTENT_TYPE.test(input.contentType)
    ) {
      throw new InvalidUploadRequestError('contentType must be a MIME type such as "image/png"');
    }
    request.contentType = input.contentType;
  }
  if (input.maxBytes !== undefined)
    request.maxBytes = positiveInteger(input.maxBytes, 'maxBytes', config.maxUploadBytes);
  if (method === 'PUT') {
    if (input.contentLength === undefined) {
      throw new InvalidUploadRequestError(
        'contentLength is required with method "PUT": a presigned PUT signs the exact size',
      );
    }
    request.contentLength = positiveInteger(
      input.contentLength,
      'contentLength',
      request.maxBytes ?? config.maxUploadBytes,
    );
  } else if (input.contentLength !== undefined) {
    throw new InvalidUploadRequestError(
      'contentLength is only for method "PUT"; use maxBytes to limit a POST',
    );
  }
  return request;
}

export async function issueUploadUrl(deps: IssueDeps, request: UploadRequest): Promise<IssuedUpload> {
  const { config } = deps;
  const issuedAt = deps.now();
  const id = deps.newId();
  const key = uploadKey(config.uploadsPrefix, id, issuedAt);
  const ttlSeconds = config.uploadUrlTtlSeconds;
  const expiresAt = new Date(issuedAt.getTime() + ttlSeconds * 1000);
  const maxBytes = request.contentLength ?? request.maxBytes ?? config.maxUploadBytes;

  // The claim exists before any URL does: an upload can never arrive for a key nobody recorded.
  await deps.claims.record({
    id,
    key,
    method: request.method,
    issuedAt: issuedAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
    maxBytes,
    ...(request.contentType ? { contentType: request.contentType } : {}),
    ttl: Math.ceil(expiresAt.getTime() / 1000) + config.claimRetentionSeconds,
  });

  if (request.method === 'PUT') {
    const headers: Record<string, string> = {
      'If-None-Match': '*',
      'Content-Length': String(request.contentLength),
    };
    if (request.contentType) headers['Content-Type'] = request.contentType;
    const url = await getSignedUrl(
      deps.s3,
      new PutObjectCommand({
        Bucket: config.bucketName,
        Key: key,
        IfNoneMatch: '*',
        ContentLength: request.contentLength,
        ...(request.contentType ? { ContentType: request.contentType } : {}),
      }),
      {
        expiresIn: ttlSeconds,
        signingDate: issuedAt,
        signableHeaders: new Set([
          'if-none-match',
          'content-length',
          ...(request.contentType ? ['content-type'] : []),
        ]),
      },
    );
    return { id, key, method: 'PUT', url, headers, expiresAt: expiresAt.toISOString() };
  }

  const conditions: NonNullable<Parameters<typeof createPresignedPost>[1]['Conditions']> = [
    ['content-length-range', 1, maxBytes],
  ];
  const fields: Record<string, string> = {};
  if (request.contentType) {
    conditions.push({ 'Content-Type': request.contentType });
    fields['Content-Type'] = request.contentType;
  }
  const post = await createPresignedPost(deps.s3, {
    Bucket: config.bucketName,
    Key: key,
    Conditions: conditions,
    Fields: fields,
    Expires: ttlSeconds,
  });
  return { id, key, method: 'POST', url: post.url, fields: post.fields, expiresAt: expiresAt.toISOString() };
}
