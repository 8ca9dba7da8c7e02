// A stand-in for any program that runs a module through runWasi (the verify stage, a vitest worker):
// `node --import tsx/esm run-wasi-parent.ts <module.wasm>` runs the module with a ten-minute timeout.
// The orphan test (verify/orphans.test.ts) SIGKILLs it while the module loops.
import { runWasi } from '../verify/run-wasi.ts';

const [wasm] = process.argv.slice(2);
if (!wasm) throw new Error('usage: run-wasi-parent.ts <module.wasm>');
await runWasi(wasm, [], { timeoutMs: 600_000 });
