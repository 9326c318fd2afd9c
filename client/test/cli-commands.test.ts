import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadApi, type UploadStatus } from '../src/api-client.js';
import { uploadCommand } from '../src/commands.js';
import { EXIT_CODES } from '../src/errors.js';
import {
  API_KEY,
  closedPort,
  type LocalStack,
  runCli,
  startLocalStack,
  type TempDir,
  tempDir,
} from './local-stack.js';

/** Every command, run as the bin runs it, against a real local stack: S3's answers and the verdicts are real. */
const MAX_UPLOAD_BYTES = 60 * 1000 * 1000;

let stack: LocalStack;
let dir: TempDir;
let env: Record<string, string>;

beforeAll(async () => {
  [stack, dir] = await Promise.all([
    startLocalStack({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), UPLOAD_URL_TTL_SECONDS: '30' }),
    tempDir(),
  ]);
  env = { ONE_TIME_UPLOAD_API_URL: stack.apiUrl, ONE_TIME_UPLOAD_API_KEY: API_KEY };
});

afterAll(async () => {
  await Promise.all([stack?.stop(), dir?.remove()]);
});

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

describe('upload', () => {
  it('uploads a file, waits for the verdict and prints the accepted key; the bytes are identical', async () => {
    const file = await dir.file('one.txt', 'first file\n');

    const run = await runCli(['upload', file], env);

    expect(run.exitCode).toBe(EXIT_CODES.ok);
    const acceptedKey = run.stdout.match(/^Accepted +(\S+)$/m)?.[1];
    expect(acceptedKey).toMatch(/^accepted\/UploadFilename-\d{8}_\d{6}-[A-Za-z0-9]{22}$/);
    expect(run.stdout).toMatch(/^Upload 1 +one\.txt \(11 B\): S3 answered 204$/m);
    expect((await stack.object(acceptedKey ?? '')).toString()).toBe('first file\n');
  });

  it('prints one JSON object with --json', async () => {
    const file = await dir.file('json.txt', 'json please');

    const run = await runCli(['upload', '--json', file], env);

    expect(run.exitCode).toBe(EXIT_CODES.ok);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.json).toMatchObject({
      command: 'upload',
      upload: { method: 'POST' },
      attempt: { size: 11, s3: { status: 204 } },
      verdict: { status: 'accepted', duplicateAttempts: 0 },
      exitCode: 0,
    });
  });

  it('streams a 50 MB file: the progress reaches 100% and the accepted bytes are identical', async () => {
    const size = 50 * 1000 * 1000;
    const file = await dir.patternFile('fifty.bin', size);
    const progress: number[] = [];
    const api = new UploadApi({ apiUrl: stack.apiUrl, apiKey: API_KEY });

    const result = await uploadCommand(
      { api, strict: false, verdictTimeoutMs: 30_000, events: { progress: (sent) => progress.push(sent) } },
      file,
    );

    expect(result.verdict.status).toBe('accepted');
    expect(progress.at(-1)).toBe(size);
    expect(progress.every((sent, i) => i === 0 || sent >= (progress[i - 1] ?? 0))).toBe(true);
    expect(progress.length).toBeGreaterThan(10);
    const stored = await stack.object(result.verdict.acceptedKey ?? '');
    expect(stored.length).toBe(size);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(await sha256(file));
  });

  it('exits 5 with S3 EntityTooLarge for a file over the limit', async () => {
    const file = await dir.sparseFile('too-big.bin', MAX_UPLOAD_BYTES + 1);

    const run = await runCli(['upload', '--json', file], env);

    expect(run.exitCode).toBe(EXIT_CODES.uploadRefused);
    expect(run.json).toMatchObject({
      error: { kind: 's3-refused', s3: { status: 400, code: 'EntityTooLarge' } },
      exitCode: 5,
    });
  });

  it('exits 3 when the API refuses the key, saying so', async () => {
    const file = await dir.file('key.txt', 'x');

    const run = await runCli(['upload', file, '--api-key', 'not-the-key-not-the-key'], env);

    expect(run.exitCode).toBe(EXIT_CODES.apiKeyRefused);
    expect(run.stderr).toContain('refused the API key (403 Forbidden)');
  });

  it('exits 6 when the API cannot be reached', async () => {
    const file = await dir.file('nowhere.txt', 'x');

    const run = await runCli(['upload', file, '--api-url', `http://127.0.0.1:${await closedPort()}`], env);

    expect(run.exitCode).toBe(EXIT_CODES.unreachable);
    expect(run.stderr).toMatch(/could not be reached \(ECONNREFUSED\)/);
  });

  it('exits 2 for a file that does not exist, before asking for a URL', async () => {
    const run = await runCli(['upload', `${dir.path}/missing.txt`], env);

    expect(run.exitCode).toBe(EXIT_CODES.usage);
    expect(run.stderr).toContain('ENOENT');
  });

  it('resolves relative file names against the given working directory', async () => {
    await dir.file('relative.txt', 'relative');

    const run = await runCli(['upload', '--json', 'relative.txt'], env, dir.path);

    expect(run.exitCode).toBe(EXIT_CODES.ok);
    expect(run.json).toMatchObject({ attempt: { file: `${dir.path}/relative.txt`, size: 8 } });
  });
});

