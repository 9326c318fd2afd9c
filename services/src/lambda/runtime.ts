import { Tracer } from '@aws-lambda-powertools/tracer';
import { type ConfigNeeds, DEFAULTS, loadConfig } from '../config.js';
import { createClients } from '../handlers/clients.js';
import { createObservability } from '../handlers/observability.js';
import { createServiceHandlers, type HandlerName, type ServiceHandlers } from '../wiring.js';

/**
 * What every Lambda entry point does at cold start, once per container: read the configuration (failing
 * fast on a bad variable), build the clients from the standard AWS variables, trace them with X-Ray, and
 * wire the named handler.
 */
const NEEDS: Record<HandlerName, ConfigNeeds> = {
  issueUploadUrl: { bucket: true, table: true },
  getUploadStatus: { bucket: false, table: true },
  acceptFirstUpload: { bucket: true, table: true },
  processAcceptedFile: { bucket: false, table: false },
};

export function lambdaHandler<K extends HandlerName>(name: K, functionName: string): ServiceHandlers[K] {
  // Each function is given only the names of the resources it is granted (see infra/).
  const config = loadConfig(process.env, {}, NEEDS[name]);
  const clients = createClients();
  const observability = createObservability(functionName);
  const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? DEFAULTS.serviceName });
  tracer.captureAWSv3Client(clients.s3);
  tracer.captureAWSv3Client(clients.dynamodb);
  return createServiceHandlers({ clients, config, observability: () => observability })[name];
}
