import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DEFAULTS } from '../config.js';

/** One Logger (JSON), one Metrics (EMF) and one Tracer per handler, named after the service. */
export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

export function createObservability(functionName: string): Observability {
  const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? DEFAULTS.serviceName;
  const logger = new Logger({ serviceName, persistentKeys: { function: functionName } });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? DEFAULTS.metricsNamespace,
    serviceName,
  });
  const tracer = new Tracer({ serviceName });
  return { logger, metrics, tracer };
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
