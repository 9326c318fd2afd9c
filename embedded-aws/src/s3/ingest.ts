import { createHash, type Hash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ChecksumAlgorithm, type Checksummer, createChecksummer } from './checksums.js';
import type { Store } from './store.js';

/**
 * Streams a body into a new blob file while computing what S3 checks and stores: size, MD5 (the ETag),
 * optionally SHA-256 (to verify `x-amz-content-sha256`) and flexible checksums. Nothing is held in memory
 * beyond the stream's buffers. Past `maxBytes`, bytes are counted but no longer written, so the caller can
 * report the proposed size the way S3 does.
 */
export interface Ingested {
  blob: string;
  size: number;
  md5: Buffer;
  sha256?: string;
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface IngestOptions {
  checksums?: ChecksumAlgorithm[];
  sha256?: boolean;
  maxBytes?: number;
}

class Digester extends Transform {
  size = 0;
  readonly md5 = createHash('md5');
  readonly sha256: Hash | undefined;
  readonly checksummers: [ChecksumAlgorithm, Checksummer][];

  constructor(private readonly options: IngestOptions) {
    super();
    this.sha256 = options.sha256 ? createHash('sha256') : undefined;
    this.checksummers = (options.checksums ?? []).map((a) => [a, createChecksummer(a)]);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const before = this.size;
    this.size += chunk.length;
    const max = this.options.maxBytes;
    if (max !== undefined && this.size > max) {
      // Over the limit: keep draining the request (so the client reads our answer), store nothing more.
      if (before < max) this.digest(chunk.subarray(0, max - before));
      callback();
      return;
    }
    this.digest(chunk);
    callback(null, chunk);
  }

  private digest(chunk: Buffer): void {
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    for (const [, c] of this.checksummers) c.update(chunk);
  }
}

export async function ingest(source: Readable, store: Store, options: IngestOptions = {}): Promise<Ingested> {
  const { blob, path } = store.newBlobPath();
  const digester = new Digester(options);
  try {
    await pipeline(source, digester, createWriteStream(path));
  } catch (error) {
    await rm(path, { force: true });
    throw error;
  }
  const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
  for (const [algorithm, checksummer] of digester.checksummers)
    checksums[algorithm] = await checksummer.digest();
  const result: Ingested = { blob, size: digester.size, md5: digester.md5.digest(), checksums };
  if (digester.sha256) result.sha256 = digester.sha256.digest('hex');
  return result;
}
