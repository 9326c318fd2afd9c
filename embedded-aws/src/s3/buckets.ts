import type { S3Context } from './context.js';
import { corsHeaders, corsRuleToXml, findCorsRule, parseCorsConfiguration } from './cors.js';
import { errors, S3Error } from './errors.js';
import { header, type S3Request, send } from './request.js';
import { type Bucket, compareKeys, type ObjectVersion } from './store.js';
import { asRecord, asString, parseXml, type XmlNode, xmlDocument } from './xml.js';

/** Bucket operations and listings. */

const OWNER = {
  ID: '75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a',
  DisplayName: 'embedded',
};

export function listBuckets(ctx: S3Context, r: S3Request) {
  send(
    r,
    200,
    {},
    xmlDocument('ListAllMyBucketsResult', {
      Owner: OWNER,
      Buckets: {
        Bucket: ctx.store
          .listBuckets()
          .map((b) => ({ Name: b.name, CreationDate: b.creationDate, BucketRegion: b.region })),
      },
    }),
  );
}

export function createBucket(ctx: S3Context, r: S3Request, name: string, body: string) {
  let region = ctx.region;
  if (body.trim()) {
    const config = asRecord(parseXml(body).CreateBucketConfiguration);
    region = asString(config.LocationConstraint) || region;
  }
  ctx.store.createBucket(name, region);
  send(r, 200, { location: `/${name}` });
}

export function putVersioning(ctx: S3Context, r: S3Request, bucket: Bucket, body: string) {
  const status = asString(asRecord(parseXml(body).VersioningConfiguration).Status);
  if (status !== 'Enabled' && status !== 'Suspended') throw errors.malformedXml();
  ctx.store.setVersioning(bucket, status);
  send(r, 200);
}

export function getVersioning(r: S3Request, bucket: Bucket) {
  send(r, 200, {}, xmlDocument('VersioningConfiguration', { Status: bucket.versioning }));
}

export function putCors(ctx: S3Context, r: S3Request, bucket: Bucket, body: string) {
  ctx.store.setCors(bucket, parseCorsConfiguration(parseXml(body)));
  send(r, 200);
}

export function getCors(r: S3Request, bucket: Bucket) {
  if (!bucket.cors) {
    throw new S3Error(404, 'NoSuchCORSConfiguration', 'The CORS configuration does not exist', {
      BucketName: bucket.name,
    });
  }
  send(r, 200, {}, xmlDocument('CORSConfiguration', { CORSRule: bucket.cors.map(corsRuleToXml) }));
}

