import { copyFile, open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { AuthContext } from './auth.js';
import { receiveBody } from './body.js';
import { checksumFieldName } from './checksums.js';
import { type Caller, emitAfterResponse, type S3Context } from './context.js';
import { errors, S3Error } from './errors.js';
import {
  checkReadConditions,
  checkWriteConditions,
  validateWriteConditions,
  type WriteConditions,
} from './preconditions.js';
import { header, type S3Request, send } from './request.js';
import type { Bucket, ObjectVersion, StoredChecksum } from './store.js';
import { asArray, asRecord, asString, parseXml, type XmlNode, xmlDocument } from './xml.js';

/** Object operations: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects, CopyObject. */

const STORED_HEADERS = [
  'cache-control',
  'content-disposition',
  'content-encoding',
  'content-language',
  'expires',
];
export const STORAGE_CLASSES = new Set([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
  'OUTPOSTS',
  'SNOW',
  'EXPRESS_ONEZONE',
]);

export function storageClass(value: string | undefined): string {
  const requested = value ?? 'STANDARD';
  if (!STORAGE_CLASSES.has(requested)) {
    throw new S3Error(400, 'InvalidStorageClass', 'The storage class you specified is not valid', {
      StorageClassRequested: requested,
    });
  }
  return requested;
}

/** Metadata and system headers S3 stores with an object, from a request's headers (or form fields). */
export function objectAttributes(get: (name: string) => string | undefined, names: Iterable<string>) {
  const metadata: Record<string, string> = {};
  for (const name of names) {
    const lower = name.toLowerCase();
    if (lower.startsWith('x-amz-meta-')) metadata[lower.slice('x-amz-meta-'.length)] = get(name) ?? '';
  }
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = get(name);
    if (value !== undefined) headers[name] = value;
  }
  // S3's content encoding never includes the transfer's `aws-chunked`.
  if (headers['content-encoding']) {
    const rest = headers['content-encoding']
      .split(',')
      .map((e) => e.trim())
      .filter((e) => e && e !== 'aws-chunked');
    if (rest.length > 0) headers['content-encoding'] = rest.join(',');
    else delete headers['content-encoding'];
  }
  return { metadata, headers, contentType: get('content-type') || 'binary/octet-stream' };
}

function writeConditions(r: S3Request): WriteConditions {
  const c: WriteConditions = {};
  const ifNoneMatch = header(r, 'if-none-match');
  const ifMatch = header(r, 'if-match');
  if (ifNoneMatch !== undefined) c.ifNoneMatch = ifNoneMatch;
  if (ifMatch !== undefined) c.ifMatch = ifMatch;
  return c;
}

export function checksumHeaders(checksum: StoredChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return {
    [`x-amz-checksum-${checksum.algorithm}`]: checksum.value,
    'x-amz-checksum-type': checksum.type,
  };
}

