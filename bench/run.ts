// `npm run bench`: measures the pipeline and the loader against their physical limits (issue 8) and
// prints one table of ratios measured side by side in this run. Progress goes to stderr; the table to
// stdout; everything measured to build/bench/results.json.
// Env: BENCH_RUNS (default 5), BENCH_COLD_RUNS (default 5), BENCH_LANG/BENCH_VER (go/1.24: items 1 and 2),
// BENCH_ONLY (comma list of: release,loader,browser,optimize,build,cached,interpreters,python) to run a subset, BENCH_OPT=largest
// (item 3 on the largest module instead of the smallest).
import { existsSync } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readJson } from '../tools/pipeline/src/kit/files.ts';
import { type BrowserResult, benchBrowser } from './browser.ts';
import { type BuildOverheadResult, benchBuildOverhead } from './build-overhead.ts';
import { benchCachedRebuild, type CachedRebuildResult } from './cached-rebuild.ts';
import { benchInterpreters, type InterpreterResult } from './interpreters.ts';
import { fmtMs, fmtSample, ratio } from './lib/stats.ts';
import {
  benchDir,
  createReleaseWorkspace,
  hitsOf,
  listVersions,
  nx,
  repoRoot,
  syncWorkspace,
} from './lib/workspace.ts';
import { benchLoader, type LoaderResult } from './loader.ts';
import { benchOptimize, type OptimizeResult } from './optimize.ts';
import { benchPython, type PythonBenchResult } from './python.ts';
import { benchRelease, type ReleaseBenchResult, stageLocalRelease } from './release.ts';
import { collectSizes } from './sizes.ts';
import { kb, pct, type Row, ratioRow, renderPlain, renderTable } from './table.ts';

/** Bad settings: one line naming the variable and what it takes, exit code 2, nothing started. */
const usage = (message: string): never => {
  process.stderr.write(`npm run bench: ${message}\n`);
  process.exit(2);
};

const int = (name: string, fallback: number, min = 1): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < min) usage(`${name}=${raw}: expected an integer >= ${min}`);
  return n;
};

const started = performance.now();
const log = (line: string) => process.stderr.write(`${line}\n`);
const runs = int('BENCH_RUNS', 5, 1);
const coldRuns = int('BENCH_COLD_RUNS', 5, 1);
const lang = process.env.BENCH_LANG ?? 'go';
const ver = process.env.BENCH_VER ?? '1.24';
const parts = ['release', 'loader', 'browser', 'optimize', 'build', 'cached', 'interpreters', 'python'];
const only = new Set((process.env.BENCH_ONLY ?? parts.join(',')).split(',').map((s) => s.trim()));
for (const part of only)
  if (!parts.includes(part))
    usage(`BENCH_ONLY=${process.env.BENCH_ONLY}: unknown part "${part}"; expected a comma list of ${parts.join(', ')}`);
if (process.env.BENCH_OPT !== undefined && process.env.BENCH_OPT !== 'largest')
  usage(`BENCH_OPT=${process.env.BENCH_OPT}: expected "largest" (or unset: the smallest module)`);
if (only.has('python') && !existsSync(join(repoRoot, 'runtimes', 'python', 'runtime.json')))
  usage(
    'BENCH_ONLY includes python, but runtimes/python/runtime.json does not exist: python is not a runtime of the release yet',
  );

await mkdir(benchDir, { recursive: true });
await syncWorkspace(log);
// The runtimes themselves come from the checkout, built by the pipeline exactly as the README's
// `nx run-many -t release` builds them: all cache hits when that has run, a full build otherwise.
let versions = await listVersions(repoRoot);
const missing = versions.filter((v) => !existsSync(v.opt) || !existsSync(v.raw));
log(
  missing.length > 0
    ? `[bench] ${missing.length} of ${versions.length} runtime versions not built in ${repoRoot}: nx run-many -t metadata (a full build, minutes)`
    : '[bench] nx run-many -t metadata in the checkout (outputs present: cache hits expected)',
);
const prepare = await nx(['run-many', '-t', 'metadata'], {
  cwd: repoRoot,
  echo: (line) => log(`[bench prepare] ${line}`),
});
log(`[bench] prepare took ${fmtMs(prepare.ms)}`);
const prepareHits = hitsOf(prepare.stdout + prepare.stderr);
// Reported when the prepare found nothing in the cache: then it was itself a cold full run-many.
const prepareNote =
  prepareHits === 'none' || prepareHits.startsWith('0/')
    ? `; this run's prepare ran it with nothing cached: ${fmtMs(prepare.ms)}`
    : '';
