import type { S3Event } from 'aws-lambda';
import { decodeEventKey } from '../core/accept-first-upload.js';
import { describeAcceptedFile } from '../core/process-accepted-file.js';
import type { S3Handler } from './accept-first-upload.js';
import type { Observability } from './observability.js';

/** ObjectCreated on `accepted/`: the place where real processing goes. Logs bucket, key and size. */
export function createProcessAcceptedFileHandler(
  config: { acceptedPrefix: string },
  { logger }: Observability,
): S3Handler {
  return async (event: S3Event) => {
    for (const record of event.Records ?? []) {
      const file = describeAcceptedFile(
        {
          bucket: record.s3.bucket.name,
          key: decodeEventKey(record.s3.object.key),
          size: record.s3.object.size,
          ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
        },
        config.acceptedPrefix,
      );
      if (file)
        logger.info('Processing accepted file', { bucket: file.bucket, key: file.key, size: file.size });
      else logger.warn('Event for a key outside the accepted prefix ignored', { key: record.s3.object.key });
    }
  };
}
