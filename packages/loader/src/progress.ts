import type { LoaderEvent } from './options.ts';

/** One formatter for loader events: a redrawn progress bar on a TTY, a few plain lines otherwise. */
export function createReporter(
  stream: NodeJS.WriteStream,
  options: { quiet?: boolean } = {},
): ((event: LoaderEvent) => void) & { end(): void } {
  const tty = Boolean(stream.isTTY);
  let lastDraw = 0;
  let barShown = false;
  const clearBar = () => {
    if (barShown) stream.write('\r\x1b[2K');
    barShown = false;
  };
  const report = (event: LoaderEvent): void => {
    if (options.quiet) return;
    switch (event.kind) {
      case 'download.progress': {
        if (!tty) return;
        const now = Date.now();
        if (now - lastDraw < 100 && event.bytes < event.total) return;
        lastDraw = now;
        const width = 30;
        const ratio = event.total > 0 ? Math.min(1, event.bytes / event.total) : 0;
        const filled = Math.round(ratio * width);
        const name = event.url.slice(event.url.lastIndexOf('/') + 1);
        stream.write(
          `\r\x1b[2K${name} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(ratio * 100).toFixed(0)}% ${kib(event.bytes)}/${kib(event.total)}`,
        );
        barShown = true;
        return;
      }
      case 'download.start':
        if (!tty) stream.write(`downloading ${event.url} (${kib(event.size)})\n`);
        return;
      case 'download.done':
        clearBar();
        return;
      case 'retry':
        clearBar();
        stream.write(`retry ${event.attempt} in ${event.delayMs} ms: ${event.reason}\n`);
        return;
      case 'source.failed':
        clearBar();
        stream.write(`source failed: ${event.message}\n`);
        return;
      case 'cache.evict':
        stream.write(
          `cache: ${event.language}@${event.version} failed its integrity check (${event.problem}); fetching again\n`,
        );
        return;
      case 'lock.wait':
        stream.write(`waiting for another process fetching ${event.language}@${event.version}\n`);
        return;
      default:
        return;
    }
  };
  // end(): erase a progress bar left on the line (Ctrl-C, an error), so the shell prompt starts clean.
  return Object.assign(report, { end: clearBar });
}

function kib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
