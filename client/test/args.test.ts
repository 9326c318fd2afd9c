import { describe, expect, it } from 'vitest';
import { DEFAULT_API_URL, parseCommandLine } from '../src/args.js';
import { CliError, describeError, EXIT_CODES, networkErrorCode } from '../src/errors.js';

const ENV = { ONE_TIME_UPLOAD_API_KEY: 'key-from-the-environment' };

function usageMessage(argv: string[], env: Record<string, string> = ENV): string {
  try {
    parseCommandLine(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect(describeError(error).exitCode).toBe(EXIT_CODES.usage);
    return (error as Error).message;
  }
  throw new Error(`${argv.join(' ')} was accepted`);
}

describe('command line', () => {
  it('reads the API URL and key from the environment, options winning', () => {
    const fromEnv = parseCommandLine(['upload', 'a.txt'], {
      ...ENV,
      ONE_TIME_UPLOAD_API_URL: 'http://api.test',
    });
    expect(fromEnv).toMatchObject({
      command: 'upload',
      files: ['a.txt'],
      apiUrl: 'http://api.test',
      apiKey: ENV.ONE_TIME_UPLOAD_API_KEY,
    });

    const fromOptions = parseCommandLine(
      ['upload', 'a.txt', '--api-url', 'https://x.test/prod', '--api-key', 'k'],
      {
        ...ENV,
        ONE_TIME_UPLOAD_API_URL: 'http://api.test',
      },
    );
    expect(fromOptions).toMatchObject({ apiUrl: 'https://x.test/prod', apiKey: 'k' });
  });

  it('defaults to what npm start serves, POST mode, text output and a 30 s verdict timeout', () => {
    expect(parseCommandLine(['upload', 'a.txt'], ENV)).toEqual({
      kind: 'run',
      command: 'upload',
      files: ['a.txt'],
      apiUrl: DEFAULT_API_URL,
      apiKey: ENV.ONE_TIME_UPLOAD_API_KEY,
      strict: false,
      json: false,
      timeoutSeconds: 30,
    });
  });

  it('takes options anywhere and several files for reuse', () => {
    expect(parseCommandLine(['--json', 'reuse', 'a', '--strict', 'b', 'c'], ENV)).toMatchObject({
      command: 'reuse',
      files: ['a', 'b', 'c'],
      strict: true,
      json: true,
    });
  });

  it('takes --delay for late only, in seconds', () => {
    expect(parseCommandLine(['late', 'a', '--delay', '40'], ENV)).toMatchObject({
      command: 'late',
      delaySeconds: 40,
    });
    expect(parseCommandLine(['late', 'a'], ENV)).not.toHaveProperty('delaySeconds');
    expect(usageMessage(['upload', 'a', '--delay', '4'])).toBe('--delay only applies to late');
    expect(usageMessage(['late', 'a', '--delay', 'soon'])).toMatch(/--delay must be a number of seconds/);
    expect(usageMessage(['late', 'a', '--delay=-1'])).toMatch(/--delay must be a number of seconds/);
  });

  it('answers help before checking anything else', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ kind: 'help' });
    expect(parseCommandLine(['upload', '-h'], {})).toEqual({ kind: 'help' });
  });

  it('refuses what it cannot run, with a message that says what to do', () => {
    expect(usageMessage([])).toMatch(/a command is missing/);
    expect(usageMessage(['download', 'a'])).toMatch(/unknown command "download"/);
    expect(usageMessage(['upload'])).toBe('upload needs one file: upload FILE');
    expect(usageMessage(['upload', 'a', 'b'])).toBe('upload needs one file: upload FILE');
    expect(usageMessage(['reuse', 'a'])).toMatch(/reuse needs two files or more/);
    expect(usageMessage(['upload', 'a', '--bogus'])).toMatch(/--bogus/);
    expect(usageMessage(['upload', 'a'], {})).toMatch(/ONE_TIME_UPLOAD_API_KEY/);
    expect(usageMessage(['upload', 'a', '--api-url', 'ftp://x'])).toMatch(
      /--api-url must be an http\(s\) URL/,
    );
    expect(usageMessage(['upload', 'a', '--api-url', 'not a url'])).toMatch(
      /--api-url must be an http\(s\) URL/,
    );
  });
});

describe('errors', () => {
  it('maps each kind of failure to its documented exit code', () => {
    expect(describeError(new CliError('api-key-refused', 'x')).exitCode).toBe(3);
    expect(describeError(new CliError('throttled', 'x')).exitCode).toBe(4);
    expect(describeError(new CliError('quota-exceeded', 'x')).exitCode).toBe(4);
    expect(describeError(new CliError('s3-refused', 'x')).exitCode).toBe(5);
    expect(describeError(new CliError('api-refused', 'x')).exitCode).toBe(5);
    expect(describeError(new CliError('unreachable', 'x')).exitCode).toBe(6);
    expect(describeError(new CliError('unavailable', 'x')).exitCode).toBe(6);
    expect(describeError(new CliError('verdict', 'x')).exitCode).toBe(7);
    expect(describeError(new Error('a bug'))).toMatchObject({
      kind: 'unexpected',
      exitCode: 1,
      message: 'a bug',
    });
  });

  it("finds the system error behind fetch's TypeError, also for a name with several addresses", () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(networkErrorCode(new TypeError('fetch failed', { cause: refused }))).toBe('ECONNREFUSED');
    const several = new AggregateError([refused, refused]);
    expect(networkErrorCode(new TypeError('fetch failed', { cause: several }))).toBe('ECONNREFUSED');
    expect(networkErrorCode(new Error('something else'))).toBeUndefined();
  });
});
