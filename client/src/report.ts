import type { IssuedUpload } from './api-client.js';
import type { CommandResult, LateResult, ReuseResult, UploadResult } from './commands.js';
import { describeS3Answer } from './commands.js';
import { formatBytes } from './progress-bar.js';
import type { LocalFile, S3Answer } from './s3-upload.js';

/** What the CLI prints for people: one labelled line per step, the result last. */
const label = (name: string) => name.padEnd(12);

export function issuedLine(upload: IssuedUpload): string {
  return `${label('Upload URL')} ${upload.id} (${upload.method}, valid until ${upload.expiresAt})`;
}

export function uploadedLine(file: LocalFile, answer: S3Answer, attempt: number): string {
  return `${label(`Upload ${attempt + 1}`)} ${file.name} (${formatBytes(file.size)}): S3 answered ${describeS3Answer(answer)}`;
}

export function waitingLine(untilMs: number, reason: string): string {
  return `${label('Waiting')} until ${new Date(untilMs).toISOString()}, ${reason}`;
}

function uploadLines(result: UploadResult): string[] {
  const lines = [`${label('Accepted')} ${result.verdict.acceptedKey ?? result.verdict.key}`];
  if (result.verdict.duplicateAttempts > 0) {
    lines.push(`${label('Flagged')} ${result.verdict.duplicateAttempts} other upload(s) to this URL`);
  }
  return lines;
}

function reuseLines(result: ReuseResult): string[] {
  const { verdict } = result;
  const lines: string[] = [];
  if (verdict.status === 'accepted') {
    lines.push(`${label('Accepted')} ${verdict.acceptedKey ?? verdict.key} (the first upload wins)`);
  } else {
    lines.push(`${label('Status')} ${verdict.status}`);
  }
  const refused = result.attempts.slice(1).filter((a) => a.s3.status === 412).length;
  if (refused > 0)
    lines.push(`${label('Refused')} ${refused} later upload(s), by S3 itself (412 PreconditionFailed)`);
  if (result.expectedDuplicates > 0 || verdict.duplicateAttempts > 0) {
    lines.push(
      `${label('Flagged')} ${verdict.duplicateAttempts} duplicate attempt(s)` +
        (verdict.duplicateAttempts === result.expectedDuplicates
          ? ''
          : ` (expected ${result.expectedDuplicates})`),
    );
  }
  if (result.problem) lines.push(`${label('Problem')} ${result.problem}`);
  return lines;
}

function lateLines(result: LateResult): string[] {
  if (result.status.status === 'accepted') {
    return [
      `${label('Accepted')} ${result.status.acceptedKey ?? result.status.key} (the URL was still valid)`,
    ];
  }
  return [`${label('Status')} ${result.status.status}`];
}

export function resultLines(result: CommandResult): string[] {
  switch (result.command) {
    case 'upload':
      return uploadLines(result);
    case 'reuse':
      return reuseLines(result);
    case 'late':
      return lateLines(result);
  }
}
