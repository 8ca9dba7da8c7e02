// 4-6. The loader against its floors, from a loopback HTTP server over a staged release. No Node CLI can
// beat curl (`node -e 0` alone is about 1.4x `curl + sha256sum` here), so the floor is a minimal Node script
// (lib/fetch-hash.mjs: fetch the same file, SHA-256 it, write it); curl + sha256sum stays as a reference.
// 4a. cold `wasmhub get` of the largest runtime through the built CLI vs the minimal script;
// 4b. `wasmhub run <lang> -- echo hi` (cached) vs a bare node:wasi runner (lib/wasi-bare.mjs) on the same file;
// 5. warm hit (integrity checked on read), in-process getRuntime vs readFile + SHA-256 of the same file;
// 6. 16 `wasmhub get` at once on an empty cache vs 16 minimal scripts at once: wall time, and requests for
//    the asset (1: the processes share one download through the cache lock).
// Break-downs: `node -e 0`, CLI start only (`--help`), in-process cold getRuntime, cached `wasmhub get`.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sha256Hex } from '../tools/pipeline/src/kit/digest.ts';
import { runProc } from './lib/proc.ts';
import { type StaticServer, startStaticServer } from './lib/static-server.ts';
import { measure, type RuntimePartOptions, type Sample } from './lib/stats.ts';
import { benchDir, wsRoot } from './lib/workspace.ts';

// The loader as built from the bench workspace's synced sources (never the checkout's dist/, which
// a concurrent \`npm run build -w @wasmhub/loader\` may be rewriting).
export const cliPath = join(wsRoot, 'packages', 'loader', 'dist', 'cli.js');
const fetchHash = fileURLToPath(new URL('lib/fetch-hash.mjs', import.meta.url));
const wasiBare = fileURLToPath(new URL('lib/wasi-bare.mjs', import.meta.url));

export interface LoaderResult {
  spec: string;
  /** The file the loader transferred (and curl fetched). */
  transferred: string;
  transferredBytes: number;
  moduleBytes: number;
  cold: { cli: Sample; minimal: Sample; curl: Sample; nodeStart: Sample; cliStart: Sample; inProcess: Sample };
  /** Item 4b; absent when the release has no `runLang`. */
  run?: { spec: string; args: string[]; cli: Sample; bare: Sample; cachedGet: Sample; nodeStart: Sample };
  warm: { getRuntime: Sample; readHash: Sample; iterations: number };
  concurrent: {
    processes: number;
    many: Sample;
    manyMinimal: Sample;
    manyStartOnly: Sample;
    /** Requests for the runtime's files (.br/.gz/.wasm) per 16-process run; goal 1 each. */
    assetRequests: number[];
    manifestRequests: number[];
  };
}

interface LoaderModule {
  RuntimeLoader: new (
    options: Record<string, unknown>,
  ) => {
    getRuntime(
      language: string,
      version?: string,
    ): Promise<{ path: string; sha256: string; size: number; version: string }>;
  };
}

