// The Python bench (bench/python.ts), run inside one container of the wasi-python builder image so that
// python.wasm under node:wasi and the native python3.13 of the same image share the machine, the kernel
// and the file system. `node python-bench.mjs <python.wasm> <lib dir holding python313.zip> <scripts dir> <runs> <native>`
// prints one JSON object: per variant the milliseconds of each run (the first, a warm-up, dropped).
//   wasm:   the module is compiled once; each run is a fresh WASI instance (instantiate + _start), as a
//           host that keeps the compiled module (the loader does) runs `python ...` again;
//   native: each run is a whole process (spawnSync of the interpreter), which is what starting it costs.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';

const [wasmPath, libDir, scriptsDir, runsText, native] = process.argv.slice(2);
const runs = Number(runsText);
const scratch = mkdtempSync(join(tmpdir(), 'python-bench-'));
const root = mkdtempSync(join(tmpdir(), 'python-bench-root-'));
const module = await WebAssembly.compile(readFileSync(wasmPath));

/** One run of python.wasm: milliseconds from instantiate to the end of _start, and what it printed. */
async function wasm(args) {
  const outPath = join(scratch, 'stdout');
  const out = openSync(outPath, 'w');
  const t0 = performance.now();
  const wasi = new WASI({
    version: 'preview1',
    args: ['python', ...args],
    env: { PYTHONHOME: '/usr/local' },
    // As a host given the loader's preopens would: the stdlib where PYTHONHOME says, an (empty) "/" as cwd.
    preopens: { '/': root, '/usr/local/lib': libDir, '/scripts': scriptsDir },
    returnOnExit: true,
    stdout: out,
  });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  const code = wasi.start(instance);
  const ms = performance.now() - t0;
  closeSync(out);
  if (code !== 0) throw new Error(`python.wasm ${args.join(' ')} exited with ${code}`);
  return { ms, stdout: readFileSync(outPath, 'utf8') };
}

/** One run of the native interpreter as a process of its own. */
function nativeRun(args) {
  const t0 = performance.now();
  const child = spawnSync(native, args, { encoding: 'utf8' });
  const ms = performance.now() - t0;
  if (child.status !== 0) throw new Error(`${native} ${args.join(' ')} exited with ${child.status}: ${child.stderr}`);
  return { ms, stdout: child.stdout };
}

const result = { node: process.version, native: spawnSync(native, ['--version'], { encoding: 'utf8' }).stdout.trim() };
for (const [name, args] of [
  ['startup', ['-c', 'pass']],
  ['cpu', ['/scripts/cpu.py']],
]) {
  const times = { wasm: [], native: [] };
  let outputs;
  // Interleaved (wasm, native, wasm, native...) so the noise of a shared machine hits both alike.
  for (let i = 0; i <= runs; i++) {
    const w = await wasm(args);
    const n = nativeRun(args);
    outputs = { wasm: w.stdout, native: n.stdout };
    if (i > 0) {
      times.wasm.push(w.ms);
      times.native.push(n.ms);
    }
    process.stderr.write(
      `${name} ${i === 0 ? 'warm-up' : `run ${i}/${runs}`}: wasm ${w.ms.toFixed(0)} ms, native ${n.ms.toFixed(0)} ms\n`,
    );
  }
  if (outputs.wasm !== outputs.native)
    throw new Error(
      `${name}: python.wasm printed ${JSON.stringify(outputs.wasm)}, native ${JSON.stringify(outputs.native)}`,
    );
  result[name] = { ...times, output: outputs.wasm.trim() };
}
process.stdout.write(`${JSON.stringify(result)}\n`);
