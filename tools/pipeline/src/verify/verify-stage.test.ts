// verifyVersion with companion files: the conformance cases of both modules see each companion at its
// guest path (a fresh copy per module) and the guest environment, as a host running the module would;
// a companion missing or changed since the build is refused in one line before any module runs.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { sha256Hex } from '../kit/digest.ts';
import type { ConformanceSuite } from './conformance.ts';
import { type CompanionMount, verifyVersion } from './verify-stage.ts';

const WASI = 'wasi_snapshot_preview1';

/**
 * _start opens lib.txt in the second preopen (fd 4: the first, fd 3, is the case's scratch "/"),
 * copies it to stdout, then writes the environ block (NUL-terminated strings); a failed open exits 100 + errno.
 */
const companionWat = `(module
  (import "${WASI}" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "${WASI}" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "${WASI}" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "${WASI}" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "${WASI}" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "${WASI}" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "lib.txt")
  (func (export "_start") (local $errno i32)
    (local.set $errno (call $path_open (i32.const 4) (i32.const 0) (i32.const 100) (i32.const 7)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0)))
    (if (local.get $errno) (then (call $proc_exit (i32.add (i32.const 100) (local.get $errno)))))
    (i32.store (i32.const 16) (i32.const 1024))
    (i32.store (i32.const 20) (i32.const 1024))
    (drop (call $fd_read (i32.load (i32.const 0)) (i32.const 16) (i32.const 1) (i32.const 24)))
    (i32.store (i32.const 20) (i32.load (i32.const 24)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))
    (drop (call $environ_sizes_get (i32.const 32) (i32.const 36)))
    (drop (call $environ_get (i32.const 2048) (i32.const 4096)))
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.load (i32.const 36)))
    (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 24)))))`;

const LIB = 'the standard library\n';
const suite: ConformanceSuite = {
  file: 'companion-suite (verify-stage.test.ts)',
  cases: [{ name: 'reads-companion', args: [], stdout: `${LIB}DEMOHOME=/usr/local\0`, stderr: '', exitCode: 0 }],
};

let root: string;
let companion: CompanionMount;

function moduleBytes(optimize: boolean): Uint8Array {
  const module = binaryen.parseText(companionWat);
  try {
    if (!module.validate()) throw new Error('binaryen rejected the test module');
    if (optimize) module.optimize();
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

const input = () => ({
  language: 'demo',
  version: '1.0',
  rawPath: join(root, 'build/demo/demo-1.0.wasm'),
  optPath: join(root, 'build/demo/opt/demo-1.0.wasm'),
  recordPath: join(root, 'build/demo/demo-1.0.verify.json'),
  conformance: { suite },
  companions: [companion],
  guestEnv: { DEMOHOME: '/usr/local' },
  root,
  log: () => {},
});

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wasmhub-verify-companions-'));
  await mkdir(join(root, 'build/demo/opt'), { recursive: true });
  await mkdir(join(root, 'build/demo/companions'), { recursive: true });
  await writeFile(join(root, 'build/demo/demo-1.0.wasm'), moduleBytes(false));
  await writeFile(join(root, 'build/demo/opt/demo-1.0.wasm'), moduleBytes(true));
  const path = join(root, 'build/demo/companions/demo-1.0-lib.txt');
  await writeFile(path, LIB);
  companion = { path, size: LIB.length, sha256: sha256Hex(Buffer.from(LIB)), guestPath: '/usr/local/lib/lib.txt' };
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function refusal(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}

describe('verifyVersion with companion files', () => {
  it('runs both modules with each companion at its guest path and the guest environment set', async () => {
    const record = await verifyVersion(input());
    expect(record.conformance).toEqual({ cases: ['reads-companion'], identical: true });
    expect(JSON.parse(await readFile(input().recordPath, 'utf8'))).toEqual(record);
  });

  it('without the companions the same case fails (the module really reads the mounted copy)', async () => {
    const { companions: _, guestEnv: __, ...bare } = input();
    const error = await refusal(verifyVersion({ ...bare, recordPath: join(root, 'bare.verify.json') }));
    expect(error.code).toBe('ERR_CONFORMANCE');
  });

  it('refuses a companion changed or missing since the build in one line, before running anything', async () => {
    const recordPath = join(root, 'refused.verify.json');
    await writeFile(companion.path, 'changed\n');
    let error = await refusal(verifyVersion({ ...input(), recordPath }));
    expect(error.code).toBe('ERR_WASM_INVALID');
    expect(error.message).toBe(
      `build/demo/companions/demo-1.0-lib.txt: companion check "sha256" failed: expected ${LIB.length} bytes, sha256 ${companion.sha256} (built), found 8 bytes, sha256 ${sha256Hex(Buffer.from('changed\n'))}: run the build stage again`,
    );
    await rm(companion.path);
    error = await refusal(verifyVersion({ ...input(), recordPath }));
    expect(error.message).toMatch(/companion check "sha256" failed: .* found no file: run the build stage again$/);
    expect(error.message).not.toContain('\n');
    await expect(stat(recordPath)).rejects.toThrow(/ENOENT/);
    await writeFile(companion.path, LIB);
  });
});
