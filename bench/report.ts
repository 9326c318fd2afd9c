import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

/**
 * Writes one benchmark's results into its own section of docs/benchmarks.md, so each workspace's
 * `npm run bench` updates its part and leaves the others as they were.
 */
export interface BenchRow {
  metric: string;
  value: string;
  target: string;
  ok: boolean | undefined;
}

const FILE = new URL('../docs/benchmarks.md', import.meta.url);

export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 1024 ** 3)} GiB, Node.js ${process.version}, ${process.platform} ${process.arch}`;
}

export function writeSection(name: string, title: string, rows: BenchRow[], notes: string[] = []): void {
  const table = [
    '| metric | result | target | |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.metric} | ${r.value} | ${r.target} | ${r.ok === undefined ? '' : r.ok ? 'met' : '**missed**'} |`,
    ),
  ].join('\n');
  const section = [
    `<!-- bench:${name} -->`,
    `## ${title}`,
    '',
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machineLine()}.`,
    '',
    table,
    ...(notes.length > 0 ? ['', ...notes.map((n) => `- ${n}`)] : []),
    `<!-- /bench:${name} -->`,
  ].join('\n');
  const header =
    '# Benchmarks\n\nWritten by `npm run bench`; each section is replaced by its own benchmark run.\n';
  let text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : header;
  const pattern = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  text = pattern.test(text) ? text.replace(pattern, section) : `${text.trimEnd()}\n\n${section}\n`;
  writeFileSync(FILE, text);
  console.log(table);
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}
