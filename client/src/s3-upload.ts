import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import type { IssuedPost, IssuedPut, IssuedUpload } from './api-client.js';
import { CliError, unreachable, usageError } from './errors.js';
import { multipartEnvelope } from './multipart.js';

/**
 * Uploads a file straight to S3 with the URL the API issued, streaming it from disk: a 2 GiB file goes
 * through a fixed-size buffer, with an exact Content-Length (S3 refuses chunked uploads without one).
 */
export interface S3Answer {
  status: number;
  /** S3's error code and message, for a refusal (`AccessDenied`, `EntityTooLarge`, ...). */
  code?: string;
  message?: string;
  etag?: string;
}

/** Bytes of the file handed to the connection so far, out of the file's size. */
export type ProgressListener = (sent: number, total: number) => void;

export interface LocalFile {
  path: string;
  name: string;
  size: number;
}

export async function inspectFile(path: string): Promise<LocalFile> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw usageError(`${path} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw usageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return { path, name: basename(path), size };
}

function decodeXml(text: string): string {
  return text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&quot;', '"')
    .replaceAll('&apos;', "'")
    .replaceAll('&amp;', '&');
}

export function parseS3Answer(status: number, body: string, etag?: string): S3Answer {
  const code = body.match(/<Code>([^<]*)<\/Code>/)?.[1];
  const message = body.match(/<Message>([^<]*)<\/Message>/)?.[1];
  return {
    status,
    ...(code !== undefined ? { code: decodeXml(code) } : {}),
    ...(message !== undefined ? { message: decodeXml(message) } : {}),
    ...(etag ? { etag } : {}),
  };
}

export function isSuccess(answer: S3Answer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

/** Counts the file's bytes as they pass, for the progress bar. */
function byteCounter(total: number, onProgress: ProgressListener | undefined): Transform {
  let sent = 0;
  onProgress?.(0, total);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      onProgress?.(sent, total);
      callback(null, chunk);
    },
  });
}

function fileStream(file: LocalFile, onProgress: ProgressListener | undefined): Readable {
  // Never more than the size announced in Content-Length, even if the file grows meanwhile.
  const source: Readable =
    file.size > 0 ? createReadStream(file.path, { start: 0, end: file.size - 1 }) : Readable.from([]);
  const counter = byteCounter(file.size, onProgress);
  source.on('error', (error: Error) => counter.destroy(error));
  return source.pipe(counter);
}

/** The envelope around the file, as one stream: preamble, the file's bytes, epilogue. */
function multipartStream(preamble: Buffer, file: Readable, epilogue: Buffer): Readable {
  return Readable.from(
    (async function* () {
      yield preamble;
      for await (const chunk of file) yield chunk as Buffer;
      yield epilogue;
    })(),
    { objectMode: false },
  );
}

function send(
  url: string,
  method: 'POST' | 'PUT',
  headers: Record<string, string | number>,
  body: Readable,
): Promise<S3Answer> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      reject(
        new CliError('unexpected', `the API issued an upload URL that is not a URL: ${url}`, {
          cause: error,
        }),
      );
      return;
    }
    const transport = target.protocol === 'https:' ? https : http;
    let settled = false;
    let answered = false;
    const fail = (error: CliError) => {
      if (settled) return;
      settled = true;
      body.destroy();
      request.destroy();
      reject(error);
    };
    const request = transport.request(target, { method, headers });
    request.on('response', (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        if (settled) return;
        settled = true;
        // S3 may answer (a refusal) before the whole file was sent; stop reading the file then.
        body.destroy();
        resolve(
          parseS3Answer(
            response.statusCode ?? 0,
            Buffer.concat(chunks).toString('utf8'),
            response.headers.etag,
          ),
        );
      });
      response.on('close', () => {
        if (!response.complete) fail(unreachable('S3', target.origin, new Error('the answer was cut short')));
      });
    });
    request.on('error', (error) => {
      // Once S3 has answered, a write that fails because it closed the connection changes nothing.
      if (!answered) fail(unreachable('S3', target.origin, error));
    });
    body.on('error', (error) => {
      fail(
        error instanceof CliError
          ? error
          : usageError(`reading the file failed: ${(error as NodeJS.ErrnoException).code ?? error.message}`),
      );
    });
    body.pipe(request);
  });
}

/** A browser-style POST Object: the policy's fields, then the file. */
export async function postFile(
  issued: IssuedPost,
  file: LocalFile,
  onProgress?: ProgressListener,
): Promise<S3Answer> {
  const envelope = multipartEnvelope(issued.fields, { filename: file.name, size: file.size });
  return send(
    issued.url,
    'POST',
    { 'content-type': envelope.contentType, 'content-length': envelope.contentLength },
    multipartStream(envelope.preamble, fileStream(file, onProgress), envelope.epilogue),
  );
}

/** Strict mode: a presigned PUT with the headers it was signed with (`If-None-Match: *`, the exact size). */
export async function putFile(
  issued: IssuedPut,
  file: LocalFile,
  onProgress?: ProgressListener,
): Promise<S3Answer> {
  const headers: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(issued.headers)) headers[name.toLowerCase()] = value;
  // The URL is signed for the size the API was told; sending another one would only earn a 403.
  headers['content-length'] = file.size;
  return send(issued.url, 'PUT', headers, fileStream(file, onProgress));
}

export function uploadFile(
  issued: IssuedUpload,
  file: LocalFile,
  onProgress?: ProgressListener,
): Promise<S3Answer> {
  return issued.method === 'POST' ? postFile(issued, file, onProgress) : putFile(issued, file, onProgress);
}
