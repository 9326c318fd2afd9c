import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ClaimNotRecordedError, InvalidUploadRequestError } from '../core/errors.js';
import { type IssueDeps, issueUploadUrl, parseUploadRequest } from '../core/issue-upload-url.js';
import { json, message, parseJsonBody } from './http.js';
import { flushMetrics, METRIC, MetricUnit, type Observability } from './observability.js';

/**
 * `GET /getpresignedurl` (the original clients' shape) and `POST /uploads` (JSON options).
 * A claim that cannot be recorded is a 503 with no URL.
 */
export type ApiHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export function createIssueUploadUrlHandler(deps: IssueDeps, { logger, metrics }: Observability): ApiHandler {
  return async (event) => {
    const legacy = event.httpMethod === 'GET';
    try {
      let body: unknown;
      try {
        body = legacy ? undefined : parseJsonBody(event.body, event.isBase64Encoded);
      } catch {
        return message(400, 'the request body is not valid JSON');
      }
      const request = parseUploadRequest(body, deps.config);
      const issued = await issueUploadUrl(deps, request);
      logger.debug('Upload URL issued', { uploadKey: issued.key, method: issued.method });
      if (legacy) {
        return json(200, {
          url: { url: issued.url, fields: issued.fields },
          id: issued.id,
          key: issued.key,
          expiresAt: issued.expiresAt,
        });
      }
      return json(201, issued);
    } catch (error) {
      if (error instanceof InvalidUploadRequestError) return message(400, error.message);
      if (error instanceof ClaimNotRecordedError) {
        logger.error('Claim not recorded; no URL issued', { error });
        metrics.addMetric(METRIC.claimNotRecorded, MetricUnit.Count, 1);
        flushMetrics(metrics);
        return message(503, 'Service Unavailable');
      }
      logger.error('Issuing an upload URL failed', { error });
      return message(500, 'Internal server error');
    }
  };
}
