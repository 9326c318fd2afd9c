export * from './config.js';
export type { IssuedUpload, UploadRequest } from './core/issue-upload-url.js';
export type { UploadStatus } from './core/upload-status.js';
export type { S3Handler } from './handlers/accept-first-upload.js';
export { type AwsClients, type ClientOverrides, createClients } from './handlers/clients.js';
export type { ApiHandler } from './handlers/issue-upload-url.js';
export { METRIC } from './handlers/observability.js';
export {
  createServiceHandlers,
  type HandlerName,
  type ServiceHandlers,
  type WiringOptions,
} from './wiring.js';

/** Entry files of the Lambda functions, for bundling (the CDK app) — relative to this package. */
export const LAMBDA_ENTRIES = {
  issueUploadUrl: 'src/lambda/issue-upload-url.ts',
  getUploadStatus: 'src/lambda/get-upload-status.ts',
  acceptFirstUpload: 'src/lambda/accept-first-upload.ts',
  processAcceptedFile: 'src/lambda/process-accepted-file.ts',
} as const;
