import { readFile, rm } from 'node:fs/promises';
import {
  type CachedRuntime,
  type CacheRead,
  clearCached,
  commitCached,
  evictCached,
  listCachedEntries,
  readCached,
  sha256File,
  sweepTemp,
  type VerifiedRuntime,
} from './cache.ts';
import { cacheError } from './cache-errors.ts';
import type { Call, Transport } from './call.ts';
import { assertCompanion } from './companions.ts';
import { LoaderError } from './errors.ts';
import { LoaderCore, newestFirst } from './loader-core.ts';
import { acquireLock } from './lock.ts';
import type { VersionEntry } from './manifest.ts';
import { assertVersion } from './names.ts';
import { NodeTransport } from './node-transport.ts';
import { type NormalizedOptions, normalizeOptions, type RuntimeLoaderOptions } from './options.ts';
import { type Instantiated, instantiateRuntime, type RunOptions, type WasiOptions, wasiOptions } from './run.ts';

export type { AvailableLanguage, LanguageInfo } from './loader-core.ts';

export type Runtime = VerifiedRuntime;

/** A compiled `WebAssembly.Module` (typed opaquely so the package needs no DOM lib). */
export type WasmModule = object;

export interface VerifyResult extends CachedRuntime {
  ok: boolean;
  problem?: string;
}

/**
 * Fetches WasmHub runtimes into a verified local cache: retries with backoff on transient failures, falls
 * back across sources, and never hands out bytes that do not match the manifest's size and sha256.
 */
export class RuntimeLoader extends LoaderCore<Runtime, string> {
  declare readonly options: NormalizedOptions;

  constructor(options: RuntimeLoaderOptions = {}) {
    super(normalizeOptions(options));
  }

  get cacheDir(): string {
    return this.options.cacheDir;
  }

  protected get cacheLabel(): string {
    return this.options.cacheDir;
  }

  protected transport(): Transport<string> {
    return new NodeTransport(this.options);
  }

  protected readCache(language: string, version: string, keepBytes = false): Promise<CacheRead> {
    return readCached(this.options.cacheDir, language, version, keepBytes);
  }

  protected evictCache(language: string, version: string): Promise<void> {
    return evictCached(this.options.cacheDir, language, version);
  }

  protected fetchInto(call: Call<string>, language: string, version: string, entry: VersionEntry): Promise<Runtime> {
    return this.#fetchLocked(call, language, version, entry);
  }

