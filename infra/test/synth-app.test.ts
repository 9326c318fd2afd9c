import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const INFRA = new URL('..', import.meta.url).pathname;

/**
 * `cdk synth` of the real app, as CI runs it: no credentials, no network, bundles built by the local
 * esbuild, the cdk-nag checks applied. Slow (it bundles four functions), so it runs once.
 */
describe('cdk synth', () => {
  let out = '';
  afterAll(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('synthesizes the app offline into ESM bundles with source maps, under 1 MB each', async () => {
    out = await mkdtemp(join(tmpdir(), 'cdk-synth-'));
    await run('npx', ['cdk', 'synth', '-q', '--no-notices', '-o', out], {
      cwd: INFRA,
      env: {
        ...process.env,
        CDK_DISABLE_VERSION_CHECK: '1',
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_PROFILE: '',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
      timeout: 180_000,
    });
    const template = JSON.parse(await readFile(join(out, 'OneTimeUploadStack.template.json'), 'utf8'));
    const functions = Object.values(template.Resources).filter(
      (r): r is { Type: string; Metadata: Record<string, string> } =>
        (r as { Type: string }).Type === 'AWS::Lambda::Function',
    );
    expect(functions).toHaveLength(4);
    for (const fn of functions) {
      const asset = join(out, fn.Metadata['aws:asset:path'] ?? '');
      const bundle = await readFile(join(asset, 'index.mjs'), 'utf8');
      expect(bundle.startsWith("import { createRequire as __createRequire } from 'module';")).toBe(true);
      expect(bundle).toMatch(/export\s*\{[^}]*as handler/);
      expect(bundle).toContain('//# sourceMappingURL=index.mjs.map');
      expect((await stat(join(asset, 'index.mjs.map'))).size).toBeGreaterThan(0);
      expect((await stat(join(asset, 'index.mjs'))).size).toBeLessThan(1024 * 1024);
    }
  }, 240_000);
});