versions = await listVersions(repoRoot);
for (const v of versions) if (!existsSync(v.opt)) throw new Error(`${v.opt} is missing after nx run-many -t metadata`);
const optSizes = new Map(await Promise.all(versions.map(async (v) => [v, (await stat(v.opt)).size] as const)));
const bySize = [...versions].sort((x, y) => (optSizes.get(y) ?? 0) - (optSizes.get(x) ?? 0));
const largest = bySize[0];
if (!largest) throw new Error('no runtime versions found in runtimes/*/runtime.json');
// Item 3 runs on the smallest module by default: there the stage's fixed costs (engine and image
// checks, container create/remove, temp file + rename) weigh most, and 12 runs of wasm-opt -Oz on
// the largest Go module (~24 s each here) alone would take 5 of the 15 minutes. BENCH_OPT=largest.
const optTarget = process.env.BENCH_OPT === 'largest' ? largest : (bySize.at(-1) as typeof largest);

const results: {
  release?: ReleaseBenchResult;
  loader?: LoaderResult;
  browser?: BrowserResult;
  optimize?: OptimizeResult;
  build?: BuildOverheadResult;
  cached?: CachedRebuildResult;
  interpreters?: InterpreterResult[];
  python?: PythonBenchResult;
} = {};

await createReleaseWorkspace(repoRoot, versions);
if (only.has('release')) results.release = await benchRelease({ runs, log });
const staged = results.release?.dir ?? (await stageLocalRelease());
const sizes = await collectSizes(versions, staged);
if (only.has('loader'))
  results.loader = await benchLoader({
    releaseDir: staged,
    lang: largest.lang,
    ver: largest.ver,
    runLang: 'rust',
    runs,
    processes: 16,
    log,
  });
if (only.has('browser'))
  results.browser = await benchBrowser({ releaseDir: staged, lang: largest.lang, ver: largest.ver, runs, log });
if (only.has('optimize')) {
  const config = await readJson<{ wasmOpt?: string; versions: { label: string; wasmOpt?: string }[] }>(
    join(repoRoot, 'runtimes', optTarget.lang, 'runtime.json'),
  );
  const level = config.versions.find((v) => v.label === optTarget.ver)?.wasmOpt ?? config.wasmOpt;
  results.optimize = await benchOptimize({ module: optTarget.raw, level, runs, log });
}
if (only.has('build')) results.build = await benchBuildOverhead({ lang, ver, runs, log });
if (only.has('interpreters')) results.interpreters = await benchInterpreters({ versions, runs, log });
if (only.has('python')) results.python = await benchPython({ versions, releaseDir: staged, runs, log });
if (only.has('cached')) results.cached = await benchCachedRebuild({ lang, ver, runs, coldRuns, log });

