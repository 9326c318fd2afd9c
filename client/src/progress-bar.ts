/** A one-line progress bar for a terminal: rendering is pure, drawing is throttled and goes to stderr. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

export function renderProgress(
  label: string,
  sent: number,
  total: number,
  elapsedMs: number,
  width = 24,
): string {
  const ratio = total > 0 ? Math.min(1, sent / total) : 1;
  const filled = Math.round(ratio * width);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  const rate = elapsedMs > 0 ? `  ${formatBytes((sent / elapsedMs) * 1000)}/s` : '';
  return `${label} ${bar} ${percent}  ${formatBytes(sent)} / ${formatBytes(total)}${rate}`;
}

export interface TerminalStream {
  write(text: string): unknown;
}

export class ProgressBar {
  readonly #stream: TerminalStream;
  readonly #now: () => number;
  #label = '';
  #startedAt = 0;
  #drawnAt = -Infinity;
  #visible = false;

  constructor(stream: TerminalStream, now: () => number = Date.now) {
    this.#stream = stream;
    this.#now = now;
  }

  start(label: string): void {
    this.#label = label;
    this.#startedAt = this.#now();
    this.#drawnAt = -Infinity;
  }

  update(sent: number, total: number): void {
    const now = this.#now();
    // Ten frames a second is smooth enough and keeps a fast upload from spending its time drawing.
    if (sent < total && now - this.#drawnAt < 100) return;
    this.#drawnAt = now;
    this.#stream.write(`\r\x1b[K${renderProgress(this.#label, sent, total, now - this.#startedAt)}`);
    this.#visible = true;
  }

  clear(): void {
    if (!this.#visible) return;
    this.#stream.write('\r\x1b[K');
    this.#visible = false;
  }
}
