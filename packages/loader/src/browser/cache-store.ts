// The browser's cache: Cache Storage (one cache, `wasmhub` by default), or memory where a page has none
// (an insecure context). Each version is two entries: the module bytes and the manifest entry they were
// verified against, written in that order (the entry marks completeness). Every read re-checks the module's
// size and sha256 against the entry before anything is handed out.
import type { CachedRef, CacheReadOf } from '../loader-core.ts';
import type { VersionEntry } from '../manifest.ts';
import { sha256Hex, type WebCache, web } from './web.ts';

/** A runtime as the browser entry hands it out: verified bytes, `path` its cache key. */
export interface BrowserRuntime extends CachedRef {
  bytes: Uint8Array;
}

/** Cache keys live under this origin (Cache Storage keys must be http(s) URLs; nothing is ever fetched there). */
const KEY_BASE = 'https://wasmhub.cache.invalid/';
const ENTRY = 'entry.json';

const keyOf = (language: string, version: string, name: string) =>
  `${KEY_BASE}${encodeURIComponent(language)}/${encodeURIComponent(version)}/${name}`;

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
    return { state: 'ok', entry, runtime: { language, version, path, size: bytes.length, sha256, bytes } };
  }

  /** Store verified bytes, then the entry that marks them complete. */
  async commit(language: string, version: string, entry: VersionEntry, bytes: Uint8Array): Promise<BrowserRuntime> {
    const cache = await this.#open();
    const { Response } = web();
    const path = this.moduleKey(language, version);
    await cache.delete(keyOf(language, version, ENTRY));
    await cache.put(path, new Response(bytes, { headers: { 'content-type': 'application/wasm' } }));
    await cache.put(
      keyOf(language, version, ENTRY),
      new Response(JSON.stringify(entry), { headers: { 'content-type': 'application/json' } }),
    );
    return { language, version, path, size: entry.size, sha256: entry.sha256, bytes };
  }

  async evict(language: string, version: string): Promise<void> {
    const cache = await this.#open();
    await cache.delete(keyOf(language, version, ENTRY));
    await cache.delete(this.moduleKey(language, version));
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
