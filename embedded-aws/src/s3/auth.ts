import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createScope, getCanonicalQuery } from '@smithy/signature-v4';
import { errors, S3Error } from './errors.js';

/**
 * SigV4 verification for S3 requests: the `Authorization` header form and the presigned query form.
 * The canonical query and the credential scope come from `@smithy/signature-v4`, the code the SDKs sign
 * with, so both sides agree on the rules.
 */
export type Credentials = Record<string, string>;

export interface AuthContext {
  accessKeyId: string;
  region: string;
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  signature: string;
  /** `x-amz-content-sha256` (header auth) or `UNSIGNED-PAYLOAD` (presigned). */
  payloadHash: string;
}

export interface SignedRequest {
  method: string;
  /** Path as sent on the wire (still percent-encoded). */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_PRESIGNED_SECONDS = 604_800;
const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';

export function signingKey(secret: string, shortDate: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secret}`).update(shortDate).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

export function hmacHex(key: Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `20260101T000000Z` -> Date, or undefined when malformed. */
export function parseAmzDate(value: string | undefined): Date | undefined {
  const m = value?.match(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export function toAmzDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

interface CredentialScope {
  accessKeyId: string;
  shortDate: string;
  region: string;
  service: string;
}

export function parseCredential(credential: string, argumentName: string): CredentialScope {
  const parts = credential.split('/');
  const [accessKeyId, shortDate, region, service, terminator] = parts;
  if (
    parts.length !== 5 ||
    !accessKeyId ||
    !shortDate ||
    !/^\d{8}$/.test(shortDate) ||
    !region ||
    !service ||
    terminator !== 'aws4_request'
  ) {
    throw new S3Error(
      400,
      'AuthorizationQueryParametersError',
      `Error parsing the ${argumentName} parameter; the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
    );
  }
  if (service !== 's3') {
    throw new S3Error(
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; incorrect service "${service}". This endpoint belongs to "s3".`,
    );
  }
  return { accessKeyId, shortDate, region, service };
}

export function lookupSecret(credentials: Credentials, accessKeyId: string): string {
  const secret = credentials[accessKeyId];
  if (secret === undefined) {
    throw new S3Error(
      403,
      'InvalidAccessKeyId',
      'The AWS Access Key Id you provided does not exist in our records.',
      {
        AWSAccessKeyId: accessKeyId,
      },
    );
  }
  return secret;
}

/** AWS's URI encoding of one path: every byte but unreserved characters and `/`. */
export function canonicalPath(rawPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    decoded = rawPath;
  }
  return decoded
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return text.trim().replace(/\s+/g, ' ');
}

function canonicalRequest(
  request: SignedRequest,
  signedHeaders: string[],
  query: URLSearchParams,
  payloadHash: string,
): string {
  const queryRecord: Record<string, string | string[]> = {};
  for (const [name, value] of query) {
    const existing = queryRecord[name];
    if (existing === undefined) queryRecord[name] = value;
    else queryRecord[name] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  const canonicalQuery = getCanonicalQuery({
    method: request.method,
    protocol: 'http:',
    hostname: '',
    path: '',
    headers: {},
    query: queryRecord,
  });
  const canonicalHeaders = signedHeaders
    .map((name) => `${name}:${headerValue(request.headers, name)}\n`)
    .join('');
  return [
    request.method,
    canonicalPath(request.rawPath),
    canonicalQuery,
    canonicalHeaders,
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

function verify(
  request: SignedRequest,
  options: {
    credential: CredentialScope;
    secret: string;
    amzDate: string;
    signedHeaders: string[];
    query: URLSearchParams;
    payloadHash: string;
    signature: string;
  },
): AuthContext {
  const { credential, secret, amzDate, signedHeaders, query, payloadHash, signature } = options;
  if (!signedHeaders.includes('host')) {
    throw errors.accessDenied('There were headers present in the request which were not signed', {
      HeadersNotSigned: 'host',
    });
  }
  const canonical = canonicalRequest(request, signedHeaders, query, payloadHash);
  const scope = createScope(credential.shortDate, credential.region, credential.service);
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const key = signingKey(secret, credential.shortDate, credential.region, credential.service);
  const expected = hmacHex(key, stringToSign);
  if (!safeEqual(expected, signature)) {
    throw new S3Error(403, 'SignatureDoesNotMatch', SIGNATURE_MISMATCH_MESSAGE, {
      AWSAccessKeyId: credential.accessKeyId,
      StringToSign: stringToSign,
      SignatureProvided: signature,
      StringToSignBytes: hexBytes(stringToSign),
      CanonicalRequest: canonical,
      CanonicalRequestBytes: hexBytes(canonical),
    });
  }
  return {
    accessKeyId: credential.accessKeyId,
    region: credential.region,
    signingKey: key,
    amzDate,
    scope,
    signature,
    payloadHash,
  };
}

export function hexBytes(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

const PAYLOAD_HASH_FORMS = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
]);

/** Verifies `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`. */
export function verifyHeaderAuth(request: SignedRequest, credentials: Credentials, now: Date): AuthContext {
  const header = headerValue(request.headers, 'authorization');
  if (!header.startsWith('AWS4-HMAC-SHA256 ')) {
    throw new S3Error(400, 'InvalidArgument', 'Unsupported Authorization Type', {
      ArgumentName: 'Authorization',
      ArgumentValue: header.split(' ')[0] ?? '',
    });
  }
  const params: Record<string, string> = {};
  for (const part of header.slice('AWS4-HMAC-SHA256 '.length).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const { Credential: credentialText, SignedHeaders: signedText, Signature: signature } = params;
  if (!credentialText || !signedText || !signature) {
    throw new S3Error(
      400,
      'AuthorizationHeaderMalformed',
      'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
    );
  }
  const credential = parseCredential(credentialText, 'Authorization');
  const secret = lookupSecret(credentials, credential.accessKeyId);
  const amzDate = headerValue(request.headers, 'x-amz-date');
  const date = parseAmzDate(amzDate);
  if (!date) {
    throw errors.accessDenied('AWS authentication requires a valid Date or x-amz-date header');
  }
  if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS) {
    throw new S3Error(
      403,
      'RequestTimeTooSkewed',
      'The difference between the request time and the current time is too large.',
      {
        RequestTime: amzDate,
        ServerTime: now.toISOString(),
        MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
      },
    );
  }
  if (credential.shortDate !== amzDate.slice(0, 8)) {
    throw new S3Error(
      400,
      'AuthorizationHeaderMalformed',
      `The authorization header is malformed; Invalid credential date "${credential.shortDate}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
    );
  }
  const payloadHash = headerValue(request.headers, 'x-amz-content-sha256');
  if (!payloadHash) {
    throw errors.invalidRequest('Missing required header for this request: x-amz-content-sha256');
  }
  if (!PAYLOAD_HASH_FORMS.has(payloadHash) && !/^[0-9a-f]{64}$/.test(payloadHash)) {
    throw new S3Error(
      400,
      'InvalidArgument',
      'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.',
      {
        ArgumentName: 'x-amz-content-sha256',
        ArgumentValue: payloadHash,
      },
    );
  }
  return verify(request, {
    credential,
    secret,
    amzDate,
    signedHeaders: signedText.split(';').map((h) => h.trim().toLowerCase()),
    query: request.query,
    payloadHash,
    signature,
  });
}

