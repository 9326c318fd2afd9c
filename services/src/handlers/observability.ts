import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULTS } from '../config.js';

/**
 * One Logger (JSON) and one Metrics (EMF) per handler, named after the service. The Tracer is made by the
 * Lambda entry points only: X-Ray's context tracking hooks every promise, which costs a local server
 * more than half its speed and traces nothing there.
 */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

export function createObservability(functionName: string): Observability {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? DEFAULTS.serviceName;
  const logger = new Logger({ serviceName, persistentKeys: { function: functionName } });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULTS.metricsNamespace,
    serviceName,
  });
  return { logger, metrics };
}

/** Writes the metrics gathered during one invocation, if any (EMF: one JSON line on stdout). */
export function flushMetrics(metrics: Metrics): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}

export { MetricUnit };

/** Names of the metrics the service emits; the CDK alarms use the same names. */
export const METRIC = {
  duplicateUploadAttempts: 'DuplicateUploadAttempts',
  unclaimedUploads: 'UnclaimedUploads',
  uploadsAccepted: 'UploadsAccepted',
  claimNotRecorded: 'ClaimNotRecorded',
} as const;
