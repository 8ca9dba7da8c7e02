// The floor for `wasmhub run` (bench item 4b): a bare node:wasi runner over a module already on disk, with
// what `wasmhub run` gives a guest by default (argv only: no folder, no environment variable).
// `node wasi-bare.mjs <module.wasm> <argv0> [args...]` exits with the guest's status.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const [wasm, argv0, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: [argv0, ...args], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(wasm));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
process.exitCode = wasi.start(instance);
