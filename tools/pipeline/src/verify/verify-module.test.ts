import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipelineFailure } from '../testing/pipeline-failure.ts';
import { helloSuite, makeWasiModule } from '../testing/test-modules.ts';
import { runWasi } from './run-wasi.ts';
import { verifyModule } from './verify-module.ts';
import { verifyVersion } from './verify-stage.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasmhub-verify-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

describe('verifyModule on a real WASI command', () => {
  it('accepts a valid module and reports size, sha256, imports and exports', async () => {
    const bytes = makeWasiModule({ message: 'hi\n' });
    const path = await write('ok.wasm', bytes);
    const result = await verifyModule(path, { displayName: 'ok.wasm' });
    expect(result.size).toBe(bytes.length);
    expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.imports).toEqual(['wasi_snapshot_preview1.fd_write', 'wasi_snapshot_preview1.proc_exit']);
    expect(result.exports).toEqual(expect.arrayContaining(['_start', 'memory']));
    expect(await runWasi(path, [])).toEqual({ stdout: 'hi\n', stderr: '', exitCode: 0 });
  });

  it('catches a corrupted magic number', async () => {
    const bytes = makeWasiModule();
    bytes[3] = 0x6e;
    const error = await pipelineFailure(verifyModule(await write('magic.wasm', bytes), { displayName: 'magic.wasm' }));
    expect(error.code).toBe('ERR_WASM_INVALID');
    expect(error.message).toBe('magic.wasm: check "magic" failed: expected 00 61 73 6d ("\\0asm"), found 00 61 73 6e');
  });

  it('catches a wrong version', async () => {
    const bytes = makeWasiModule();
    bytes[4] = 2;
    const error = await pipelineFailure(
      verifyModule(await write('version.wasm', bytes), { displayName: 'version.wasm' }),
    );
    expect(error.message).toBe(
      'version.wasm: check "version" failed: expected 01 00 00 00 (version 1), found 02 00 00 00',
    );
  });

  it('catches a truncated module', async () => {
    const bytes = makeWasiModule();
    const cut = bytes.subarray(0, bytes.length - 7);
    const error = await pipelineFailure(verifyModule(await write('cut.wasm', cut), { displayName: 'cut.wasm' }));
    expect(error.code).toBe('ERR_WASM_INVALID');
    expect(error.message).toMatch(
      /^cut\.wasm: check "validate" failed: expected a valid module of \d+ bytes, found .+/,
    );
    expect(error.context).toMatchObject({ file: 'cut.wasm', check: 'validate' });
  });

  it('catches a module truncated inside its header', async () => {
    const error = await pipelineFailure(
      verifyModule(await write('tiny.wasm', makeWasiModule().subarray(0, 6)), { displayName: 'tiny.wasm' }),
    );
    expect(error.message).toBe('tiny.wasm: check "version" failed: expected 01 00 00 00 (version 1), found 01 00');
  });

  it('names a non-WASI import', async () => {
    const bytes = makeWasiModule({ extraImport: { module: 'env', name: 'host_random' } });
    const error = await pipelineFailure(verifyModule(await write('env.wasm', bytes), { displayName: 'env.wasm' }));
    expect(error.code).toBe('ERR_WASM_INVALID');
    expect(error.message).toBe(
      'env.wasm: check "wasi-imports" failed: expected every import from wasi_snapshot_preview1, found import env.host_random',
    );
  });

  it('requires the _start export', async () => {
    const error = await pipelineFailure(
      verifyModule(await write('nostart.wasm', makeWasiModule({ noStart: true })), { displayName: 'nostart.wasm' }),
    );
    expect(error.message).toBe(
      'nostart.wasm: check "wasi-exports" failed: expected an exported function _start, found no _start export',
    );
  });

  it('checks an expected sha256 (release-time re-verification)', async () => {
    const path = await write('pinned.wasm', makeWasiModule());
    const error = await pipelineFailure(
      verifyModule(path, { displayName: 'pinned.wasm', expected: { sha256: '0'.repeat(64) } }),
    );
    expect(error.message).toMatch(/^pinned\.wasm: check "sha256" failed: expected 0{64}, found [0-9a-f]{64}$/);
  });

  it('runs the conformance cases in the real host and compares them with the expected outcome', async () => {
    const path = await write('wrong.wasm', makeWasiModule({ message: 'bye\n' }));
    const conformance = { suite: helloSuite('hi\n') };
    const verify = (displayName: string) => verifyModule(path, { displayName, language: 'test', conformance });
    const error = await pipelineFailure(verify('wrong.wasm'));
    expect(error.code).toBe('ERR_CONFORMANCE');
    expect(error.message).toBe(
      'wrong.wasm: conformance case "hello" stdout: expected "hi\\n", found "bye\\n" (first difference at character 0)',
    );
    await writeFile(path, makeWasiModule({ message: 'hi\n' }));
    const passed = await verify('right.wasm');
    expect(passed.cases?.map((c) => [c.name, c.ok, c.actual.stdout])).toEqual([['hello', true, 'hi\n']]);
  });

  it('compares exit codes', async () => {
    const path = await write('exit.wasm', makeWasiModule({ message: 'hi\n', exitCode: 3 }));
    const error = await pipelineFailure(
      verifyModule(path, { displayName: 'exit.wasm', language: 'test', conformance: { suite: helloSuite('hi\n') } }),
    );
    expect(error.message).toBe('exit.wasm: conformance case "hello" exit code: expected 0, found 3');
  });
});

