import type { Readable } from 'node:stream';
import type { AuthContext } from './auth.js';
import { AwsChunkedDecoder } from './aws-chunked.js';
import {
  type ChecksumAlgorithm,
  checksumApiName,
  isChecksumAlgorithm,
  isWellFormedChecksum,
} from './checksums.js';
import type { S3Context } from './context.js';
import { errors, S3Error } from './errors.js';
import { type Ingested, ingest } from './ingest.js';
import { header, type S3Request } from './request.js';
import type { StoredChecksum } from './store.js';

/**
 * Receives the body of a PutObject or UploadPart the way the SDKs send it (plain, or `aws-chunked` with
 * optional chunk signatures and checksum trailers), verifies Content-MD5, `x-amz-content-sha256` and the
 * flexible checksum, and leaves the bytes in a blob. On any failure the blob is removed.
 */
export interface ReceivedBody {
  ingested: Ingested;
  checksum: StoredChecksum | undefined;
  /** Whether the client sent (and so should get back) the checksum. */
  clientChecksum: boolean;
}

interface ChecksumRequest {
  algorithm: ChecksumAlgorithm;
  value?: string;
  fromTrailer: boolean;
}

function requestedChecksum(r: S3Request): ChecksumRequest | undefined {
  const headerNames = Object.keys(r.req.headers).filter(
    (h) =>
      h.startsWith('x-amz-checksum-') &&
      h !== 'x-amz-checksum-algorithm' &&
      h !== 'x-amz-checksum-type' &&
      h !== 'x-amz-checksum-mode',
  );
  if (headerNames.length > 1) {
    throw errors.invalidRequest(
      'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.',
    );
  }
  const [checksumHeader] = headerNames;
  if (checksumHeader) {
    const algorithm = checksumHeader.slice('x-amz-checksum-'.length);
    if (!isChecksumAlgorithm(algorithm)) {
      throw errors.invalidRequest(`Value for ${checksumHeader} header is invalid.`);
    }
    const value = header(r, checksumHeader) ?? '';
    if (!isWellFormedChecksum(algorithm, value)) {
      throw errors.invalidRequest(`Value for ${checksumHeader} header is invalid.`);
    }
    return { algorithm, value, fromTrailer: false };
  }
  const trailer = header(r, 'x-amz-trailer')?.trim().toLowerCase();
  if (trailer?.startsWith('x-amz-checksum-')) {
    const algorithm = trailer.slice('x-amz-checksum-'.length);
    if (!isChecksumAlgorithm(algorithm))
      throw errors.invalidRequest(`Value for x-amz-trailer header is invalid.`);
    return { algorithm, fromTrailer: true };
  }
  const declared = (
    header(r, 'x-amz-sdk-checksum-algorithm') ?? header(r, 'x-amz-checksum-algorithm')
  )?.toLowerCase();
  if (declared) {
    if (!isChecksumAlgorithm(declared)) {
      throw errors.invalidRequest(
        'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
      );
    }
    return { algorithm: declared, fromTrailer: false };
  }
  return undefined;
}

export async function receiveBody(
  ctx: S3Context,
  r: S3Request,
  auth: AuthContext,
  options: { defaultChecksum: ChecksumAlgorithm | undefined },
): Promise<ReceivedBody> {
  const checksum = requestedChecksum(r);
  const payloadHash = auth.payloadHash;
  const chunked =
    payloadHash.startsWith('STREAMING-') ||
    (header(r, 'content-encoding') ?? '').split(',').some((e) => e.trim() === 'aws-chunked');
  const lengthHeader = chunked ? header(r, 'x-amz-decoded-content-length') : header(r, 'content-length');
  if (chunked && lengthHeader === undefined) {
    throw new S3Error(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
  }
  const expectedLength = lengthHeader === undefined ? undefined : Number(lengthHeader);
  if (expectedLength !== undefined && (!Number.isSafeInteger(expectedLength) || expectedLength < 0)) {
    throw errors.invalidArgument('Invalid Content-Length', 'Content-Length', lengthHeader ?? null);
  }
  if (expectedLength !== undefined && expectedLength > 5 * 1024 ** 3) {
    throw errors.entityTooLarge(5 * 1024 ** 3, expectedLength);
  }

  let source: Readable = r.req;
  let decoder: AwsChunkedDecoder | undefined;
  if (chunked) {
    decoder = new AwsChunkedDecoder(
      payloadHash.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')
        ? {
            signingKey: auth.signingKey,
            amzDate: auth.amzDate,
            scope: auth.scope,
            seedSignature: auth.signature,
          }
        : undefined,
    );
    source = r.req.pipe(decoder);
    r.req.on('error', (error) => decoder?.destroy(error));
  }

  const algorithm = checksum?.algorithm ?? options.defaultChecksum;
  const verifySha256 = /^[0-9a-f]{64}$/.test(payloadHash);
  const ingested = await ingest(source, ctx.store, {
    checksums: algorithm ? [algorithm] : [],
    sha256: verifySha256,
  });
  try {
    if (expectedLength !== undefined && ingested.size !== expectedLength) throw errors.incompleteBody();
    const md5 = header(r, 'content-md5');
    if (md5 !== undefined) {
      if (Buffer.from(md5, 'base64').length !== 16) {
        throw new S3Error(400, 'InvalidDigest', 'The Content-MD5 you specified was invalid.', {
          'Content-MD5': md5,
        });
      }
      if (Buffer.from(md5, 'base64').toString('hex') !== ingested.md5.toString('hex')) {
        throw errors.badDigest();
      }
    }
    if (verifySha256 && ingested.sha256 !== payloadHash) {
      throw new S3Error(
        400,
        'XAmzContentSHA256Mismatch',
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
        {
          ClientComputedContentSHA256: payloadHash,
          S3ComputedContentSHA256: ingested.sha256,
        },
      );
    }
    if (!algorithm) return { ingested, checksum: undefined, clientChecksum: false };
    const computed = ingested.checksums[algorithm] ?? '';
    let provided = checksum?.value;
    if (checksum?.fromTrailer) {
      provided = decoder?.trailers[`x-amz-checksum-${algorithm}`];
      if (provided === undefined) {
        throw errors.invalidRequest(`x-amz-checksum-${algorithm} trailer was declared but not sent.`);
      }
    }
    if (provided !== undefined && provided !== computed) {
      throw errors.badDigest(
        `The ${checksumApiName(algorithm)} you specified did not match the calculated checksum.`,
      );
    }
    return {
      ingested,
      checksum: { algorithm, value: computed, type: 'FULL_OBJECT' },
      clientChecksum: checksum !== undefined,
    };
  } catch (error) {
    ctx.store.dropBlob(ingested.blob);
    throw error;
  }
}
