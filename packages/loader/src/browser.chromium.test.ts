// The browser entry in REAL headless Chromium (Debian's chromium, driven by playwright-core), against
// loopback servers serving a release the way a CDN does (CORS allowed). Under CI a missing Chromium fails.

import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleBrowserEntry,
  CHROMIUM,
  chromiumPresent,
  launchChromium,
  openPage,
  startPageServer,
} from './testing/browser.ts';
import { COMPANION_BYTES, COMPANION_GUEST_PATH, fixtureWithCompanion, makeFixture } from './testing/fixture.ts';
import { startServer, type TestServer } from './testing/server.ts';

const fixture = makeFixture({ language: 'demo', version: '1.0', padding: 64 * 1024 });
/** The README's browser example (the first js block under "### In the browser"), run as written. */
const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
const readmeExample = /### In the browser\n[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
const readmeFixture = makeFixture({ language: 'rust', version: '1.85', padding: 1024 });
const companionFixture = fixtureWithCompanion();
const moduleFiles = [fixture.entry.file, `${fixture.entry.file}.gz`, `${fixture.entry.file}.br`];

/** What a page reports after one `loader.load()`. */
interface Loaded {
  sha256: string;
  size: number;
  isModule: boolean;
  padSections: number;
  events: string[];
  brotli: boolean;
}

/** In the page: a fresh RuntimeLoader (as after a reload) loads language@version; the page reports. */
function loadInPage(page: Page, options: { sources: string[]; version: string; cacheName?: string }): Promise<Loaded> {
  return page.evaluate(async ({ sources, version, cacheName }) => {
    type Loader = {
      load(l: string, v: string): Promise<{ runtime: { sha256: string; bytes: Uint8Array }; module: object }>;
    };
    const g = globalThis as unknown as {
      wasmhub: { RuntimeLoader: new (o: object) => Loader };
      WebAssembly: { Module: { new (): object; customSections(m: object, n: string): unknown[] } };
      DecompressionStream: new (f: string) => unknown;
    };
    const events: string[] = [];
    const loader = new g.wasmhub.RuntimeLoader({
      sources,
      retries: 1,
      retryBaseDelayMs: 10,
      ...(cacheName ? { cacheName } : {}),
      onEvent: (e: { kind: string }) => events.push(e.kind),
    });
    const { runtime, module } = await loader.load('demo', version);
    let brotli = true;
    try {
      new g.DecompressionStream('brotli');
    } catch {
      brotli = false;
    }
    return {
      sha256: runtime.sha256,
      size: runtime.bytes.length,
      isModule: module instanceof g.WebAssembly.Module,
      padSections: g.WebAssembly.Module.customSections(module, 'pad').length,
      events,
      brotli,
    };
  }, options);
}

