// Runs a wasm32-wasip1 command module under node:wasi as a process of its own, the way a user runs
// an interpreter module: `node wasi-main.mjs <module.wasm> <dir> [args...]` preopens <dir> as the
// guest's "/" (its working directory), passes stdio through, and exits with the module's status.
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const [wasm, dir, ...args] = process.argv.slice(2);
const wasi = new WASI({
  version: 'preview1',
  args: ['wasm', ...args],
  env: {},
  preopens: { '/': dir },
  returnOnExit: true,
});
const { instance } = await WebAssembly.instantiate(readFileSync(wasm), wasi.getImportObject());
process.exitCode = wasi.start(instance);
