// Python (issue 13): the stdlib companion's sizes, and python.wasm (optimized, as released) under node:wasi
// against the native python3.13 of the wasi-python builder image, both run in one container of that image
// (bench/lib/python-bench.mjs): `python -c pass` with the module already compiled, and bench/scripts/cpu.py.
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { connectDocker } from '../tools/pipeline/src/docker/engine.ts';
import { ensureBuilderImage } from '../tools/pipeline/src/docker/image.ts';
import { runContainer } from '../tools/pipeline/src/docker/run-container.ts';
import { COMPANIONS_DIR } from '../tools/pipeline/src/paths.ts';
import { type Sample, summarize } from './lib/stats.ts';
import { type RuntimeVersionInfo, repoRoot } from './lib/workspace.ts';

export const PYTHON_VERSION = '3.13';
const NATIVE = '/usr/bin/python3.13';

export interface PythonBenchResult {
  runtime: string;
  native: string;
  /** `python3.13 --version` and `node --version` inside the container. */
  nativeVersion: string;
  node: string;
  startup: { wasm: Sample; native: Sample };
  cpu: { wasm: Sample; native: Sample; output: string };
  stdlib: { file: string; zip: number; gzip: number; brotli: number; from: 'release' | 'computed' };
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  );
}

/** The stdlib companion staged by the release (`python-3.13-stdlib.zip` + .gz/.br), or the build's (build/python/companions/). */
async function stdlibSizes(releaseDir: string, version: RuntimeVersionInfo) {
  const file = `${version.lang}-${version.ver}-stdlib.zip`;
  const staged = join(releaseDir, file);
  const built = join(dirname(version.raw), COMPANIONS_DIR, file);
  const path = (await sizeOf(staged)) !== undefined ? staged : built;
  const zip = await sizeOf(path);
  if (zip === undefined) throw new Error(`${file}: neither in ${releaseDir} nor in ${dirname(built)}`);
  let gzip = await sizeOf(`${staged}.gz`);
  let brotli = await sizeOf(`${staged}.br`);
  const from = gzip !== undefined && brotli !== undefined ? ('release' as const) : ('computed' as const);
  if (gzip === undefined || brotli === undefined) {
    const bytes = await readFile(path);
    gzip ??= gzipSync(bytes, { level: 9 }).length;
    brotli ??= brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
    }).length;
  }
  return { path, sizes: { file, zip, gzip, brotli, from } };
}

export async function benchPython(options: {
  versions: RuntimeVersionInfo[];
  releaseDir: string;
  runs: number;
  log: (line: string) => void;
}): Promise<PythonBenchResult> {
  const v = options.versions.find((x) => x.lang === 'python' && x.ver === PYTHON_VERSION);
  if (!v)
    throw new Error(
      `python@${PYTHON_VERSION} is not a runtime version of this checkout (runtimes/python/runtime.json)`,
    );
  const stdlib = await stdlibSizes(options.releaseDir, v);
  const docker = await connectDocker();
  const image = await ensureBuilderImage(docker, 'wasi-python', { log: options.log });
  // The container user (the image's `builder`) reads what is mounted: a world-readable scratch folder.
  const scratch = await mkdtemp(join(tmpdir(), 'wasmhub-bench-python-'));
  try {
    await mkdir(join(scratch, 'lib'));
    await copyFile(stdlib.path, join(scratch, 'lib', `python${PYTHON_VERSION.replace('.', '')}.zip`));
    await copyFile(v.opt, join(scratch, 'python.wasm'));
    await chmod(scratch, 0o755);
    await chmod(join(scratch, 'lib'), 0o755);
    options.log(
      `[bench] python@${v.ver}: -c pass and cpu.py under node:wasi vs native ${NATIVE}, ${options.runs} runs each, in one ${image.tag} container`,
    );
    const lines: string[] = [];
    const { exitCode, tail } = await runContainer(docker, {
      image: image.tag,
      cmd: ['node', '/bench/python-bench.mjs', '/py/python.wasm', '/py/lib', '/scripts', String(options.runs), NATIVE],
      mounts: [
        { host: scratch, container: '/py', readOnly: true },
        { host: join(repoRoot, 'bench', 'scripts'), container: '/scripts', readOnly: true },
        { host: join(repoRoot, 'bench', 'lib'), container: '/bench', readOnly: true },
      ],
      network: 'none',
      task: 'bench python',
      log: (line, stream) => (stream === 'stderr' ? options.log(line) : lines.push(line)),
    });
    if (exitCode !== 0) throw new Error(`python bench in ${image.tag} exited with ${exitCode}: ${tail.join(' | ')}`);
    const json = lines.map((l) => l.slice(Math.max(0, l.indexOf('{"node"')))).find((l) => l.startsWith('{"node"'));
    if (!json) throw new Error(`python bench in ${image.tag} printed no result: ${tail.join(' | ')}`);
    const r = JSON.parse(json) as {
      node: string;
      native: string;
      startup: { wasm: number[]; native: number[] };
      cpu: { wasm: number[]; native: number[]; output: string };
    };
    return {
      runtime: `python@${v.ver}`,
      native: NATIVE,
      nativeVersion: r.native,
      node: r.node,
      startup: { wasm: summarize(r.startup.wasm), native: summarize(r.startup.native) },
      cpu: { wasm: summarize(r.cpu.wasm), native: summarize(r.cpu.native), output: r.cpu.output },
      stdlib: stdlib.sizes,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
