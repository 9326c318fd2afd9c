import {
  type ChecksumAlgorithm,
  checksumApiName,
  isChecksumAlgorithm,
  isWellFormedChecksum,
} from './checksums.js';
import { emitAfterResponse, type S3Context } from './context.js';
import { errors, S3Error } from './errors.js';
import { checksumHeaders, objectAttributes, storageClass, versionHeader } from './objects.js';
import { isMultipartForm, readPostUpload } from './post-object.js';
import { type FormFields, formValue } from './post-policy.js';
import { header, type S3Request, send } from './request.js';
import type { Bucket } from './store.js';
import { xmlDocument } from './xml.js';

/**
 * POST Object: a browser form (or any multipart client) uploading with a presigned POST policy.
 * The policy decides; the stored object gets the form's Content-Type, metadata and system fields.
 */
function requestedFormChecksum(
  fields: FormFields,
): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  for (const [name, value] of fields) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-amz-checksum-') || lower === 'x-amz-checksum-algorithm') continue;
    const algorithm = lower.slice('x-amz-checksum-'.length);
    if (!isChecksumAlgorithm(algorithm) || !isWellFormedChecksum(algorithm, value)) {
      throw errors.invalidRequest(`Value for ${lower} header is invalid.`);
    }
    return { algorithm, value };
  }
  return undefined;
}

export async function handlePostObject(ctx: S3Context, r: S3Request, bucket: Bucket): Promise<void> {
  if (!isMultipartForm(header(r, 'content-type'))) {
    throw errors.preconditionFailed('Bucket POST must be of the enclosure-type multipart/form-data');
  }
  let requested: ReturnType<typeof requestedFormChecksum>;
  const upload = await readPostUpload(r.req, {
    bucket: bucket.name,
    credentials: ctx.credentials,
    now: r.now,
    store: ctx.store,
    checksums: (fields) => {
      requested = requestedFormChecksum(fields);
      return [requested?.algorithm ?? 'crc64nvme'];
    },
  });
  const { fields, ingested } = upload;
  const get = (name: string) => formValue(fields, name);
  let algorithm: ChecksumAlgorithm;
  let computed: string;
  let klass: string;
  let attributes: ReturnType<typeof objectAttributes>;
  let key: string;
  try {
    algorithm = requested?.algorithm ?? 'crc64nvme';
    computed = ingested.checksums[algorithm] ?? '';
    if (requested && requested.value !== computed) {
      throw errors.badDigest(
        `The ${checksumApiName(algorithm)} you specified did not match the calculated checksum.`,
      );
    }
    klass = storageClass(get('x-amz-storage-class'));
    attributes = objectAttributes(
      get,
      fields.map(([name]) => name),
    );
    key = get('key') ?? '';
    if (upload.filename !== undefined) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: S3's literal `${filename}` variable in a POST key
      key = key.replaceAll('${filename}', upload.filename);
    }
    if (Buffer.byteLength(key) > 1024) throw new S3Error(400, 'KeyTooLongError', 'Your key is too long');
  } catch (error) {
    ctx.store.dropBlob(ingested.blob);
    throw error;
  }
  const version = ctx.store.putObject(bucket, {
    key,
    etag: ingested.md5.toString('hex'),
    size: ingested.size,
    ...attributes,
    checksum: { algorithm, value: computed, type: 'FULL_OBJECT' },
    storageClass: klass,
    blob: ingested.blob,
  });
  const host = header(r, 'host') ?? 'localhost';
  const location = `http://${host}/${encodeURIComponent(bucket.name)}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
  const headers = {
    etag: `"${version.etag}"`,
    location,
    'x-amz-server-side-encryption': 'AES256',
    ...(requested ? checksumHeaders(version.checksum) : {}),
    ...versionHeader(bucket, version),
  };
  const redirect = get('success_action_redirect') ?? get('redirect');
  const status = get('success_action_status');
  let redirectUrl: URL | undefined;
  try {
    redirectUrl = redirect ? new URL(redirect) : undefined;
  } catch {
    redirectUrl = undefined;
  }
  if (redirectUrl) {
    redirectUrl.searchParams.set('bucket', bucket.name);
    redirectUrl.searchParams.set('key', key);
    redirectUrl.searchParams.set('etag', `"${version.etag}"`);
    send(r, 303, { ...headers, location: redirectUrl.toString() });
  } else if (status === '201') {
    send(
      r,
      201,
      headers,
      xmlDocument(
        'PostResponse',
        { Location: location, Bucket: bucket.name, Key: key, ETag: `"${version.etag}"` },
        false,
      ),
    );
  } else {
    send(r, status === '200' ? 200 : 204, headers);
  }
  emitAfterResponse(ctx, r, bucket, 'ObjectCreated:Post', version, upload.auth);
}