describe('reuse', () => {
  it('two files to the same URL: both taken by S3, the first accepted, the second flagged', async () => {
    const one = await dir.file('r-one.txt', 'first file\n');
    const two = await dir.file('r-two.txt', 'second file\n');

    const run = await runCli(['reuse', '--json', one, two], env);

    expect(run.exitCode).toBe(EXIT_CODES.ok);
    const verdict = run.json.verdict as UploadStatus;
    expect(run.json).toMatchObject({ expectedDuplicates: 1, exitCode: 0 });
    expect((run.json.attempts as { s3: { status: number } }[]).map((a) => a.s3.status)).toEqual([204, 204]);
    expect(verdict).toMatchObject({ status: 'accepted', duplicateAttempts: 1 });
    expect((await stack.object(verdict.acceptedKey ?? '')).toString()).toBe('first file\n');
  });

  it('three files: the first accepted, two flagged, and the text output says so', async () => {
    const files = await Promise.all(
      ['first', 'second', 'third'].map((word) => dir.file(`${word}.txt`, `${word} file\n`)),
    );

    const run = await runCli(['reuse', ...files], env);

    expect(run.exitCode).toBe(EXIT_CODES.ok);
    expect(run.stdout).toMatch(/^Upload 3 +third\.txt \(11 B\): S3 answered 204$/m);
    expect(run.stdout).toMatch(/^Flagged +2 duplicate attempt\(s\)$/m);
    const acceptedKey = run.stdout.match(/^Accepted +(\S+) \(the first upload wins\)$/m)?.[1];
    expect((await stack.object(acceptedKey ?? '')).toString()).toBe('first file\n');
  });

  it('strict mode: the first PUT accepted, the second refused by S3 with 412', async () => {
    const one = await dir.file('s-one.txt', 'same size 1');
    const two = await dir.file('s-two.txt', 'same size 2');

    const run = await runCli(['reuse', '--strict', '--json', one, two], env);

    expect(run.exitCode).toBe(EXIT_CODES.ok);
    const attempts = run.json.attempts as { s3: { status: number; code?: string } }[];
    expect(attempts.map((a) => a.s3)).toMatchObject([
      { status: 200 },
      { status: 412, code: 'PreconditionFailed' },
    ]);
    const verdict = run.json.verdict as UploadStatus;
    expect(verdict).toMatchObject({ status: 'accepted', method: 'PUT', duplicateAttempts: 0 });
    expect((await stack.object(verdict.acceptedKey ?? '')).toString()).toBe('same size 1');
  });

  it('is a usage error with one file', async () => {
    const run = await runCli(['reuse', await dir.file('alone.txt', 'x')], env);

    expect(run.exitCode).toBe(EXIT_CODES.usage);
  });
});

describe('strict upload', () => {
  it('uploads with a presigned PUT and is accepted', async () => {
    const file = await dir.file('strict.txt', 'strict mode');

    const run = await runCli(['upload', '--strict', '--json', file], env);

    expect(run.exitCode).toBe(EXIT_CODES.ok);
    expect(run.json).toMatchObject({ upload: { method: 'PUT' }, attempt: { s3: { status: 200 } } });
    const verdict = run.json.verdict as UploadStatus;
    expect((await stack.object(verdict.acceptedKey ?? '')).toString()).toBe('strict mode');
  });

  it('exits 5 when the API refuses a strict upload over the limit', async () => {
    const file = await dir.sparseFile('strict-too-big.bin', MAX_UPLOAD_BYTES + 1);

    const run = await runCli(['upload', '--strict', file], env);

    expect(run.exitCode).toBe(EXIT_CODES.uploadRefused);
    expect(run.stderr).toContain(`contentLength must be at most ${MAX_UPLOAD_BYTES} bytes`);
  });
});

