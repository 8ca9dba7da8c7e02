// Static checks of one module's bytes: header, WebAssembly.validate, WASI preview 1 command shape.

import { PipelineError } from '../errors.ts';
import { sha256Hex } from '../kit/digest.ts';

export const WASI_MODULE = 'wasi_snapshot_preview1';
const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const VERSION_1 = [0x01, 0x00, 0x00, 0x00];

export interface ModuleFacts {
  size: number;
  sha256: string;
  /** `module.name` of every import, in module order. */
  imports: string[];
  /** Names of every export, in module order. */
  exports: string[];
}

// The workspace's lib is ES2023 without DOM, so type the few WebAssembly members used here.
interface WasmModuleApi {
  validate(bytes: Uint8Array): boolean;
  Module: {
    new (bytes: Uint8Array): object;
    imports(module: object): { module: string; name: string; kind: string }[];
    exports(module: object): { name: string; kind: string }[];
  };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmModuleApi }).WebAssembly;

const hex = (bytes: ArrayLike<number>): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ') || '(nothing)';

function fail(file: string, check: string, expected: string, found: string): never {
  throw new PipelineError(
    'ERR_WASM_INVALID',
    `${file}: check "${check}" failed: expected ${expected}, found ${found}`,
    {
      context: { file, check, expected, found },
    },
  );
}

/**
 * Runs every static check on `bytes` (named `file` in errors) and returns the facts the verification
 * record keeps. Throws ERR_WASM_INVALID naming the file, the check, what was expected and what was found.
 */
export function checkModuleBytes(file: string, bytes: Uint8Array): ModuleFacts {
  if (bytes.length === 0) fail(file, 'size', 'a non-empty module', '0 bytes');
  const magic = bytes.subarray(0, 4);
  if (magic.length < 4 || MAGIC.some((b, i) => magic[i] !== b)) {
    fail(file, 'magic', `${hex(MAGIC)} ("\\0asm")`, hex(magic));
  }
  const version = bytes.subarray(4, 8);
  if (version.length < 4 || VERSION_1.some((b, i) => version[i] !== b)) {
    fail(file, 'version', `${hex(VERSION_1)} (version 1)`, hex(version));
  }
  if (!wasm.validate(bytes)) {
    let reason = 'WebAssembly.validate returned false';
    try {
      new wasm.Module(bytes);
    } catch (error) {
      reason = (error as Error).message.replace(/^WebAssembly\.Module\(\): /, '');
    }
    fail(file, 'validate', `a valid module of ${bytes.length} bytes`, reason);
  }
  const module = new wasm.Module(bytes);
  const imports = wasm.Module.imports(module);
  const exports = wasm.Module.exports(module);
  const foreign = imports.filter((i) => i.module !== WASI_MODULE);
  if (foreign.length > 0) {
    const names = foreign.map((i) => `${i.module}.${i.name}`);
    fail(file, 'wasi-imports', `every import from ${WASI_MODULE}`, `import ${names.join(', ')}`);
  }
  const start = exports.find((e) => e.name === '_start');
  if (start?.kind !== 'function')
    fail(file, 'wasi-exports', 'an exported function _start', start ? `_start is a ${start.kind}` : 'no _start export');
  const memory = exports.find((e) => e.name === 'memory');
  if (memory?.kind !== 'memory')
    fail(
      file,
      'wasi-exports',
      'an exported memory "memory"',
      memory ? `memory is a ${memory.kind}` : 'no memory export',
    );
  return {
    size: bytes.length,
    sha256: sha256Hex(bytes),
    imports: imports.map((i) => `${i.module}.${i.name}`),
    exports: exports.map((e) => e.name),
  };
}
