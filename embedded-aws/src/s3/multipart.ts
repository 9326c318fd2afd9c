import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuthContext } from './auth.js';
import { receiveBody } from './body.js';
import { type ChecksumAlgorithm, createChecksummer, isChecksumAlgorithm } from './checksums.js';
import { type Caller, emitAfterResponse, type S3Context } from './context.js';
import { errors, S3Error } from './errors.js';
import { checksumHeaders, checksumXml, objectAttributes, storageClass, versionHeader } from './objects.js';
import { normalizeEtag, validateWriteConditions, type WriteConditions } from './preconditions.js';
import { header, type S3Request, send } from './request.js';
import type { Bucket, MultipartUpload, StoredChecksum } from './store.js';
import { asArray, asRecord, asString, parseXml, xmlDocument } from './xml.js';

/** Multipart uploads: Create, UploadPart, Complete (with If-None-Match / If-Match), Abort, ListParts. */

const MIN_PART_BYTES = 5 * 1024 * 1024;

export function createUpload(ctx: S3Context, r: S3Request, bucket: Bucket, key: string) {
  const algorithmHeader = header(r, 'x-amz-checksum-algorithm')?.toLowerCase();
  if (algorithmHeader !== undefined && !isChecksumAlgorithm(algorithmHeader)) {
    throw errors.invalidRequest(
      'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]',
    );
  }
  const attributes = objectAttributes((name) => header(r, name), Object.keys(r.req.headers));
  const baseSequencer = ctx.store.latest(bucket, key)?.sequencer;
  const upload = ctx.store.createUpload(bucket, {
    key,
    ...(baseSequencer ? { baseSequencer } : {}),
    ...attributes,
    storageClass: storageClass(header(r, 'x-amz-storage-class')),
    ...(algorithmHeader ? { checksumAlgorithm: algorithmHeader } : {}),
  });
  const headers: Record<string, string> = { 'x-amz-server-side-encryption': 'AES256' };
  if (algorithmHeader) headers['x-amz-checksum-algorithm'] = algorithmHeader.toUpperCase();
  send(
    r,
    200,
    headers,
    xmlDocument('InitiateMultipartUploadResult', {
      Bucket: bucket.name,
      Key: key,
      UploadId: upload.uploadId,
    }),
  );
}

function partNumberParam(r: S3Request): number {
  const text = r.query.get('partNumber') ?? '';
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 10_000) {
    throw errors.invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      text,
    );
  }
  return n;
}

export async function uploadPart(
  ctx: S3Context,
  r: S3Request,
  bucket: Bucket,
  key: string,
  auth: AuthContext,
) {
  const upload = ctx.store.upload(bucket, r.query.get('uploadId') ?? '');
  if (upload.key !== key) throw errors.noSuchUpload(upload.uploadId);
  const partNumber = partNumberParam(r);
  const body = await receiveBody(ctx, r, auth, { defaultChecksum: upload.checksumAlgorithm });
  if (!bucket.uploads.has(upload.uploadId)) {
    ctx.store.dropBlob(body.ingested.blob);
    throw errors.noSuchUpload(upload.uploadId);
  }
  const etag = body.ingested.md5.toString('hex');
  ctx.store.putPart(upload, {
    partNumber,
    etag,
    size: body.ingested.size,
    blob: body.ingested.blob,
    lastModified: new Date().toISOString(),
    ...(body.checksum ? { checksum: body.checksum } : {}),
  });
  send(r, 200, {
    etag: `"${etag}"`,
    'x-amz-server-side-encryption': 'AES256',
    ...checksumHeaders(body.checksum),
  });
}