// ---- the table ----
const rows: Row[] = [];
const notes: string[] = [];
const b = results.build;
if (b) {
  rows.push(
    ratioRow(
      '1',
      `build overhead: nx run ${b.lang}:build --ver=${b.ver} --skip-nx-cache --excludeTaskDependencies vs docker run go build`,
      b.nx,
      b.bare,
      ratio(b.nx, b.bare),
      1.1,
    ),
  );
  notes.push(
    `1: nx run - bare docker run = ${fmtMs(b.nx.median - b.bare.median)}, of which Nx's fixed cost (the same nx run answered from cache) ${fmtMs(b.nxCacheHit.median)} and the start of the compiled pipeline CLI (node tools/pipeline/dist/cli.js) that Nx spawns ${fmtMs(b.cliStart.median)}; the rest (${fmtMs(b.nx.median - b.bare.median - b.nxCacheHit.median - b.cliStart.median)}) is the pipeline's own work + noise.`,
  );
}
const c = results.cached;
if (c) {
  rows.push(
    ratioRow(
      '2',
      `cached rebuild: nx run ${c.lang}:metadata --ver=${c.ver}, nothing changed vs cold (1 version)`,
      c.cached,
      c.cold,
      ratio(c.cached, c.cold),
      0.05,
    ),
  );
  notes.push(
    `2: cold = ${c.lang}@${c.ver} outputs deleted + an empty Nx cache (${c.cold.runs.length} runs; build+optimize+verify+metadata); cached run hits: ${c.cacheHits}. Full nx run-many -t metadata in the checkout (all ${versions.length} versions, nothing changed, hits ${c.fullCacheHits}): ${fmtMs(c.fullCached.median)} [${fmtMs(c.fullCached.min)}–${fmtMs(c.fullCached.max)}]${prepareNote}.`,
  );
}
const o = results.optimize;
if (o) {
  rows.push(
    ratioRow(
      '3',
      `optimize: optimizeModule (native) vs docker run wasm-opt ${o.level}`,
      o.stage,
      o.direct,
      ratio(o.stage, o.direct),
      1.2,
    ),
  );
  notes.push(
    `3: ${o.module.split('/').pop()} ${o.inputSize} -> ${o.outputSize} bytes, identical outputs: ${o.identical}; an empty 'docker run --rm <image> true' takes ${fmtMs(o.emptyContainer.median)}.`,
  );
}
const l = results.loader;
if (l) {
  const curlRatio = ratio(l.cold.cli, l.cold.curl);
  rows.push({
    ...ratioRow(
      '4a',
      `loader cold: wasmhub get ${l.spec} (built CLI) vs a minimal Node script (fetch + sha256 + write)`,
      l.cold.cli,
      l.cold.minimal,
      ratio(l.cold.cli, l.cold.minimal),
      1.3,
    ),
    reference: `curl -o + sha256sum ${fmtMs(l.cold.curl.median)}: x${curlRatio.median.toFixed(2)}`,
  });
  const lr = l.run;
  if (lr)
    rows.push(
      ratioRow(
        '4b',
        `run: wasmhub run ${lr.spec.split('@')[0]} -- ${lr.args.join(' ')} (cached) vs a bare node:wasi runner`,
        lr.cli,
        lr.bare,
        ratio(lr.cli, lr.bare),
        1.2,
      ),
    );
  rows.push(
    ratioRow(
      '5',
      `loader warm hit: getRuntime (sha256 on read) vs readFile + sha256`,
      l.warm.getRuntime,
      l.warm.readHash,
      ratio(l.warm.getRuntime, l.warm.readHash),
      1.5,
    ),
  );
  rows.push(
    ratioRow(
      '6a',
      `concurrent: ${l.concurrent.processes} x wasmhub get at once vs ${l.concurrent.processes} x the minimal script at once (wall)`,
      l.concurrent.many,
      l.concurrent.manyMinimal,
      ratio(l.concurrent.many, l.concurrent.manyMinimal),
      1.3,
    ),
  );
  const maxReq = Math.max(...l.concurrent.assetRequests);
  rows.push({
    id: '6b',
    what: `concurrent: requests for ${l.spec} the server saw per ${l.concurrent.processes}-process run`,
    measured: `${l.concurrent.assetRequests.join(', ')}`,
    baseline: '-',
    figure: String(maxReq),
    spread: `${Math.min(...l.concurrent.assetRequests)}–${maxReq}`,
    goal: '= 1',
    met: maxReq === 1 && Math.min(...l.concurrent.assetRequests) === 1,
  });
  notes.push(
    `4a: the loader transferred ${l.transferred} (${l.transferredBytes} bytes; module ${l.moduleBytes} bytes), decompressed, verified and cached it; the minimal script (bench/lib/fetch-hash.mjs) and curl fetched the same file. node -e 0: ${fmtMs(l.cold.nodeStart.median)}; CLI start only (--help): ${fmtMs(l.cold.cliStart.median)}; the same cold getRuntime in-process: ${fmtMs(l.cold.inProcess.median)}; so CLI = start ${pct(l.cold.cliStart.median, l.cold.cli.median)} + fetch/verify ${pct(l.cold.cli.median - l.cold.cliStart.median, l.cold.cli.median)}.`,
    ...(lr
      ? [
          `4b: ${lr.spec}; the bare runner is bench/lib/wasi-bare.mjs (read, compile, instantiate, start). node -e 0: ${fmtMs(lr.nodeStart.median)}; cached \`wasmhub get\` (start, manifest request, verify on read, no run): ${fmtMs(lr.cachedGet.median)}.`,
        ]
      : []),
    `5: ${l.warm.iterations} calls each; getRuntime ${fmtMs(l.warm.getRuntime.median)} vs readFile+sha256 ${fmtMs(l.warm.readHash.median)}.`,
    `6: ${l.concurrent.processes} x CLI start only (--help) at once: ${fmtMs(l.concurrent.manyStartOnly.median)}; each minimal script fetches its own copy (${l.concurrent.processes} requests), the CLI processes share one download through the cache lock; manifest requests per ${l.concurrent.processes}-process run: ${l.concurrent.manifestRequests.join(', ')}.`,
  );
}
const br = results.browser;
if (br) {
  const r9 = ratio(br.fromCache, br.fetch);
  rows.push({
    id: '9',
    what: `browser: second load of ${br.spec} (Cache Storage, SHA-256 re-checked) vs fetch of the same bytes from the loopback server`,
    measured: fmtSample(br.fromCache),
    baseline: fmtSample(br.fetch),
    figure: r9.median.toFixed(3),
    spread: `${r9.min.toFixed(2)}–${r9.max.toFixed(2)}`,
    goal: 'report',
    met: undefined,
  });
  notes.push(
    `9: headless Chromium (Debian's), ${br.moduleBytes}-byte module, timed in the page with performance.now(); load() (the same read + WebAssembly.compileStreaming) ${fmtMs(br.loadCompile.median)}; module requests made by the cached loads: ${br.moduleRequestsByCache}.`,
  );
}
const r = results.release;
if (r) {
  const maxBytes = Math.max(...r.rerunBytes);
  rows.push({
    id: '7a',
    what: 'release re-run, nothing changed: bytes uploaded',
    measured: r.rerunBytes.join(', '),
    baseline: '-',
    figure: String(maxBytes),
    spread: `${Math.min(...r.rerunBytes)}–${maxBytes}`,
    goal: '= 0',
    met: maxBytes === 0,
  });
  rows.push(
    ratioRow(
      '7b',
      `release: uploads of all ${r.assets} assets in one release vs the sum of single-asset uploads`,
      r.full,
      r.singles,
      ratio(r.full, r.singles),
      1.1,
    ),
  );
  const p = r.fullPhases;
  notes.push(
    `7: ${r.assets} assets, ${r.assetBytes} bytes. Local part alone (assemble, re-verify, stage; no GitHub): ${fmtMs(r.local.median)}; unchanged re-run: ${fmtMs(r.unchanged.median)}. A full release makes ${r.writes} write requests; with the default write pacing (WASMHUB_RELEASE_WRITE_INTERVAL_MS=1000, off here) each adds up to 1 s.`,
    p
      ? `7b (full, last run): ${fmtMs(p.totalMs)} = before first upload ${fmtMs(p.beforeUploadsMs)} + upload window ${fmtMs(p.uploadWindowMs)} (${p.uploads} uploads, longest ${fmtMs(p.longestUploadMs)}) + after last upload ${fmtMs(p.afterUploadsMs)}.${r.slowestSingle ? ` Slowest single-asset upload: ${r.slowestSingle.name} ${fmtMs(r.slowestSingle.ms)}.` : ''}`
      : '7b (full): no upload events seen.',
  );
}