describe('verifyVersion (unoptimized + optimized)', () => {
  it('writes a deterministic verification record when both behave the same', async () => {
    const raw = await write('same-raw.wasm', makeWasiModule({ message: 'same\n' }));
    const opt = await write('same-opt.wasm', makeWasiModule({ message: 'same\n' }));
    const recordPath = join(dir, 'same.verify.json');
    const input = {
      language: 'test',
      version: '1',
      rawPath: raw,
      optPath: opt,
      recordPath,
      root: dir,
      conformance: { suite: helloSuite('same\n') },
      log: () => {},
    };
    const record = await verifyVersion(input);
    expect(record.conformance).toEqual({ cases: ['hello'], identical: true });
    expect(record.unoptimized.file).toBe('same-raw.wasm');
    const first = await readFile(recordPath, 'utf8');
    await verifyVersion(input);
    expect(await readFile(recordPath, 'utf8')).toBe(first);
    expect(JSON.parse(first)).toEqual(record);
  });

  it('catches an optimizer that changes behaviour the expectations let through (patched data segment)', async () => {
    const bytes = makeWasiModule({ message: 'hello\n' });
    const raw = await write('beh-raw.wasm', bytes);
    // What a broken wasm-opt could do: the same module with one byte of its string changed.
    const patched = Uint8Array.from(bytes);
    const at = Buffer.from(patched).indexOf('hello');
    patched[at + 4] = 'O'.charCodeAt(0);
    const opt = await write('beh-opt.wasm', patched);
    const recordPath = join(dir, 'beh.verify.json');
    const error = await pipelineFailure(
      verifyVersion({
        language: 'test',
        version: '1',
        rawPath: raw,
        optPath: opt,
        recordPath,
        root: dir,
        // A per-language pattern both outputs match: only the byte-for-byte comparison can tell them apart.
        conformance: { suite: helloSuite({ test: '^hell[oO]\\n$' }) },
        log: () => {},
      }),
    );
    expect(error.code).toBe('ERR_CONFORMANCE');
    expect(error.message).toBe(
      'beh-opt.wasm: conformance case "hello" stdout: expected "hello\\n" (from beh-raw.wasm), found "hellO\\n" (first difference at character 4) — wasm-opt changed the program',
    );
    await expect(readFile(recordPath)).rejects.toThrow(/ENOENT/);
  });
});
