import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { API_KEY, type LocalStack, startLocalStack } from './local-stack.js';

/**
 * The dev server's upload page in a real headless Chromium: the page asks the API for a URL, POSTs the
 * form straight to the embedded S3 (a cross-origin request, so CORS is exercised for real) and shows the
 * verdict from the status API.
 */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium)
  console.warn(`upload page tests skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

const TTL_SECONDS = 2;
const MAX_UPLOAD_BYTES = 1000;

describe.skipIf(!hasChromium)('the upload page, in Chromium', () => {
  let stack: LocalStack;
  let browser: Browser;
  let page: Page;

  // launch() gives Chromium a fresh temporary profile of its own.
  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startLocalStack({
        UPLOAD_URL_TTL_SECONDS: String(TTL_SECONDS),
        MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES),
      }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      }),
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  beforeEach(async () => {
    page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/`);
  });

  const text = (name: string) => page.getByRole('status', { name }).textContent();
  const acceptedKey = () => text('Accepted as');

  async function chooseFile(content: string | Buffer, delaySeconds = 0) {
    await page.getByLabel('API key').fill(API_KEY);
    await page
      .getByLabel('File')
      .setInputFiles({ name: 'photo.txt', mimeType: 'text/plain', buffer: Buffer.from(content) });
    await page.getByLabel('Wait before sending (seconds)').fill(String(delaySeconds));
  }

  it('uploads a file and shows "accepted"; sending the same form again gets the duplicate flagged', async () => {
    await chooseFile('from the browser');

    await page.getByRole('button', { name: 'Upload' }).click();

    await expect.poll(() => text('Verdict'), { timeout: 15_000 }).toBe('accepted');
    expect(await text('S3 answer')).toBe('204 (upload 1)');
    expect(await text('Duplicates')).toBe('none');
    const key = (await acceptedKey()) ?? '';
    expect(key).toMatch(/^accepted\/UploadFilename-/);
    expect((await stack.object(key)).toString()).toBe('from the browser');
    expect(await page.getByRole('progressbar', { name: 'Upload progress' }).getAttribute('value')).toBe(
      '100',
    );

    await page.getByRole('button', { name: 'Send again to the same URL' }).click();

    await expect.poll(() => text('Duplicates'), { timeout: 15_000 }).toBe('duplicate flagged (1)');
    expect(await text('S3 answer')).toBe('204 (upload 2)');
    expect(await text('Verdict')).toBe('accepted');
    // The first upload still wins.
    expect((await stack.object(key)).toString()).toBe('from the browser');
  });

  it("shows S3's refusal of a late upload: Policy expired", async () => {
    await chooseFile('too late', TTL_SECONDS + 1);

    await page.getByRole('button', { name: 'Upload' }).click();

    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 })
      .toBe('S3 refused the upload: AccessDenied: Invalid according to Policy: Policy expired.');
    expect(await text('S3 answer')).toBe('403 AccessDenied');
    expect(await text('Verdict')).toBe('expired');
  });

  it("shows S3's refusal of a file over the limit: EntityTooLarge", async () => {
    await chooseFile(Buffer.alloc(MAX_UPLOAD_BYTES + 1, 'x'));

    await page.getByRole('button', { name: 'Upload' }).click();

    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 15_000 })
      .toMatch(
        /^S3 refused the upload: EntityTooLarge: Your proposed upload exceeds the maximum allowed size$/,
      );
    expect(await text('S3 answer')).toBe('400 EntityTooLarge');
  });

  it('says so when the API refuses the key, and never puts the key in the URL', async () => {
    await chooseFile('x');
    await page.getByLabel('API key').fill('not-the-key-not-the-key');

    await page.getByRole('button', { name: 'Upload' }).click();

    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('The API answered 403: Forbidden (check the API key)');
    expect(page.url()).toBe(`${stack.apiUrl}/`);
  });
});