for (const [i, it] of (results.interpreters ?? []).entries()) {
  rows.push(
    ratioRow(
      `8${'abcdefghijklmnopqrstuvwxyz'[i] ?? i}`,
      `interpreter speed: ${it.runtime} ${it.script} under node:wasi vs native ${it.native}`,
      it.wasm,
      it.nativeRun,
      ratio(it.wasm, it.nativeRun),
      2.0,
    ),
  );
}
if (results.interpreters?.length)
  notes.push(
    `8: whole runs: a node process (start ${fmtMs(results.loader?.cold.nodeStart.median ?? Number.NaN)} when item 4 ran) compiling and running the optimized module vs the native binary timed inside one container of the native-interpreters image; scripts in bench/scripts/.`,
  );
const py = results.python;
if (py) {
  const startup = ratio(py.startup.wasm, py.startup.native);
  rows.push({
    id: '10a',
    what: `startup: ${py.runtime} -c pass under node:wasi (module already compiled) vs native ${py.native} -c pass (a process)`,
    measured: fmtSample(py.startup.wasm),
    baseline: fmtSample(py.startup.native),
    figure: startup.median.toFixed(3),
    spread: `${startup.min.toFixed(2)}–${startup.max.toFixed(2)}`,
    goal: 'report',
    met: undefined,
  });
  rows.push(
    ratioRow(
      '10b',
      `CPU-bound: ${py.runtime} bench/scripts/cpu.py under node:wasi (module already compiled) vs native ${py.native}`,
      py.cpu.wasm,
      py.cpu.native,
      ratio(py.cpu.wasm, py.cpu.native),
      2.5,
    ),
  );
  notes.push(
    `10: both in one container of the wasi-python builder image (${py.node}, ${py.nativeVersion}); wasm = a fresh WASI instance of the compiled module per run (instantiate + _start, stdlib from ${py.stdlib.file} preopened at /usr/local/lib), native = a whole process per run (spawnSync); cpu.py printed ${py.cpu.output} on both.`,
  );
}
const nativeSize = new Map(
  (results.interpreters ?? []).map((it) => [it.runtime, `${kb(it.nativeBytes)} (${it.native})`]),
);
const sizeTable = renderPlain(
  ['runtime', 'raw', 'wasm-opt', 'gzip -9', 'brotli q11', 'opt/raw', 'br/raw', 'native Debian binary'],
  sizes
    .map((s) => [
      s.runtime,
      kb(s.raw),
      kb(s.opt),
      kb(s.gzip),
      kb(s.brotli),
      pct(s.opt, s.raw),
      pct(s.brotli, s.raw),
      nativeSize.get(s.runtime) ?? '-',
    ])
    .concat(
      py
        ? [
            [
              `${py.runtime} ${py.stdlib.file}`,
              kb(py.stdlib.zip),
              '-',
              kb(py.stdlib.gzip),
              kb(py.stdlib.brotli),
              '-',
              pct(py.stdlib.brotli, py.stdlib.zip),
              '-',
            ],
          ]
        : [],
    ),
);
const elapsed = performance.now() - started;
const out = [
  '',
  `WasmHub bench — ${new Date().toISOString()} — ${runs} runs per variant after a warm-up (cold rebuild: ${results.cached ? results.cached.cold.runs.length : 0} runs, after item 1's builds), figures = ratio of medians, pair spread = min–max of per-run ratios`,
  '',
  renderTable(rows),
  '',
  ...notes.map((n) => `  ${n}`),
  '',
  `sizes (gzip/brotli ${sizes.every((s) => s.from === 'release') ? `of the staged release ${staged.split('/').slice(-2).join('/')}` : 'computed here'})`,
  sizeTable,
  '',
  `goals met: ${rows.filter((x) => x.met).length}/${rows.filter((x) => x.met !== undefined).length}; total bench time ${fmtMs(elapsed)}`,
  '',
].join('\n');
process.stdout.write(out);
await mkdir(join(benchDir), { recursive: true });
await writeFile(
  join(benchDir, 'results.json'),
  `${JSON.stringify({ date: new Date().toISOString(), runs, coldRuns, elapsedMs: Math.round(elapsed), rows, notes, sizes, results }, (k, v) => (k === 'bytes' && Buffer.isBuffer(v) ? undefined : v), 2)}\n`,
);
log(`[bench] wrote ${join(benchDir, 'results.json')}`);
