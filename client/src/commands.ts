import type { IssuedUpload, UploadApi, UploadStatus } from './api-client.js';
import { CliError, EXIT_CODES, type ExitCode } from './errors.js';
import {
  inspectFile,
  isSuccess,
  type LocalFile,
  type ProgressListener,
  type S3Answer,
  uploadFile,
} from './s3-upload.js';
import { sleep, waitForStatus } from './verdict.js';

/**
 * The three scenarios as functions of an API client and some files: no terminal, no process. They return
 * what happened (and the exit code it deserves) or throw a `CliError`; the CLI only formats.
 */
export interface CommandEvents {
  issued?(upload: IssuedUpload): void;
  uploading?(file: LocalFile, attempt: number): void;
  progress?: ProgressListener;
  uploaded?(file: LocalFile, answer: S3Answer, attempt: number): void;
  waiting?(untilMs: number, reason: string): void;
  awaitingVerdict?(): void;
}

export interface CommandContext {
  api: Pick<UploadApi, 'requestUpload' | 'status'>;
  /** Strict mode: presigned PUTs signed with `If-None-Match: *`, so S3 itself refuses a second upload. */
  strict: boolean;
  /** How long to wait for the asynchronous verdict after S3 took a file. */
  verdictTimeoutMs: number;
  events?: CommandEvents;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface UploadSummary {
  id: string;
  key: string;
  method: 'POST' | 'PUT';
  expiresAt: string;
}

export interface Attempt {
  file: string;
  size: number;
  s3: S3Answer;
}

export interface UploadResult {
  command: 'upload';
  upload: UploadSummary;
  attempt: Attempt;
  verdict: UploadStatus;
  exitCode: ExitCode;
}

export interface ReuseResult {
  command: 'reuse';
  upload: UploadSummary;
  attempts: Attempt[];
  verdict: UploadStatus;
  /** Later uploads S3 took, so the service must flag them (in strict mode S3 refuses them: none). */
  expectedDuplicates: number;
  /** Why the outcome is not the expected one; absent on success. */
  problem?: string;
  exitCode: ExitCode;
}

export interface LateResult {
  command: 'late';
  upload: UploadSummary;
  /** When the file was sent, in seconds after the URL was issued. */
  delaySeconds: number;
  attempt: Attempt;
  status: UploadStatus;
  exitCode: ExitCode;
}

export type CommandResult = UploadResult | ReuseResult | LateResult;

function summary(upload: IssuedUpload): UploadSummary {
  return { id: upload.id, key: upload.key, method: upload.method, expiresAt: upload.expiresAt };
}

async function issue(context: CommandContext, file: LocalFile): Promise<IssuedUpload> {
  const issued = await context.api.requestUpload(
    context.strict ? { method: 'PUT', contentLength: file.size } : { method: 'POST' },
  );
  context.events?.issued?.(issued);
  return issued;
}

async function send(
  context: CommandContext,
  issued: IssuedUpload,
  file: LocalFile,
  index: number,
): Promise<Attempt> {
  context.events?.uploading?.(file, index);
  const answer = await uploadFile(issued, file, context.events?.progress);
  context.events?.uploaded?.(file, answer, index);
  return { file: file.path, size: file.size, s3: answer };
}

export function describeS3Answer(answer: S3Answer): string {
  if (isSuccess(answer)) return `${answer.status}`;
  const code = answer.code ? ` ${answer.code}` : '';
  return `${answer.status}${code}${answer.message ? `: ${answer.message}` : ''}`;
}

export function s3Refused(upload: IssuedUpload, attempt: Attempt): CliError {
  // A 5xx (InternalError, SlowDown) is S3 being unavailable, not a refusal of this upload: try again later.
  const unavailable = attempt.s3.status >= 500;
  return new CliError(
    unavailable ? 'unavailable' : 's3-refused',
    unavailable
      ? `S3 could not take the upload of ${attempt.file} right now (${describeS3Answer(attempt.s3)})`
      : `S3 refused the upload of ${attempt.file} (${describeS3Answer(attempt.s3)})`,
    {
      details: { id: upload.id, key: upload.key, s3: attempt.s3 },
    },
  );
}

function waitOptions(context: CommandContext) {
  return {
    deadlineMs: context.verdictTimeoutMs,
    ...(context.now ? { now: context.now } : {}),
    ...(context.sleep ? { sleep: context.sleep } : {}),
  };
}

/** `upload FILE`: get a URL, upload, wait for the verdict. */
export async function uploadCommand(context: CommandContext, path: string): Promise<UploadResult> {
  const file = await inspectFile(path);
  const issued = await issue(context, file);
  const attempt = await send(context, issued, file, 0);
  if (!isSuccess(attempt.s3)) throw s3Refused(issued, attempt);
  context.events?.awaitingVerdict?.();
  const { status, met } = await waitForStatus(
    context.api,
    issued.id,
    (s) => s.status === 'accepted',
    waitOptions(context),
  );
  if (!met) {
    throw new CliError(
      'verdict',
      `S3 took ${attempt.file} but the upload was not accepted within ${context.verdictTimeoutMs / 1000} s (status: ${status.status})`,
      { details: { id: issued.id, key: issued.key, s3: attempt.s3, verdict: status } },
    );
  }
  return { command: 'upload', upload: summary(issued), attempt, verdict: status, exitCode: EXIT_CODES.ok };
}

/**
 * `reuse FILE1 FILE2 ...`: every file to the same URL, one after the other. The expected outcome, and so
 * success: the first accepted; each later one flagged (POST) or refused by S3 with 412 (strict mode).
 */
export async function reuseCommand(context: CommandContext, paths: string[]): Promise<ReuseResult> {
  if (paths.length < 2) throw new CliError('usage', 'reuse needs at least two files');
  const files = await Promise.all(paths.map((path) => inspectFile(path)));
  const [first] = files;
  if (!first) throw new CliError('usage', 'reuse needs at least two files');
  if (context.strict && files.some((file) => file.size !== first.size)) {
    // A strict URL is signed for one exact size; another size would be refused for that, not for reuse.
    throw new CliError(
      'usage',
      'in strict mode every file must have the size of the first (the URL is signed for it)',
    );
  }
  const issued = await issue(context, first);
  const attempts: Attempt[] = [];
  for (const [index, file] of files.entries()) attempts.push(await send(context, issued, file, index));

  const [firstAttempt, ...later] = attempts;
  if (!firstAttempt || !isSuccess(firstAttempt.s3)) {
    const problem = `S3 refused the first upload (${firstAttempt ? describeS3Answer(firstAttempt.s3) : 'none'})`;
    const status = await context.api.status(issued.id);
    return reuseResult(issued, attempts, status, 0, problem, EXIT_CODES.uploadRefused);
  }
  const expectedDuplicates = later.filter((attempt) => isSuccess(attempt.s3)).length;
  const unexpectedRefusal = later.find(
    (attempt) => !isSuccess(attempt.s3) && !(context.strict && attempt.s3.status === 412),
  );
  context.events?.awaitingVerdict?.();
  const { status, met } = await waitForStatus(
    context.api,
    issued.id,
    (s) => s.status === 'accepted' && s.duplicateAttempts >= expectedDuplicates,
    waitOptions(context),
  );
  if (unexpectedRefusal) {
    const problem = `S3 refused ${unexpectedRefusal.file} (${describeS3Answer(unexpectedRefusal.s3)})`;
    return reuseResult(issued, attempts, status, expectedDuplicates, problem, EXIT_CODES.uploadRefused);
  }
  if (!met) {
    const problem =
      status.status === 'accepted'
        ? `${status.duplicateAttempts} of ${expectedDuplicates} later uploads flagged within ${context.verdictTimeoutMs / 1000} s`
        : `not accepted within ${context.verdictTimeoutMs / 1000} s (status: ${status.status})`;
    return reuseResult(issued, attempts, status, expectedDuplicates, problem, EXIT_CODES.verdict);
  }
  if (context.strict && expectedDuplicates > 0) {
    const problem = `S3 took ${expectedDuplicates} later PUT(s) that strict mode should have refused with 412`;
    return reuseResult(issued, attempts, status, expectedDuplicates, problem, EXIT_CODES.verdict);
  }
  return reuseResult(issued, attempts, status, expectedDuplicates, undefined, EXIT_CODES.ok);
}

function reuseResult(
  issued: IssuedUpload,
  attempts: Attempt[],
  verdict: UploadStatus,
  expectedDuplicates: number,
  problem: string | undefined,
  exitCode: ExitCode,
): ReuseResult {
  return {
    command: 'reuse',
    upload: summary(issued),
    attempts,
    verdict,
    expectedDuplicates,
    ...(problem ? { problem } : {}),
    exitCode,
  };
}

/** The default wait of `late`: the URL's validity, as the API reports it, plus ten seconds. */
export function defaultLateDelaySeconds(issued: Pick<IssuedUpload, 'expiresAt'>, issuedAtMs: number): number {
  const validity = Math.max(0, Date.parse(issued.expiresAt) - issuedAtMs) / 1000;
  return Math.ceil(validity) + 10;
}

/**
 * `late FILE`: get a URL, wait until `delaySeconds` after it was issued (by default past its validity),
 * then upload. S3's refusal is the expected answer and exits with its code (5); an upload that is still in
 * time is an ordinary upload.
 */
export async function lateCommand(
  context: CommandContext,
  path: string,
  delaySeconds?: number,
): Promise<LateResult> {
  const file = await inspectFile(path);
  const now = context.now ?? Date.now;
  const pause = context.sleep ?? sleep;
  const issued = await issue(context, file);
  const issuedAt = now();
  const delay = delaySeconds ?? defaultLateDelaySeconds(issued, issuedAt);
  const sendAt = issuedAt + delay * 1000;
  const expiresAt = Date.parse(issued.expiresAt);
  context.events?.waiting?.(
    sendAt,
    sendAt > expiresAt
      ? `${Math.round((sendAt - expiresAt) / 100) / 10} s past the URL's validity`
      : 'while the URL is still valid',
  );
  const left = sendAt - now();
  if (left > 0) await pause(left);
  const attempt = await send(context, issued, file, 0);
  if (!isSuccess(attempt.s3)) {
    const status = await context.api.status(issued.id);
    return {
      command: 'late',
      upload: summary(issued),
      delaySeconds: delay,
      attempt,
      status,
      exitCode: EXIT_CODES.uploadRefused,
    };
  }
  context.events?.awaitingVerdict?.();
  const { status, met } = await waitForStatus(
    context.api,
    issued.id,
    (s) => s.status === 'accepted',
    waitOptions(context),
  );
  return {
    command: 'late',
    upload: summary(issued),
    delaySeconds: delay,
    attempt,
    status,
    exitCode: met ? EXIT_CODES.ok : EXIT_CODES.verdict,
  };
}
