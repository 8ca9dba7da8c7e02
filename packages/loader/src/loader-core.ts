// What every platform's RuntimeLoader shares (no node: imports): the getRuntime flow (cache first, offline
// rules, resolution, re-check before fetching), listing, latest version, language info. A platform says how
// its cache reads, lists and fills (Node: a folder with locks; browser: Cache Storage) and how it fetches.
import { compareVersions, manifestValidator, type SchemaValidator } from '@wasmhub/contract';
import { Call, type Transport } from './call.ts';
import { LoaderError } from './errors.ts';
import type { CoreNormalizedOptions, LoaderEvent } from './loader-options.ts';
import type { LanguageIndex, VersionEntry } from './manifest.ts';
import { assertLanguage, assertVersion } from './names.ts';

export interface AvailableLanguage {
  language: string;
  latest: string;
  versions: string[];
  source?: string;
  license?: string;
}

export interface LanguageInfo extends AvailableLanguage {
  /** Entries of the versions, as the manifest states them. */
  entries: Record<string, VersionEntry>;
}

/** A cached runtime as every platform describes it; `path` is where it is (a file, or a cache key URL). */
export interface CachedRef {
  language: string;
  version: string;
  path: string;
  size: number;
  sha256: string;
}

export type CacheReadOf<R> =
  /** `bytes`: the module as read and verified, when the read was asked to keep them (to compile them). */
  | { state: 'ok'; runtime: R; entry: VersionEntry; bytes?: Uint8Array }
  | { state: 'missing' }
  | { state: 'corrupt'; problem: string };

export abstract class LoaderCore<R extends CachedRef, T> {
  readonly options: CoreNormalizedOptions;
  #validator: SchemaValidator | undefined;
  /** Compiled modules by sha256 and size: one compilation per module per loader. */
  readonly #modules = new Map<string, Promise<object>>();

  constructor(options: CoreNormalizedOptions) {
    this.options = options;
  }

  /** Names the cache in messages (a folder, a Cache Storage name). */
  protected abstract get cacheLabel(): string;
  protected abstract transport(): Transport<T>;
  /**
   * One cache entry, with the module's size and sha256 checked against the entry it was verified against.
   * `keepBytes`: the caller compiles the module next; a platform that read the bytes whole to check them may
   * return them (`bytes`), so they are neither read nor hashed a second time.
   */
  protected abstract readCache(language: string, version: string, keepBytes?: boolean): Promise<CacheReadOf<R>>;
  /** Removes one cache entry (corrupt, or not the one the manifest names any more). */
  protected abstract evictCache(language: string, version: string): Promise<void>;
  /** Cached versions of a language, newest first. */
  protected abstract cachedVersions(language: string): Promise<string[]>;
  /** Fetch (through `call.download`), verify and commit language@version; may re-check the cache first. */
  protected abstract fetchInto(call: Call<T>, language: string, version: string, entry: VersionEntry): Promise<R>;

  /** The runtime, verified, from the cache when there and intact, else fetched (for `latest`: when outdated). */
  async getRuntime(language: string, version = 'latest'): Promise<R> {
    return (await this.#runtime(language, version, false)).runtime;
  }

  /** getRuntime, with the verified bytes of a cache hit when `keepBytes` and the platform kept them. */
  async #runtime(language: string, version: string, keepBytes: boolean): Promise<{ runtime: R; bytes?: Uint8Array }> {
    assertLanguage(language);
    if (version !== 'latest') assertVersion(version);
    const { offline } = this.options;
    const where = this.cacheLabel;
    if (version !== 'latest') {
      const hit = await this.readCache(language, version, keepBytes);
      if (hit.state === 'ok') {
        this.emit({ kind: 'cache.hit', language, version, path: hit.runtime.path });
        return hit;
      }
      if (offline) {
        if (hit.state === 'corrupt') {
          throw new LoaderError(
            'ERR_INTEGRITY',
            `cached ${language}@${version} fails its integrity check (${hit.problem}); run again without --offline to fetch it anew`,
            { context: { language, version } },
          );
        }
        throw new LoaderError(
          'ERR_OFFLINE',
          `${language}@${version} is not in the cache ${where} and offline mode forbids fetching it`,
          {
            context: { language, version },
          },
        );
      }
    } else if (offline) {
      for (const cached of await this.cachedVersions(language)) {
        const hit = await this.readCache(language, cached, keepBytes);
        if (hit.state === 'ok') return hit;
      }
      throw new LoaderError(
        'ERR_OFFLINE',
        `no cached ${language} runtime in ${where} and offline mode forbids fetching one`,
        {
          context: { language, version },
        },
      );
    }
    return this.withCall(async (call) => {
      const resolved = await call.resolve(language, version);
      if (version === 'latest') {
        const hit = await this.readCache(language, resolved.version, keepBytes);
        if (hit.state === 'ok' && hit.runtime.sha256 === resolved.entry.sha256) {
          this.emit({ kind: 'cache.hit', language, version: resolved.version, path: hit.runtime.path });
          return hit;
        }
      }
      return { runtime: await this.fetchInto(call, language, resolved.version, resolved.entry) };
    });
  }