export function checksumXml(checksum: StoredChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return { [checksumFieldName(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type };
}

export function versionHeader(bucket: Bucket, version: ObjectVersion): Record<string, string> {
  return bucket.versioning ? { 'x-amz-version-id': version.versionId } : {};
}

export async function putObject(
  ctx: S3Context,
  r: S3Request,
  bucket: Bucket,
  key: string,
  auth: AuthContext,
) {
  const conditions = writeConditions(r);
  validateWriteConditions(conditions);
  checkWriteConditions(ctx.store, bucket, key, conditions);
  const attributes = objectAttributes((name) => header(r, name), Object.keys(r.req.headers));
  const klass = storageClass(header(r, 'x-amz-storage-class'));
  const body = await receiveBody(ctx, r, auth, { defaultChecksum: 'crc64nvme' });
  try {
    // Checked again at commit: another write may have landed while this body streamed in.
    checkWriteConditions(ctx.store, bucket, key, conditions);
  } catch (error) {
    ctx.store.dropBlob(body.ingested.blob);
    throw error;
  }
  const version = ctx.store.putObject(bucket, {
    key,
    etag: body.ingested.md5.toString('hex'),
    size: body.ingested.size,
    ...attributes,
    ...(body.checksum ? { checksum: body.checksum } : {}),
    storageClass: klass,
    blob: body.ingested.blob,
  });
  send(r, 200, {
    etag: `"${version.etag}"`,
    'x-amz-server-side-encryption': 'AES256',
    ...checksumHeaders(version.checksum),
    ...versionHeader(bucket, version),
  });
  emitAfterResponse(ctx, r, bucket, 'ObjectCreated:Put', version, auth);
}

function resolveVersion(ctx: S3Context, r: S3Request, bucket: Bucket, key: string): ObjectVersion {
  const versionId = r.query.get('versionId');
  if (versionId === null) return ctx.store.current(bucket, key);
  const version = ctx.store.version(bucket, key, versionId);
  if (version.isDeleteMarker) {
    throw errors.methodNotAllowed(r.method, 'DeleteMarker', {
      'x-amz-delete-marker': 'true',
      'x-amz-version-id': version.versionId,
      allow: 'DELETE',
    });
  }
  return version;
}

/**
 * HTTP header values must be Latin-1. S3 sends metadata that is not plain printable ASCII as an RFC 2047
 * encoded word (`=?UTF-8?Q?...?=`, or `B` when it holds control characters), and percent-encodes
 * characters beyond Latin-1 in system headers.
 */
export function encodeMetadataValue(value: string): string {
  const codes = [...value].map((c) => c.codePointAt(0) ?? 0);
  const isControl = (code: number) => (code < 0x20 && code !== 0x09) || code === 0x7f;
  if (codes.every((code) => code < 0x7f && !isControl(code))) return value;
  const bytes = Buffer.from(value, 'utf8');
  if (codes.some(isControl)) return `=?UTF-8?B?${bytes.toString('base64')}?=`;
  let encoded = '';
  for (const byte of bytes) {
    if (byte === 0x20) encoded += '_';
    else if (byte > 0x20 && byte < 0x7f && byte !== 0x3d && byte !== 0x3f && byte !== 0x5f)
      encoded += String.fromCharCode(byte);
    else encoded += `=${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return `=?UTF-8?Q?${encoded}?=`;
}

function latin1HeaderValue(value: string): string {
  return [...value]
    .map((c) => {
      const code = c.codePointAt(0) ?? 0;
      if (code > 0xff) return encodeURIComponent(c);
      return code === 0x0a || code === 0x0d ? ' ' : c;
    })
    .join('');
}

export function objectHeaders(bucket: Bucket, version: ObjectVersion, r: S3Request): Record<string, string> {
  const headers: Record<string, string> = {
    'accept-ranges': 'bytes',
    'content-type': version.contentType,
    etag: `"${version.etag}"`,
    'last-modified': new Date(version.lastModified).toUTCString(),
    'x-amz-server-side-encryption': 'AES256',
    ...versionHeader(bucket, version),
  };
  for (const [name, value] of Object.entries(version.headers)) headers[name] = latin1HeaderValue(value);
  for (const [name, value] of Object.entries(version.metadata))
    headers[`x-amz-meta-${name}`] = encodeMetadataValue(value);
  if (version.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = version.storageClass;
  if (header(r, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED' && version.checksum) {
    Object.assign(headers, checksumHeaders(version.checksum));
  }
  const overrides: [string, string][] = [
    ['response-content-type', 'content-type'],
    ['response-content-language', 'content-language'],
    ['response-expires', 'expires'],
    ['response-cache-control', 'cache-control'],
    ['response-content-disposition', 'content-disposition'],
    ['response-content-encoding', 'content-encoding'],
  ];
  for (const [param, name] of overrides) {
    const value = r.query.get(param);
    if (value !== null) headers[name] = latin1HeaderValue(value);
  }
  return headers;
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; an unsatisfiable range is 416, a malformed one is ignored (S3). */
export function parseRange(
  range: string | undefined,
  size: number,
): { start: number; end: number } | undefined {
  if (!range) return undefined;
  const m = range.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  const [, first = '', last = ''] = m;
  if (first === '') {
    const suffix = Number(last);
    if (suffix === 0) throw errors.invalidRange(size, range);
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  if (start >= size || start > end) throw errors.invalidRange(size, range);
  return { start, end };
}

export async function getObject(ctx: S3Context, r: S3Request, bucket: Bucket, key: string) {
  const version = resolveVersion(ctx, r, bucket, key);
  const headers = objectHeaders(bucket, version, r);
  const state = checkReadConditions(version, {
    ...optional('ifMatch', header(r, 'if-match')),
    ...optional('ifNoneMatch', header(r, 'if-none-match')),
    ...optional('ifModifiedSince', header(r, 'if-modified-since')),
    ...optional('ifUnmodifiedSince', header(r, 'if-unmodified-since')),
  });
  if (state === 'not-modified') {
    send(r, 304, { etag: headers.etag, 'last-modified': headers['last-modified'] });
    return;
  }
  const range = parseRange(header(r, 'range'), version.size);
  const length = range ? range.end - range.start + 1 : version.size;
  if (range) {
    headers['content-range'] = `bytes ${range.start}-${range.end}/${version.size}`;
    // Checksums describe the whole object, not a range.
    for (const name of Object.keys(headers)) if (name.startsWith('x-amz-checksum-')) delete headers[name];
  }
  if (r.method === 'HEAD') {
    send(r, range ? 206 : 200, { ...headers, 'content-length': length });
    return;
  }
  // Open before answering: once open, the file stays readable even if the version is replaced meanwhile.
  const file =
    version.blob && length > 0
      ? await open(ctx.store.blobPath(version.blob), 'r').catch(() => undefined)
      : undefined;
  if (length > 0 && !file) throw errors.noSuchKey(key);
  r.res.statusCode = range ? 206 : 200;
  r.res.setHeader('x-amz-request-id', r.requestId);
  r.res.setHeader('x-amz-id-2', r.hostId);
  r.res.setHeader('server', 'AmazonS3');
  for (const [name, value] of Object.entries(headers)) r.res.setHeader(name, value);
  r.res.setHeader('content-length', length);
  if (!file) {
    r.res.end();
    return;
  }
  const stream = file.createReadStream(range ? { start: range.start, end: range.end } : {});
  await pipeline(stream, r.res).catch(() => undefined);
}

function optional<K extends string>(name: K, value: string | undefined): Partial<Record<K, string>> {
  return value === undefined ? {} : ({ [name]: value } as Record<K, string>);
}

export function deleteObject(ctx: S3Context, r: S3Request, bucket: Bucket, key: string, caller: Caller) {
  const versionId = r.query.get('versionId');
  const result = deleteOne(ctx, bucket, key, versionId ?? undefined);
  const headers: Record<string, string> = {};
  if (result.deleteMarker) headers['x-amz-delete-marker'] = 'true';
  if (result.versionId && bucket.versioning) headers['x-amz-version-id'] = result.versionId;
  send(r, 204, headers);
  if (result.event) emitAfterResponse(ctx, r, bucket, result.event.name, result.event.object, caller);
}

interface DeleteOutcome {
  deleteMarker: boolean;
  versionId?: string;
  event?: { name: 'ObjectRemoved:Delete' | 'ObjectRemoved:DeleteMarkerCreated'; object: ObjectVersion };
}

function deleteOne(
  ctx: S3Context,
  bucket: Bucket,
  key: string,
  versionId: string | undefined,
): DeleteOutcome {
  if (versionId !== undefined) {
    const removed = ctx.store.deleteVersion(bucket, key, versionId);
    if (!removed) return { deleteMarker: false, versionId };
    return {
      deleteMarker: removed.isDeleteMarker,
      versionId,
      event: { name: 'ObjectRemoved:Delete', object: removed },
    };
  }
  const removed = ctx.store.deleteCurrent(bucket, key);
  if (!removed) return { deleteMarker: false };
  if (removed.isDeleteMarker) {
    return {
      deleteMarker: true,
      versionId: removed.versionId,
      event: { name: 'ObjectRemoved:DeleteMarkerCreated', object: removed },
    };
  }
  return { deleteMarker: false, event: { name: 'ObjectRemoved:Delete', object: removed } };
}

export async function deleteObjects(
  ctx: S3Context,
  r: S3Request,
  bucket: Bucket,
  body: string,
  caller: Caller,
) {
  const doc = asRecord(parseXml(body).Delete);
  const quiet = asString(doc.Quiet) === 'true';
  const objects = asArray(doc.Object).map((o) => asRecord(o));
  if (objects.length === 0 || objects.length > 1000) throw errors.malformedXml();
  const deleted: XmlNode[] = [];
  const failed: XmlNode[] = [];
  const events: NonNullable<DeleteOutcome['event']>[] = [];
  for (const object of objects) {
    const key = asString(object.Key);
    const versionId = asString(object.VersionId);
    if (!key) {
      failed.push({ Key: '', Code: 'UserKeyMustBeSpecified', Message: 'The key must be specified.' });
      continue;
    }
    const outcome = deleteOne(ctx, bucket, key, versionId);
    if (outcome.event) events.push(outcome.event);
    if (quiet) continue;
    deleted.push({
      Key: key,
      VersionId: versionId,
      DeleteMarker: outcome.deleteMarker ? true : undefined,
      DeleteMarkerVersionId: outcome.deleteMarker && bucket.versioning ? outcome.versionId : undefined,
    });
  }
  send(r, 200, {}, xmlDocument('DeleteResult', { Deleted: deleted, Error: failed }));
  for (const event of events) emitAfterResponse(ctx, r, bucket, event.name, event.object, caller);
}

/** `x-amz-copy-source: [/]bucket/key[?versionId=...]`, the key URL-encoded. */
export function parseCopySource(value: string): { bucket: string; key: string; versionId?: string } {
  const [pathPart = '', queryPart] = value.split('?', 2);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathPart).replace(/^\//, '');
  } catch {
    decoded = '';
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    throw errors.invalidArgument('Invalid copy source object key', 'x-amz-copy-source', value);
  }
  const versionId = queryPart ? new URLSearchParams(queryPart).get('versionId') : null;
  return {
    bucket: decoded.slice(0, slash),
    key: decoded.slice(slash + 1),
    ...(versionId ? { versionId } : {}),
  };
}

export async function copyObject(ctx: S3Context, r: S3Request, bucket: Bucket, key: string, caller: Caller) {
  const source = parseCopySource(header(r, 'x-amz-copy-source') ?? '');
  const sourceBucket = ctx.store.getBucket(source.bucket);
  let sourceVersion: ObjectVersion;
  if (source.versionId) {
    sourceVersion = ctx.store.version(sourceBucket, source.key, source.versionId);
    if (sourceVersion.isDeleteMarker) {
      throw errors.invalidRequest(
        'The source of a copy request may not specifically refer to a delete marker by version id.',
      );
    }
  } else {
    sourceVersion = ctx.store.current(sourceBucket, source.key);
  }
  const sourceConditions = {
    ...optional('ifMatch', header(r, 'x-amz-copy-source-if-match')),
    ...optional('ifNoneMatch', header(r, 'x-amz-copy-source-if-none-match')),
    ...optional('ifModifiedSince', header(r, 'x-amz-copy-source-if-modified-since')),
    ...optional('ifUnmodifiedSince', header(r, 'x-amz-copy-source-if-unmodified-since')),
  };
  try {
    if (checkReadConditions(sourceVersion, sourceConditions) === 'not-modified') {
      throw errors.preconditionFailed(
        sourceConditions.ifNoneMatch !== undefined
          ? 'x-amz-copy-source-If-None-Match'
          : 'x-amz-copy-source-If-Modified-Since',
      );
    }
  } catch (error) {
    if (
      error instanceof S3Error &&
      error.code === 'PreconditionFailed' &&
      !String(error.fields.Condition).startsWith('x-amz')
    ) {
      throw errors.preconditionFailed(`x-amz-copy-source-${String(error.fields.Condition)}`);
    }
    throw error;
  }
  const conditions = writeConditions(r);
  validateWriteConditions(conditions);
  checkWriteConditions(ctx.store, bucket, key, conditions);

  const directive = (header(r, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw errors.invalidArgument('Unknown metadata directive.', 'x-amz-metadata-directive', directive);
  }
  const attributes =
    directive === 'REPLACE'
      ? objectAttributes((name) => header(r, name), Object.keys(r.req.headers))
      : {
          metadata: sourceVersion.metadata,
          headers: sourceVersion.headers,
          contentType: sourceVersion.contentType,
        };

  const target = ctx.store.newBlobPath();
  if (sourceVersion.blob) await copyFile(ctx.store.blobPath(sourceVersion.blob), target.path);
  else await (await open(target.path, 'w')).close();
  try {
    checkWriteConditions(ctx.store, bucket, key, conditions);
  } catch (error) {
    ctx.store.dropBlob(target.blob);
    throw error;
  }
  const version = ctx.store.putObject(bucket, {
    key,
    etag: sourceVersion.etag,
    size: sourceVersion.size,
    ...attributes,
    ...(sourceVersion.checksum ? { checksum: sourceVersion.checksum } : {}),
    storageClass: storageClass(header(r, 'x-amz-storage-class')),
    blob: target.blob,
  });
  const headers: Record<string, string> = {
    'x-amz-server-side-encryption': 'AES256',
    ...versionHeader(bucket, version),
  };
  if (sourceBucket.versioning) headers['x-amz-copy-source-version-id'] = sourceVersion.versionId;
  send(
    r,
    200,
    headers,
    xmlDocument('CopyObjectResult', {
      ETag: `"${version.etag}"`,
      LastModified: version.lastModified,
      ...checksumXml(version.checksum),
    }),
  );
  emitAfterResponse(ctx, r, bucket, 'ObjectCreated:Copy', version, caller);
}