  /**
   * Compile the runtime after reading its bytes once and checking them (no time-of-check/time-of-use gap).
   * A module is compiled once per loader: later calls for the same bytes (same sha256) reuse it.
   */
  async compile(language: string, version = 'latest'): Promise<WasmModule> {
    return (await this.#compiled(language, version)).module;
  }

  /**
   * The WASI options for one run of a runtime, for hosts that bring their own WASI: the runtime's companion
   * folders and guest environment merged under the caller's `preopens` and `env`, argv[0] the language.
   */
  async wasiOptions(
    language: string,
    version = 'latest',
    options: RunOptions = {},
  ): Promise<{ runtime: Runtime; module: WasmModule; wasi: WasiOptions }> {
    const { runtime, module } = await this.#compiled(language, version);
    return { runtime, module, wasi: wasiOptions(runtime, options) };
  }

  /** The runtime instantiated under node:wasi, not yet started (`start()` returns the exit status). */
  async instantiate(language: string, version = 'latest', options: RunOptions = {}): Promise<Instantiated> {
    const { runtime, module } = await this.#compiled(language, version);
    return instantiateRuntime(runtime, module, wasiOptions(runtime, options));
  }

  /**
   * Get (cache, sources, integrity) and run a runtime under node:wasi; resolves to the guest's exit status.
   * A trap rejects with ERR_TRAP. Nothing of the host is visible to the guest unless passed in `options`.
   */
  async run(language: string, version = 'latest', options: RunOptions = {}): Promise<number> {
    return (await this.instantiate(language, version, options)).start();
  }

  #compiled(language: string, version: string): Promise<{ runtime: Runtime; module: WasmModule }> {
    return this.compiledRuntime(language, version, (runtime, bytes) => this.#compileVerified(runtime, bytes));
  }

  /**
   * Compile from bytes that were checked in memory: those the cache read hashed (a cache hit), else the file
   * read once more and hashed here (a runtime just fetched, or one too large to be kept by the cache read).
   */
  async #compileVerified(runtime: Runtime, verified: Uint8Array | undefined): Promise<WasmModule> {
    let bytes = verified;
    if (!bytes) {
      bytes = await readFile(runtime.path);
      const { createHash } = await import('node:crypto');
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      if (bytes.length !== runtime.size || sha256 !== runtime.sha256) {
        throw new LoaderError(
          'ERR_INTEGRITY',
          `${runtime.path} changed while being read: sha256 ${sha256}, expected ${runtime.sha256}`,
          {
            context: { language: runtime.language, version: runtime.version, path: runtime.path },
          },
        );
      }
    }
    // lib ES2023 has no WebAssembly value typings; Node 20 has the global.
    const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> } })
      .WebAssembly;
    return wasm.compile(bytes);
  }

  listCached(): Promise<CachedRuntime[]> {
    return listCachedEntries(this.options.cacheDir);
  }

  async clearCache(language?: string, version?: string): Promise<void> {
    if (version !== undefined) assertVersion(version);
    await clearCached(this.options.cacheDir, language, version);
  }

  /**
   * Check every cached module's size and sha256 against the entry cached beside it. Reports; removes nothing.
   * That check trusts the cached entry: someone who can write the cache can alter a module and its entry
   * together. `online: true` also compares each entry with the manifest of the first source listing it.
   */
  async verifyCache(options: { online?: boolean } = {}): Promise<VerifyResult[]> {
    const results: VerifyResult[] = [];
    for (const cached of await this.listCached()) {
      const read = await readCached(this.options.cacheDir, cached.language, cached.version);
      results.push(
        read.state === 'ok'
          ? { ...read.runtime, ok: true }
          : { ...cached, ok: false, problem: read.state === 'corrupt' ? read.problem : 'missing' },
      );
    }
    if (!options.online) return results;
    this.assertOnline('verify the cache against a source');
    return this.withCall(async (call) => {
      for (const result of results) {
        if (!result.ok) continue;
        try {
          const { entry, source } = await call.resolve(result.language, result.version);
          if (entry.sha256 !== result.sha256 || entry.size !== result.size) {
            Object.assign(result, {
              ok: false,
              problem: `cached ${result.size} bytes, sha256 ${result.sha256} differs from the manifest of ${source.label} (${entry.size} bytes, sha256 ${entry.sha256}); 'wasmhub cache clean ${result.language}@${result.version}' then 'wasmhub get' fetches it again`,
            });
          }
        } catch (error) {
          Object.assign(result, {
            ok: false,
            problem: `cannot check online: ${error instanceof Error ? error.message : String(error)}`,
          });
        }
      }
      return results;
    });
  }

  /** Cached versions of a language, newest first. */
  protected async cachedVersions(language: string): Promise<string[]> {
    const cached = await listCachedEntries(this.options.cacheDir);
    return newestFirst(cached.filter((c) => c.language === language).map((c) => c.version));
  }

  async #fetchLocked(call: Call<string>, language: string, version: string, entry: VersionEntry): Promise<Runtime> {
    const { cacheDir } = this.options;
    const release = await acquireLock(cacheDir, language, version, {
      staleMs: this.options.lockStaleMs,
      deadline: Date.now() + this.options.deadlineMs,
      onWait: () => this.emit({ kind: 'lock.wait', language, version }),
    });
    try {
      const cached = await this.reuseOrEvict(language, version, entry);
      if (cached) return cached;
      await sweepTemp(cacheDir);
      const where = `${language}@${version}`;
      for (const companion of entry.companions ?? []) assertCompanion(companion, where);
      const temps: string[] = [];
      try {
        // The module first, then each companion file, each into its own verified temp file.
        for (const file of [entry, ...(entry.companions ?? [])]) {
          const temp = await call.download(language, version, file);
          temps.push(temp);
          // The temp file was hashed while streaming; hash it once more as written to disk before committing.
          const onDisk = await sha256File(temp, file.size).catch((error: unknown) => {
            throw cacheError(error, temp);
          });
          if (onDisk !== file.sha256) {
            throw new LoaderError('ERR_INTEGRITY', `${temp} changed on disk before commit`, {
              context: { language, version },
            });
          }
        }
        const [moduleTemp, ...companionTemps] = temps as [string, ...string[]];
        return await commitCached(cacheDir, language, version, moduleTemp, entry, companionTemps);
      } catch (error) {
        // Nothing half-written: temp files that were not committed go, and so does a partial version folder.
        // (Best effort: a cleanup failure never hides the error that caused it.)
        await Promise.all(temps.map((temp) => rm(temp, { force: true }).catch(() => undefined)));
        const state = await readCached(cacheDir, language, version).then(
          (read) => read.state,
          () => 'unreadable',
        );
        if (state !== 'ok') await evictCached(cacheDir, language, version).catch(() => undefined);
        throw error;
      }
    } finally {
      await release();
    }
  }
}