it('the browser bundle imports no node: module', async () => {
  const bundle = await bundleBrowserEntry();
  expect(bundle.nodeImports).toEqual([]);
  expect(bundle.inputs.some((input) => input.endsWith('call.ts'))).toBe(true);
  expect(bundle.code).not.toMatch(/from\s*["']node:|require\(["']node:/);
});

const present = chromiumPresent();
describe.skipIf(!present && !process.env.CI)('browser entry in headless Chromium', () => {
  let release: TestServer;
  let failing: TestServer;
  let withCompanion: TestServer;
  let pageServer: Awaited<ReturnType<typeof startPageServer>>;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  const totalModuleRequests = (server: TestServer) => moduleFiles.reduce((n, f) => n + server.count(f), 0);

  beforeAll(async () => {
    if (!present) throw new Error(`Chromium is missing at ${CHROMIUM}: apt-get install -y chromium`);
    const bundle = await bundleBrowserEntry();
    pageServer = await startPageServer(bundle.code, readmeFixture.files);
    release = await startServer(fixture.files, { cors: true });
    failing = await startServer(fixture.files, { cors: true });
    withCompanion = await startServer(companionFixture.files, { cors: true });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([pageServer?.close(), release?.close(), failing?.close(), withCompanion?.close()]);
  });

  it('first load downloads each asset once; a reload answers from Cache Storage with no request', async () => {
    const { page } = browser;
    await openPage(page, pageServer.url);
    const first = await loadInPage(page, { sources: [release.url], version: '1.0' });
    expect(first).toMatchObject({ sha256: fixture.entry.sha256, size: fixture.wasm.length, isModule: true });
    expect(first.padSections).toBe(1);
    expect(release.count('manifest.json')).toBe(1);
    // The best variant this browser decodes, once: brotli where DecompressionStream has it, else gzip.
    const variant = `${fixture.entry.file}.${first.brotli ? 'br' : 'gz'}`;
    expect(release.count(variant)).toBe(1);
    expect(totalModuleRequests(release)).toBe(1);
    expect(first.events).toContain('download.done');

    const before = release.requests.length;
    await openPage(page, pageServer.url); // a reload: a new page, the same profile
    const again = await loadInPage(page, { sources: [release.url], version: '1.0' });
    expect(again).toMatchObject({ sha256: fixture.entry.sha256, isModule: true });
    expect(again.events).toEqual(['cache.hit']);
    expect(release.requests.length).toBe(before);

    // `latest` asks the manifest what is newest, and still takes the module from the cache.
    const latest = await loadInPage(page, { sources: [release.url], version: 'latest' });
    expect(latest.sha256).toBe(fixture.entry.sha256);
    expect(totalModuleRequests(release)).toBe(1);
  });

  it('an altered cache entry is refetched (integrity is re-checked on every read)', async () => {
    const { page } = browser;
    await openPage(page, pageServer.url);
    const altered = await page.evaluate(async () => {
      const g = globalThis as unknown as {
        caches: {
          open(n: string): Promise<{ keys(): Promise<{ url: string }[]>; put(k: string, r: unknown): Promise<void> }>;
        };
        Response: new (b: unknown) => unknown;
      };
      const cache = await g.caches.open('wasmhub');
      const key = (await cache.keys()).map((k) => k.url).find((url) => url.endsWith('.wasm'));
      if (!key) return undefined;
      // A valid-looking module of the wrong content: same header, different bytes.
      await cache.put(key, new g.Response(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])));
      return key;
    });
    expect(altered).toMatch(/demo-1\.0\.wasm$/);
    const modulesBefore = totalModuleRequests(release);
    const loaded = await loadInPage(page, { sources: [release.url], version: '1.0' });
    expect(loaded).toMatchObject({ sha256: fixture.entry.sha256, size: fixture.wasm.length, isModule: true });
    expect(loaded.events).toContain('cache.evict');
    expect(totalModuleRequests(release)).toBe(modulesBefore + 1);
    // And the refetched copy is what the next load reads, with no request.
    const count = release.requests.length;
    expect((await loadInPage(page, { sources: [release.url], version: '1.0' })).events).toEqual(['cache.hit']);
    expect(release.requests.length).toBe(count);
  });

  it('a first source answering 503 falls back to the second', async () => {
    const { page } = browser;
    await openPage(page, pageServer.url);
    for (const name of fixture.files.keys()) failing.fault(name, { kind: 'status', status: 503 }, 1000);
    const servedBefore = totalModuleRequests(release);
    const loaded = await loadInPage(page, {
      sources: [failing.url, release.url],
      version: '1.0',
      cacheName: 'fallback',
    });
    expect(loaded).toMatchObject({ sha256: fixture.entry.sha256, isModule: true });
    // The same retry policy as in Node: the first attempt and one retry, then the next source.
    // (each file is tried on the first source again before the second: a 503 condemns a file, not a source).
    expect(failing.count('manifest.json')).toBe(2);
    expect(failing.count(fixture.entry.file)).toBe(2);
    expect(loaded.events).toEqual(expect.arrayContaining(['retry', 'source.failed', 'download.done']));
    expect(totalModuleRequests(release)).toBe(servedBefore + 1);
  });

  it("the README's browser example works as written", async () => {
    expect(readmeExample).toContain("from '@wasmhub/loader/browser'");
    const { page } = browser;
    await openPage(page, pageServer.url);
    const logged = page.waitForEvent('console', { predicate: (m) => m.type() === 'log' });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.addScriptTag({ type: 'module', content: readmeExample });
    const line = (await logged).text();
    expect(errors).toEqual([]);
    expect(line).toBe(`1.85 ${readmeFixture.entry.sha256} ${readmeFixture.wasm.length} 0`);
  });

  it('companion files come with the module, verified, cached and re-checked like it', async () => {
    const { page } = browser;
    await openPage(page, pageServer.url);
    const companion = companionFixture.entry.companions?.[0]?.file as string;
    const companionRequests = () =>
      [companion, `${companion}.gz`, `${companion}.br`].reduce((n, f) => n + withCompanion.count(f), 0);
    const inPage = (alter: boolean) =>
      page.evaluate(
        async ({ source, alter }) => {
          type Runtime = {
            companions?: { guestPath: string; size: number; sha256: string; bytes: Uint8Array }[];
            env?: Record<string, string>;
          };
          const g = globalThis as unknown as {
            wasmhub: { RuntimeLoader: new (o: object) => { getRuntime(l: string, v: string): Promise<Runtime> } };
            caches: {
              open(
                n: string,
              ): Promise<{ keys(): Promise<{ url: string }[]>; put(k: string, r: unknown): Promise<void> }>;
            };
            Response: new (b: unknown) => unknown;
          };
          if (alter) {
            const cache = await g.caches.open('companions');
            const key = (await cache.keys()).map((k) => k.url).find((url) => url.includes('/root/'));
            if (key) await cache.put(key, new g.Response(new Uint8Array([1, 2, 3])));
          }
          const runtime = await new g.wasmhub.RuntimeLoader({ sources: [source], cacheName: 'companions' }).getRuntime(
            'demo',
            '1.0',
          );
          const [first] = runtime.companions ?? [];
          return { guestPath: first?.guestPath, size: first?.bytes.length, sha256: first?.sha256, env: runtime.env };
        },
        { source: withCompanion.url, alter },
      );
    const expected = {
      guestPath: COMPANION_GUEST_PATH,
      size: COMPANION_BYTES.length,
      sha256: companionFixture.entry.companions?.[0]?.sha256,
      env: { DEMOHOME: '/usr/local' },
    };
    expect(await inPage(false)).toEqual(expected);
    expect(companionRequests()).toBe(1);
    await openPage(page, pageServer.url);
    const before = withCompanion.requests.length;
    expect(await inPage(false)).toEqual(expected);
    expect(withCompanion.requests.length).toBe(before);
    expect(await inPage(true)).toEqual(expected);
    expect(companionRequests()).toBe(2);
  });
});
