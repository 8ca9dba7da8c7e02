import { readFile, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { compareVersions, manifestValidator, type SchemaValidator } from '@wasmhub/contract';
import {
  type CachedRuntime,
  clearCached,
  commitCached,
  evictCached,
  listCachedEntries,
  readCached,
  sha256File,
  sweepTemp,
  tempFile,
  type VerifiedRuntime,
} from './cache.ts';
import { cacheError } from './cache-errors.ts';
import { assertCompanion } from './companions.ts';
import { downloadTo, type Encoding } from './download.ts';
import { LoaderError, type SourceFailure } from './errors.ts';
import { acquireLock } from './lock.ts';
import { type LanguageIndex, type ManifestIndex, own, parseManifest, type VersionEntry } from './manifest.ts';
import { assertLanguage, assertVersion } from './names.ts';
import { classifyNetworkError, openStream } from './open-stream.ts';
import { type LoaderEvent, type NormalizedOptions, normalizeOptions, type RuntimeLoaderOptions } from './options.ts';
import { withRetry } from './retry.ts';
import { type Instantiated, instantiateRuntime, type RunOptions, type WasiOptions, wasiOptions } from './run.ts';
import { concreteSources, locationOf, type Source } from './sources.ts';
import { watchSpeed } from './speed.ts';

export type Runtime = VerifiedRuntime;

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

/** A compiled `WebAssembly.Module` (typed opaquely so the package needs no DOM lib). */
export type WasmModule = object;

export interface VerifyResult extends CachedRuntime {
  ok: boolean;
  problem?: string;
}

const USER_AGENT = 'wasmhub-loader/0.1 (+https://github.com/wasmhub/wasmhub)';

/**
 * Fetches WasmHub runtimes into a verified local cache: retries with backoff on transient failures, falls
 * back across sources, and never hands out bytes that do not match the manifest's size and sha256.
 */
export class RuntimeLoader {
  readonly options: NormalizedOptions;
  #validator: SchemaValidator | undefined;
  /** Compiled modules by sha256: one compilation per module per loader. */
  readonly #modules = new Map<string, Promise<WasmModule>>();

  constructor(options: RuntimeLoaderOptions = {}) {
    this.options = normalizeOptions(options);
  }

  get cacheDir(): string {
    return this.options.cacheDir;
  }

  /** The runtime's verified cache path, fetching it when missing, corrupt or (for `latest`) outdated. */
  async getRuntime(language: string, version = 'latest'): Promise<Runtime> {
    assertLanguage(language);
    if (version !== 'latest') assertVersion(version);
    const { cacheDir, offline } = this.options;
    if (version !== 'latest') {
      const hit = await readCached(cacheDir, language, version);
      if (hit.state === 'ok') {
        this.emit({ kind: 'cache.hit', language, version, path: hit.runtime.path });
        return hit.runtime;
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
          `${language}@${version} is not in the cache ${cacheDir} and offline mode forbids fetching it`,
          {
            context: { language, version },
          },
        );
      }
    } else if (offline) {
      for (const cached of await this.cachedVersions(language)) {
        const hit = await readCached(cacheDir, language, cached);
        if (hit.state === 'ok') return hit.runtime;
      }
      throw new LoaderError(
        'ERR_OFFLINE',
        `no cached ${language} runtime in ${cacheDir} and offline mode forbids fetching one`,
        {
          context: { language, version },
        },
      );
    }
    return this.#withCall(async (call) => {
      const resolved = await call.resolve(language, version);
      if (version === 'latest') {
        const hit = await readCached(cacheDir, language, resolved.version);
        if (hit.state === 'ok' && hit.runtime.sha256 === resolved.entry.sha256) {
          this.emit({ kind: 'cache.hit', language, version: resolved.version, path: hit.runtime.path });
          return hit.runtime;
        }
      }
      return this.#fetchLocked(call, language, resolved.version, resolved.entry);
    });
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

  async #compiled(language: string, version: string): Promise<{ runtime: Runtime; module: WasmModule }> {
    const runtime = await this.getRuntime(language, version);
    const key = `${runtime.sha256}:${runtime.size}`;
    let pending = this.#modules.get(key);
    if (!pending) {
      pending = this.#compileVerified(runtime);
      this.#modules.set(key, pending);
      pending.catch(() => this.#modules.delete(key));
    }
    return { runtime, module: await pending };
  }

  async #compileVerified(runtime: Runtime): Promise<WasmModule> {
    const bytes = await readFile(runtime.path);
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
    // lib ES2023 has no WebAssembly value typings; Node 20 has the global.
    const wasm = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> } })
      .WebAssembly;
    return wasm.compile(bytes);
  }

  /** Languages and versions the first answering source offers. */
  async listAvailable(): Promise<AvailableLanguage[]> {
    this.#assertOnline('list the available runtimes');
    return this.#withCall(async (call) => {
      const index = await call.firstManifest();
      return Object.values(index.languages)
        .map(({ entries: _entries, ...rest }) => rest)
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
    return this.#withCall(async (call) => (await call.resolve(language, 'latest')).version);
  }

  /** Everything the manifest says about one language (with every version's entry). */
  async getLanguageInfo(language: string): Promise<LanguageInfo> {
    assertLanguage(language);
    this.#assertOnline(`read the manifest of ${language}`);
    return this.#withCall(async (call) => {
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
    this.#assertOnline('verify the cache against a source');
    return this.#withCall(async (call) => {
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
  private async cachedVersions(language: string): Promise<string[]> {
    const cached = await listCachedEntries(this.options.cacheDir);
    return cached
      .filter((c) => c.language === language)
      .map((c) => c.version)
      .sort((a, b) => compareVersions(b, a));
  }

  private emit(event: LoaderEvent): void {
    try {
      this.options.onEvent(event);
    } catch {
      // An event listener never breaks a download.
    }
  }

  #assertOnline(what: string): void {
    if (this.options.offline) throw new LoaderError('ERR_OFFLINE', `offline mode: cannot ${what}`);
  }

  async #withCall<T>(run: (call: Call) => Promise<T>): Promise<T> {
    this.#validator ??= manifestValidator();
    const call = new Call(this.options, this.#validator, (e) => this.emit(e));
    try {
      return await run(call);
    } finally {
      call.close();
    }
  }

  async #fetchLocked(call: Call, language: string, version: string, entry: VersionEntry): Promise<Runtime> {
    const { cacheDir } = this.options;
    const release = await acquireLock(cacheDir, language, version, {
      staleMs: this.options.lockStaleMs,
      deadline: Date.now() + this.options.deadlineMs,
      onWait: () => this.emit({ kind: 'lock.wait', language, version }),
    });
    try {
      const again = await readCached(cacheDir, language, version);
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
        await evictCached(cacheDir, language, version);
      }
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

