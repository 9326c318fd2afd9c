import { Tracer } from '@aws-lambda-powertools/tracer';
import { DEFAULTS, loadConfig } from '../config.js';
import { createClients } from '../handlers/clients.js';
import { createObservability } from '../handlers/observability.js';
import { createServiceHandlers } from '../wiring.js';

/** Lambda entry point. Clients and configuration are built once per container, at cold start. */
const config = loadConfig();
const clients = createClients();
const observability = createObservability('get-upload-status');
const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? DEFAULTS.serviceName });
tracer.captureAWSv3Client(clients.s3);
tracer.captureAWSv3Client(clients.dynamodb);

export const handler = createServiceHandlers({
  clients,
  config,
  observability: () => observability,
}).getUploadStatus;
