import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChecksumAlgorithm } from './checksums.js';
import type { CorsRule } from './cors.js';
import { errors, S3Error } from './errors.js';

/**
 * Buckets, object versions and multipart uploads. Object bytes live in files under `<dataDir>/blobs`;
 * metadata lives in memory and, when a data folder is kept, in `<dataDir>/s3-state.json` (written shortly
 * after each change and on stop). Every write is committed in one synchronous step, so a reader never sees
 * half of it and conditional writes are atomic.
 */
export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
  type: 'FULL_OBJECT' | 'COMPOSITE';
}

export interface ObjectVersion {
  key: string;
  /** `null` (the string) for objects written while versioning was never enabled or suspended. */
  versionId: string;
  isDeleteMarker: boolean;
  etag: string;
  size: number;
  lastModified: string;
  contentType: string;
  metadata: Record<string, string>;
  /** Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires. */
  headers: Record<string, string>;
  checksum?: StoredChecksum;
  storageClass: string;
  blob?: string;
  /** Hex, grows with every write in the endpoint: the S3 event `sequencer`. */
  sequencer: string;
}

export interface UploadPart {
  partNumber: number;
  etag: string;
  size: number;
  blob: string;
  lastModified: string;
  checksum?: StoredChecksum;
}

export interface MultipartUpload {
  uploadId: string;
  key: string;
  initiated: string;
  contentType: string;
  metadata: Record<string, string>;
  headers: Record<string, string>;
  storageClass: string;
  checksumAlgorithm?: ChecksumAlgorithm;
  /** The key's newest version when the upload began: a change by Complete time is a conflict. */
  baseSequencer?: string;
  parts: Map<number, UploadPart>;
}

export type Versioning = 'Enabled' | 'Suspended';

export interface Bucket {
  name: string;
  region: string;
  creationDate: string;
  versioning?: Versioning;
  cors?: CorsRule[];
  /** Newest first. */
  objects: Map<string, ObjectVersion[]>;
  uploads: Map<string, MultipartUpload>;
}

export type NewObject = Omit<ObjectVersion, 'versionId' | 'isDeleteMarker' | 'sequencer' | 'lastModified'>;

