import { CliError, unreachable } from './errors.js';

/** The upload API over HTTP: ask for a URL, read an upload's status. Answers become typed errors. */
export interface IssuedPost {
  id: string;
  key: string;
  method: 'POST';
  url: string;
  fields: Record<string, string>;
  expiresAt: string;
}

export interface IssuedPut {
  id: string;
  key: string;
  method: 'PUT';
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

export type IssuedUpload = IssuedPost | IssuedPut;

export interface UploadStatus {
  id: string;
  key: string;
  status: 'issued' | 'accepted' | 'expired';
  method: string;
  expiresAt: string;
  acceptedKey?: string;
  acceptedAt?: string;
  duplicateAttempts: number;
}

export interface UploadRequest {
  method: 'POST' | 'PUT';
  /** Required by the API for PUT: the file's exact size. */
  contentLength?: number;
}

export interface ApiClientOptions {
  apiUrl: string;
  apiKey: string;
  fetch?: typeof fetch;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return isRecord(value) && Object.values(value).every((v) => typeof v === 'string');
}

function parseIssued(body: unknown): IssuedUpload | undefined {
  if (!isRecord(body)) return undefined;
  const { id, key, method, url, expiresAt } = body;
  if (typeof id !== 'string' || typeof key !== 'string' || typeof url !== 'string') return undefined;
  if (typeof expiresAt !== 'string' || Number.isNaN(Date.parse(expiresAt))) return undefined;
  if (method === 'POST' && isStringRecord(body.fields)) {
    return { id, key, method, url, fields: body.fields, expiresAt };
  }
  if (method === 'PUT' && isStringRecord(body.headers)) {
    return { id, key, method, url, headers: body.headers, expiresAt };
  }
  return undefined;
}

function parseStatus(body: unknown): UploadStatus | undefined {
  if (!isRecord(body)) return undefined;
  const { id, key, status, method, expiresAt, acceptedKey, acceptedAt, duplicateAttempts } = body;
  if (typeof id !== 'string' || typeof key !== 'string' || typeof method !== 'string') return undefined;
  if (status !== 'issued' && status !== 'accepted' && status !== 'expired') return undefined;
  if (typeof expiresAt !== 'string' || typeof duplicateAttempts !== 'number') return undefined;
  return {
    id,
    key,
    status,
    method,
    expiresAt,
    duplicateAttempts,
    ...(typeof acceptedKey === 'string' ? { acceptedKey } : {}),
    ...(typeof acceptedAt === 'string' ? { acceptedAt } : {}),
  };
}

export class UploadApi {
  readonly apiUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? fetch;
  }

  /** `POST /uploads`: a fresh one-time URL. */
  async requestUpload(request: UploadRequest): Promise<IssuedUpload> {
    const { status, body } = await this.#call('POST', '/uploads', request);
    const issued = status === 201 ? parseIssued(body) : undefined;
    if (!issued) throw unexpectedAnswer('POST /uploads', status, body);
    return issued;
  }

  /** `GET /uploads/{id}`: where the upload stands. */
  async status(id: string): Promise<UploadStatus> {
    const { status, body } = await this.#call('GET', `/uploads/${encodeURIComponent(id)}`);
    const parsed = status === 200 ? parseStatus(body) : undefined;
    if (!parsed) throw unexpectedAnswer(`GET /uploads/${id}`, status, body);
    return parsed;
  }

  async #call(method: string, path: string, json?: unknown): Promise<{ status: number; body: unknown }> {
    const url = `${this.apiUrl}${path}`;
    const headers: Record<string, string> = { 'x-api-key': this.#apiKey, accept: 'application/json' };
    if (json !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        ...(json !== undefined ? { body: JSON.stringify(json) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
      // Reading the body can fail too (a reset, the timeout): the API is then as unreachable as before.
      text = await response.text();
    } catch (error) {
      throw unreachable('The API', this.apiUrl, error);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    const message = isRecord(body) && typeof body.message === 'string' ? body.message : undefined;
    const details = { httpStatus: response.status, ...(message ? { apiMessage: message } : {}) };
    if (response.status === 403 && message === 'Forbidden') {
      throw new CliError(
        'api-key-refused',
        'The API refused the API key (403 Forbidden): check --api-key or ONE_TIME_UPLOAD_API_KEY',
        { details },
      );
    }
    if (response.status === 403 && message === 'Missing Authentication Token') {
      // API Gateway's answer to a route it does not have: the URL points somewhere else.
      throw new CliError(
        'usage',
        `${url} is not an upload API route (403 Missing Authentication Token): check --api-url`,
        { details },
      );
    }
    if (response.status === 429 && message === 'Limit Exceeded') {
      throw new CliError(
        'quota-exceeded',
        "The API key's daily quota is used up (429 Limit Exceeded); it resets at 00:00 UTC",
        { details },
      );
    }
    if (response.status === 429) {
      throw new CliError(
        'throttled',
        'The API throttled the request (429 Too Many Requests); retry shortly',
        {
          details,
        },
      );
    }
    if (response.status === 400) {
      throw new CliError('api-refused', `The API refused the request (400): ${message ?? text}`, { details });
    }
    if (response.status >= 500) {
      throw new CliError(
        'unavailable',
        `The API is unavailable (${response.status}${message ? ` ${message}` : ''}); retry later`,
        { details },
      );
    }
    return { status: response.status, body };
  }
}

function unexpectedAnswer(what: string, status: number, body: unknown): CliError {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new CliError(
    'unexpected',
    `${what} answered ${status}, which this client does not understand: ${text.slice(0, 200)}`,
    {
      details: { httpStatus: status },
    },
  );
}
