// Interpreter modules against the native interpreter Debian ships (docker/native-interpreters.Dockerfile):
// the size of the native binary next to the module's sizes, and the wall time of one CPU-bound script
// (bench/scripts/) run by the optimized module under node:wasi vs by the native interpreter, as a ratio.
// The native runs are timed inside one container (so `docker run` itself is not counted); the wasm runs
// are whole `node` processes (start, compile, run), as a user runs the module.
import { join } from 'node:path';
import { connectDocker } from '../tools/pipeline/src/docker/engine.ts';
import { ensureBuilderImage } from '../tools/pipeline/src/docker/image.ts';
import { runContainer } from '../tools/pipeline/src/docker/run-container.ts';
import { runProc } from './lib/proc.ts';
import { type PartOptions, type Sample, summarize } from './lib/stats.ts';
import { type RuntimeVersionInfo, repoRoot } from './lib/workspace.ts';

/** One row per interpreter: which module, which native binary of the image, which script. */
export interface Interpreter {
  lang: string;
  ver: string;
  /** Absolute path of the native interpreter in the native-interpreters image. */
  native: string;
  /** File in bench/scripts/. */
  script: string;
}

export const INTERPRETERS: Interpreter[] = [
  { lang: 'javascript', ver: '2025.04.26', native: '/usr/bin/qjs', script: 'cpu.js' },
  { lang: 'lua', ver: '5.4', native: '/usr/bin/lua5.4', script: 'cpu.lua' },
];

export interface InterpreterResult {
  runtime: string;
  native: string;
  /** Size of the native binary (symlinks resolved). */
  nativeBytes: number;
  script: string;
  wasm: Sample;
  nativeRun: Sample;
}

const scriptsDir = join(repoRoot, 'bench', 'scripts');

/** Native: `runs` + 1 timed runs (the first is a warm-up) inside one container; ms per run and the binary's size. */
async function timeNative(image: string, row: Interpreter, runs: number): Promise<{ ms: number[]; bytes: number }> {
  const docker = await connectDocker();
  const lines: string[] = [];
  const { exitCode, tail } = await runContainer(docker, {
    image,
    cmd: [
      'sh',
      '-c',
      'set -eu; echo "bytes $(stat -L -c %s "$NATIVE")"; i=0; while [ $i -le "$RUNS" ]; do s=$(date +%s%N); "$NATIVE" "$SCRIPT" > /dev/null; e=$(date +%s%N); echo "ns $((e - s))"; i=$((i + 1)); done',
    ],
    env: { NATIVE: row.native, SCRIPT: `/scripts/${row.script}`, RUNS: String(runs) },
    mounts: [{ host: scriptsDir, container: '/scripts', readOnly: true }],
    network: 'none',
    task: `bench ${row.native}`,
    log: (line) => lines.push(line),
  });
  if (exitCode !== 0)
    throw new Error(`${row.native} ${row.script} in ${image} exited with ${exitCode}: ${tail.join(' | ')}`);
  const values = (key: string) =>
    lines.flatMap((l) => {
      const m = new RegExp(`\\b${key} (\\d+)$`).exec(l);
      return m ? [Number(m[1])] : [];
    });
  const [bytes] = values('bytes');
  return {
    ms: values('ns')
      .slice(1)
      .map((ns) => ns / 1e6),
    bytes: bytes ?? 0,
  };
}

export async function benchInterpreters(
  options: PartOptions & { versions: RuntimeVersionInfo[] },
): Promise<InterpreterResult[]> {
  const rows = INTERPRETERS.filter((r) => options.versions.some((v) => v.lang === r.lang && v.ver === r.ver));
  if (rows.length === 0) return [];
  const docker = await connectDocker();
  const image = await ensureBuilderImage(docker, 'native-interpreters', { log: options.log });
  const results: InterpreterResult[] = [];
  for (const row of rows) {
    const v = options.versions.find((x) => x.lang === row.lang && x.ver === row.ver);
    if (!v) continue;
    options.log(
      `[bench] ${row.lang}@${row.ver}: ${row.script} under node:wasi vs native ${row.native}, ${options.runs} runs each`,
    );
    const wasm: number[] = [];
    const runner = join(repoRoot, 'bench', 'lib', 'wasi-main.mjs');
    for (let i = 0; i <= options.runs; i++) {
      const { ms } = await runProc(process.execPath, ['--no-warnings', runner, v.opt, scriptsDir, row.script]);
      if (i > 0) wasm.push(ms);
    }
    const native = await timeNative(image.tag, row, options.runs);
    results.push({
      runtime: `${row.lang}@${row.ver}`,
      native: row.native,
      nativeBytes: native.bytes,
      script: row.script,
      wasm: summarize(wasm),
      nativeRun: summarize(native.ms),
    });
  }
  return results;
}