const BUCKET_NAME = /^(?!\d+\.\d+\.\d+\.\d+$)(?!xn--)[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export class Store {
  readonly blobsDir: string;
  private readonly buckets = new Map<string, Bucket>();
  private readonly statePath: string | undefined;
  private sequence = BigInt(Date.now()) * 1000n;
  private saveTimer: NodeJS.Timeout | undefined;
  private pendingSave: Promise<void> = Promise.resolve();

  constructor(dataDir: string, persist: boolean) {
    this.blobsDir = join(dataDir, 'blobs');
    mkdirSync(this.blobsDir, { recursive: true });
    this.statePath = persist ? join(dataDir, 's3-state.json') : undefined;
    if (this.statePath && existsSync(this.statePath)) this.load(this.statePath);
  }

  newBlobPath(): { blob: string; path: string } {
    const blob = randomUUID();
    return { blob, path: this.blobPath(blob) };
  }

  blobPath(blob: string): string {
    return join(this.blobsDir, blob);
  }

  nextSequencer(): string {
    this.sequence += 1n;
    return this.sequence.toString(16).toUpperCase().padStart(18, '0');
  }

  // ---- buckets ----

  listBuckets(): Bucket[] {
    return [...this.buckets.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  createBucket(name: string, region: string): Bucket {
    if (!BUCKET_NAME.test(name) || name.includes('..')) {
      throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
    }
    if (this.buckets.has(name)) {
      throw new S3Error(
        409,
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        { BucketName: name },
      );
    }
    const bucket: Bucket = {
      name,
      region,
      creationDate: new Date().toISOString(),
      objects: new Map(),
      uploads: new Map(),
    };
    this.buckets.set(name, bucket);
    this.changed();
    return bucket;
  }

  getBucket(name: string): Bucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw errors.noSuchBucket(name);
    return bucket;
  }

  deleteBucket(name: string): void {
    const bucket = this.getBucket(name);
    if (bucket.objects.size > 0) {
      throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', {
        BucketName: name,
      });
    }
    for (const upload of bucket.uploads.values()) this.dropParts(upload);
    this.buckets.delete(name);
    this.changed();
  }

  setVersioning(bucket: Bucket, status: Versioning): void {
    bucket.versioning = status;
    this.changed();
  }

  setCors(bucket: Bucket, rules: CorsRule[] | undefined): void {
    bucket.cors = rules;
    this.changed();
  }

  // ---- objects ----

  /** The newest version of a key, delete markers included; undefined when the key has none. */
  latest(bucket: Bucket, key: string): ObjectVersion | undefined {
    return bucket.objects.get(key)?.[0];
  }

  /** The current object, or S3's 404 (with `x-amz-delete-marker` when the newest version is a marker). */
  current(bucket: Bucket, key: string): ObjectVersion {
    const latest = this.latest(bucket, key);
    if (!latest) throw errors.noSuchKey(key);
    if (latest.isDeleteMarker) {
      throw errors.noSuchKey(key, { 'x-amz-delete-marker': 'true', 'x-amz-version-id': latest.versionId });
    }
    return latest;
  }

  version(bucket: Bucket, key: string, versionId: string): ObjectVersion {
    const found = bucket.objects.get(key)?.find((v) => v.versionId === versionId);
    if (!found) {
      if (versionId !== 'null' && !/^[A-Za-z0-9._-]{1,64}$/.test(versionId)) {
        throw errors.invalidArgument('Invalid version id specified', 'versionId', versionId);
      }
      throw errors.noSuchVersion(key, versionId);
    }
    return found;
  }

  /** Commits a new object; returns it and the versions it replaced (whose blobs are already removed). */
  putObject(bucket: Bucket, object: NewObject): ObjectVersion {
    const version: ObjectVersion = {
      ...object,
      versionId: bucket.versioning === 'Enabled' ? newVersionId() : 'null',
      isDeleteMarker: false,
      lastModified: new Date().toISOString(),
      sequencer: this.nextSequencer(),
    };
    this.addVersion(bucket, version);
    return version;
  }

  /** DeleteObject without a version id: a delete marker when versioned, a removal otherwise. */
  deleteCurrent(bucket: Bucket, key: string): ObjectVersion | undefined {
    if (bucket.versioning) {
      const marker: ObjectVersion = {
        key,
        versionId: bucket.versioning === 'Enabled' ? newVersionId() : 'null',
        isDeleteMarker: true,
        etag: '',
        size: 0,
        lastModified: new Date().toISOString(),
        contentType: '',
        metadata: {},
        headers: {},
        storageClass: 'STANDARD',
        sequencer: this.nextSequencer(),
      };
      this.addVersion(bucket, marker);
      return marker;
    }
    const versions = bucket.objects.get(key);
    if (!versions) return undefined;
    bucket.objects.delete(key);
    for (const v of versions) this.dropBlob(v.blob);
    this.changed();
    return { ...(versions[0] as ObjectVersion), sequencer: this.nextSequencer() };
  }

  /** DeleteObject with a version id: removes exactly that version (or nothing, as S3 does). */
  deleteVersion(bucket: Bucket, key: string, versionId: string): ObjectVersion | undefined {
    const versions = bucket.objects.get(key);
    const index = versions?.findIndex((v) => v.versionId === versionId) ?? -1;
    if (!versions || index < 0) return undefined;
    const [removed] = versions.splice(index, 1);
    if (versions.length === 0) bucket.objects.delete(key);
    this.dropBlob(removed?.blob);
    this.changed();
    return removed ? { ...removed, sequencer: this.nextSequencer() } : undefined;
  }

  private addVersion(bucket: Bucket, version: ObjectVersion): void {
    const versions = bucket.objects.get(version.key) ?? [];
    if (version.versionId === 'null') {
      const index = versions.findIndex((v) => v.versionId === 'null');
      if (index >= 0) {
        const [replaced] = versions.splice(index, 1);
        this.dropBlob(replaced?.blob);
      }
    }
    versions.unshift(version);
    bucket.objects.set(version.key, versions);
    this.changed();
  }

  /** Keys in lexicographic (UTF-8 byte) order, as S3 lists them. */
  sortedKeys(bucket: Bucket): string[] {
    return [...bucket.objects.keys()].sort(compareKeys);
  }

  // ---- multipart ----

  createUpload(
    bucket: Bucket,
    upload: Omit<MultipartUpload, 'uploadId' | 'initiated' | 'parts'>,
  ): MultipartUpload {
    const created: MultipartUpload = {
      ...upload,
      uploadId: randomBytes(24).toString('base64url'),
      initiated: new Date().toISOString(),
      parts: new Map(),
    };
    bucket.uploads.set(created.uploadId, created);
    this.changed();
    return created;
  }

  upload(bucket: Bucket, uploadId: string): MultipartUpload {
    const upload = bucket.uploads.get(uploadId);
    if (!upload) throw errors.noSuchUpload(uploadId);
    return upload;
  }

  putPart(upload: MultipartUpload, part: UploadPart): void {
    const previous = upload.parts.get(part.partNumber);
    upload.parts.set(part.partNumber, part);
    if (previous) this.dropBlob(previous.blob);
    this.changed();
  }

  /** Forgets an upload; its part files are removed unless `keepParts` (they moved into an object). */
  endUpload(bucket: Bucket, upload: MultipartUpload, keepParts = false): void {
    bucket.uploads.delete(upload.uploadId);
    if (!keepParts) this.dropParts(upload);
    this.changed();
  }

  private dropParts(upload: MultipartUpload): void {
    for (const part of upload.parts.values()) this.dropBlob(part.blob);
  }

  dropBlob(blob: string | undefined): void {
    // An open read stream keeps its file readable after the unlink, so readers never see a torn object.
    if (blob) rm(this.blobPath(blob), { force: true }).catch(() => undefined);
  }

  // ---- persistence ----

  private changed(): void {
    if (!this.statePath || this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.pendingSave = this.pendingSave.then(() => this.save());
    }, 50);
    this.saveTimer.unref();
  }

  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
      this.pendingSave = this.pendingSave.then(() => this.save());
    }
    await this.pendingSave;
  }

  private async save(): Promise<void> {
    if (!this.statePath) return;
    const state = {
      sequence: this.sequence.toString(),
      buckets: [...this.buckets.values()].map((b) => ({
        ...b,
        objects: [...b.objects.entries()],
        uploads: [...b.uploads.values()].map((u) => ({ ...u, parts: [...u.parts.values()] })),
      })),
    };
    const temp = `${this.statePath}.tmp`;
    await writeFile(temp, JSON.stringify(state));
    await rename(temp, this.statePath);
  }

  private load(path: string): void {
    const state = JSON.parse(readFileSync(path, 'utf8')) as {
      sequence: string;
      buckets: (Omit<Bucket, 'objects' | 'uploads'> & {
        objects: [string, ObjectVersion[]][];
        uploads: (Omit<MultipartUpload, 'parts'> & { parts: UploadPart[] })[];
      })[];
    };
    this.sequence = BigInt(state.sequence);
    for (const b of state.buckets) {
      this.buckets.set(b.name, {
        ...b,
        objects: new Map(b.objects),
        uploads: new Map(
          b.uploads.map((u) => [u.uploadId, { ...u, parts: new Map(u.parts.map((p) => [p.partNumber, p])) }]),
        ),
      });
    }
  }
}

function newVersionId(): string {
  return randomBytes(24).toString('base64url').replace(/[-_]/g, 'x');
}

export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
