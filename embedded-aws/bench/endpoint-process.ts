import { readFileSync } from 'node:fs';
import { start } from '../src/index.js';

/** The endpoint in a process of its own, so the benchmark measures its memory alone. */
function vm(name: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  return Number(line?.match(/(\d+)/)?.[1] ?? 0) * 1024;
}

const aws = await start({ port: 0 });
process.send?.({ type: 'ready', endpoint: aws.endpoint, rss: vm('VmRSS') });
process.on('message', async (message: { type: string }) => {
  if (message.type === 'memory') process.send?.({ type: 'memory', rss: vm('VmRSS'), peak: vm('VmHWM') });
  if (message.type === 'stop') {
    await aws.stop();
    process.exit(0);
  }
});