/** What `download` needs: the module's entry or a companion file, both with optional compressed variants. */
type DownloadableFile = Pick<VersionEntry, 'file' | 'size' | 'sha256' | 'variants'>;

/** Whether two entries name the same companion files (names, guest paths and digests). */
function sameCompanions(a: VersionEntry, b: VersionEntry): boolean {
  const key = (entry: VersionEntry) =>
    JSON.stringify((entry.companions ?? []).map((c) => [c.file, c.size, c.sha256, c.guestPath]));
  return key(a) === key(b) && JSON.stringify(a.guestEnv ?? {}) === JSON.stringify(b.guestEnv ?? {});
}

interface Resolved {
  version: string;
  entry: VersionEntry;
  index: LanguageIndex;
  source: Source;
}

/** State of one public call: its deadline, its abort signal and the manifests read so far. */
class Call {
  readonly deadline: number;
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #manifests = new Map<string, Promise<ManifestIndex | undefined>>();
  /** Sources that failed as a whole during this call (unreachable, untrusted, too slow): not asked again. */
  readonly #givenUp = new Set<string>();

  constructor(
    private readonly options: NormalizedOptions,
    private readonly validator: SchemaValidator,
    private readonly emit: (event: LoaderEvent) => void,
  ) {
    this.deadline = options.clock.now() + options.deadlineMs;
    this.#timer = setTimeout(() => {
      this.#controller.abort(new LoaderError('ERR_DEADLINE', `overall deadline of ${options.deadlineMs} ms reached`));
    }, options.deadlineMs);
    this.#timer.unref();
  }

  close(): void {
    clearTimeout(this.#timer);
  }

  /** Fetch a small text file from a source, with retries, bounded in size. */
  async fetchText(source: Source, file: string): Promise<string> {
    const limit = this.options.maxManifestBytes;
    return this.#retry(locationOf(source, file), async () => {
      const opened = await openStream(source, file, this.#openOptions());
      if (opened.length !== undefined && opened.length > limit) {
        opened.body.destroy();
        throw new LoaderError(
          'ERR_SIZE_EXCEEDED',
          `${opened.url} is ${opened.length} bytes, more than the ${limit} allowed for a manifest`,
        );
      }
      return readLimited(opened.body, limit, opened.url, this.#speedRule());
    });
  }

  /** The manifest of a source: `manifest.json`, or undefined when the source has none (404). */
  manifest(source: Source): Promise<ManifestIndex | undefined> {
    let pending = this.#manifests.get(source.label);
    if (!pending) {
      pending = this.fetchText(source, 'manifest.json').then(
        (text) => parseManifest(text, this.validator, locationOf(source, 'manifest.json')),
        (error: unknown) => {
          if (error instanceof LoaderError && error.code === 'ERR_NOT_FOUND') return undefined;
          throw error;
        },
      );
      this.#manifests.set(source.label, pending);
    }
    return pending;
  }

  /** `<lang>-manifest.json` at a source (the original per-language format). */
  async languageManifest(source: Source, language: string): Promise<LanguageIndex> {
    const file = `${language}-manifest.json`;
    const where = locationOf(source, file);
    const index = parseManifest(await this.fetchText(source, file), this.validator, where);
    const found = own(index.languages, language);
    if (index.kind !== 'language' || !found) {
      throw new LoaderError('ERR_MANIFEST_INVALID', `${where} is not the per-language manifest of ${language}`);
    }
    return found;
  }

  /** The per-language manifest; when there is none but the global manifest is there, name what it offers. */
  async #languageOrList(source: Source, language: string, global: ManifestIndex | undefined): Promise<LanguageIndex> {
    try {
      return await this.languageManifest(source, language);
    } catch (error) {
      if (!global || !(error instanceof LoaderError) || error.code !== 'ERR_NOT_FOUND') throw error;
      const available = Object.keys(global.languages).sort();
      throw new LoaderError(
        'ERR_NOT_FOUND',
        `${source.label} has no ${language} runtime (available: ${available.join(', ') || 'none'})`,
        { context: { language, available } },
      );
    }
  }

  async firstManifest(): Promise<ManifestIndex> {
    const failures: SourceFailure[] = [];
    for (const spec of this.options.sources) {
      if (spec.kind === 'template') {
        failures.push({
          source: spec.label,
          code: 'ERR_NOT_FOUND',
          message: `${spec.label} is per language: it cannot list every runtime`,
        });
      }
    }
    for (const source of this.#liveSources(undefined)) {
      try {
        const index = await this.manifest(source);
        if (index) return index;
        failures.push({
          source: source.label,
          code: 'ERR_NOT_FOUND',
          message: `${locationOf(source, 'manifest.json')} not found`,
        });
      } catch (error) {
        this.#record(failures, source, error);
      }
    }
    throw aggregate(failures, 'the runtime list');
  }

  /** Find the entry of language@version (or the latest) in the first source whose manifest lists it. */
  async resolve(language: string, version: string): Promise<Resolved> {
    const failures: SourceFailure[] = [];
    for (const source of this.#liveSources(language)) {
      try {
        const global = await this.manifest(source);
        const index =
          (global && own(global.languages, language)) ?? (await this.#languageOrList(source, language, global));
        const wanted = version === 'latest' ? index.latest : version;
        // Own properties only: `toString`, `constructor` and friends are on every object, not in the manifest.
        let entry = own(index.entries, wanted);
        if (!entry && index.versions.includes(wanted)) {
          entry = own((await this.languageManifest(source, language)).entries, wanted);
        }
        if (!entry) {
          throw new LoaderError(
            'ERR_NOT_FOUND',
            `the manifest lists no ${language}@${wanted} (available: ${index.versions.join(', ') || 'none'})`,
            { context: { language, version: wanted } },
          );
        }
        return { version: wanted, entry, index, source };
      } catch (error) {
        this.#record(failures, source, error);
      }
    }
    throw aggregate(failures, `${language}@${version}`);
  }

  /** Download a file (the module or a companion) into a verified temp file, trying .br, .gz, raw on each source in order. */
  async download(language: string, version: string, entry: DownloadableFile): Promise<string> {
    const candidates: { file: string; encoding: Encoding; transfer: { size: number; sha256: string } }[] = [];
    if (entry.variants?.br)
      candidates.push({ file: entry.variants.br.file, encoding: 'br', transfer: entry.variants.br });
    if (entry.variants?.gz)
      candidates.push({ file: entry.variants.gz.file, encoding: 'gz', transfer: entry.variants.gz });
    candidates.push({ file: entry.file, encoding: 'identity', transfer: entry });
    const failures: SourceFailure[] = [];
    for (const source of this.#liveSources(language)) {
      for (const candidate of candidates) {
        const url = locationOf(source, candidate.file);
        try {
          return await this.#retry(url, async () => {
            const temp = await tempFile(this.options.cacheDir, `${language}-${version}`);
            const opened = await openStream(source, candidate.file, this.#openOptions());
            this.emit({ kind: 'download.start', url: opened.url, size: candidate.transfer.size });
            await downloadTo(opened, temp, {
              encoding: candidate.encoding,
              transfer: candidate.transfer,
              module: entry,
              what: url,
              speed: this.#speedRule(),
              onProgress: (bytes, total) => this.emit({ kind: 'download.progress', url, bytes, total }),
            });
            this.emit({ kind: 'download.done', url });
            return temp;
          });
        } catch (error) {
          // A local failure (disk full, read-only cache) is no source's fault: stop, name it.
          if (error instanceof LoaderError && error.code === 'ERR_CACHE') throw error;
          this.#record(failures, source, error);
          // A bad variant (missing, refused, corrupt, truncated) says nothing about the others: try the next
          // encoding on the same source. Only a failure of the whole source (unreachable, untrusted
          // certificate, too slow, a Retry-After too long) moves to the next source at once.
          if (error instanceof LoaderError && error.context.sourceLevel === true) break;
        }
      }
    }
    throw aggregate(failures, `${language}@${version}`);
  }

  /** The sources of this call, templates expanded for the language (left out when there is none). */
  #liveSources(language: string | undefined): Source[] {
    return concreteSources(this.options.sources, language, this.options.allowHttp, this.options.cwd).filter(
      (source) => !this.#givenUp.has(source.label),
    );
  }

  #record(failures: SourceFailure[], source: Source, error: unknown): void {
    const loaderError = error instanceof LoaderError ? error : classifyNetworkError(error, source.label);
    if (loaderError.code === 'ERR_DEADLINE' || this.#controller.signal.aborted) {
      throw this.#controller.signal.reason instanceof LoaderError ? this.#controller.signal.reason : loaderError;
    }
    if (loaderError.context.sourceLevel === true) this.#givenUp.add(source.label);
    const attempts = loaderError.context.attempt;
    const failure: SourceFailure = {
      source: source.label,
      code: loaderError.code,
      message:
        typeof attempts === 'number' && attempts > 1
          ? `${loaderError.message} (after ${attempts} attempts)`
          : loaderError.message,
      ...(loaderError.context.url ? { url: loaderError.context.url } : {}),
      ...(typeof loaderError.context.status === 'number' ? { status: loaderError.context.status } : {}),
    };
    failures.push(failure);
    this.emit({ kind: 'source.failed', source: source.label, code: failure.code, message: failure.message });
  }

  #retry<T>(url: string, run: () => Promise<T>): Promise<T> {
    return withRetry(run, {
      policy: this.options.policy,
      clock: this.options.clock,
      deadline: this.deadline,
      signal: this.#controller.signal,
      onRetry: ({ attempt, delayMs, error }) =>
        this.emit({ kind: 'retry', url, attempt, delayMs, reason: error.message }),
    });
  }

  #speedRule() {
    return { minBytesPerSec: this.options.minSpeedBytesPerSec, windowMs: this.options.minSpeedWindowMs };
  }

  #openOptions() {
    return {
      connectTimeoutMs: this.options.connectTimeoutMs,
      stallTimeoutMs: this.options.stallTimeoutMs,
      maxRedirects: this.options.maxRedirects,
      allowHttp: this.options.allowHttp,
      signal: this.#controller.signal,
      now: this.options.clock.now,
      userAgent: USER_AGENT,
      proxy: this.options.proxy,
    };
  }
}

