// Options shared by every platform (no node: imports): the Node loader (./options.ts) and the browser entry
// (./browser/) add their own (cache folder, proxy, Cache Storage name) on top of these.
import { LoaderError } from './errors.ts';
import { type Clock, type RetryPolicy, realClock } from './retry.ts';
import { DEFAULT_REPO, type LocalSources, parseSourceSpec, type SourceSpec } from './sources.ts';

export type LoaderEvent =
  | { kind: 'cache.hit'; language: string; version: string; path: string }
  | { kind: 'cache.evict'; language: string; version: string; problem: string }
  | { kind: 'lock.wait'; language: string; version: string }
  | { kind: 'download.start'; url: string; size: number }
  | { kind: 'download.progress'; url: string; bytes: number; total: number }
  | { kind: 'download.done'; url: string }
  | { kind: 'retry'; url: string; attempt: number; delayMs: number; reason: string }
  | { kind: 'source.failed'; source: string; code: string; message: string };

export interface CoreLoaderOptions {
  /**
   * Sources in order: URLs (or, in Node, folders) under which the release files lie flat, or templates such
   * as `https://cdn.jsdelivr.net/npm/@wasmhub/runtime-{lang}@{release}/{file}`.
   */
  sources?: string[];
  /** Repository (owner/name) of the default GitHub source, and the release tag (`{release}` of templates). */
  repo?: string;
  tag?: string;
  /** Never touch the network; a missing or corrupt cache entry is an error. */
  offline?: boolean;
  /** Allow plain http:// to non-loopback hosts. */
  allowHttp?: boolean;
  retries?: number;
  retryBaseDelayMs?: number;
  retryMaxDelayMs?: number;
  /** Longest server Retry-After waited for (default 30 s); a longer one moves to the next source at once. */
  maxRetryAfterMs?: number;
  connectTimeoutMs?: number;
  /** No byte at all for this long aborts an attempt (default 30 s). */
  stallTimeoutMs?: number;
  /**
   * Minimum transfer rate (as curl's --speed-limit/--speed-time): a body averaging fewer than
   * `minSpeedBytesPerSec` over any `minSpeedWindowMs` is abandoned and the next source tried (defaults
   * 1024 bytes/s over 30 s; 0 turns the rule off).
   */
  minSpeedBytesPerSec?: number;
  minSpeedWindowMs?: number;
  /** Overall deadline of one call (getRuntime etc.; default 10 min; CLI --deadline). */
  deadlineMs?: number;
  maxRedirects?: number;
  /** Largest manifest accepted, in bytes. */
  maxManifestBytes?: number;
  /** Injectable clock: tests capture scheduled delays through `sleep`. */
  clock?: Partial<Clock>;
  onEvent?: (event: LoaderEvent) => void;
}

export interface CoreNormalizedOptions {
  /** Sources in order; templates are expanded per language (see concreteSources). */
  sources: SourceSpec[];
  offline: boolean;
  allowHttp: boolean;
  policy: RetryPolicy;
  connectTimeoutMs: number;
  stallTimeoutMs: number;
  minSpeedBytesPerSec: number;
  minSpeedWindowMs: number;
  deadlineMs: number;
  maxRedirects: number;
  maxManifestBytes: number;
  clock: Clock;
  onEvent: (event: LoaderEvent) => void;
}

const CORE_KEYS = [
  'sources',
  'repo',
  'tag',
  'offline',
  'allowHttp',
  'retries',
  'retryBaseDelayMs',
  'retryMaxDelayMs',
  'maxRetryAfterMs',
  'connectTimeoutMs',
  'stallTimeoutMs',
  'minSpeedBytesPerSec',
  'minSpeedWindowMs',
  'deadlineMs',
  'maxRedirects',
  'maxManifestBytes',
  'clock',
  'onEvent',
];

export function count(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new LoaderError(
      'ERR_INVALID_OPTION',
      `option ${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Reject unknown keys (naming them): the shared ones plus the platform's `extraKeys`. */
export function assertKnownOptions(options: object, extraKeys: readonly string[]): void {
  const known = new Set([...CORE_KEYS, ...extraKeys]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) throw new LoaderError('ERR_INVALID_OPTION', `unknown option ${JSON.stringify(key)}`);
  }
}

export function assertRepo(repo: string): string {
  if (!/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/.test(repo)) {
    throw new LoaderError('ERR_INVALID_OPTION', `option repo must be owner/name, got ${JSON.stringify(repo)}`);
  }
  return repo;
}

/**
 * Fill the shared defaults once. `platform.defaultSources(repo, tag)` gives the platform's default list when
 * the caller gives none; `platform.local` turns folder sources on (Node only).
 */
export function normalizeCoreOptions(
  options: CoreLoaderOptions,
  platform: { defaultSources: (repo: string, tag: string) => string[]; local?: LocalSources },
): CoreNormalizedOptions {
  const allowHttp = options.allowHttp ?? false;
  const repo = assertRepo(options.repo ?? DEFAULT_REPO);
  const tag = options.tag ?? 'latest';
  const specs = options.sources?.length ? options.sources : platform.defaultSources(repo, tag);
  return {
    sources: specs.map((spec) => parseSourceSpec(spec, allowHttp, tag, platform.local)),
    offline: options.offline ?? false,
    allowHttp,
    policy: {
      retries: count('retries', options.retries, 3, 0, 20),
      baseDelayMs: count('retryBaseDelayMs', options.retryBaseDelayMs, 500, 0, 600_000),
      maxDelayMs: count('retryMaxDelayMs', options.retryMaxDelayMs, 30_000, 0, 3_600_000),
      maxRetryAfterMs: count('maxRetryAfterMs', options.maxRetryAfterMs, 30_000, 0, 24 * 3_600_000),
    },
    connectTimeoutMs: count('connectTimeoutMs', options.connectTimeoutMs, 10_000, 1, 600_000),
    stallTimeoutMs: count('stallTimeoutMs', options.stallTimeoutMs, 30_000, 1, 600_000),
    minSpeedBytesPerSec: count('minSpeedBytesPerSec', options.minSpeedBytesPerSec, 1024, 0, 1024 * 1024 * 1024),
    minSpeedWindowMs: count('minSpeedWindowMs', options.minSpeedWindowMs, 30_000, 100, 3_600_000),
    deadlineMs: count('deadlineMs', options.deadlineMs, 10 * 60_000, 1, 24 * 3_600_000),
    maxRedirects: count('maxRedirects', options.maxRedirects, 5, 0, 20),
    maxManifestBytes: count('maxManifestBytes', options.maxManifestBytes, 4 * 1024 * 1024, 1024, 64 * 1024 * 1024),
    clock: { ...realClock, ...options.clock },
    onEvent: options.onEvent ?? (() => {}),
  };
}
