import { createHash, createHmac } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Error } from './errors.js';

/**
 * Decodes `Content-Encoding: aws-chunked` bodies, as the AWS SDKs send streamed uploads:
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n[<trailers>\r\n]\r\n
 *
 * Emits only the data. With `signing`, each chunk signature is verified against the chain that starts at
 * the request's seed signature (STREAMING-AWS4-HMAC-SHA256-PAYLOAD). Trailing headers (for example
 * `x-amz-checksum-crc32:...`) are collected in `trailers`.
 */
export interface ChunkSigning {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
const MAX_LINE = 4096;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

export class AwsChunkedDecoder extends Transform {
  readonly trailers: Record<string, string> = {};
  private state: State = 'size';
  private line = Buffer.alloc(0);
  private remaining = 0;
  private chunkSignature: string | undefined;
  private previousSignature: string;
  private chunkHash = createHash('sha256');

  constructor(private readonly signing?: ChunkSigning) {
    super();
    this.previousSignature = signing?.seedSignature ?? '';
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.consume(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    // Some clients end the trailer section without the final empty line.
    if (this.state === 'trailer' && this.line.length > 0) {
      try {
        this.consumeLine(this.line);
        this.line = Buffer.alloc(0);
        this.state = 'done';
      } catch (error) {
        callback(error as Error);
        return;
      }
    }
    if (this.state !== 'done' && this.state !== 'trailer') {
      callback(new S3Error(400, 'IncompleteBody', 'The request body terminated unexpectedly'));
      return;
    }
    callback();
  }

  private consume(input: Buffer): void {
    let chunk = input;
    while (chunk.length > 0) {
      if (this.state === 'data') {
        const take = Math.min(this.remaining, chunk.length);
        const data = chunk.subarray(0, take);
        if (this.signing) this.chunkHash.update(data);
        this.push(data);
        this.remaining -= take;
        chunk = chunk.subarray(take);
        if (this.remaining === 0) this.state = 'data-end';
        continue;
      }
      if (this.state === 'done') return; // bytes after the end are ignored, as S3 does
      const newline = chunk.indexOf(0x0a);
      const part = newline === -1 ? chunk : chunk.subarray(0, newline + 1);
      this.line = Buffer.concat([this.line, part]);
      if (this.line.length > MAX_LINE) throw malformed('a chunk header line is too long');
      chunk = chunk.subarray(part.length);
      if (newline === -1) return;
      const text = this.line.subarray(0, this.line.length - (this.line.at(-2) === 0x0d ? 2 : 1));
      this.line = Buffer.alloc(0);
      this.consumeLine(text);
    }
  }

  private consumeLine(line: Buffer): void {
    const text = line.toString('latin1');
    switch (this.state) {
      case 'data-end':
        if (text !== '') throw malformed('chunk data is longer than its declared size');
        this.verifyChunkSignature();
        this.state = 'size';
        return;
      case 'size': {
        const [sizeText = '', ...extensions] = text.split(';');
        if (!/^[0-9a-fA-F]{1,16}$/.test(sizeText.trim())) throw malformed(`invalid chunk size "${sizeText}"`);
        this.remaining = Number.parseInt(sizeText, 16);
        this.chunkSignature = extensions
          .map((e) => e.trim())
          .find((e) => e.startsWith('chunk-signature='))
          ?.slice('chunk-signature='.length);
        if (this.signing && !this.chunkSignature) throw malformed('a chunk has no chunk-signature');
        if (this.remaining === 0) {
          this.verifyChunkSignature();
          this.state = 'trailer';
        } else {
          this.state = 'data';
        }
        return;
      }
      case 'trailer': {
        if (text === '') {
          this.state = 'done';
          return;
        }
        const colon = text.indexOf(':');
        if (colon <= 0) throw malformed('invalid trailing header');
        this.trailers[text.slice(0, colon).trim().toLowerCase()] = text.slice(colon + 1).trim();
        return;
      }
      default:
        throw malformed('unexpected data');
    }
  }

  private verifyChunkSignature(): void {
    if (!this.signing) return;
    const stringToSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      this.signing.amzDate,
      this.signing.scope,
      this.previousSignature,
      EMPTY_SHA256,
      this.chunkHash.digest('hex'),
    ].join('\n');
    const expected = createHmac('sha256', this.signing.signingKey).update(stringToSign).digest('hex');
    if (expected !== this.chunkSignature) {
      throw new S3Error(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      );
    }
    this.previousSignature = expected;
    this.chunkHash = createHash('sha256');
  }
}

function malformed(detail: string): S3Error {
  return new S3Error(400, 'InvalidChunkSizeError', `Invalid aws-chunked body: ${detail}`);
}
