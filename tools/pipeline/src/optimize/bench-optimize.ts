// Benchmark: our optimize step (optimizeModule, native engine) against native wasm-opt run directly
// with the docker CLI (`docker run <trixie builder> wasm-opt <in> -Oz --enable-bulk-memory -o <out>`),
// on the same module, alternating runs to spread the noise of a shared machine.
// Usage: npx tsx tools/pipeline/src/optimize/bench-optimize.ts <module.wasm> [runs=3] [--js]
import { chown, copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { connectDocker } from '../docker/engine.ts';
import { ensureBuilderImage } from '../docker/image.ts';
import { sha256Hex } from '../verify/wasm-checks.ts';
import { WASM_OPT_IMAGE } from './native.ts';
import { optimizeModule } from './optimize-module.ts';
import { WASM_OPT_FEATURES, wasmOptArgs } from './wasm-opt-args.ts';

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const [source, runsText = '3'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const withJs = process.argv.includes('--js');
if (!source) throw new Error('usage: bench-optimize.ts <module.wasm> [runs] [--js]');
const runs = Number(runsText);
const dir = await mkdtemp(join(tmpdir(), 'wasmhub-bench-opt-'));
const input = join(dir, basename(source));
await copyFile(source, input);
const out = join(dir, 'out');
await execa('mkdir', ['-p', out]);
if (process.getuid?.() === 0) await chown(out, 1000, 1000);
const docker = await connectDocker();
const image = await ensureBuilderImage(docker, WASM_OPT_IMAGE);
const user = process.getuid?.() === 0 ? '1000:1000' : `${process.getuid?.()}:${process.getgid?.()}`;
const direct: number[] = [];
const ours: number[] = [];
const js: number[] = [];
const digests = new Set<string>();
for (let i = 0; i < runs; i++) {
  let t = performance.now();
  await execa('docker', [
    'run',
    '--rm',
    '--network',
    'none',
    '-u',
    user,
    '-v',
    `${input}:/in/${basename(input)}:ro`,
    '-v',
    `${out}:/out`,
    image.tag,
    'wasm-opt',
    ...wasmOptArgs(`/in/${basename(input)}`, '/out/direct.wasm', '-Oz'),
  ]);
  direct.push(performance.now() - t);
  digests.add(sha256Hex(await readFile(join(out, 'direct.wasm'))));
  t = performance.now();
  await optimizeModule({
    input,
    output: join(dir, 'ours.wasm'),
    level: '-Oz',
    task: 'bench',
    engine: 'native',
    connect: async () => docker,
    log: () => {},
  });
  ours.push(performance.now() - t);
  digests.add(sha256Hex(await readFile(join(dir, 'ours.wasm'))));
  if (withJs) {
    t = performance.now();
    await optimizeModule({
      input,
      output: join(dir, 'js.wasm'),
      level: '-Oz',
      task: 'bench',
      engine: 'js',
      log: () => {},
    });
    js.push(performance.now() - t);
  }
}
const s = (ms: number[]) =>
  `${(median(ms) / 1000).toFixed(2)} s (runs: ${ms.map((m) => (m / 1000).toFixed(2)).join(', ')})`;
const inSize = (await stat(input)).size;
const outSize = (await stat(join(dir, 'ours.wasm'))).size;
console.log(`module ${source}: ${inSize} -> ${outSize} bytes (-Oz ${WASM_OPT_FEATURES.join(' ')}), image ${image.tag}`);
console.log(`direct docker run wasm-opt: median ${s(direct)}`);
console.log(`optimize step (native):     median ${s(ours)}`);
if (withJs) console.log(`optimize step (binaryen.js): median ${s(js)}`);
console.log(
  `ratio ours/direct: ${(median(ours) / median(direct)).toFixed(3)}; identical outputs: ${digests.size === 1}`,
);
await rm(dir, { recursive: true, force: true });
