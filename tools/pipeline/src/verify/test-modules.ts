// Test helpers: small but real WASI preview 1 command modules built with binaryen's JS API, and an
// in-process node:wasi runner. Used by the unit tests until (and beside) real modules from the build stage.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import binaryen from 'binaryen';
import type { CaseRun, Outcome } from './cases.ts';

const escapeWat = (text: string): string =>
  Array.from(new TextEncoder().encode(text), (b) => `\\${b.toString(16).padStart(2, '0')}`).join('');

export interface WatOptions {
  /** Printed on stdout by _start. */
  message?: string;
  /** Exit code passed to proc_exit (omitted: _start returns normally). */
  exitCode?: number;
  /** An extra import `module.name` (a func with no params) that _start never calls. */
  extraImport?: { module: string; name: string };
  /** Leave out the `_start` export. */
  noStart?: boolean;
}

/** WAT of a command whose _start writes `message` to fd 1 through fd_write. */
export function wasiWat(options: WatOptions = {}): string {
  const message = options.message ?? 'hello from wasi\n';
  const length = new TextEncoder().encode(message).length;
  const extra = options.extraImport
    ? `(import "${options.extraImport.module}" "${options.extraImport.name}" (func $extra))`
    : '';
  const exit = options.exitCode === undefined ? '' : `(call $proc_exit (i32.const ${options.exitCode}))`;
  return `(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  ${extra}
  (memory $mem 1)
  (export "memory" (memory $mem))
  (data (i32.const 64) "${escapeWat(message)}")
  (func $print (param $ptr i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func $start
    (call $print (i32.const 64) (i32.const ${length}))
    ${exit})
  ${options.noStart ? '' : '(export "_start" (func $start))'}
)`;
}

/** Binary of `wasiWat(options)`, validated by binaryen. */
export function makeWasiModule(options: WatOptions = {}): Uint8Array {
  const module = binaryen.parseText(wasiWat(options));
  try {
    if (!module.validate()) throw new Error('binaryen rejected the test module');
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

interface WasmInstantiate {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }>;
}

/** Runs a module's _start in-process under node:wasi, capturing stdout and stderr. */
export async function runInProcess(wasmPath: string, args: string[] = []): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'wasmhub-run-'));
  const out = openSync(join(dir, 'stdout'), 'w+');
  const err = openSync(join(dir, 'stderr'), 'w+');
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: ['module', ...args],
      env: {},
      stdout: out,
      stderr: err,
      returnOnExit: true,
    });
    const wasm = (globalThis as unknown as { WebAssembly: WasmInstantiate }).WebAssembly;
    const { instance } = await wasm.instantiate(await readFile(wasmPath), wasi.getImportObject());
    const exitCode = wasi.start(instance) ?? 0;
    return {
      stdout: readFileSync(join(dir, 'stdout'), 'utf8'),
      stderr: readFileSync(join(dir, 'stderr'), 'utf8'),
      exitCode,
    };
  } finally {
    closeSync(out);
    closeSync(err);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A case runner over runInProcess: one case, with (or without) an exact expected outcome. */
export function singleCaseRunner(expected?: Outcome) {
  return async (wasmPath: string): Promise<CaseRun[]> => [
    { name: 'hello', args: [], actual: await runInProcess(wasmPath), ...(expected ? { expected } : {}) },
  ];
}
