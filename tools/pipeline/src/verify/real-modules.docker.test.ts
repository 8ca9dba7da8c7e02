// The verify and optimize stages on REAL runtime modules, built by the build stage in the real
// engine (go@1.24 in the trixie builder): native wasm-opt, the full conformance suite on both
// modules, and each kind of broken module caught with a precise error.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRuntime } from '../compile/build-runtime.ts';
import { optimizeModule } from '../optimize/optimize-module.ts';
import { pipelineFailure } from '../testing/pipeline-failure.ts';
import { requireDocker } from '../testing/require-docker.ts';
import { loadConformanceFor } from './conformance.ts';
import { type ConformanceOptions, verifyModule } from './verify-module.ts';
import { verifyVersion } from './verify-stage.ts';

const docker = await requireDocker();
const quiet = () => {};
let dir: string;
let raw: string;
let opt: string;

/** A few cases of runtimes/conformance.json, for the failure tests (the full suite runs once below). */
const someCases: ConformanceOptions = { only: ['usage-no-args', 'echo-words', 'unknown-command'] };

describe.skipIf(!docker)('verify + optimize on a real Go module (go@1.24 from the build stage)', () => {
  beforeAll(async () => {
    if (!docker) return;
    dir = await mkdtemp(join(tmpdir(), 'wasmhub-real-'));
    const [record] = await buildRuntime(docker, { lang: 'go', ver: '1.24', outDir: dir, log: quiet });
    raw = join(dir, record?.file ?? 'go-1.24.wasm');
    opt = join(dir, 'opt', 'go-1.24.wasm');
    const result = await optimizeModule({
      input: raw,
      output: opt,
      level: '-Oz',
      task: 'go@1.24',
      engine: 'native',
      connect: async () => docker,
      log: quiet,
    });
    expect(result.engine).toBe('native');
    expect(result.outputSize).toBeLessThan(result.inputSize);
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('passes every check and the full conformance suite, unoptimized and optimized alike', async () => {
    const record = await verifyVersion({
      language: 'go',
      version: '1.24',
      rawPath: raw,
      optPath: opt,
      recordPath: join(dir, 'go-1.24.verify.json'),
      root: dir,
      log: quiet,
    });
    expect(record.checks).toContain('conformance-identical');
    expect(record.conformance?.cases.length).toBeGreaterThan(50);
    expect(record.optimized.size).toBeLessThan(record.unoptimized.size);
    expect(record.optimized.imports.every((i) => i.startsWith('wasi_snapshot_preview1.'))).toBe(true);
  });

  it('catches a corrupted magic number', async () => {
    const bytes = await readFile(opt);
    bytes[0] = 0x01;
    const path = join(dir, 'magic.wasm');
    await writeFile(path, bytes);
    const error = await pipelineFailure(verifyModule(path, { displayName: 'magic.wasm' }));
    expect(error.code).toBe('ERR_WASM_INVALID');
    expect(error.message).toBe('magic.wasm: check "magic" failed: expected 00 61 73 6d ("\\0asm"), found 01 61 73 6d');
  });

  it('catches a truncated module', async () => {
    const bytes = await readFile(opt);
    const path = join(dir, 'truncated.wasm');
    await writeFile(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const error = await pipelineFailure(verifyModule(path, { displayName: 'truncated.wasm' }));
    expect(error.code).toBe('ERR_WASM_INVALID');
    expect(error.message).toMatch(
      /^truncated\.wasm: check "validate" failed: expected a valid module of \d+ bytes, found .+/,
    );
  });

  it('catches a module importing a non-WASI function', async () => {
    const module = binaryen.readBinary(await readFile(opt));
    try {
      module.addFunctionImport('host_random', 'env', 'host_random', binaryen.none, binaryen.i32);
      const path = join(dir, 'import.wasm');
      await writeFile(path, module.emitBinary());
      const error = await pipelineFailure(verifyModule(path, { displayName: 'import.wasm' }));
      expect(error.code).toBe('ERR_WASM_INVALID');
      expect(error.message).toBe(
        'import.wasm: check "wasi-imports" failed: expected every import from wasi_snapshot_preview1, found import env.host_random',
      );
    } finally {
      module.dispose();
    }
  });

  it('catches an optimizer that changes behaviour', async () => {
    // A "broken wasm-opt": the optimized module with one byte of its usage text changed.
    const bytes = await readFile(opt);
    const at = bytes.indexOf('Usage: wasmhub <command>');
    expect(at).toBeGreaterThan(0);
    bytes[at + 'Usage: wasmhu'.length] = 'B'.charCodeAt(0);
    const broken = join(dir, 'opt', 'broken.wasm');
    await writeFile(broken, bytes);
    const verifyBroken = (conformance: ConformanceOptions) =>
      pipelineFailure(
        verifyVersion({
          language: 'go',
          version: '1.24',
          rawPath: raw,
          optPath: broken,
          recordPath: join(dir, 'broken.verify.json'),
          root: dir,
          conformance,
          log: quiet,
        }),
      );
    const error = await verifyBroken(someCases);
    expect(error.code).toBe('ERR_CONFORMANCE');
    // The expected outcome catches it first (usage is part of the contract) ...
    expect(error.message).toMatch(/^opt\/broken\.wasm: conformance case "usage-no-args" stdout: .*wasmhuB/);
    // ... and where the expectation is only a pattern both outputs match, the comparison with the
    // unoptimized module does.
    const suite = await loadConformanceFor('go');
    const usage = suite.cases.find((c) => c.name === 'usage-no-args');
    expect(usage).toBeDefined();
    const { stdout: _, ...loose } = usage as NonNullable<typeof usage>;
    const error2 = await verifyBroken({
      suite: { ...suite, cases: [{ ...loose, stdoutMatches: { go: 'Usage: wasmhu' } }] },
    });
    expect(error2.message).toMatch(
      /^opt\/broken\.wasm: conformance case "usage-no-args" stdout: expected .*Usage: wasmhub <command>.*\(from go-1\.24\.wasm\), found .*Usage: wasmhuB <command>.*\(first difference at character \d+\) — wasm-opt changed the program$/,
    );
  });
});
