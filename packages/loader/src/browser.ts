// @wasmhub/loader in the browser (`@wasmhub/loader/browser`, or the `browser` condition of the package):
// the same RuntimeLoader — the same source fallback, retry/backoff and manifest validation (./call.ts,
// ./loader-core.ts) — over fetch, crypto.subtle, DecompressionStream and Cache Storage. No node: imports.

import type { BrowserRuntime } from './browser/cache-store.ts';
import { BrowserCacheStore } from './browser/cache-store.ts';
import { FetchTransport } from './browser/fetch-transport.ts';
import { type WasmModule, web } from './browser/web.ts';
import type { Call, Transport } from './call.ts';
import { LoaderError } from './errors.ts';
import { type CachedRef, type CacheReadOf, LoaderCore, newestFirst } from './loader-core.ts';
import { assertKnownOptions, type CoreLoaderOptions, normalizeCoreOptions } from './loader-options.ts';
import type { VersionEntry } from './manifest.ts';
import { assertLanguage, assertVersion } from './names.ts';
import { JSDELIVR_NPM_TEMPLATE, UNPKG_NPM_TEMPLATE } from './sources.ts';

export { compareVersions } from '@wasmhub/contract';
export type { BrowserCompanion, BrowserRuntime } from './browser/cache-store.ts';
export type { WasmModule } from './browser/web.ts';
export { isLoaderError, LoaderError, type LoaderErrorCode, type SourceFailure } from './errors.ts';
export type { AvailableLanguage, CachedRef, LanguageInfo } from './loader-core.ts';
export type { LoaderEvent } from './loader-options.ts';
export type { VersionEntry } from './manifest.ts';
export { JSDELIVR_NPM_TEMPLATE, releaseOfTag, UNPKG_NPM_TEMPLATE } from './sources.ts';

export interface BrowserLoaderOptions extends CoreLoaderOptions {
  /**
   * Sources in order (https URLs or templates). Default: jsDelivr, then unpkg, over the
   * @wasmhub/runtime-<lang> npm packages (both answer cross-origin requests).
   */
  sources?: string[];
  /** The Cache Storage cache holding verified runtimes (default `wasmhub`). */
  cacheName?: string;
}

/** The browser's default sources: CDNs that allow cross-origin fetches (GitHub's release downloads do not). */
export function browserDefaultSources(): string[] {
  return [JSDELIVR_NPM_TEMPLATE, UNPKG_NPM_TEMPLATE];
}

export interface BrowserVerifyResult extends CachedRef {
  ok: boolean;
  problem?: string;
}

/**
 * Fetches WasmHub runtimes into a verified Cache Storage cache: retries with backoff on transient failures,
 * falls back across sources, and never hands out bytes that do not match the manifest's size and sha256
 * (re-checked on every read of the cache).
 */
export class RuntimeLoader extends LoaderCore<BrowserRuntime, Uint8Array> {
  readonly cacheName: string;
  readonly #store: BrowserCacheStore;
  #transport: FetchTransport | undefined;

  constructor(options: BrowserLoaderOptions = {}) {
    assertKnownOptions(options, ['cacheName']);
    super(normalizeCoreOptions(options, { defaultSources: browserDefaultSources }));
    if (options.cacheName !== undefined && (typeof options.cacheName !== 'string' || options.cacheName === '')) {
      throw new LoaderError(
        'ERR_INVALID_OPTION',
        `option cacheName must be a non-empty string, got ${JSON.stringify(options.cacheName)}`,
      );
    }
    this.cacheName = options.cacheName ?? 'wasmhub';
    this.#store = new BrowserCacheStore(this.cacheName);
  }

  protected get cacheLabel(): string {
    return this.#store.label;
  }

  protected transport(): Transport<Uint8Array> {
    this.#transport ??= new FetchTransport(this.options);
    return this.#transport;
  }

  protected readCache(language: string, version: string): Promise<CacheReadOf<BrowserRuntime>> {
    return this.#store.read(language, version);
  }

  protected evictCache(language: string, version: string): Promise<void> {
    return this.#store.evict(language, version);
  }

  protected async cachedVersions(language: string): Promise<string[]> {
    return newestFirst((await this.#store.list()).filter((c) => c.language === language).map((c) => c.version));
  }

  protected async fetchInto(
    call: Call<Uint8Array>,
    language: string,
    version: string,
    entry: VersionEntry,
  ): Promise<BrowserRuntime> {
    const cached = await this.reuseOrEvict(language, version, entry);
    if (cached) return cached;
    // The module, then each companion file (an interpreter's standard library), each verified.
    const bytes = await call.download(language, version, entry);
    const companions: Uint8Array[] = [];
    for (const companion of entry.companions ?? []) companions.push(await call.download(language, version, companion));
    return this.#store.commit(language, version, entry, bytes, companions);
  }

  /** The runtime compiled (`WebAssembly.compileStreaming` where the browser has it), from verified bytes. */
  async compile(language: string, version = 'latest'): Promise<WasmModule> {
    return (await this.load(language, version)).module;
  }

  /** The verified runtime (its bytes) and its compiled module; a module is compiled once per loader. */
  load(language: string, version = 'latest'): Promise<{ runtime: BrowserRuntime; module: WasmModule }> {
    return this.compiledRuntime(language, version, (runtime) => compileBytes(runtime.bytes));
  }

  /** Cached runtimes (as their entries claim; `verifyCache` checks them). */
  listCached(): Promise<CachedRef[]> {
    return this.#store.list();
  }

  async clearCache(language?: string, version?: string): Promise<void> {
    if (language !== undefined) assertLanguage(language);
    if (version !== undefined) assertVersion(version);
    for (const cached of await this.#store.list()) {
      if (language !== undefined && cached.language !== language) continue;
      if (version !== undefined && cached.version !== version) continue;
      await this.#store.evict(cached.language, cached.version);
    }
  }

  /** Check every cached module's size and sha256 against its entry. Reports; removes nothing. */
  async verifyCache(): Promise<BrowserVerifyResult[]> {
    const results: BrowserVerifyResult[] = [];
    for (const cached of await this.#store.list()) {
      const read = await this.#store.read(cached.language, cached.version);
      if (read.state === 'ok') {
        const { bytes: _bytes, companions: _companions, env: _env, ...ref } = read.runtime;
        results.push({ ...ref, ok: true });
      } else results.push({ ...cached, ok: false, problem: read.state === 'corrupt' ? read.problem : 'missing' });
    }
    return results;
  }
}

async function compileBytes(bytes: Uint8Array): Promise<WasmModule> {
  const { WebAssembly, Response } = web();
  if (WebAssembly.compileStreaming) {
    return WebAssembly.compileStreaming(new Response(bytes, { headers: { 'content-type': 'application/wasm' } }));
  }
  return WebAssembly.compile(bytes);
}
