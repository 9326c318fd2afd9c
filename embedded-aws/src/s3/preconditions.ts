import { errors } from './errors.js';
import type { Bucket, ObjectVersion, Store } from './store.js';

/**
 * Conditional writes (`If-None-Match: *`, `If-Match: <etag>`) on PutObject, CopyObject and
 * CompleteMultipartUpload, with the validation S3 applies to the header values.
 */
export interface WriteConditions {
  ifNoneMatch?: string;
  ifMatch?: string;
}

export function validateWriteConditions(c: WriteConditions): void {
  if (c.ifMatch !== undefined && c.ifNoneMatch !== undefined) {
    throw errors.notImplementedHeader(
      'If-Match,If-None-Match',
      'Multiple conditional request headers present in the request',
    );
  }
  if (c.ifNoneMatch !== undefined && c.ifNoneMatch.trim() !== '*') {
    throw errors.notImplementedHeader(
      'If-None-Match',
      "We don't accept the provided value of If-None-Match header for this API",
    );
  }
  if (c.ifMatch !== undefined && c.ifMatch.trim() === '*') {
    throw errors.notImplementedHeader(
      'If-Match',
      "We don't accept the provided value of If-Match header for this API",
    );
  }
}

export function normalizeEtag(etag: string): string {
  return etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
}

/** Checks the conditions against the key's current state; call again right before committing. */
export function checkWriteConditions(store: Store, bucket: Bucket, key: string, c: WriteConditions): void {
  if (c.ifNoneMatch !== undefined) {
    const latest = store.latest(bucket, key);
    if (latest && !latest.isDeleteMarker) throw errors.preconditionFailed('If-None-Match');
  }
  if (c.ifMatch !== undefined) {
    const latest = store.latest(bucket, key);
    if (!latest || latest.isDeleteMarker) throw errors.noSuchKey(key);
    const wanted = c.ifMatch.split(',').map(normalizeEtag);
    if (!wanted.includes(latest.etag)) throw errors.preconditionFailed('If-Match');
  }
}

/** Read conditions on GET/HEAD: a failed `If-Match` is 412, a matching `If-None-Match` is 304. */
export function checkReadConditions(
  version: ObjectVersion,
  headers: { ifMatch?: string; ifNoneMatch?: string; ifModifiedSince?: string; ifUnmodifiedSince?: string },
): 'ok' | 'not-modified' {
  const modified = new Date(version.lastModified).getTime();
  const seconds = (date: string) => Math.floor(new Date(date).getTime() / 1000) * 1000;
  if (headers.ifMatch !== undefined) {
    const wanted = headers.ifMatch.split(',').map(normalizeEtag);
    if (!wanted.includes('*') && !wanted.includes(version.etag)) throw errors.preconditionFailed('If-Match');
  } else if (
    headers.ifUnmodifiedSince !== undefined &&
    Math.floor(modified / 1000) * 1000 > seconds(headers.ifUnmodifiedSince)
  ) {
    throw errors.preconditionFailed('If-Unmodified-Since');
  }
  if (headers.ifNoneMatch !== undefined) {
    const wanted = headers.ifNoneMatch.split(',').map(normalizeEtag);
    if (wanted.includes('*') || wanted.includes(version.etag)) return 'not-modified';
  } else if (
    headers.ifModifiedSince !== undefined &&
    Math.floor(modified / 1000) * 1000 <= seconds(headers.ifModifiedSince)
  ) {
    return 'not-modified';
  }
  return 'ok';
}
