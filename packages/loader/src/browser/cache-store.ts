// The browser's cache: Cache Storage (one cache, `wasmhub` by default), or memory where a page has none
// (an insecure context). Each version is two entries: the module bytes and the manifest entry they were
// verified against, written in that order (the entry marks completeness). Every read re-checks the module's
// size and sha256 against the entry before anything is handed out.
import type { CachedRef, CacheReadOf } from '../loader-core.ts';
import type { VersionEntry } from '../manifest.ts';
import { sha256Hex, type WebCache, web } from './web.ts';

/** A companion file (an interpreter's standard library) as the browser entry hands it out, verified. */
export interface BrowserCompanion {
  file: string;
  /** Where the guest expects it: give it to your WASI implementation's file system. */
  guestPath: string;
  size: number;
  sha256: string;
  bytes: Uint8Array;
}

/**
 * A runtime as the browser entry hands it out: verified bytes, `path` its cache key. Versions whose entry
 * lists companion files (or a guest environment) also carry `companions` and `env`.
 */
export interface BrowserRuntime extends CachedRef {
  bytes: Uint8Array;
  companions?: BrowserCompanion[];
  env?: Record<string, string>;
}

/** Cache keys live under this origin (Cache Storage keys must be http(s) URLs; nothing is ever fetched there). */
const KEY_BASE = 'https://wasmhub.cache.invalid/';
const ENTRY = 'entry.json';

const versionPrefix = (language: string, version: string) =>
  `${KEY_BASE}${encodeURIComponent(language)}/${encodeURIComponent(version)}/`;
const keyOf = (language: string, version: string, name: string) => `${versionPrefix(language, version)}${name}`;
/** A companion's key mirrors its guest path (checked by the manifest: absolute, no '.' or '..' segments). */
const companionKey = (language: string, version: string, guestPath: string) =>
  keyOf(language, version, `root${guestPath.split('/').map(encodeURIComponent).join('/')}`);

/** In-memory stand-in with Cache Storage's few methods (pages without `caches`). */
class MemoryCache implements WebCache {
  readonly #items = new Map<string, Uint8Array>();
  async match(key: string) {
    const bytes = this.#items.get(key);
    return bytes ? (new (web().Response)(bytes) as Awaited<ReturnType<WebCache['match']>>) : undefined;
  }
  async put(key: string, response: unknown) {
    this.#items.set(key, new Uint8Array(await (response as { arrayBuffer(): Promise<ArrayBuffer> }).arrayBuffer()));
  }
  async delete(key: string) {
    return this.#items.delete(key);
  }
  async keys() {
    return [...this.#items.keys()].map((url) => ({ url }));
  }
}

export class BrowserCacheStore {
  readonly label: string;
  #cache: Promise<WebCache> | undefined;

  constructor(private readonly name: string) {
    this.label = web().caches ? `Cache Storage "${name}"` : 'memory (this page has no Cache Storage)';
  }

  #open(): Promise<WebCache> {
    const storage = web().caches;
    this.#cache ??= storage ? storage.open(this.name) : Promise.resolve(new MemoryCache());
    return this.#cache;
  }

  moduleKey(language: string, version: string): string {
    return keyOf(language, version, `${language}-${version}.wasm`);
  }

