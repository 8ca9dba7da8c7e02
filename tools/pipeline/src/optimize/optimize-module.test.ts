import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { makeWasiModule } from '../testing/test-modules.ts';
import { runWasi } from '../verify/run-wasi.ts';
import { verifyModule } from '../verify/verify-module.ts';
import { assertNotLarger, optimizeModule } from './optimize-module.ts';
import { normalizeLevel, wasmOptArgs } from './wasm-opt-args.ts';

let dir: string;
let input: string;
const noEngine = async (): Promise<never> => {
  throw new PipelineError('ERR_DOCKER_UNAVAILABLE', 'no engine at /var/run/docker.sock: run `npm run docker:up`');
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasmhub-opt-'));
  input = join(dir, 'in.wasm');
  await writeFile(input, makeWasiModule({ message: 'optimize me\n' }));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('optimizeModule (binaryen.js fallback, real wasm-opt)', () => {
  it('falls back to binaryen.js when no engine answers, and says so', async () => {
    const lines: string[] = [];
    const output = join(dir, 'opt', 'out.wasm');
    const result = await optimizeModule({
      input,
      output,
      level: '-Oz',
      task: 't@1',
      connect: noEngine,
      log: (l) => lines.push(l),
    });
    expect(result.engine).toBe('js');
    expect(result.outputSize).toBeLessThanOrEqual(result.inputSize);
    expect(lines.join('\n')).toMatch(/\[t@1\] no Docker engine .*falling back to binaryen\.js/);
    expect(lines.join('\n')).toMatch(/\[t@1\] optimized \d+ -> \d+ bytes .* with binaryen\.js/);
    // A valid WASI command that behaves like its input; no temp file left behind.
    await verifyModule(output);
    expect(await runWasi(output, [])).toEqual(await runWasi(input, []));
    expect(await readdir(join(dir, 'opt'))).toEqual(['out.wasm']);
  });

  it('is deterministic', async () => {
    const a = join(dir, 'a.wasm');
    const b = join(dir, 'b.wasm');
    await optimizeModule({ input, output: a, level: '-Oz', task: 't', engine: 'js', log: () => {} });
    await optimizeModule({ input, output: b, level: '-Oz', task: 't', engine: 'js', log: () => {} });
    expect(await readFile(a)).toEqual(await readFile(b));
  });

  it('does not fall back when the native optimizer is required', async () => {
    await expect(
      optimizeModule({
        input,
        output: join(dir, 'n.wasm'),
        level: '-Oz',
        task: 't',
        engine: 'native',
        connect: noEngine,
        log: () => {},
      }),
    ).rejects.toMatchObject({ code: 'ERR_DOCKER_UNAVAILABLE' });
  });

  it('fails clearly on a missing input and on wasm-opt errors', async () => {
    await expect(
      optimizeModule({
        input: join(dir, 'missing.wasm'),
        output: join(dir, 'x.wasm'),
        level: '-Oz',
        task: 't',
        engine: 'js',
      }),
    ).rejects.toThrow(/missing\.wasm: no module to optimize \(ENOENT\): run the build stage first/);
    const junk = join(dir, 'junk.wasm');
    await writeFile(junk, 'not wasm at all');
    const error = await optimizeModule({
      input: junk,
      output: join(dir, 'j.wasm'),
      level: '-Oz',
      task: 't',
      engine: 'js',
      log: () => {},
    }).catch((e) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect(error.code).toBe('ERR_WASM_OPT');
    expect(error.message).toMatch(/junk\.wasm: binaryen\.js wasm-opt -Oz exited with code [1-9]/);
  });
});

describe('wasm-opt options', () => {
  it('always enables bulk memory, defaults to -Oz, rejects unknown levels', () => {
    expect(wasmOptArgs('/in/a.wasm', '/out/a.wasm', normalizeLevel(undefined))).toEqual([
      '/in/a.wasm',
      '-Oz',
      '--enable-bulk-memory',
      '--enable-nontrapping-float-to-int',
      '--enable-sign-ext',
      '--enable-mutable-globals',
      '-o',
      '/out/a.wasm',
    ]);
    expect(() => normalizeLevel('-O9')).toThrow('wasm-opt level "-O9" is not one of -O0, -O1, -O2, -O3, -O4, -Os, -Oz');
  });

  it('rejects an output larger than its input', () => {
    expect(() => assertNotLarger('build/go/go-1.24.wasm', '-O3', 100, 101)).toThrow(
      'build/go/go-1.24.wasm: wasm-opt -O3 made the module larger (100 -> 101 bytes): choose another "wasmOpt" level in runtime.json',
    );
    expect(() => assertNotLarger('x', '-Oz', 100, 100)).not.toThrow();
  });
});
