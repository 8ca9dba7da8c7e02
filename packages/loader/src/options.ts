import { defaultCacheDir } from './cache.ts';
import { LoaderError } from './errors.ts';
import {
  assertKnownOptions,
  type CoreLoaderOptions,
  type CoreNormalizedOptions,
  count,
  normalizeCoreOptions,
} from './loader-options.ts';
import { localSources } from './local-sources.ts';
import { type ProxySettings, proxySettings } from './proxy.ts';
import { defaultSourceSpecs, sourcesFromEnv } from './sources.ts';

export type { LoaderEvent } from './loader-options.ts';

export interface RuntimeLoaderOptions extends CoreLoaderOptions {
  /**
   * Sources in order: URLs or folders under which the release files lie flat, or templates such as
   * `https://cdn.jsdelivr.net/npm/@wasmhub/runtime-{lang}@{release}/{file}`. Default: WASMHUB_SOURCES,
   * else GitHub Releases, then jsDelivr and unpkg over the @wasmhub/runtime-<lang> npm packages.
   */
  sources?: string[];
  /** Default: WASMHUB_CACHE_DIR, else the user cache folder + wasmhub. */
  cacheDir?: string;
  /** A lock not refreshed for this long is taken over. */
  lockStaleMs?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

export interface NormalizedOptions extends CoreNormalizedOptions {
  cwd: string;
  cacheDir: string;
  lockStaleMs: number;
  /** HTTPS_PROXY / HTTP_PROXY / NO_PROXY of `env` (default process.env). */
  proxy: ProxySettings;
}

/** Fill defaults once; reject unknown keys naming them. */
export function normalizeOptions(options: RuntimeLoaderOptions = {}): NormalizedOptions {
  assertKnownOptions(options, ['cacheDir', 'lockStaleMs', 'env', 'cwd']);
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.cacheDir !== undefined && (typeof options.cacheDir !== 'string' || options.cacheDir.trim() === '')) {
    throw new LoaderError(
      'ERR_INVALID_OPTION',
      `option cacheDir must be a folder path, got ${JSON.stringify(options.cacheDir)}: leave it out for the default folder`,
    );
  }
  const core = normalizeCoreOptions(options, {
    defaultSources: (repo, tag) => sourcesFromEnv(env) ?? defaultSourceSpecs(repo, tag),
    local: localSources(cwd),
  });
  return {
    ...core,
    cwd,
    cacheDir: options.cacheDir ?? defaultCacheDir(env),
    lockStaleMs: count('lockStaleMs', options.lockStaleMs, 10_000, 2_000, 3_600_000),
    proxy: proxySettings(env),
  };
}
