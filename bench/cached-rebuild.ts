// 2. Cached rebuild: `nx run <lang>:metadata --ver=<v>` with nothing changed (every task a cache hit)
// against the cold run of the same chain (build -> optimize -> verify -> metadata) with that version's
// outputs deleted and --skip-nx-cache. One version keeps the cold runs inside the 15-minute budget.
// Also times the full `nx run-many -t metadata` with nothing changed (all versions, all cache hits).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fmtMs, measure, type Sample, summarize } from './lib/stats.ts';
import { nx, wsRoot } from './lib/workspace.ts';

export interface CachedRebuildResult {
  lang: string;
  ver: string;
  cold: Sample;
  cached: Sample;
  fullCached: Sample;
  /** Tasks Nx reported as read from cache in the last cached run, e.g. "4/4". */
  cacheHits: string;
}

export async function benchCachedRebuild(opts: {
  lang: string;
  ver: string;
  runs: number;
  coldRuns: number;
  /** Cold runs stop early (after at least 2) once they have taken this long. */
  coldBudgetMs: number;
  log: (line: string) => void;
}): Promise<CachedRebuildResult> {
  const { lang, ver } = opts;
  const outputs = [
    join(wsRoot, 'build', lang, `${lang}-${ver}.wasm`),
    join(wsRoot, 'build', lang, `${lang}-${ver}.build.json`),
    join(wsRoot, 'build', lang, `${lang}-${ver}.verify.json`),
    join(wsRoot, 'build', lang, 'opt', `${lang}-${ver}.wasm`),
    join(wsRoot, 'build', lang, 'opt', `${lang}-${ver}.verify.json`),
    join(wsRoot, 'runtimes', lang, 'manifest.json'),
  ];
  // A cold run has no meaningful warm-up; runs stop early when the budget is spent (at least 2).
  const coldRuns: number[] = [];
  const coldStart = performance.now();
  while (coldRuns.length < opts.coldRuns) {
    if (coldRuns.length >= 2 && performance.now() - coldStart > opts.coldBudgetMs) break;
    for (const f of outputs) await rm(f, { force: true });
    const r = await nx(['run', `${lang}:metadata`, `--ver=${ver}`, '--skip-nx-cache']);
    coldRuns.push(r.ms);
    opts.log(`[bench cached-rebuild] cold run ${coldRuns.length}/${opts.coldRuns}: ${fmtMs(r.ms)}`);
  }
  const cold = { cold: summarize(coldRuns) };
  let cacheHits = '?';
  const cached = await measure(
    [
      {
        name: 'cached',
        run: async () => {
          const r = await nx(['run', `${lang}:metadata`, `--ver=${ver}`]);
          const m =
            /Nx read the output from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(
              r.stdout + r.stderr,
            );
          cacheHits = m ? `${m[1]}/${m[2]}` : /Successfully ran target/.test(r.stdout) ? 'none reported' : '?';
        },
      },
    ],
    { runs: opts.runs, warmup: 1, log: opts.log, label: 'cached-rebuild' },
  );
  // Leaves ws consistent again (every version in runtimes/<lang>/manifest.json), restored from cache.
  const full = await measure([{ name: 'full', run: async () => void (await nx(['run-many', '-t', 'metadata'])) }], {
    runs: opts.runs,
    warmup: 1,
    log: opts.log,
    label: 'cached-rebuild',
  });
  return {
    lang,
    ver,
    cold: cold.cold as Sample,
    cached: cached.cached as Sample,
    fullCached: full.full as Sample,
    cacheHits,
  };
}
