import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { App, CfnElement, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { type BenchRow, writeSection } from '../../bench/report.js';
import { OneTimeUploadStack } from '../lib/one-time-upload-stack.js';
import { readSettings } from '../lib/settings.js';

/**
 * Synthesizes the stack with bundling (the local esbuild, as `cdk deploy` does) and reports the size of
 * each handler's bundle against the 1 MB target: the size of what Lambda loads at a cold start.
 */
const TARGET = 1024 * 1024;
const out = mkdtempSync(join(tmpdir(), 'infra-bench-'));
try {
  const app = new App({
    outdir: out,
    context: { 'aws:cdk:bundling-stacks': ['**'], 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = new OneTimeUploadStack(app, 'OneTimeUploadStack', {
    settings: readSettings((key) => app.node.tryGetContext(key)),
  });
  const started = performance.now();
  const assembly = app.synth();
  const seconds = (performance.now() - started) / 1000;

  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  const rows: BenchRow[] = [];
  for (const [name, fn] of Object.entries(stack.functions)) {
    const resource = template.Resources[logicalIdOf(stack, fn.function)];
    const assetPath = resource?.Metadata?.['aws:asset:path'];
    if (!assetPath) throw new Error(`no asset for ${name}`);
    const bundle = join(out, assetPath, 'index.mjs');
    const size = statSync(bundle).size;
    const gzipped = gzipSync(readFileSync(bundle)).length;
    const map = statSync(`${bundle}.map`).size;
    rows.push({
      metric: `${name} bundle (index.mjs; gzip ${kb(gzipped)}, map ${kb(map)})`,
      value: kb(size),
      target: '< 1 MB',
      ok: size < TARGET,
    });
  }
  rows.push({
    metric: 'cdk synth with bundling (4 functions, esbuild)',
    value: `${seconds.toFixed(1)} s`,
    target: '',
    ok: undefined,
  });
  writeSection('infra', 'Lambda bundles (CDK)', rows, [
    'ESM, minified, for Node.js 22 on arm64; the AWS SDK v3 is bundled (pinned versions), not taken from the runtime.',
    'Source maps are separate files without sources, so they do not add to what Lambda parses at start.',
  ]);
} finally {
  rmSync(out, { recursive: true, force: true });
}

function logicalIdOf(stack: Stack, construct: IConstruct): string {
  const child = construct.node.defaultChild;
  if (!CfnElement.isCfnElement(child)) throw new Error(`${construct.node.path} has no resource`);
  return stack.getLogicalId(child);
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
