import type { ClaimStore } from '../core/claims.js';
import { UnknownUploadError } from '../core/errors.js';
import { getUploadStatus } from '../core/upload-status.js';
import { json, message } from './http.js';
import type { ApiHandler } from './issue-upload-url.js';
import type { Observability } from './observability.js';

/** `GET /uploads/{id}`: the claim's state, or 404. */
export function createGetUploadStatusHandler(
  deps: { claims: ClaimStore; now: () => Date },
  { logger }: Observability,
): ApiHandler {
  return async (event) => {
    const id = event.pathParameters?.id ?? '';
    try {
      return json(200, await getUploadStatus(deps, id));
    } catch (error) {
      if (error instanceof UnknownUploadError) return message(404, 'Not Found');
      logger.error('Reading an upload status failed', { error });
      return message(500, 'Internal server error');
    }
  };
}
