import {
  CopyObjectCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectVersionsCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { ServiceConfig } from '../config.js';
import type { Claim, ClaimStore, Winner } from './claims.js';
import { acceptedKeyFor, idFromKey } from './upload-key.js';

/**
 * Accepts the first upload to an issued key and flags every other one.
 *
 * S3 delivers events at least once and in any order, and a quick second upload may replace the first
 * before its event arrives. So the event only says "something landed at this key": the winner is the
 * EARLIEST version of `uploads/<key>` (the bucket is versioned and S3 lists versions newest first, with
 * read-after-write consistency, so every write ordered before this event's is listed). The claim records
 * the winner with a conditional write; the copy to `accepted/` is by version id and conditional
 * (`If-None-Match: *`), so a retry after a crash completes it and a redelivery changes nothing.
 */
export interface UploadedObject {
  bucket: string;
  key: string;
  versionId: string | undefined;
  size: number;
  eTag: string;
  sequencer: string;
}

export type AcceptOutcome =
  | { kind: 'accepted'; key: string; versionId: string; acceptedKey: string }
  | { kind: 'already-accepted'; key: string; versionId: string; acceptedKey: string }
  | { kind: 'duplicate'; key: string; versionId: string; attempts: number; acceptedKey: string }
  | { kind: 'duplicate-seen-before'; key: string; versionId: string }
  | { kind: 'unclaimed'; key: string; versionId: string; reason: string }
  | { kind: 'unclaimed-seen-before'; key: string; versionId: string }
  | { kind: 'ignored'; key: string; reason: string };

export interface AcceptDeps {
  s3: S3Client;
  claims: ClaimStore;
  config: ServiceConfig;
  now: () => Date;
}

/** The object's versions were not found: S3 lists every committed write, so this is worth a retry. */
export class UploadNotFoundError extends Error {
  override name = 'UploadNotFoundError';
}

/** The bucket must be versioned: without version ids the first upload cannot be told from a later one. */
export class UnversionedBucketError extends Error {
  override name = 'UnversionedBucketError';
}

export async function earliestVersion(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<Winner | undefined> {
  let earliest: Winner | undefined;
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: key,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    for (const version of page.Versions ?? []) {
      if (version.Key === key && version.VersionId) {
        earliest = {
          versionId: version.VersionId,
          etag: (version.ETag ?? '').replaceAll('"', ''),
          size: version.Size ?? 0,
        };
      }
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return earliest;
}

async function copyWinner(
  deps: AcceptDeps,
  bucket: string,
  claim: Claim,
  winner: Winner,
  acceptedKey: string,
): Promise<void> {
  const source = `${bucket}/${encodeURIComponent(claim.key).replace(/%2F/g, '/')}?versionId=${encodeURIComponent(winner.versionId)}`;
  try {
    await deps.s3.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: acceptedKey,
        CopySource: source,
        IfNoneMatch: '*',
        MetadataDirective: 'COPY',
      }),
    );
  } catch (error) {
    if (!(error instanceof S3ServiceException && error.$metadata.httpStatusCode === 412)) throw error;
    // The copy exists already (an earlier attempt made it before it failed): confirm it is the winner.
    const [copy, original] = await Promise.all([
      deps.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: acceptedKey, ChecksumMode: 'ENABLED' })),
      deps.s3.send(
        new HeadObjectCommand({
          Bucket: bucket,
          Key: claim.key,
          VersionId: winner.versionId,
          ChecksumMode: 'ENABLED',
        }),
      ),
    ]);
    if (!sameContent(copy, original)) {
      throw new Error(`${acceptedKey} exists but does not hold the first upload to ${claim.key}`, {
        cause: error,
      });
    }
  }
}

const CHECKSUMS = [
  'ChecksumCRC64NVME',
  'ChecksumCRC32',
  'ChecksumCRC32C',
  'ChecksumSHA1',
  'ChecksumSHA256',
] as const;

/**
 * Whether two objects hold the same bytes: the same ETag, or (the ETag of a copy may differ, for example
 * under SSE-KMS) the same size and the same full-object checksum, which S3 keeps through a copy.
 */
export function sameContent(a: HeadObjectCommandOutput, b: HeadObjectCommandOutput): boolean {
  if (a.ETag !== undefined && a.ETag === b.ETag) return true;
  if (a.ContentLength !== b.ContentLength) return false;
  return CHECKSUMS.some((name) => a[name] !== undefined && a[name] === b[name]);
}

export async function acceptUpload(deps: AcceptDeps, upload: UploadedObject): Promise<AcceptOutcome> {
  const { config } = deps;
  const { key } = upload;
  if (!key.startsWith(config.uploadsPrefix))
    return { kind: 'ignored', key, reason: `not under ${config.uploadsPrefix}` };
  if (!upload.versionId || upload.versionId === 'null') {
    throw new UnversionedBucketError(
      `bucket ${upload.bucket} is not versioned; the first upload to ${key} cannot be identified`,
    );
  }
  const versionId = upload.versionId;
  const now = deps.now();

  const id = idFromKey(config.uploadsPrefix, key);
  let claim = id ? await deps.claims.get(id) : undefined;
  if (!id || !claim || claim.key !== key) {
    const reason = !id ? 'the key was not issued by this service' : 'no claim exists for this key';
    const first = await deps.claims.flagUnclaimed(
      key,
      versionId,
      now,
      Math.ceil(now.getTime() / 1000) + config.claimRetentionSeconds,
    );
    return first
      ? { kind: 'unclaimed', key, versionId, reason }
      : { kind: 'unclaimed-seen-before', key, versionId };
  }

  if (!claim.winner) {
    const winner = await earliestVersion(deps.s3, upload.bucket, key);
    if (!winner) throw new UploadNotFoundError(`no version of ${key} is listed yet`);
    claim = await deps.claims.consume(claim.id, key, winner, now);
  }
  const winner = claim.winner as Winner;
  const acceptedKey = acceptedKeyFor(config.uploadsPrefix, config.acceptedPrefix, key);
  let newlyAccepted = false;
  if (claim.status !== 'accepted') {
    await copyWinner(deps, upload.bucket, claim, winner, acceptedKey);
    const marked = await deps.claims.markAccepted(claim.id, winner, acceptedKey, deps.now());
    claim = marked.claim;
    newlyAccepted = marked.changed;
  }

  if (versionId === winner.versionId) {
    return { kind: newlyAccepted ? 'accepted' : 'already-accepted', key, versionId, acceptedKey };
  }
  const attempts = await deps.claims.flagDuplicate(claim.id, versionId);
  return attempts === undefined
    ? { kind: 'duplicate-seen-before', key, versionId }
    : { kind: 'duplicate', key, versionId, attempts, acceptedKey };
}

/** S3 event keys are form-URL-encoded: `+` is a space. */
export function decodeEventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, ' '));
}
