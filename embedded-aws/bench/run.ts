import { fork } from 'node:child_process';
import { request } from 'node:http';
import { CreateBucketCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { type BenchRow, percentile, writeSection } from '../../bench/report.js';
import { start } from '../src/index.js';

/**
 * Benchmarks of the embedded endpoint: start-up time, POST → event latency, and memory while a
 * 1 GiB POST streams through. BENCH_LARGE_MIB changes the large upload's size (default 1024).
 */
const rows: BenchRow[] = [];
const MiB = 1024 * 1024;

function clientFor(endpoint: string) {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

// 1. Ready after start.
{
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const aws = await start({ port: 0 });
    samples.push(performance.now() - t0);
    await aws.stop();
  }
  samples.sort((a, b) => a - b);
  const median = percentile(samples, 50);
  rows.push({
    metric: 'endpoint ready after `start()` (median of 5)',
    value: `${median.toFixed(1)} ms`,
    target: '< 500 ms',
    ok: median < 500,
  });
}

// 2. 1 KiB POST → event delivered.
{
  const aws = await start({ port: 0 });
  const s3 = clientFor(aws.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  let arrived: (() => void) | undefined;
  aws.subscribe({ bucket: 'bench' }, () => arrived?.());
  const payload = Buffer.alloc(1024, 'x');
  const samples: number[] = [];
  for (let i = 0; i < 220; i++) {
    const post = await createPresignedPost(s3, { Bucket: 'bench', Key: `small-${i}`, Expires: 60 });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob([payload]), 'small.bin');
    const delivered = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const t0 = performance.now();
    const response = await fetch(post.url, { method: 'POST', body: form });
    await response.arrayBuffer();
    await delivered;
    if (i >= 20) samples.push(performance.now() - t0); // the first runs warm up the JIT
  }
  samples.sort((a, b) => a - b);
  const median = percentile(samples, 50);
  rows.push({
    metric: '1 KiB POST → event delivered, median (200 runs)',
    value: `${median.toFixed(2)} ms (p99 ${percentile(samples, 99).toFixed(2)} ms)`,
    target: '< 5 ms',
    ok: median < 5,
  });
  s3.destroy();
  await aws.stop();
}

// 3. A large POST streamed through an endpoint in its own process: its peak RSS growth.
{
  const sizeMiB = Number(process.env.BENCH_LARGE_MIB ?? 1024);
  const child = fork(new URL('./endpoint-process.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
    stdio: 'inherit',
  });
  const nextMessage = <T>() => new Promise<T>((resolve) => child.once('message', (m) => resolve(m as T)));
  const ready = await nextMessage<{ endpoint: string; rss: number }>();
  const s3 = clientFor(ready.endpoint);
  await s3.send(new CreateBucketCommand({ Bucket: 'large' }));
  const post = await createPresignedPost(s3, {
    Bucket: 'large',
    Key: 'large.bin',
    Expires: 600,
    Conditions: [['content-length-range', 1, 5 * 1024 * MiB]],
  });
  child.send({ type: 'memory' });
  const before = await nextMessage<{ rss: number; peak: number }>();
  const boundary = '----benchBoundary';
  const head = Buffer.concat([
    ...Object.entries(post.fields).map(([n, v]) =>
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${n}"\r\n\r\n${v}\r\n`),
    ),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="large.bin"\r\n\r\n`),
  ]);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const chunk = Buffer.alloc(MiB, 'z');
  const t0 = performance.now();
  const status = await new Promise<number>((resolve, reject) => {
    const url = new URL(post.url);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: {
          'content-type': `multipart/form-data; boundary=${boundary}`,
          'content-length': head.length + sizeMiB * MiB + tail.length,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.write(head);
    let sent = 0;
    const pump = () => {
      while (sent < sizeMiB) {
        sent++;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(tail);
    };
    pump();
  });
  const seconds = (performance.now() - t0) / 1000;
  child.send({ type: 'memory' });
  const after = await nextMessage<{ rss: number; peak: number }>();
  const head2 = await s3.send(new HeadObjectCommand({ Bucket: 'large', Key: 'large.bin' }));
  if (status !== 204 || head2.ContentLength !== sizeMiB * MiB)
    throw new Error(`large POST failed: ${status}`);
  const growth = (after.peak - before.rss) / MiB;
  rows.push({
    metric: `${sizeMiB} MiB POST streamed: peak RSS growth of the endpoint`,
    value: `${growth.toFixed(1)} MiB (${(sizeMiB / seconds).toFixed(0)} MiB/s)`,
    target: '< 100 MiB',
    ok: growth < 100,
  });
  s3.destroy();
  child.send({ type: 'stop' });
  await new Promise((resolve) => child.once('exit', resolve));
}

writeSection('embedded-aws', 'Embedded AWS endpoint', rows, [
  'The large upload runs against an endpoint in a separate process; its growth is VmHWM after the upload minus VmRSS before it.',
  'The POST → event time covers the HTTP round trip, the policy check, the write to disk, the MD5 and CRC64NVME of the body, and the event delivery.',
]);