async function ensureBuilt(log: (line: string) => void): Promise<void> {
  log(`[bench] npm run build -w @wasmhub/loader (in ${wsRoot})`);
  await runProc('npm', ['run', 'build', '-w', '@wasmhub/loader'], { cwd: wsRoot });
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing after npm run build -w @wasmhub/loader`);
}

export async function benchLoader(
  opts: RuntimePartOptions & {
    releaseDir: string;
    /** The runtime of item 4b (`wasmhub run <runLang> -- echo hi`), e.g. rust: its latest version. */
    runLang: string;
    processes: number;
  },
): Promise<LoaderResult> {
  await ensureBuilt(opts.log);
  const server: StaticServer = await startStaticServer(opts.releaseDir);
  const spec = `${opts.lang}@${opts.ver}`;
  const assetPrefix = `${opts.lang}-${opts.ver}.wasm`;
  const dirs: string[] = [];
  const fresh = async () => {
    const d = await mkdtemp(join(benchDir, 'cache-'));
    dirs.push(d);
    return d;
  };
  const cleanup = async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  };
  const cliGet = (cacheDir: string) =>
    runProc(process.execPath, [cliPath, 'get', spec, '--source', server.url, '--cache-dir', cacheDir, '--quiet']);
  try {
    // Which file does the loader transfer? (.br when the release has it.)
    server.reset();
    await cliGet(await fresh());
    const transferred = [...server.counts.keys()].find((k) => k.startsWith(assetPrefix));
    if (!transferred)
      throw new Error(`the loader fetched none of ${assetPrefix}*: ${[...server.counts.keys()].join(', ')}`);
    const transferredBytes = (await readFile(join(opts.releaseDir, transferred))).length;
    const moduleBytes = (await readFile(join(opts.releaseDir, assetPrefix))).length;
    await cleanup();

    const { RuntimeLoader } = (await import(
      pathToFileURL(join(wsRoot, 'packages', 'loader', 'dist', 'index.js')).href
    )) as LoaderModule;
    let cacheDir = '';
    let curlDir = '';
    const cold = await measure(
      [
        {
          name: 'cli',
          before: async () => {
            cacheDir = await fresh();
          },
          run: async () => void (await cliGet(cacheDir)),
        },
        {
          name: 'minimal',
          before: async () => {
            curlDir = await fresh();
          },
          run: async () =>
            void (await runProc(process.execPath, [
              fetchHash,
              `${server.url}/${transferred}`,
              join(curlDir, transferred),
            ])),
        },
        {
          name: 'curl',
          before: async () => {
            curlDir = await fresh();
          },
          run: async () => {
            const t0 = performance.now();
            const file = join(curlDir, transferred);
            await runProc('curl', ['-sSf', '-o', file, `${server.url}/${transferred}`]);
            await runProc('sha256sum', [file]);
            return performance.now() - t0;
          },
        },
        { name: 'nodeStart', run: async () => void (await runProc(process.execPath, ['-e', '0'])) },
        { name: 'cliStart', run: async () => void (await runProc(process.execPath, [cliPath, '--help'])) },
        {
          name: 'inProcess',
          before: async () => {
            cacheDir = await fresh();
          },
          run: async () =>
            void (await new RuntimeLoader({ sources: [server.url], cacheDir }).getRuntime(opts.lang, opts.ver)),
        },
      ],
      { runs: opts.runs, warmup: 1, log: opts.log, label: 'loader-cold' },
    );
    await cleanup();

    // 5. Warm hit: one populated cache, many calls.
    const warmDir = await fresh();
    const loader = new RuntimeLoader({ sources: [server.url], cacheDir: warmDir });
    const { path } = await loader.getRuntime(opts.lang, opts.ver);
    const iterations = Math.max(20, opts.runs * 4);
    const warm = await measure(
      [
        { name: 'getRuntime', run: async () => void (await loader.getRuntime(opts.lang, opts.ver)) },
        {
          name: 'readHash',
          run: async () => void sha256Hex(await readFile(path)),
        },
      ],
      { runs: iterations, warmup: 3, log: () => {}, label: 'loader-warm' },
    );
    await cleanup();

    // 4b. `wasmhub run` on a cached runtime vs a bare node:wasi runner on the cached file.
    let run: LoaderResult['run'];
    const released = JSON.parse(await readFile(join(opts.releaseDir, 'manifest.json'), 'utf8')) as {
      languages: Record<string, unknown>;
    };
    if (Object.hasOwn(released.languages, opts.runLang)) {
      const runDir = await fresh();
      const runArgs = ['echo', 'hi'];
      const cached = await new RuntimeLoader({ sources: [server.url], cacheDir: runDir }).getRuntime(opts.runLang);
      const base = ['--source', server.url, '--cache-dir', runDir, '--quiet'];
      const samples = await measure(
        [
          {
            name: 'cli',
            run: async () =>
              void (await runProc(process.execPath, [cliPath, 'run', opts.runLang, ...base, '--', ...runArgs])),
          },
          {
            name: 'bare',
            run: async () => void (await runProc(process.execPath, [wasiBare, cached.path, opts.runLang, ...runArgs])),
          },
          {
            name: 'cachedGet',
            run: async () => void (await runProc(process.execPath, [cliPath, 'get', opts.runLang, ...base])),
          },
          { name: 'nodeStart', run: async () => void (await runProc(process.execPath, ['-e', '0'])) },
        ],
        { runs: opts.runs, warmup: 1, log: opts.log, label: 'loader-run' },
      );
      run = {
        spec: `${opts.runLang}@${cached.version}`,
        args: runArgs,
        cli: samples.cli as Sample,
        bare: samples.bare as Sample,
        cachedGet: samples.cachedGet as Sample,
        nodeStart: samples.nodeStart as Sample,
      };
      await cleanup();
    } else opts.log(`[bench] item 4b skipped: the staged release has no ${opts.runLang}`);

    // 6. Concurrent fetch: n CLI processes sharing one cache vs n minimal scripts (each its own file).
    const n = opts.processes;
    const assetRequests: number[] = [];
    const manifestRequests: number[] = [];
    const many = await measure(
      [
        {
          name: 'many',
          before: async () => {
            cacheDir = await fresh();
            server.reset();
          },
          run: async () => void (await Promise.all(Array.from({ length: n }, () => cliGet(cacheDir)))),
          after: async () => {
            let assets = 0;
            let manifests = 0;
            for (const [name, count] of server.counts) {
              if (name.startsWith(assetPrefix)) assets += count;
              else if (name.endsWith('manifest.json')) manifests += count;
            }
            assetRequests.push(assets);
            manifestRequests.push(manifests);
          },
        },
        {
          name: 'manyMinimal',
          before: async () => {
            curlDir = await fresh();
          },
          run: async () =>
            void (await Promise.all(
              Array.from({ length: n }, (_, i) =>
                runProc(process.execPath, [
                  fetchHash,
                  `${server.url}/${transferred}`,
                  join(curlDir, `${i}-${transferred}`),
                ]),
              ),
            )),
        },
        {
          name: 'manyStart',
          run: async () =>
            void (await Promise.all(Array.from({ length: n }, () => runProc(process.execPath, [cliPath, '--help'])))),
        },
      ],
      { runs: opts.runs, warmup: 1, log: opts.log, label: 'loader-concurrent' },
    );
    return {
      spec,
      transferred,
      transferredBytes,
      moduleBytes,
      cold: {
        cli: cold.cli as Sample,
        minimal: cold.minimal as Sample,
        curl: cold.curl as Sample,
        nodeStart: cold.nodeStart as Sample,
        cliStart: cold.cliStart as Sample,
        inProcess: cold.inProcess as Sample,
      },
      ...(run ? { run } : {}),
      warm: { getRuntime: warm.getRuntime as Sample, readHash: warm.readHash as Sample, iterations },
      concurrent: {
        processes: n,
        many: many.many as Sample,
        manyMinimal: many.manyMinimal as Sample,
        manyStartOnly: many.manyStart as Sample,
        // The warm-up run is not in the samples; its counts are dropped too.
        assetRequests: assetRequests.slice(-opts.runs),
        manifestRequests: manifestRequests.slice(-opts.runs),
      },
    };
  } finally {
    await cleanup();
    await server.close();
  }
}
