// Test helpers: small but real WASI preview 1 command modules built with binaryen's JS API, and a
// one-case conformance suite for them. The unit tests run them through the real host (runWasiMany
// via runConformance), beside the real modules from the build stage in the docker tests.
import binaryen from 'binaryen';
import type { ConformanceSuite } from '../verify/conformance.ts';

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

/**
 * A conformance suite of one case, `hello`: no arguments; stdout exactly `stdout` (default: what
 * `wasiWat()` prints), or a per-language pattern when `stdout` is a `{ language: pattern }` record;
 * nothing on stderr; exit code 0.
 */
export function helloSuite(stdout: string | Record<string, string> = 'hello from wasi\n'): ConformanceSuite {
  const expected = typeof stdout === 'string' ? { stdout } : { stdoutMatches: stdout };
  return {
    file: 'hello-suite (test-modules.ts)',
    cases: [{ name: 'hello', args: [], ...expected, stderr: '', exitCode: 0 }],
  };
}
