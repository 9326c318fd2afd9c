import type { UploadApi, UploadStatus } from './api-client.js';
import { CliError } from './errors.js';

/**
 * Polls the status API until the upload's status satisfies `done`, or the deadline passes. Acceptance is
 * asynchronous (an S3 event runs a handler), so "not yet" is normal for a moment; being throttled while
 * polling is too, and only delays the next poll.
 */
export interface WaitOptions {
  deadlineMs: number;
  /** First pause between polls; it grows by half each time up to `maxIntervalMs`. */
  intervalMs?: number;
  maxIntervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WaitResult {
  status: UploadStatus;
  /** False when the deadline passed first; `status` is then the last one seen. */
  met: boolean;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitForStatus(
  api: Pick<UploadApi, 'status'>,
  id: string,
  done: (status: UploadStatus) => boolean,
  options: WaitOptions,
): Promise<WaitResult> {
  const now = options.now ?? Date.now;
  const pause = options.sleep ?? sleep;
  const maxInterval = options.maxIntervalMs ?? 1000;
  const until = now() + options.deadlineMs;
  let interval = options.intervalMs ?? 100;
  let last: UploadStatus | undefined;
  for (;;) {
    try {
      last = await api.status(id);
      if (done(last)) return { status: last, met: true };
    } catch (error) {
      if (!(error instanceof CliError && error.kind === 'throttled')) throw error;
    }
    const left = until - now();
    if (left <= 0) break;
    await pause(Math.min(interval, left));
    interval = Math.min(maxInterval, Math.ceil(interval * 1.5));
  }
  if (last) return { status: last, met: false };
  throw new CliError('throttled', `The API throttled every status request for ${options.deadlineMs} ms`);
}
