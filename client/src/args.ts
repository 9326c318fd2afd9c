import { parseArgs } from 'node:util';
import { EXIT_CODES, usageError } from './errors.js';

/** The command line, parsed and checked: what to run, or a usage error (exit code 2). */
export type CommandName = 'upload' | 'reuse' | 'late';

export interface RunInvocation {
  kind: 'run';
  command: CommandName;
  files: string[];
  apiUrl: string;
  apiKey: string;
  strict: boolean;
  json: boolean;
  timeoutSeconds: number;
  /** `late` only: seconds after the URL was issued; absent means its validity + 10 s. */
  delaySeconds?: number;
}

export type Invocation = { kind: 'help' } | RunInvocation;

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';
const DEFAULT_TIMEOUT_SECONDS = 30;

export const HELP = `Usage: one-time-upload <command> [options] FILE...

Commands:
  upload FILE                    Get a one-time URL, upload FILE, wait for the verdict, print the accepted key
  reuse FILE1 FILE2 [FILE3 ...]  Upload every file to the SAME URL: the first is accepted, the others flagged
  late FILE [--delay N]          Wait past the URL's validity, upload, and show S3's refusal

Options:
  --api-url URL   The API (or ONE_TIME_UPLOAD_API_URL; default ${DEFAULT_API_URL}, what npm start serves)
  --api-key KEY   The API key (or ONE_TIME_UPLOAD_API_KEY, which keeps it out of the process list)
  --strict        Strict mode: a presigned PUT signed with If-None-Match: *, so S3 refuses a second upload (412)
  --json          Print one JSON object on stdout and no progress bar
  --timeout N     Seconds to wait for the verdict once S3 took the file (default ${DEFAULT_TIMEOUT_SECONDS})
  --delay N       late: upload N seconds after the URL was issued (default: its validity + 10 s)
  -h, --help      Show this help

Exit codes:
  ${EXIT_CODES.ok}  success (reuse: the first upload accepted, the others flagged or refused with 412)
  ${EXIT_CODES.unexpected}  unexpected error
  ${EXIT_CODES.usage}  usage error: bad option, missing API key, unreadable file, wrong API URL
  ${EXIT_CODES.apiKeyRefused}  the API refused the API key (403 Forbidden)
  ${EXIT_CODES.rateLimited}  throttled (429 Too Many Requests) or daily quota used up (429 Limit Exceeded)
  ${EXIT_CODES.uploadRefused}  upload refused: URL expired, file over the limit, second strict PUT (412)
  ${EXIT_CODES.unreachable}  the API or S3 could not be reached, or answered 5xx
  ${EXIT_CODES.verdict}  S3 took the file but the expected verdict did not come before --timeout
`;

const COMMANDS: readonly CommandName[] = ['upload', 'reuse', 'late'];

function isCommand(value: string | undefined): value is CommandName {
  return COMMANDS.some((command) => command === value);
}

function seconds(name: string, text: string | undefined, fallback: number | undefined): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw usageError(`--${name} must be a number of seconds, 0 or more (got "${text}")`);
  }
  return value;
}

export function parseCommandLine(argv: string[], env: Record<string, string | undefined>): Invocation {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [command, ...files] = positionals;
  if (command === undefined) throw usageError('a command is missing: upload, reuse or late');
  if (!isCommand(command)) throw usageError(`unknown command "${command}": use upload, reuse or late`);
  if (command === 'reuse' ? files.length < 2 : files.length !== 1) {
    throw usageError(
      command === 'reuse'
        ? 'reuse needs two files or more: reuse FILE1 FILE2 [FILE3 ...]'
        : `${command} needs one file: ${command} FILE`,
    );
  }
  if (values.delay !== undefined && command !== 'late') throw usageError('--delay only applies to late');

  const apiUrl = values['api-url'] ?? env.ONE_TIME_UPLOAD_API_URL ?? DEFAULT_API_URL;
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw usageError(`--api-url must be an http(s) URL (got "${apiUrl}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw usageError(`--api-url must be an http(s) URL (got "${apiUrl}")`);
  }
  const apiKey = values['api-key'] ?? env.ONE_TIME_UPLOAD_API_KEY;
  if (!apiKey) throw usageError('an API key is needed: --api-key KEY or ONE_TIME_UPLOAD_API_KEY');

  const delaySeconds = seconds('delay', values.delay, undefined);
  return {
    kind: 'run',
    command,
    files,
    apiUrl,
    apiKey,
    strict: values.strict ?? false,
    json: values.json ?? false,
    timeoutSeconds: seconds('timeout', values.timeout, DEFAULT_TIMEOUT_SECONDS) ?? DEFAULT_TIMEOUT_SECONDS,
    ...(delaySeconds !== undefined ? { delaySeconds } : {}),
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      'api-url': { type: 'string' },
      'api-key': { type: 'string' },
      strict: { type: 'boolean' },
      json: { type: 'boolean' },
      timeout: { type: 'string' },
      delay: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
