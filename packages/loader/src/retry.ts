import { LoaderError } from './errors.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (default 3). */
  retries: number;
  /** First computed delay (default 500 ms); doubles each retry. */
  baseDelayMs: number;
  /** Cap of a computed delay (default 30 s). */
  maxDelayMs: number;
  /**
   * Longest server Retry-After we wait for (default 30 s). A longer one is not waited out (nor cut short):
   * the source is given up at once and the next one tried.
   */
  maxRetryAfterMs: number;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  random(): number;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
  random: () => Math.random(),
};

const TRANSIENT_STATUS = new Set([408, 429]);
const DNS_PERMANENT = new Set(['ENOTFOUND', 'EAI_FAIL', 'EAI_NONAME']);

/** Transient: network errors, timeouts, 408, 429 and 5xx. Everything else fails fast. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof LoaderError)) return false;
  // A name that does not resolve will not resolve a moment later (EAI_AGAIN, a temporary DNS failure, may).
  if (error.code === 'ERR_NETWORK' && DNS_PERMANENT.has((error.cause as NodeJS.ErrnoException | undefined)?.code ?? ''))
    return false;
  if (error.code === 'ERR_NETWORK' || error.code === 'ERR_TIMEOUT') return true;
  const status = error.context.status;
  return error.code === 'ERR_HTTP' && typeof status === 'number' && (TRANSIENT_STATUS.has(status) || status >= 500);
}

/** Parse Retry-After (delta-seconds or HTTP-date) into milliseconds, or undefined. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Delay before retry number `retry` (1-based): the server's Retry-After when given (capped), else
 * exponential backoff base*2^(retry-1), capped, with jitter in [d/2, d].
 */
export function retryDelay(retry: number, policy: RetryPolicy, random: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  const computed = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(computed / 2 + (random * computed) / 2);
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  error: LoaderError;
}

/**
 * Run `attempt` and retry transient failures per the policy. A retry never sleeps past `deadline`
 * (absolute ms on the clock): then the last error is thrown.
 */
export async function withRetry<T>(
  run: (attempt: number) => Promise<T>,
  options: {
    policy: RetryPolicy;
    clock: Clock;
    deadline: number;
    signal?: AbortSignal;
    onRetry?: (e: RetryEvent) => void;
  },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (error instanceof LoaderError) error.context.attempt = attempt;
      if (!isTransient(error) || attempt > options.policy.retries) throw error;
      const loaderError = error as LoaderError;
      const retryAfter = loaderError.context.retryAfterMs as number | undefined;
      if (retryAfter !== undefined && retryAfter > options.policy.maxRetryAfterMs) {
        throw new LoaderError(
          loaderError.code,
          `${loaderError.message} with a Retry-After of ${Math.ceil(retryAfter / 1000)} s, more than the ${Math.round(options.policy.maxRetryAfterMs / 1000)} s we wait (maxRetryAfterMs)`,
          { cause: loaderError.cause, context: { ...loaderError.context, sourceLevel: true } },
        );
      }
      const delayMs = retryDelay(attempt, options.policy, options.clock.random(), retryAfter);
      if (options.clock.now() + delayMs > options.deadline) throw error;
      options.onRetry?.({ attempt, delayMs, error: loaderError });
      await options.clock.sleep(delayMs, options.signal);
    }
  }
}