export async function completeUpload(
  ctx: S3Context,
  r: S3Request,
  bucket: Bucket,
  key: string,
  body: string,
  caller: Caller,
) {
  const upload = ctx.store.upload(bucket, r.query.get('uploadId') ?? '');
  const conditions: WriteConditions = {};
  const ifNoneMatch = header(r, 'if-none-match');
  const ifMatch = header(r, 'if-match');
  if (ifNoneMatch !== undefined) conditions.ifNoneMatch = ifNoneMatch;
  if (ifMatch !== undefined) conditions.ifMatch = ifMatch;
  validateWriteConditions(conditions);

  const requested = asArray(asRecord(parseXml(body).CompleteMultipartUpload).Part).map((p) => {
    const part = asRecord(p);
    return { partNumber: Number(asString(part.PartNumber)), etag: normalizeEtag(asString(part.ETag) ?? '') };
  });
  if (requested.length === 0) {
    throw new S3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  }
  const parts = requested.map((wanted, index) => {
    const previous = requested[index - 1];
    if (previous && previous.partNumber >= wanted.partNumber) {
      throw new S3Error(
        400,
        'InvalidPartOrder',
        'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
      );
    }
    const part = upload.parts.get(wanted.partNumber);
    if (!part || part.etag !== wanted.etag) {
      throw new S3Error(
        400,
        'InvalidPart',
        "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
        {
          UploadId: upload.uploadId,
          PartNumber: String(wanted.partNumber),
          ETag: wanted.etag,
        },
      );
    }
    if (index < requested.length - 1 && part.size < MIN_PART_BYTES) {
      throw new S3Error(
        400,
        'EntityTooSmall',
        'Your proposed upload is smaller than the minimum allowed size',
        {
          ETag: part.etag,
          MinSizeAllowed: String(MIN_PART_BYTES),
          PartNumber: String(part.partNumber),
          ProposedSize: String(part.size),
        },
      );
    }
    return part;
  });

  checkCompleteConditions(ctx, bucket, key, upload, conditions);

  // Concatenate the parts into the object's file, computing a full-object checksum on the way.
  const target = ctx.store.newBlobPath();
  const fullChecksum = upload.checksumAlgorithm ? undefined : createChecksummer('crc64nvme');
  const out = createWriteStream(target.path);
  for (const part of parts) {
    const through = new PassThrough();
    through.on('data', (chunk: Buffer) => fullChecksum?.update(chunk));
    await pipeline(createReadStream(ctx.store.blobPath(part.blob)), through, out, { end: false });
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );

  try {
    checkCompleteConditions(ctx, bucket, key, upload, conditions);
  } catch (error) {
    ctx.store.dropBlob(target.blob);
    throw error;
  }
  const md5 = createHash('md5');
  for (const part of parts) md5.update(Buffer.from(part.etag, 'hex'));
  let checksum: StoredChecksum | undefined;
  if (fullChecksum)
    checksum = { algorithm: 'crc64nvme', value: await fullChecksum.digest(), type: 'FULL_OBJECT' };
  else if (upload.checksumAlgorithm)
    checksum = await compositeChecksum(
      upload.checksumAlgorithm,
      parts.map((p) => p.checksum),
    );

  ctx.store.endUpload(bucket, upload);
  const version = ctx.store.putObject(bucket, {
    key,
    etag: `${md5.digest('hex')}-${parts.length}`,
    size: parts.reduce((sum, p) => sum + p.size, 0),
    contentType: upload.contentType,
    metadata: upload.metadata,
    headers: upload.headers,
    storageClass: upload.storageClass,
    blob: target.blob,
    ...(checksum ? { checksum } : {}),
  });
  send(
    r,
    200,
    { 'x-amz-server-side-encryption': 'AES256', ...versionHeader(bucket, version) },
    xmlDocument('CompleteMultipartUploadResult', {
      Location: `/${bucket.name}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
      Bucket: bucket.name,
      Key: key,
      ETag: `"${version.etag}"`,
      ...checksumXml(version.checksum),
    }),
  );
  emitAfterResponse(ctx, r, bucket, 'ObjectCreated:CompleteMultipartUpload', version, caller);
}

/**
 * As recorded from S3: a failed condition against the current object is 412 (404 for If-Match on a missing
 * key); a key that changed since the upload began, though the condition would now hold, is 409.
 */
function checkCompleteConditions(
  ctx: S3Context,
  bucket: Bucket,
  key: string,
  upload: MultipartUpload,
  c: WriteConditions,
) {
  if (c.ifNoneMatch === undefined && c.ifMatch === undefined) return;
  const latest = ctx.store.latest(bucket, key);
  const current = latest && !latest.isDeleteMarker ? latest : undefined;
  if (c.ifNoneMatch !== undefined && current) throw errors.preconditionFailed('If-None-Match');
  if (c.ifMatch !== undefined) {
    if (!current) throw errors.noSuchKey(key);
    if (!c.ifMatch.split(',').map(normalizeEtag).includes(current.etag))
      throw errors.preconditionFailed('If-Match');
  }
  if (latest?.sequencer !== upload.baseSequencer) {
    throw errors.conditionalConflict(c.ifNoneMatch !== undefined ? 'If-None-Match' : 'If-Match', key);
  }
}

async function compositeChecksum(
  algorithm: ChecksumAlgorithm,
  partChecksums: (StoredChecksum | undefined)[],
): Promise<StoredChecksum | undefined> {
  if (partChecksums.some((c) => !c || c.algorithm !== algorithm)) return undefined;
  const hasher = createChecksummer(algorithm);
  for (const c of partChecksums) hasher.update(Buffer.from(c?.value ?? '', 'base64'));
  return { algorithm, value: `${await hasher.digest()}-${partChecksums.length}`, type: 'COMPOSITE' };
}

export function abortUpload(ctx: S3Context, r: S3Request, bucket: Bucket) {
  const upload = ctx.store.upload(bucket, r.query.get('uploadId') ?? '');
  ctx.store.endUpload(bucket, upload);
  send(r, 204);
}

export function listParts(ctx: S3Context, r: S3Request, bucket: Bucket, key: string) {
  const upload = ctx.store.upload(bucket, r.query.get('uploadId') ?? '');
  const marker = Number(r.query.get('part-number-marker') ?? '0') || 0;
  const maxParts = Math.min(Number(r.query.get('max-parts') ?? '1000') || 1000, 1000);
  const all = [...upload.parts.values()]
    .sort((a, b) => a.partNumber - b.partNumber)
    .filter((p) => p.partNumber > marker);
  const page = all.slice(0, maxParts);
  send(
    r,
    200,
    {},
    xmlDocument('ListPartsResult', {
      Bucket: bucket.name,
      Key: key,
      UploadId: upload.uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.at(-1)?.partNumber ?? marker,
      MaxParts: maxParts,
      IsTruncated: all.length > page.length,
      ChecksumAlgorithm: upload.checksumAlgorithm?.toUpperCase(),
      StorageClass: upload.storageClass,
      Part: page.map((p) => ({
        PartNumber: p.partNumber,
        LastModified: p.lastModified,
        ETag: `"${p.etag}"`,
        Size: p.size,
        ...checksumXml(p.checksum),
      })),
    }),
  );
}

export function listUploads(r: S3Request, bucket: Bucket) {
  const prefix = r.query.get('prefix') ?? '';
  const uploads = [...bucket.uploads.values()].filter((u) => u.key.startsWith(prefix));
  send(
    r,
    200,
    {},
    xmlDocument('ListMultipartUploadsResult', {
      Bucket: bucket.name,
      Prefix: prefix,
      MaxUploads: 1000,
      IsTruncated: false,
      Upload: uploads.map((u) => ({
        Key: u.key,
        UploadId: u.uploadId,
        Initiated: u.initiated,
        StorageClass: u.storageClass,
      })),
    }),
  );
}
