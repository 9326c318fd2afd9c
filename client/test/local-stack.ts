import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  type DevServer,
  loadDevServerConfig,
  type StartOptions,
  startDevServer,
} from '@one-time-upload/dev-server';
import { main } from '../src/main.js';

/** A real local stack (API + embedded S3 + DynamoDB) in this process, and helpers to drive the CLI at it. */
export const API_KEY = 'client-test-key-0123456789';

export interface LocalStack {
  server: DevServer;
  apiUrl: string;
  /** The bytes stored under a key in the bucket. */
  object(key: string): Promise<Buffer>;
  stop(): Promise<void>;
}

export async function startLocalStack(
  env: Record<string, string> = {},
  options: StartOptions = {},
): Promise<LocalStack> {
  const server = await startDevServer(
    loadDevServerConfig({
      PORT: '0',
      EMBEDDED_PORT: '0',
      API_KEYS: API_KEY,
      EVENT_RETRY_DELAY_MS: '50',
      ...env,
    }),
    { logger: false, ...options },
  );
  return {
    server,
    apiUrl: server.apiUrl,
    async object(key) {
      const answer = await server.clients.s3.send(
        new GetObjectCommand({ Bucket: server.config.service.bucketName, Key: key }),
      );
      return Buffer.from(
        await (answer.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray(),
      );
    },
    stop: () => server.stop(),
  };
}

export interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout as JSON, for `--json` runs. */
  json: Record<string, unknown>;
}

class Capture extends Writable {
  text = '';
  constructor(readonly isTTY = false) {
    super();
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.text += chunk.toString('utf8');
    callback();
  }
}

/** Runs the CLI's `main` exactly as the bin does, with captured output. */
export async function runCli(argv: string[], env: Record<string, string> = {}, cwd?: string): Promise<Run> {
  const stdout = new Capture();
  const stderr = new Capture();
  const exitCode = await main(argv, { env, stdout, stderr, ...(cwd ? { cwd } : {}) });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(stdout.text) as Record<string, unknown>;
  } catch {
    // Not a --json run.
  }
  return { exitCode, stdout: stdout.text, stderr: stderr.text, json };
}

export interface TempDir {
  path: string;
  file(name: string, content: string | Buffer): Promise<string>;
  /** A file of `size` bytes of a repeating pattern, written in chunks (never held in memory). */
  patternFile(name: string, size: number): Promise<string>;
  /** A sparse file of zeros: any size, instantly. */
  sparseFile(name: string, size: number): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), 'one-time-upload-client-'));
  return {
    path,
    async file(name, content) {
      const file = join(path, name);
      await writeFile(file, content);
      return file;
    },
    async patternFile(name, size) {
      const file = join(path, name);
      const chunk = Buffer.alloc(1024 * 1024);
      for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 31 + (i >> 8)) & 0xff;
      await pipeline(
        Readable.from(
          (function* () {
            for (let written = 0; written < size; written += chunk.length) {
              yield chunk.subarray(0, Math.min(chunk.length, size - written));
            }
          })(),
        ),
        createWriteStream(file),
      );
      return file;
    },
    async sparseFile(name, size) {
      const file = join(path, name);
      await writeFile(file, '');
      await truncate(file, size);
      return file;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}

/** A TCP port nothing listens on: bound, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
