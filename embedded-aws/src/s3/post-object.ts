import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Credentials } from './auth.js';
import type { ChecksumAlgorithm } from './checksums.js';
import { errors, S3Error } from './errors.js';
import { type Ingested, ingest } from './ingest.js';
import { authorizePost, type FormFields, type PostAuthorization } from './post-policy.js';
import type { Store } from './store.js';

/**
 * Reads a POST Object form as a stream. Fields before the file are collected (they are small); when the
 * file part starts, the policy is checked, and only then is the file streamed to disk. Fields after the
 * file are ignored, as S3 ignores them.
 */
export interface PostUpload {
  fields: FormFields;
  auth: PostAuthorization;
  ingested: Ingested;
  filename: string | undefined;
}

/** S3 rejects a POST body over 5 GiB whatever the policy says. */
export const MAX_POST_BYTES = 5 * 1024 ** 3;
const MAX_FIELD_BYTES = 20 * 1024;

export function isMultipartForm(contentType: string | undefined): boolean {
  return /^multipart\/form-data\s*;/i.test(contentType ?? '') && /boundary=/i.test(contentType ?? '');
}

export function readPostUpload(
  req: IncomingMessage,
  options: {
    bucket: string;
    credentials: Credentials;
    now: Date;
    store: Store;
    checksums: (fields: FormFields) => ChecksumAlgorithm[];
  },
): Promise<PostUpload> {
  return new Promise<PostUpload>((resolve, reject) => {
    const fields: FormFields = [];
    let settled = false;
    let fileSeen = false;
    let closed = false;
    let done: PostUpload | undefined;
    let fileStream: Readable | undefined;
    const finish = () => {
      // Answer only after the whole form was read, so that the response follows the request.
      if (settled || !closed || !done) return;
      settled = true;
      resolve(done);
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      // Keep reading (and discarding) the body so the client gets the answer instead of a reset.
      req.unpipe(parser);
      req.resume();
      // A file still streaming to disk is cut off (a premature close for its pipeline), so its blob is
      // removed and its file handle closed.
      if (fileStream && !fileStream.destroyed) fileStream.destroy();
      reject(error);
    };

    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        preservePath: true,
        limits: { fieldSize: MAX_FIELD_BYTES, fields: 200, parts: 400, headerPairs: 200 },
      });
    } catch {
      reject(errors.preconditionFailed('Bucket POST must be of the enclosure-type multipart/form-data'));
      return;
    }

    const startFile = (stream: Readable, filename: string | undefined) => {
      fileSeen = true;
      fileStream = stream;
      let auth: PostAuthorization;
      try {
        auth = authorizePost(fields, options.bucket, options.credentials, options.now);
      } catch (error) {
        stream.resume();
        fail(error);
        return;
      }
      const maxBytes = Math.min(auth.maxLength, MAX_POST_BYTES);
      ingest(stream, options.store, { maxBytes, checksums: options.checksums(fields) })
        .then((ingested) => {
          if (settled) {
            options.store.dropBlob(ingested.blob);
            return;
          }
          const tooLarge = ingested.size > auth.maxLength || ingested.size > MAX_POST_BYTES;
          if (tooLarge || ingested.size < auth.minLength) {
            options.store.dropBlob(ingested.blob);
            fail(
              tooLarge
                ? errors.entityTooLarge(maxBytes, ingested.size)
                : errors.entityTooSmall(auth.minLength, ingested.size),
            );
            return;
          }
          done = { fields, auth, ingested, filename };
          finish();
        })
        .catch(fail);
    };

    parser.on('field', (name, value, info) => {
      if (fileSeen || settled) return;
      if (info.nameTruncated || info.valueTruncated) {
        fail(errors.invalidArgument(`Your POST field ${name} is too large.`, name, null));
        return;
      }
      if (name.toLowerCase() === 'file') {
        // The file may come as a plain form field; S3 takes it as the content.
        startFile(Readable.from([Buffer.from(value, 'utf8')]), undefined);
        return;
      }
      fields.push([name, value]);
    });
    parser.on('file', (name, stream, info) => {
      if (fileSeen || settled || name.toLowerCase() !== 'file') {
        stream.resume();
        return;
      }
      startFile(stream, info.filename);
    });
    parser.on('partsLimit', () =>
      fail(
        new S3Error(
          400,
          'MalformedPOSTRequest',
          'The body of your POST request is not well-formed multipart/form-data.',
        ),
      ),
    );
    parser.on('fieldsLimit', () =>
      fail(
        new S3Error(
          400,
          'MalformedPOSTRequest',
          'The body of your POST request is not well-formed multipart/form-data.',
        ),
      ),
    );
    parser.on('error', () =>
      fail(
        new S3Error(
          400,
          'MalformedPOSTRequest',
          'The body of your POST request is not well-formed multipart/form-data.',
        ),
      ),
    );
    parser.on('close', () => {
      closed = true;
      finish();
      if (!fileSeen) {
        fail(errors.invalidArgument('POST requires exactly one file upload per request.', 'file', '0'));
      }
    });
    req.on('error', fail);
    // A client that goes away mid-form: nothing more will come, so stop waiting for it.
    req.on('close', () => {
      if (!req.complete) fail(new Error('the client closed the connection before the form ended'));
    });
    req.pipe(parser);
  });
}
