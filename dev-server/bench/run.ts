import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type BenchRow, percentile, writeSection } from '../../bench/report.js';
import { loadDevServerConfig, startDevServer } from '../src/index.js';

/**
 * Benchmarks of the local stack: issuing URLs through the dev server (API Gateway emulation, handler,
 * DynamoDB claim, signing) at 10 concurrent clients, beside a trivial route of the same server, and the
 * time from an upload to its accepted copy. The load comes from another process, so the two use both cores.
 */
const run = promisify(execFile);
const API_KEY = 'bench-key-0123456789abcdef';
const DURATION = process.env.BENCH_SECONDS ?? '10';

const config = loadDevServerConfig({
  PORT: '0',
  EMBEDDED_PORT: '0',
  API_KEYS: API_KEY,
  USAGE_PLAN_RATE_LIMIT: '1000000',
  USAGE_PLAN_BURST_LIMIT: '1000000',
  USAGE_PLAN_QUOTA_PER_DAY: '1000000000',
});
const server = await startDevServer(config, { logger: false });

interface Load {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
}

async function load(path: string, apiKey = ''): Promise<Load> {
  const { stdout } = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      new URL('./load.ts', import.meta.url).pathname,
      `${server.apiUrl}${path}`,
      '10',
      DURATION,
      apiKey,
    ],
    { maxBuffer: 1024 * 1024 },
  );
  return JSON.parse(stdout) as Load;
}

const rows: BenchRow[] = [];
// Warm up the JIT and the connection pools before measuring.
await load('/health');
await run(process.execPath, [
  '--import',
  'tsx',
  new URL('./load.ts', import.meta.url).pathname,
  `${server.apiUrl}/getpresignedurl`,
  '10',
  '5',
  API_KEY,
]);

const trivial = await load('/health');
rows.push({
  metric: 'trivial fastify route (`GET /health`), 10 connections',
  value: `${Math.round(trivial.requestsPerSecond)} req/s, p99 ${trivial.p99} ms`,
  target: 'baseline',
  ok: undefined,
});
// Three runs; the median one is reported (the machine's other load makes single runs noisy).
const runs: Load[] = [];
for (let i = 0; i < 3; i++) {
  const issue = await load('/getpresignedurl', API_KEY);
  if (issue.non2xx > 0 || issue.errors > 0)
    throw new Error(`issuing URLs failed under load: ${JSON.stringify(issue)}`);
  runs.push(issue);
}
runs.sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
const issue = runs[1] as Load;
rows.push({
  metric: 'issue URLs (`GET /getpresignedurl`), 10 connections, median of 3 runs',
  value: `${Math.round(issue.requestsPerSecond)} req/s, p99 ${issue.p99} ms (runs: ${runs.map((r) => Math.round(r.requestsPerSecond)).join(', ')} req/s)`,
  target: '≥ 1,500 req/s, p99 < 15 ms',
  ok: issue.requestsPerSecond >= 1500 && issue.p99 < 15,
});

// Upload → accepted: from the start of the POST until the accepted copy's event.
{
  const waiting = new Map<string, () => void>();
  server.aws.subscribe({ bucket: config.service.bucketName, prefix: 'accepted/' }, (event) => {
    const key = decodeURIComponent((event.Records[0]?.s3.object.key ?? '').replace(/\+/g, ' '));
    waiting.get(key.replace(/^accepted\//, 'uploads/'))?.();
  });
  const samples: number[] = [];
  for (let i = 0; i < 120; i++) {
    const response = await fetch(`${server.apiUrl}/uploads`, {
      method: 'POST',
      headers: { 'x-api-key': API_KEY, 'content-type': 'application/json' },
      body: '{}',
    });
    const issued = (await response.json()) as { key: string; url: string; fields: Record<string, string> };
    const form = new FormData();
    for (const [name, value] of Object.entries(issued.fields)) form.append(name, value);
    form.append('file', new Blob([Buffer.alloc(1024, 'u')]), 'small.bin');
    const acceptedCopy = new Promise<void>((resolve) => waiting.set(issued.key, resolve));
    const t0 = performance.now();
    const upload = await fetch(issued.url, { method: 'POST', body: form });
    await upload.arrayBuffer();
    await acceptedCopy;
    if (i >= 20) samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const median = percentile(samples, 50);
  rows.push({
    metric: '1 KiB upload → accepted copy, median (100 runs)',
    value: `${median.toFixed(1)} ms (p99 ${percentile(samples, 99).toFixed(1)} ms)`,
    target: '< 20 ms',
    ok: median < 20,
  });
}

await server.stop();
writeSection('dev-server', 'Local stack (dev server + embedded endpoint)', rows, [
  `Load from autocannon in a separate process, ${DURATION} s per measurement after a warm-up.`,
  'Issuing a URL covers the API key check, the usage plan, the proxy event, the conditional DynamoDB write of the claim and the presigned POST.',
  "Upload → accepted covers the POST to S3, the event, the claim read and conditional update, the version listing, the copy and the copy's event.",
]);
