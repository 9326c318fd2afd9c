/**
 * What can go wrong, as the CLI's user sees it. Each error names one exit code, so a script can tell
 * "my key is wrong" from "the URL expired" from "the server is down" without parsing messages.
 */
export const EXIT_CODES = {
  /** The command did what it set out to do (for `reuse`: the first upload accepted, the others flagged). */
  ok: 0,
  /** Anything not listed below: a bug, an answer the CLI does not understand. */
  unexpected: 1,
  /** Bad options or arguments, a missing API key, a file that cannot be read. */
  usage: 2,
  /** The API refused the key (403 Forbidden). */
  apiKeyRefused: 3,
  /** The usage plan said no: throttled (429 Too Many Requests) or the daily quota is used up (429 Limit Exceeded). */
  rateLimited: 4,
  /** The upload was refused: by S3 (URL expired, file over the limit, second strict PUT) or by the API (400). */
  uploadRefused: 5,
  /** The API or S3 could not be reached, or answered 5xx. */
  unreachable: 6,
  /** S3 took the upload but the verdict was not the expected one before the deadline. */
  verdict: 7,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export type ErrorKind =
  | 'usage'
  | 'api-key-refused'
  | 'throttled'
  | 'quota-exceeded'
  | 'api-refused'
  | 's3-refused'
  | 'unavailable'
  | 'unreachable'
  | 'verdict'
  | 'unexpected';

const EXIT_BY_KIND: Record<ErrorKind, ExitCode> = {
  usage: EXIT_CODES.usage,
  'api-key-refused': EXIT_CODES.apiKeyRefused,
  throttled: EXIT_CODES.rateLimited,
  'quota-exceeded': EXIT_CODES.rateLimited,
  'api-refused': EXIT_CODES.uploadRefused,
  's3-refused': EXIT_CODES.uploadRefused,
  unavailable: EXIT_CODES.unreachable,
  unreachable: EXIT_CODES.unreachable,
  verdict: EXIT_CODES.verdict,
  unexpected: EXIT_CODES.unexpected,
};

export class CliError extends Error {
  readonly kind: ErrorKind;
  /** Extra facts for `--json` output (an HTTP status, S3's error code). */
  readonly details: Record<string, unknown>;

  constructor(
    kind: ErrorKind,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.kind = kind;
    this.details = options.details ?? {};
  }

  get exitCode(): ExitCode {
    return EXIT_BY_KIND[this.kind];
  }
}

export function usageError(message: string): CliError {
  return new CliError('usage', message);
}

/** Maps anything thrown to what the user is told and the exit code. */
export function describeError(error: unknown): {
  kind: ErrorKind;
  message: string;
  exitCode: ExitCode;
  details: Record<string, unknown>;
} {
  if (error instanceof CliError) {
    return { kind: error.kind, message: error.message, exitCode: error.exitCode, details: error.details };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'unexpected', message, exitCode: EXIT_CODES.unexpected, details: {} };
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** The system error code behind a failed request, looking through fetch's `TypeError: fetch failed`. */
export function networkErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && NETWORK_CODES.has(code)) return code;
    // Connecting to a name with several addresses fails with one error per address.
    current =
      current instanceof AggregateError && current.errors.length > 0 ? current.errors[0] : current.cause;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

export function unreachable(what: string, url: string, cause: unknown): CliError {
  const code = networkErrorCode(cause) ?? innermostMessage(cause);
  return new CliError('unreachable', `${what} at ${url} could not be reached (${code})`, {
    cause,
    details: { url, code },
  });
}