async function readLimited(
  body: Readable,
  limit: number,
  url: string,
  speedRule: { minBytesPerSec: number; windowMs: number },
): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  const speed = watchSpeed(speedRule, url, (error) => body.destroy(error));
  try {
    for await (const chunk of body) {
      speed.add((chunk as Buffer).length);
      total += (chunk as Buffer).length;
      if (total > limit) {
        body.destroy();
        throw new LoaderError('ERR_SIZE_EXCEEDED', `${url} exceeds the ${limit} bytes allowed for a manifest`, {
          context: { url },
        });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw classifyNetworkError(error, url);
  } finally {
    speed.stop();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One error for a failure on every source: ERR_NOT_FOUND when every source said "not found". */
function aggregate(failures: SourceFailure[], what: string): LoaderError {
  const lines = failures.map((f) => `${f.message}`).join('; ');
  if (failures.length > 0 && failures.every((f) => f.code === 'ERR_NOT_FOUND')) {
    return new LoaderError('ERR_NOT_FOUND', `${what} not found on any source: ${lines}`, { context: { failures } });
  }
  return new LoaderError(
    'ERR_ALL_SOURCES_FAILED',
    `cannot get ${what} from any of ${new Set(failures.map((f) => f.source)).size} source(s): ${lines}`,
    {
      context: { failures },
    },
  );
}
