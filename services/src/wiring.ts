import type { S3Client } from '@aws-sdk/client-s3';
import type { ServiceConfig } from './config.js';
import { ClaimStore } from './core/claims.js';
import { newUploadId } from './core/upload-key.js';
import { createAcceptFirstUploadHandler, type S3Handler } from './handlers/accept-first-upload.js';
import type { AwsClients } from './handlers/clients.js';
import { createGetUploadStatusHandler } from './handlers/get-upload-status.js';
import { type ApiHandler, createIssueUploadUrlHandler } from './handlers/issue-upload-url.js';
import { createObservability, type Observability } from './handlers/observability.js';
import { createProcessAcceptedFileHandler } from './handlers/process-accepted-file.js';

/**
 * Builds the four handlers from clients and configuration. The Lambda entry points (src/lambda/) and the
 * dev server both call this, so the same code runs in both places.
 */
export interface ServiceHandlers {
  issueUploadUrl: ApiHandler;
  getUploadStatus: ApiHandler;
  acceptFirstUpload: S3Handler;
  processAcceptedFile: S3Handler;
}

export type HandlerName = keyof ServiceHandlers;

export interface WiringOptions {
  clients: AwsClients;
  config: ServiceConfig;
  /**
   * The client that signs upload URLs, when the address clients use to reach S3 differs from the one the
   * handlers use (an emulator in a container network). Defaults to `clients.s3`.
   */
  signer?: S3Client;
  now?: () => Date;
  newId?: () => string;
  observability?: (name: string) => Observability;
}

export function createIssueDeps(options: WiringOptions) {
  return {
    s3: options.signer ?? options.clients.s3,
    claims: new ClaimStore(options.clients.dynamodb, options.config.tableName),
    config: options.config,
    now: options.now ?? (() => new Date()),
    newId: options.newId ?? (() => newUploadId()),
  };
}

export function createServiceHandlers(options: WiringOptions): ServiceHandlers {
  const deps = createIssueDeps(options);
  const observe = options.observability ?? createObservability;
  return {
    issueUploadUrl: createIssueUploadUrlHandler(deps, observe('issue-upload-url')),
    getUploadStatus: createGetUploadStatusHandler(deps, observe('get-upload-status')),
    // The acceptor talks to S3 itself, so it uses the handlers' client, never the signer.
    acceptFirstUpload: createAcceptFirstUploadHandler(
      { ...deps, s3: options.clients.s3 },
      observe('accept-first-upload'),
    ),
    processAcceptedFile: createProcessAcceptedFileHandler(options.config, observe('process-accepted-file')),
  };
}
