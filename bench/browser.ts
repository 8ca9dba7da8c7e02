// Browser item: the browser entry's second load (a new RuntimeLoader after a reload: Cache Storage read,
// size + SHA-256 re-checked) vs a plain `fetch` of the same module bytes from the loopback server, both timed
// inside one page of real headless Chromium, interleaved (A B A B ...). Reported, no goal (issue 14).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  bundleBrowserEntry,
  chromiumPresent,
  launchChromium,
  openPage,
  startPageServer,
} from '../packages/loader/src/testing/browser.ts';
import { startServer } from '../packages/loader/src/testing/server.ts';
import { type RuntimePartOptions, type Sample, summarize } from './lib/stats.ts';

export interface BrowserResult {
  spec: string;
  moduleBytes: number;
  /** getRuntime from Cache Storage by a fresh loader (read + verify). */
  fromCache: Sample;
  /** fetch(url, { cache: 'no-store' }).arrayBuffer() of the same .wasm. */
  fetch: Sample;
  /** load(): from Cache Storage + WebAssembly compile (for reference). */
  loadCompile: Sample;
  /** Requests for the module the server saw during the timed runs (expected 0 for the cached loads). */
  moduleRequestsByCache: number;
}

export async function benchBrowser(opts: RuntimePartOptions & { releaseDir: string }): Promise<BrowserResult> {
  const { lang, ver, runs, log } = opts;
  if (!chromiumPresent()) throw new Error('browser bench: /usr/bin/chromium is missing (apt-get install -y chromium)');
  const files = new Map<string, Buffer>();
  for (const name of await readdir(opts.releaseDir)) {
    if (name === 'manifest.json' || name.startsWith(`${lang}-`))
      files.set(name, await readFile(join(opts.releaseDir, name)));
  }
  const moduleFile = `${lang}-${ver}.wasm`;
  const module = files.get(moduleFile);
  if (!module) throw new Error(`browser bench: ${moduleFile} is not in ${opts.releaseDir}`);
  const bundle = await bundleBrowserEntry();
  const release = await startServer(files, { cors: true });
  const page = await startPageServer(bundle.code);
  const browser = await launchChromium();
  try {
    await openPage(browser.page, page.url);
    log(`[bench browser] ${lang}@${ver} (${module.length} bytes) in headless Chromium, ${runs} runs + 1 warm-up`);
    // The first load fills the cache (not timed); then the interleaved runs.
    const moduleCount = () =>
      [moduleFile, `${moduleFile}.gz`, `${moduleFile}.br`].reduce((n, f) => n + release.count(f), 0);
    const args = { source: release.url, lang, ver, runs, url: `${release.url}/${moduleFile}` };
    // Page code as text: tsx (esbuild keepNames) would wrap a function's inner closures in a `__name` helper
    // that does not exist in the page.
    const timed = (await browser.page.evaluate(`(${IN_PAGE})(${JSON.stringify(args)})`)) as {
      fromCache: number[];
      fetch: number[];
      loadCompile: number[];
      bytes: number;
    };
    const before = moduleCount();
    return {
      spec: `${lang}@${ver}`,
      moduleBytes: timed.bytes,
      fromCache: summarize(timed.fromCache),
      fetch: summarize(timed.fetch),
      loadCompile: summarize(timed.loadCompile),
      // Module requests beyond the first load's download and the baseline's own fetches.
      moduleRequestsByCache: before - 1 - (runs + 1),
    };
  } finally {
    await browser.close();
    await Promise.all([page.close(), release.close()]);
  }
}

/** Timed in the page: a fresh loader's getRuntime (from the cache), fetch of the bytes, load() with compile. */
const IN_PAGE = `async ({ source, lang, ver, runs, url }) => {
  const fresh = () => new globalThis.wasmhub.RuntimeLoader({ sources: [source], cacheName: 'bench' });
  await fresh().getRuntime(lang, ver);
  const out = { fromCache: [], fetch: [], loadCompile: [], bytes: 0 };
  for (let i = -1; i < runs; i++) {
    let t = performance.now();
    const cached = await fresh().getRuntime(lang, ver);
    const a = performance.now() - t;
    t = performance.now();
    const fetched = new Uint8Array(await (await fetch(url, { cache: 'no-store' })).arrayBuffer());
    const b = performance.now() - t;
    t = performance.now();
    await fresh().load(lang, ver);
    const c = performance.now() - t;
    if (cached.bytes.length !== fetched.length) throw new Error('cached and fetched sizes differ');
    out.bytes = fetched.length;
    if (i < 0) continue;
    out.fromCache.push(a);
    out.fetch.push(b);
    out.loadCompile.push(c);
  }
  return out;
}`;
