// 2. Cached rebuild: a pipeline run with nothing changed (every task a cache hit) against the cold run.
// The whole `nx run-many -t metadata` cold takes minutes (7 Go builds, wasm-opt -Oz on each), so five
// cold runs of it do not fit in the bench's 15 minutes: the figure is taken on one runtime version's
// chain, `nx run <lang>:metadata --ver=<v>` (build -> optimize -> verify -> metadata), in ws:
//  - cold: that version's outputs deleted and an empty Nx cache (NX_CACHE_DIRECTORY, a fresh folder
//    per run): nothing to restore, exactly a first run; the builder image is present;
//  - cached: the same command again with the cache the last cold run wrote, nothing changed.
// The cold runs follow item 1's builds of the same version (same image, toolchain, Nx, tsx cache),
// which serve as their warm-up. Also timed: the full `nx run-many -t metadata` in the checkout,
// nothing changed (all versions, all cache hits), as a maintainer re-runs it.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fmtMs, measure, type RuntimePartOptions, type Sample, summarize } from './lib/stats.ts';
import { benchDir, hitsOf, nx, repoRoot, wsRoot } from './lib/workspace.ts';

export interface CachedRebuildResult {
  lang: string;
  ver: string;
  cold: Sample;
  cached: Sample;
  fullCached: Sample;
  /** Tasks Nx reported as read from cache in the last cached run, e.g. "4/4". */
  cacheHits: string;
  /** The same for the full run-many in the checkout. */
  fullCacheHits: string;
}

export async function benchCachedRebuild(
  opts: RuntimePartOptions & { coldRuns: number },
): Promise<CachedRebuildResult> {
  const { lang, ver } = opts;
  const outputs = [
    join(wsRoot, 'build', lang, `${lang}-${ver}.wasm`),
    join(wsRoot, 'build', lang, `${lang}-${ver}.build.json`),
    join(wsRoot, 'build', lang, `${lang}-${ver}.verify.json`),
    join(wsRoot, 'build', lang, 'opt', `${lang}-${ver}.wasm`),
    join(wsRoot, 'build', lang, 'opt', `${lang}-${ver}.verify.json`),
    join(wsRoot, 'build', lang, `${lang}-${ver}.metadata.json`),
  ];
  const cacheDir = (i: number) => join(benchDir, `nx-cache-cold-${i}`);
  const coldRuns: number[] = [];
  let lastCache = '';
  try {
    for (let i = 1; i <= opts.coldRuns; i++) {
      for (const f of outputs) await rm(f, { force: true });
      await rm(cacheDir(i), { recursive: true, force: true });
      const r = await nx(['run', `${lang}:metadata`, `--ver=${ver}`], { env: { NX_CACHE_DIRECTORY: cacheDir(i) } });
      coldRuns.push(r.ms);
      if (lastCache) await rm(lastCache, { recursive: true, force: true });
      lastCache = cacheDir(i);
      opts.log(`[bench cached-rebuild] cold run ${i}/${opts.coldRuns}: ${fmtMs(r.ms)}`);
    }
    let cacheHits = '?';
    const cached = await measure(
      [
        {
          name: 'cached',
          run: async () => {
            const r = await nx(['run', `${lang}:metadata`, `--ver=${ver}`], { env: { NX_CACHE_DIRECTORY: lastCache } });
            cacheHits = hitsOf(r.stdout + r.stderr);
          },
        },
      ],
      { runs: opts.runs, warmup: 1, log: opts.log, label: 'cached-rebuild' },
    );
    let fullCacheHits = '?';
    const full = await measure(
      [
        {
          name: 'full',
          run: async () => {
            const r = await nx(['run-many', '-t', 'metadata'], { cwd: repoRoot });
            fullCacheHits = hitsOf(r.stdout + r.stderr);
          },
        },
      ],
      { runs: opts.runs, warmup: 1, log: opts.log, label: 'cached-rebuild' },
    );
    return {
      lang,
      ver,
      cold: summarize(coldRuns),
      cached: cached.cached as Sample,
      fullCached: full.full as Sample,
      cacheHits,
      fullCacheHits,
    };
  } finally {
    if (lastCache) await rm(lastCache, { recursive: true, force: true });
  }
}
