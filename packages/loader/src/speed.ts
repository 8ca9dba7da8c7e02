import { LoaderError } from './errors.ts';

export interface SpeedRule {
  /** Fewer bytes per second than this, averaged over a whole window, fails the transfer (0: rule off). */
  minBytesPerSec: number;
  windowMs: number;
}

/**
 * The minimum-rate rule (curl's --speed-limit/--speed-time): counts the bytes of one transfer and calls
 * `abort` with ERR_TOO_SLOW when a whole window brought fewer than the rule asks for. A body that drips a
 * byte now and then never trips the stall timeout; this bounds it. Call `stop` when the transfer ends.
 */
export function watchSpeed(
  rule: SpeedRule,
  what: string,
  abort: (error: LoaderError) => void,
): { add: (bytes: number) => void; stop: () => void } {
  if (rule.minBytesPerSec <= 0) return { add: () => {}, stop: () => {} };
  const needed = Math.ceil((rule.minBytesPerSec * rule.windowMs) / 1000);
  let inWindow = 0;
  const timer = setInterval(() => {
    if (inWindow < needed) {
      clearInterval(timer);
      abort(
        new LoaderError(
          'ERR_TOO_SLOW',
          `${what}: ${inWindow} bytes in ${rule.windowMs} ms, below the minimum of ${rule.minBytesPerSec} bytes/s; trying the next source (minSpeedBytesPerSec/minSpeedWindowMs)`,
          { context: { url: what, sourceLevel: true } },
        ),
      );
    }
    inWindow = 0;
  }, rule.windowMs);
  // Node: never keeps the process alive; browsers have no unref.
  (timer as { unref?: () => void }).unref?.();
  return {
    add: (bytes) => {
      inWindow += bytes;
    },
    stop: () => clearInterval(timer),
  };
}