  async read(language: string, version: string): Promise<CacheReadOf<BrowserRuntime>> {
    const cache = await this.#open();
    const path = this.moduleKey(language, version);
    const [entryResponse, moduleResponse] = await Promise.all([
      cache.match(keyOf(language, version, ENTRY)),
      cache.match(path),
    ]);
    if (!entryResponse && !moduleResponse) return { state: 'missing' };
    if (!entryResponse) return { state: 'corrupt', problem: `${ENTRY} is missing` };
    let entry: VersionEntry;
    try {
      entry = JSON.parse(await entryResponse.text()) as VersionEntry;
    } catch (error) {
      return { state: 'corrupt', problem: `${ENTRY} is unreadable (${(error as Error).message})` };
    }
    if (typeof entry?.size !== 'number' || typeof entry.sha256 !== 'string') {
      return { state: 'corrupt', problem: `${ENTRY} has no size/sha256` };
    }
    if (!moduleResponse) return { state: 'corrupt', problem: `${path} is missing` };
    const bytes = new Uint8Array(await moduleResponse.arrayBuffer());
    if (bytes.length !== entry.size) {
      return { state: 'corrupt', problem: `${path} is ${bytes.length} bytes, expected ${entry.size}` };
    }
    const sha256 = await sha256Hex(bytes);
    if (sha256 !== entry.sha256)
      return { state: 'corrupt', problem: `${path} has sha256 ${sha256}, expected ${entry.sha256}` };
    const companions: BrowserCompanion[] = [];
    for (const companion of entry.companions ?? []) {
      const key = companionKey(language, version, companion.guestPath);
      const response = await cache.match(key);
      if (!response) return { state: 'corrupt', problem: `companion ${key} is missing` };
      const got = new Uint8Array(await response.arrayBuffer());
      const digest = got.length === companion.size ? await sha256Hex(got) : undefined;
      if (digest !== companion.sha256) {
        return {
          state: 'corrupt',
          problem: `companion ${key} is ${got.length} bytes with sha256 ${digest ?? '(not computed)'}, expected ${companion.size} bytes, ${companion.sha256}`,
        };
      }
      companions.push({
        file: companion.file,
        guestPath: companion.guestPath,
        size: got.length,
        sha256: digest,
        bytes: got,
      });
    }
    const runtime = { language, version, path, size: bytes.length, sha256, bytes };
    return { state: 'ok', entry, runtime: withCompanions(runtime, entry, companions) };
  }

  /** Store verified bytes (module, then companions in the entry's order), then the entry that marks them complete. */
  async commit(
    language: string,
    version: string,
    entry: VersionEntry,
    bytes: Uint8Array,
    companionBytes: Uint8Array[] = [],
  ): Promise<BrowserRuntime> {
    const cache = await this.#open();
    const { Response } = web();
    const path = this.moduleKey(language, version);
    await cache.delete(keyOf(language, version, ENTRY));
    await cache.put(path, new Response(bytes, { headers: { 'content-type': 'application/wasm' } }));
    const companions: BrowserCompanion[] = [];
    for (const [i, companion] of (entry.companions ?? []).entries()) {
      const got = companionBytes[i] as Uint8Array;
      await cache.put(companionKey(language, version, companion.guestPath), new Response(got));
      const { file, guestPath, size, sha256 } = companion;
      companions.push({ file, guestPath, size, sha256, bytes: got });
    }
    await cache.put(
      keyOf(language, version, ENTRY),
      new Response(JSON.stringify(entry), { headers: { 'content-type': 'application/json' } }),
    );
    const runtime = { language, version, path, size: entry.size, sha256: entry.sha256, bytes };
    return withCompanions(runtime, entry, companions);
  }

  /** Remove a version: its entry first (so nothing reads it as complete), then every other key under it. */
  async evict(language: string, version: string): Promise<void> {
    const cache = await this.#open();
    await cache.delete(keyOf(language, version, ENTRY));
    const prefix = versionPrefix(language, version);
    for (const { url } of await cache.keys()) if (url.startsWith(prefix)) await cache.delete(url);
  }

  /** Cached versions as their entries claim (`verifyCache` checks them). */
  async list(): Promise<CachedRef[]> {
    const cache = await this.#open();
    const result: CachedRef[] = [];
    for (const { url } of await cache.keys()) {
      if (!url.startsWith(KEY_BASE) || !url.endsWith(`/${ENTRY}`)) continue;
      const [language, version] = url.slice(KEY_BASE.length).split('/').map(decodeURIComponent);
      if (!language || !version) continue;
      try {
        const entry = JSON.parse(await ((await cache.match(url))?.text() ?? '')) as VersionEntry;
        result.push({
          language,
          version,
          path: this.moduleKey(language, version),
          size: entry.size,
          sha256: entry.sha256,
        });
      } catch {
        // Not a complete entry: not listed.
      }
    }
    return result;
  }
}

/** Companions and env join the runtime only for versions that have them (others keep the plain shape, as in Node). */
function withCompanions(runtime: BrowserRuntime, entry: VersionEntry, companions: BrowserCompanion[]): BrowserRuntime {
  if (entry.companions === undefined && entry.guestEnv === undefined) return runtime;
  return { ...runtime, companions, env: { ...(entry.guestEnv ?? {}) } };
}