describe('late', () => {
  let short: LocalStack;
  beforeAll(async () => {
    short = await startLocalStack({ UPLOAD_URL_TTL_SECONDS: '1' });
  });
  afterAll(() => short?.stop());

  it("uploads after the URL's validity and shows S3's refusal, with exit code 5", async () => {
    const file = await dir.file('late.txt', 'too late');

    const run = await runCli(['late', '--json', file, '--delay', '2.5'], {
      ONE_TIME_UPLOAD_API_URL: short.apiUrl,
      ONE_TIME_UPLOAD_API_KEY: API_KEY,
    });

    expect(run.exitCode).toBe(EXIT_CODES.uploadRefused);
    expect(run.json).toMatchObject({
      command: 'late',
      delaySeconds: 2.5,
      attempt: {
        s3: { status: 403, code: 'AccessDenied', message: 'Invalid according to Policy: Policy expired.' },
      },
      status: { status: 'expired' },
    });
  });

  it('prints the wait and the refusal as text', async () => {
    const file = await dir.file('late-text.txt', 'too late');

    const run = await runCli(['late', file, '--delay', '2.5'], {
      ONE_TIME_UPLOAD_API_URL: short.apiUrl,
      ONE_TIME_UPLOAD_API_KEY: API_KEY,
    });

    expect(run.exitCode).toBe(EXIT_CODES.uploadRefused);
    expect(run.stdout).toMatch(/^Waiting +until \S+, [\d.]+ s past the URL's validity$/m);
    expect(run.stdout).toMatch(
      /^Upload 1 +late-text\.txt \(8 B\): S3 answered 403 AccessDenied: Invalid according to Policy: Policy expired\.$/m,
    );
    expect(run.stdout).toMatch(/^Status +expired$/m);
  });
});

describe('usage plan', () => {
  it('exits 4 when throttled (429 Too Many Requests)', async () => {
    const tight = await startLocalStack({ USAGE_PLAN_RATE_LIMIT: '1', USAGE_PLAN_BURST_LIMIT: '1' });
    try {
      // The one request the burst allows; the CLI's comes before the bucket refills (1 per second).
      const first = await fetch(`${tight.apiUrl}/getpresignedurl`, { headers: { 'x-api-key': API_KEY } });
      expect(first.status).toBe(200);

      const run = await runCli(['upload', await dir.file('throttled.txt', 'x')], {
        ONE_TIME_UPLOAD_API_URL: tight.apiUrl,
        ONE_TIME_UPLOAD_API_KEY: API_KEY,
      });

      expect(run.exitCode).toBe(EXIT_CODES.rateLimited);
      expect(run.stderr).toContain('429 Too Many Requests');
    } finally {
      await tight.stop();
    }
  });

  it('exits 4 when the daily quota is used up (429 Limit Exceeded)', async () => {
    const tight = await startLocalStack({ USAGE_PLAN_QUOTA_PER_DAY: '1' });
    try {
      const first = await fetch(`${tight.apiUrl}/getpresignedurl`, { headers: { 'x-api-key': API_KEY } });
      expect(first.status).toBe(200);

      const run = await runCli(['upload', '--json', await dir.file('quota.txt', 'x')], {
        ONE_TIME_UPLOAD_API_URL: tight.apiUrl,
        ONE_TIME_UPLOAD_API_KEY: API_KEY,
      });

      expect(run.exitCode).toBe(EXIT_CODES.rateLimited);
      expect(run.json).toMatchObject({ error: { kind: 'quota-exceeded', apiMessage: 'Limit Exceeded' } });
    } finally {
      await tight.stop();
    }
  });
});

describe('verdict', () => {
  it('exits 7 when S3 took the file but it is not accepted before --timeout', async () => {
    // The accept handler's copy always fails on this stack, so no upload is ever accepted.
    const broken = await startLocalStack(
      {},
      {
        wrapClients: (clients) => {
          clients.s3.middlewareStack.add(
            (next, context) => async (args) => {
              if (context.commandName === 'CopyObjectCommand') throw new Error('injected fault: copy fails');
              return next(args);
            },
            { step: 'initialize', name: 'failEveryCopy' },
          );
          return clients;
        },
      },
    );
    try {
      const run = await runCli(['upload', '--json', '--timeout', '1', await dir.file('never.txt', 'x')], {
        ONE_TIME_UPLOAD_API_URL: broken.apiUrl,
        ONE_TIME_UPLOAD_API_KEY: API_KEY,
      });

      expect(run.exitCode).toBe(EXIT_CODES.verdict);
      expect(run.json).toMatchObject({
        error: { kind: 'verdict', s3: { status: 204 }, verdict: { status: 'issued' } },
      });
    } finally {
      await broken.stop();
    }
  });
});
