// Runs a wasm32-wasip1 command under node:wasi, taking wasmtime's flags, so CPython's WASI build
// (Tools/wasm/wasi.py --host-runner) can run python.wasm during the build without wasmtime.
// usage: node host-runner.mjs [--map HOST::GUEST]... [--env NAME=VALUE]... module.wasm [args...]
import { readFileSync } from 'node:fs';
import { WASI } from 'node:wasi';

const argv = process.argv.slice(2);
const preopens = {};
const env = {};
while (argv[0]?.startsWith('--')) {
  const [flag, value = ''] = argv.splice(0, 2);
  const cut = value.indexOf(flag === '--map' ? '::' : '=');
  if (cut < 0 || (flag !== '--map' && flag !== '--env')) {
    process.stderr.write(`host-runner: bad option ${flag} ${value}\n`);
    process.exit(2);
  }
  if (flag === '--map') preopens[value.slice(cut + 2)] = value.slice(0, cut);
  else env[value.slice(0, cut)] = value.slice(cut + 1);
}
const [file, ...args] = argv;
const wasi = new WASI({ version: 'preview1', args: [file, ...args], env, preopens, returnOnExit: true });
const instance = await WebAssembly.instantiate(await WebAssembly.compile(readFileSync(file)), wasi.getImportObject());
process.exitCode = wasi.start(instance);
