import type { S3Event } from 'aws-lambda';
import {
  type AcceptDeps,
  type AcceptOutcome,
  acceptUpload,
  decodeEventKey,
} from '../core/accept-first-upload.js';
import { flushMetrics, METRIC, MetricUnit, type Observability } from './observability.js';

/**
 * ObjectCreated on `uploads/`: accept the first upload, flag the others. A record that fails makes the
 * invocation fail after the other records were handled, so that the platform retries it (every step is
 * idempotent: a retry completes what a crash interrupted).
 */
export type S3Handler = (event: S3Event) => Promise<void>;

export function createAcceptFirstUploadHandler(
  deps: AcceptDeps,
  { logger, metrics }: Observability,
): S3Handler {
  const report = (outcome: AcceptOutcome) => {
    switch (outcome.kind) {
      case 'accepted':
        logger.info('First upload accepted', {
          acceptedKey: outcome.acceptedKey,
          versionId: outcome.versionId,
        });
        metrics.addMetric(METRIC.uploadsAccepted, MetricUnit.Count, 1);
        return;
      case 'already-accepted':
        logger.info('Event for the accepted upload delivered again; nothing to do', {
          versionId: outcome.versionId,
        });
        return;
      case 'duplicate':
        logger.error(`Duplicate upload to ${outcome.key} rejected: only the first upload is accepted`, {
          versionId: outcome.versionId,
          duplicateAttempts: outcome.attempts,
          acceptedKey: outcome.acceptedKey,
        });
        metrics.addMetric(METRIC.duplicateUploadAttempts, MetricUnit.Count, 1);
        return;
      case 'duplicate-seen-before':
        logger.info('Event for a flagged duplicate delivered again; already counted', {
          versionId: outcome.versionId,
        });
        return;
      case 'unclaimed':
        logger.error(`Upload to ${outcome.key} rejected: ${outcome.reason}`, {
          versionId: outcome.versionId,
        });
        metrics.addMetric(METRIC.unclaimedUploads, MetricUnit.Count, 1);
        return;
      case 'unclaimed-seen-before':
        logger.info('Event for a flagged unclaimed upload delivered again', { versionId: outcome.versionId });
        return;
      case 'ignored':
        logger.warn('Event ignored', { reason: outcome.reason });
        return;
    }
  };

  return async (event) => {
    const failures: unknown[] = [];
    for (const record of event.Records ?? []) {
      const key = decodeEventKey(record.s3.object.key);
      logger.appendKeys({ uploadKey: key });
      try {
        report(
          await acceptUpload(deps, {
            bucket: record.s3.bucket.name,
            key,
            versionId: record.s3.object.versionId,
            size: record.s3.object.size,
            eTag: record.s3.object.eTag,
            sequencer: record.s3.object.sequencer,
          }),
        );
      } catch (error) {
        logger.error('Accepting an upload failed; the event will be retried', { error });
        failures.push(error);
      } finally {
        logger.removeKeys(['uploadKey']);
      }
    }
    flushMetrics(metrics);
    if (failures.length > 0) {
      throw new AggregateError(
        failures,
        `${failures.length} of ${event.Records.length} upload events failed`,
      );
    }
  };
}
