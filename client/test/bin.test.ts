import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, type LocalStack, startLocalStack, type TempDir, tempDir } from './local-stack.js';

/** The launcher users run: a real process, through tsx, with the real environment variables. */
const bin = fileURLToPath(new URL('../bin/one-time-upload.js', import.meta.url));
const run = promisify(execFile);

let stack: LocalStack;
let dir: TempDir;
beforeAll(async () => {
  [stack, dir] = await Promise.all([startLocalStack(), tempDir()]);
});
afterAll(async () => {
  await Promise.all([stack?.stop(), dir?.remove()]);
});

describe('the one-time-upload bin', () => {
  it('prints its help with the exit codes', async () => {
    const { stdout } = await run(process.execPath, [bin, '--help']);
    expect(stdout).toMatch(/^Usage: one-time-upload <command>/);
    expect(stdout).toContain('5  upload refused');
  });

  it('uploads a file from the directory it runs in, --json on stdout and exit code 0', async () => {
    await dir.file('bin.txt', 'through the launcher');
    const { stdout, stderr } = await run(process.execPath, [bin, 'upload', '--json', 'bin.txt'], {
      cwd: dir.path,
      env: { ...process.env, ONE_TIME_UPLOAD_API_URL: stack.apiUrl, ONE_TIME_UPLOAD_API_KEY: API_KEY },
    });
    expect(stderr).toBe('');
    const result = JSON.parse(stdout) as {
      verdict: { status: string; acceptedKey: string };
      exitCode: number;
    };
    expect(result).toMatchObject({ verdict: { status: 'accepted' }, exitCode: 0 });
    expect((await stack.object(result.verdict.acceptedKey)).toString()).toBe('through the launcher');
  });

  it('exits with the documented code for a usage error', async () => {
    const failure = await run(process.execPath, [bin, 'upload'], { env: { ...process.env } }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('upload needs one file');
  });
});