  /** Languages and versions the first answering source offers. */
  async listAvailable(): Promise<AvailableLanguage[]> {
    this.assertOnline('list the available runtimes');
    return this.withCall(async (call) => {
      const index = await call.firstManifest();
      return Object.values(index.languages)
        .map(({ entries: _entries, ...rest }: LanguageIndex) => rest)
        .sort((a, b) => a.language.localeCompare(b.language));
    });
  }

  async getLatestVersion(language: string): Promise<string> {
    assertLanguage(language);
    if (this.options.offline) {
      const [newest] = await this.cachedVersions(language);
      if (newest === undefined)
        throw new LoaderError(
          'ERR_OFFLINE',
          `no cached ${language} runtime and offline mode forbids fetching the manifest`,
        );
      return newest;
    }
    return this.withCall(async (call) => (await call.resolve(language, 'latest')).version);
  }

  /** Everything the manifest says about one language (with every version's entry). */
  async getLanguageInfo(language: string): Promise<LanguageInfo> {
    assertLanguage(language);
    this.assertOnline(`read the manifest of ${language}`);
    return this.withCall(async (call) => {
      const resolved = await call.resolve(language, 'latest');
      const entries = { ...resolved.index.entries };
      if (Object.keys(entries).length < resolved.index.versions.length) {
        const perLanguage = await call.languageManifest(resolved.source, language).catch(() => undefined);
        Object.assign(entries, perLanguage?.entries ?? {}, resolved.index.entries);
      }
      const { entries: _e, ...rest } = resolved.index;
      return { ...rest, entries };
    });
  }

  /**
   * The runtime with its compiled module (`compile` turns its verified bytes into a WebAssembly.Module): a
   * module is compiled once per loader; later calls for the same bytes reuse it, a failed compilation is not kept.
   */
  protected async compiledRuntime<M extends object>(
    language: string,
    version: string,
    compile: (runtime: R, bytes: Uint8Array | undefined) => Promise<M>,
  ): Promise<{ runtime: R; module: M }> {
    const { runtime, bytes } = await this.#runtime(language, version, true);
    const key = `${runtime.sha256}:${runtime.size}`;
    let pending = this.#modules.get(key);
    if (!pending) {
      pending = compile(runtime, bytes);
      this.#modules.set(key, pending);
      pending.catch(() => this.#modules.delete(key));
    }
    return { runtime, module: (await pending) as M };
  }

  /**
   * The last look before a download (under the platform's lock, if it has one): the cached entry when it
   * still matches `entry` (module and companions), else undefined, after evicting whatever else is there.
   */
  protected async reuseOrEvict(language: string, version: string, entry: VersionEntry): Promise<R | undefined> {
    const again = await this.readCache(language, version);
    if (
      again.state === 'ok' &&
      again.runtime.sha256 === entry.sha256 &&
      again.runtime.size === entry.size &&
      sameCompanions(again.entry, entry)
    ) {
      this.emit({ kind: 'cache.hit', language, version, path: again.runtime.path });
      return again.runtime;
    }
    if (again.state !== 'missing') {
      const problem =
        again.state === 'corrupt'
          ? again.problem
          : `cached sha256 ${again.runtime.sha256} differs from the manifest's ${entry.sha256}`;
      this.emit({ kind: 'cache.evict', language, version, problem });
      await this.evictCache(language, version);
    }
    return undefined;
  }

  protected emit(event: LoaderEvent): void {
    try {
      this.options.onEvent(event);
    } catch {
      // An event listener never breaks a download.
    }
  }

  protected assertOnline(what: string): void {
    if (this.options.offline) throw new LoaderError('ERR_OFFLINE', `offline mode: cannot ${what}`);
  }

  protected async withCall<V>(run: (call: Call<T>) => Promise<V>): Promise<V> {
    this.#validator ??= manifestValidator();
    const call = new Call(this.options, this.#validator, this.transport(), (e) => this.emit(e));
    try {
      return await run(call);
    } finally {
      call.close();
    }
  }
}

/** Versions newest first. */
export function newestFirst(versions: string[]): string[] {
  return [...versions].sort((a, b) => compareVersions(b, a));
}

/** Whether two entries name the same companion files (names, guest paths and digests). */
export function sameCompanions(a: VersionEntry, b: VersionEntry): boolean {
  const key = (entry: VersionEntry) =>
    JSON.stringify((entry.companions ?? []).map((c) => [c.file, c.size, c.sha256, c.guestPath]));
  return key(a) === key(b) && JSON.stringify(a.guestEnv ?? {}) === JSON.stringify(b.guestEnv ?? {});
}