/** Answers a browser's preflight (OPTIONS) from the bucket's CORS rules. */
export function preflight(ctx: S3Context, r: S3Request) {
  const origin = header(r, 'origin');
  const method = header(r, 'access-control-request-method');
  if (!origin || !method) {
    throw new S3Error(400, 'BadRequest', 'Insufficient information. Origin request header needed.');
  }
  const bucket = ctx.store.getBucket(r.bucket ?? '');
  if (!bucket.cors) {
    throw new S3Error(403, 'CORSResponse', 'CORS is not enabled for this bucket.', {
      Method: method,
      ResourceType: 'BUCKET',
    });
  }
  const requested = (header(r, 'access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const rule = findCorsRule(bucket.cors, origin, method, requested);
  if (!rule) {
    throw new S3Error(
      403,
      'AccessForbidden',
      "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      { Method: method, ResourceType: 'OBJECT' },
    );
  }
  const headers = corsHeaders(rule, origin);
  if (requested.length > 0) headers['access-control-allow-headers'] = requested.join(', ');
  send(r, 200, headers);
}

interface ListPage<T> {
  items: T[];
  prefixes: string[];
  truncated: boolean;
  /** Last key (or prefix) on the page, where the next page starts after. */
  last: string | undefined;
}

/** Walks keys after `marker`, grouping by `delimiter`, up to `maxKeys` entries (keys + prefixes). */
function pageKeys<T>(
  keys: string[],
  options: { prefix: string; delimiter: string; marker: string; maxKeys: number },
  entries: (key: string) => T[],
): ListPage<T> {
  const page: ListPage<T> = { items: [], prefixes: [], truncated: false, last: undefined };
  let count = 0;
  for (const key of keys) {
    if (!key.startsWith(options.prefix)) continue;
    if (options.marker && compareKeys(key, options.marker) <= 0) continue;
    if (options.delimiter) {
      const index = key.indexOf(options.delimiter, options.prefix.length);
      if (index >= 0) {
        const common = key.slice(0, index + options.delimiter.length);
        if (page.prefixes.at(-1) === common) continue;
        if (options.marker && compareKeys(common, options.marker) <= 0) continue;
        if (count >= options.maxKeys) {
          page.truncated = true;
          break;
        }
        page.prefixes.push(common);
        page.last = common;
        count++;
        continue;
      }
    }
    const found = entries(key);
    if (found.length === 0) continue;
    if (count >= options.maxKeys) {
      page.truncated = true;
      break;
    }
    page.items.push(...found);
    page.last = key;
    count++;
  }
  return page;
}

function maxKeysParam(r: S3Request): number {
  const text = r.query.get('max-keys');
  if (text === null) return 1000;
  if (!/^\d+$/.test(text))
    throw errors.invalidArgument(
      'Provided max-keys not an integer or within integer range',
      'max-keys',
      text,
    );
  return Math.min(Number(text), 1000);
}

function encoder(r: S3Request): (text: string | undefined) => string | undefined {
  const encodingType = r.query.get('encoding-type');
  if (encodingType !== null && encodingType !== 'url') {
    throw errors.invalidArgument(
      'Invalid Encoding Method specified in Request',
      'encoding-type',
      encodingType,
    );
  }
  return encodingType === 'url'
    ? (text) => (text === undefined ? undefined : encodeURIComponent(text).replace(/%2F/g, '/'))
    : (text) => text;
}

function objectEntry(v: ObjectVersion, enc: (t: string | undefined) => string | undefined): XmlNode {
  return {
    Key: enc(v.key),
    LastModified: v.lastModified,
    ETag: `"${v.etag}"`,
    ...(v.checksum
      ? { ChecksumAlgorithm: v.checksum.algorithm.toUpperCase(), ChecksumType: v.checksum.type }
      : {}),
    Size: v.size,
    StorageClass: v.storageClass,
  };
}

export function listObjects(ctx: S3Context, r: S3Request, bucket: Bucket) {
  const v2 = r.query.get('list-type') === '2';
  const enc = encoder(r);
  const prefix = r.query.get('prefix') ?? '';
  const delimiter = r.query.get('delimiter') ?? '';
  const maxKeys = maxKeysParam(r);
  let marker = '';
  const token = r.query.get('continuation-token');
  if (v2) {
    if (token !== null) {
      marker = Buffer.from(token, 'base64url').toString('utf8');
      if (!token || Buffer.from(marker, 'utf8').toString('base64url') !== token) {
        throw errors.invalidArgument(
          'The continuation token provided is incorrect',
          'continuation-token',
          token,
        );
      }
    } else {
      marker = r.query.get('start-after') ?? '';
    }
  } else {
    marker = r.query.get('marker') ?? '';
  }
  const page = pageKeys(ctx.store.sortedKeys(bucket), { prefix, delimiter, marker, maxKeys }, (key) => {
    const latest = ctx.store.latest(bucket, key);
    return latest && !latest.isDeleteMarker ? [latest] : [];
  });
  const common = {
    Name: bucket.name,
    Prefix: enc(prefix),
    Delimiter: delimiter ? enc(delimiter) : undefined,
    MaxKeys: maxKeys,
    EncodingType: r.query.get('encoding-type') ?? undefined,
    IsTruncated: page.truncated,
  };
  const contents = page.items.map((v) => objectEntry(v, enc));
  const prefixes = page.prefixes.map((p) => ({ Prefix: enc(p) }));
  const body = v2
    ? xmlDocument('ListBucketResult', {
        ...common,
        KeyCount: contents.length + prefixes.length,
        ContinuationToken: token ?? undefined,
        NextContinuationToken:
          page.truncated && page.last ? Buffer.from(page.last).toString('base64url') : undefined,
        StartAfter: enc(r.query.get('start-after') ?? undefined),
        Contents: contents,
        CommonPrefixes: prefixes,
      })
    : xmlDocument('ListBucketResult', {
        ...common,
        Marker: enc(marker),
        NextMarker: page.truncated && delimiter ? enc(page.last) : undefined,
        Contents: contents,
        CommonPrefixes: prefixes,
      });
  send(r, 200, {}, body);
}

/** ListObjectVersions: per key newest first, delete markers beside versions, as S3 lists them. */
export function listObjectVersions(ctx: S3Context, r: S3Request, bucket: Bucket) {
  const enc = encoder(r);
  const prefix = r.query.get('prefix') ?? '';
  const delimiter = r.query.get('delimiter') ?? '';
  const maxKeys = maxKeysParam(r);
  const keyMarker = r.query.get('key-marker') ?? '';
  const versionIdMarker = r.query.get('version-id-marker') ?? '';
  const rows: { version: ObjectVersion; latest: boolean }[] = [];
  let truncated = false;
  let next: { key: string; versionId: string } | undefined;
  const prefixes: string[] = [];
  for (const key of ctx.store.sortedKeys(bucket)) {
    if (!key.startsWith(prefix)) continue;
    if (keyMarker && compareKeys(key, keyMarker) < 0) continue;
    if (delimiter) {
      const index = key.indexOf(delimiter, prefix.length);
      if (index >= 0) {
        const common = key.slice(0, index + delimiter.length);
        if (!prefixes.includes(common)) prefixes.push(common);
        continue;
      }
    }
    const versions = bucket.objects.get(key) ?? [];
    let start = 0;
    if (keyMarker && key === keyMarker) {
      if (!versionIdMarker) continue;
      start = versions.findIndex((v) => v.versionId === versionIdMarker) + 1;
      if (start === 0) continue;
    }
    for (let i = start; i < versions.length; i++) {
      const version = versions[i] as ObjectVersion;
      if (rows.length >= maxKeys) {
        truncated = true;
        break;
      }
      rows.push({ version, latest: i === 0 });
      next = { key, versionId: version.versionId };
    }
    if (truncated) break;
  }
  const body = xmlDocument('ListVersionsResult', {
    Name: bucket.name,
    Prefix: enc(prefix),
    Delimiter: delimiter ? enc(delimiter) : undefined,
    KeyMarker: enc(keyMarker),
    VersionIdMarker: versionIdMarker,
    NextKeyMarker: truncated ? enc(next?.key) : undefined,
    NextVersionIdMarker: truncated ? next?.versionId : undefined,
    MaxKeys: maxKeys,
    EncodingType: r.query.get('encoding-type') ?? undefined,
    IsTruncated: truncated,
    Version: rows
      .filter((row) => !row.version.isDeleteMarker)
      .map(({ version, latest }) => ({
        Key: enc(version.key),
        VersionId: version.versionId,
        IsLatest: latest,
        LastModified: version.lastModified,
        ETag: `"${version.etag}"`,
        ...(version.checksum
          ? {
              ChecksumAlgorithm: version.checksum.algorithm.toUpperCase(),
              ChecksumType: version.checksum.type,
            }
          : {}),
        Size: version.size,
        StorageClass: version.storageClass,
        Owner: OWNER,
      })),
    DeleteMarker: rows
      .filter((row) => row.version.isDeleteMarker)
      .map(({ version, latest }) => ({
        Key: enc(version.key),
        VersionId: version.versionId,
        IsLatest: latest,
        LastModified: version.lastModified,
        Owner: OWNER,
      })),
    CommonPrefixes: prefixes.map((p) => ({ Prefix: enc(p) })),
  });
  send(r, 200, {}, body);
}

export function getLocation(r: S3Request, bucket: Bucket) {
  send(
    r,
    200,
    {},
    xmlDocument('LocationConstraint', {}).replace(
      '</LocationConstraint>',
      `${bucket.region === 'us-east-1' ? '' : bucket.region}</LocationConstraint>`,
    ),
  );
}
