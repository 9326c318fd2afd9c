/** The HTTP calls a client makes: ask for a URL, upload with it, read the verdict. */
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

export interface Api {
  apiUrl: string;
  apiKey: string;
}

export async function call(
  api: Api,
  method: string,
  path: string,
  body?: unknown,
  key: string | null = api.apiKey,
) {
  const headers: Record<string, string> = {};
  if (key !== null) headers['x-api-key'] = key;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${api.apiUrl}${path}`, {
    method,
    headers,
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json: json as Record<string, unknown>, text };
}

export async function issuePost(api: Api, options: Record<string, unknown> = {}): Promise<IssuedPost> {
  const response = await call(api, 'POST', '/uploads', options);
  if (response.status !== 201) throw new Error(`POST /uploads answered ${response.status}: ${response.text}`);
  return response.json as unknown as IssuedPost;
}

export async function issuePut(api: Api, contentLength: number): Promise<IssuedPut> {
  const response = await call(api, 'POST', '/uploads', { method: 'PUT', contentLength });
  if (response.status !== 201) throw new Error(`POST /uploads answered ${response.status}: ${response.text}`);
  return response.json as unknown as IssuedPut;
}

export interface S3Answer {
  status: number;
  body: string;
  code: string | undefined;
  message: string | undefined;
}

function s3Answer(status: number, body: string): S3Answer {
  return {
    status,
    body,
    code: body.match(/<Code>([^<]*)<\/Code>/)?.[1],
    message: body.match(/<Message>([^<]*)<\/Message>/)?.[1],
  };
}

/** A browser-style form POST to S3, the file last. */
export async function postFile(
  url: string,
  fields: Record<string, string>,
  content: string | Buffer,
): Promise<S3Answer> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('file', new Blob([content]), 'upload.bin');
  const response = await fetch(url, { method: 'POST', body: form });
  return s3Answer(response.status, await response.text());
}

export async function putFile(issued: IssuedPut, content: string | Buffer): Promise<S3Answer> {
  const headers = Object.fromEntries(
    Object.entries(issued.headers).filter(([name]) => name.toLowerCase() !== 'content-length'),
  );
  const response = await fetch(issued.url, { method: 'PUT', headers, body: content });
  return s3Answer(response.status, await response.text());
}

export async function status(api: Api, id: string): Promise<UploadStatus> {
  const response = await call(api, 'GET', `/uploads/${id}`);
  if (response.status !== 200) throw new Error(`GET /uploads/${id} answered ${response.status}`);
  return response.json as unknown as UploadStatus;
}

/** Polls the status API until `done` holds, or fails after the deadline with the last status seen. */
export async function waitForStatus(
  api: Api,
  id: string,
  done: (s: UploadStatus) => boolean,
  deadlineMs = 20_000,
): Promise<UploadStatus> {
  const until = Date.now() + deadlineMs;
  let last: UploadStatus | undefined;
  while (Date.now() < until) {
    last = await status(api, id);
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `upload ${id} did not reach the expected state in ${deadlineMs} ms; last: ${JSON.stringify(last)}`,
  );
}