/** Verifies a presigned URL (`X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=...`). */
export function verifyPresignedQuery(
  request: SignedRequest,
  credentials: Credentials,
  now: Date,
): AuthContext {
  const q = request.query;
  const required = [
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
  ];
  if (q.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') {
    throw new S3Error(
      400,
      'AuthorizationQueryParametersError',
      'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
    );
  }
  for (const name of required) {
    if (!q.get(name)) {
      throw new S3Error(
        400,
        'AuthorizationQueryParametersError',
        'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
      );
    }
  }
  const credential = parseCredential(q.get('X-Amz-Credential') ?? '', 'X-Amz-Credential');
  const amzDate = q.get('X-Amz-Date') ?? '';
  const date = parseAmzDate(amzDate);
  if (!date) {
    throw new S3Error(
      400,
      'AuthorizationQueryParametersError',
      "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
    );
  }
  const expiresText = q.get('X-Amz-Expires') ?? '';
  const expires = Number(expiresText);
  if (!/^\d+$/.test(expiresText)) {
    throw new S3Error(400, 'AuthorizationQueryParametersError', 'X-Amz-Expires should be a number');
  }
  if (expires > MAX_PRESIGNED_SECONDS) {
    throw new S3Error(
      400,
      'AuthorizationQueryParametersError',
      'X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds',
    );
  }
  const secret = lookupSecret(credentials, credential.accessKeyId);
  if (date.getTime() - now.getTime() > MAX_SKEW_MS) {
    throw errors.accessDenied('Request is not valid yet');
  }
  const expiresAt = new Date(date.getTime() + expires * 1000);
  if (now.getTime() > expiresAt.getTime()) {
    throw errors.accessDenied('Request has expired', {
      'X-Amz-Expires': expiresText,
      Expires: expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    });
  }
  const signature = q.get('X-Amz-Signature') ?? '';
  const unsigned = new URLSearchParams(q);
  unsigned.delete('X-Amz-Signature');
  return verify(request, {
    credential,
    secret,
    amzDate,
    signedHeaders: (q.get('X-Amz-SignedHeaders') ?? '').split(';').map((h) => h.trim().toLowerCase()),
    query: unsigned,
    payloadHash: q.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
    signature,
  });
}
