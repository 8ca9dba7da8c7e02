// runWasi and the conformance runner against tiny but real WASI preview 1 modules assembled here
// from WAT with binaryen, run in real child processes. (The real Go/Rust runtimes are exercised
// against runtimes/conformance.json by the build stage's docker test.)
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import {
  assertConformance,
  assertSameResults,
  type CaseResult,
  type ConformanceSuite,
  compareResults,
  loadConformance,
  runConformance,
} from './conformance.ts';
import { runWasi, runWasiMany, type WasiOutcome } from './run-wasi.ts';

const WASI = 'wasi_snapshot_preview1';
const IMPORTS = `
  (import "${WASI}" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
  (import "${WASI}" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "${WASI}" "environ_sizes_get" (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "${WASI}" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "${WASI}" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "${WASI}" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "${WASI}" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)`;

/** _start writes its argv (or environ) block — NUL-terminated strings — to `fd`, then exits with `exit`. */
const dumpWat = (what: 'args' | 'environ', fd: number, exit: number) => `(module ${IMPORTS}
  (func (export "_start")
    (drop (call $${what}_sizes_get (i32.const 0) (i32.const 4)))
    (drop (call $${what}_get (i32.const 1024) (i32.const 4096)))
    (i32.store (i32.const 16) (i32.const 4096))
    (i32.store (i32.const 20) (i32.load (i32.const 4)))
    (drop (call $fd_write (i32.const ${fd}) (i32.const 16) (i32.const 1) (i32.const 24)))
    (call $proc_exit (i32.const ${exit}))))`;

/** _start creates out.txt in the first preopen (fd 3) and writes "hi" into it; a failure exits 100 + errno. */
const writeFileWat = `(module ${IMPORTS}
  (data (i32.const 100) "out.txt")
  (data (i32.const 200) "hi")
  (func (export "_start") (local $errno i32)
    (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 7)
      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 0)))
    (if (local.get $errno) (then (call $proc_exit (i32.add (i32.const 100) (local.get $errno)))))
    (i32.store (i32.const 16) (i32.const 200))
    (i32.store (i32.const 20) (i32.const 2))
    (drop (call $fd_write (i32.load (i32.const 0)) (i32.const 16) (i32.const 1) (i32.const 24)))))`;

const trapWat = `(module ${IMPORTS} (func (export "_start") unreachable))`;
/** _start copies stdin to stdout (64 KiB reads) until end of file. */
const catWat = `(module
  (import "${WASI}" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "${WASI}" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (loop $more
      (i32.store (i32.const 16) (i32.const 65536))
      (i32.store (i32.const 20) (i32.const 65536))
      (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
      (if (i32.load (i32.const 24)) (then
        (i32.store (i32.const 20) (i32.load (i32.const 24)))
        (drop (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 28)))
        (br $more))))))`;
/** Like dumpWat('args', 1, 0), but traps when given one argument and loops forever when given three. */
const mixedWat = dumpWat('args', 1, 0).replace(
  '(drop (call $args_get',
  `(if (i32.eq (i32.load (i32.const 0)) (i32.const 2)) (then unreachable))
    (if (i32.eq (i32.load (i32.const 0)) (i32.const 4)) (then (loop $forever (br $forever))))
    (drop (call $args_get`,
);
const loopWat = `(module ${IMPORTS} (func (export "_start") (loop $forever (br $forever))))`;

function assemble(wat: string): Uint8Array {
  const module = binaryen.parseText(wat);
  try {
    if (!module.validate()) throw new Error('binaryen rejected a test module');
    return module.emitBinary();
  } finally {
    module.dispose();
  }
}

let dir = '';
const wasm: Record<string, string> = {};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasmhub-conformance-test-'));
  const modules = {
    args: dumpWat('args', 1, 0),
    argsExit3: dumpWat('args', 1, 3),
    argsToStderr: dumpWat('args', 2, 0),
    environ: dumpWat('environ', 1, 0),
    writeFile: writeFileWat,
    writeFd4: writeFileWat.replace('(call $path_open (i32.const 3)', '(call $path_open (i32.const 4)'),
    cat: catWat,
    trap: trapWat,
    loop: loopWat,
    mixed: mixedWat,
  };
  for (const [name, wat] of Object.entries(modules)) {
    wasm[name] = join(dir, `${name}.wasm`);
    await writeFile(wasm[name] as string, assemble(wat));
  }
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const path = (name: string): string => wasm[name] as string;

async function rejection(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}

describe('runWasi', () => {
  it('passes argv (argv[0] = wasmhub) and captures stdout, stderr and the exit code', async () => {
    expect(await runWasi(path('args'), ['a', 'b c', 'ünï'])).toEqual({
      stdout: 'wasmhub\0a\0b c\0ünï\0',
      stderr: '',
      exitCode: 0,
    });
    expect(await runWasi(path('argsToStderr'), ['x'], { argv0: 'prog' })).toEqual({
      stdout: '',
      stderr: 'prog\0x\0',
      exitCode: 0,
    });
    expect((await runWasi(path('argsExit3'), [])).exitCode).toBe(3);
  });

  it('gives the module exactly the env it is passed, nothing inherited, and no ExperimentalWarning', async () => {
    const result = await runWasi(path('environ'), [], { env: { A: '1', B: 'x=y' } });
    expect(result).toEqual({ stdout: 'A=1\0B=x=y\0', stderr: '', exitCode: 0 });
    expect(await runWasi(path('environ'), [])).toEqual({ stdout: '', stderr: '', exitCode: 0 });
  });

  it('preopens `dir` as the first preopen (guest "/")', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'wasmhub-run-wasi-'));
    try {
      expect((await runWasi(path('writeFile'), [], { dir: scratch })).exitCode).toBe(0);
      expect(await readFile(join(scratch, 'out.txt'), 'utf8')).toBe('hi');
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('rejects with ERR_WASM_INVALID on a trap, an invalid module and a timeout', async () => {
    const trap = await rejection(runWasi(path('trap'), ['x']));
    expect(trap.code).toBe('ERR_WASM_INVALID');
    expect(trap.message).toBe(`${path('trap')} ["x"]: trapped: unreachable`);

    const notWasm = join(dir, 'not.wasm');
    await writeFile(notWasm, 'not a wasm module');
    const invalid = await rejection(runWasi(notWasm, []));
    expect(invalid.message).toMatch(/^.*not\.wasm \[\]: cannot compile the module: .*magic word/);

    const slow = await rejection(runWasi(path('loop'), [], { timeoutMs: 1500 }));
    expect(slow.message).toBe(`${path('loop')} []: did not finish within 1500 ms (killed)`);
  });

  it('rejects unknown options and bad env entries', async () => {
    await expect(runWasi(path('args'), [], { nope: 1 } as never)).rejects.toThrow(/unknown option "nope"/);
    await expect(runWasi(path('args'), [], { env: { 'A=B': '1' } })).rejects.toThrow(/invalid environment entry/);
  });
});

describe('runWasiMany', () => {
  const summary = (outcomes: WasiOutcome[]) =>
    outcomes.map((o) => (o.ok ? `${o.result.exitCode}:${o.result.stdout}` : `error:${o.error.message}`));

  it('runs each job in a fresh instance with its own argv, env and output, in job order', async () => {
    const jobs = Array.from({ length: 7 }, (_, i) => ({ args: [`a${i}`, 'x'] }));
    const expected = jobs.map((job) => `0:wasmhub\0${job.args.join('\0')}\0`);
    expect(summary(await runWasiMany(path('mixed'), jobs))).toEqual(expected);
    // Three jobs per child: the same outcomes from three children.
    expect(summary(await runWasiMany(path('mixed'), jobs, { jobsPerProcess: 3 }))).toEqual(expected);
    const env = await runWasiMany(path('environ'), [
      { args: [], env: { A: '1' } },
      { args: [] },
      { args: [], env: { B: '2' } },
    ]);
    expect(summary(env)).toEqual(['0:A=1\0', '0:', '0:B=2\0']);
  });

  it('reports a trap and a timeout on their own job and goes on with the next ones, leaving no temporary files', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'wasmhub-many-tmp-'));
    const before = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    try {
      const mixed = path('mixed');
      const outcomes = await runWasiMany(
        mixed,
        [
          { args: ['a', 'b'] },
          { args: ['trap'] },
          { args: ['c', 'd'] },
          { args: ['loop', 'x', 'y'] },
          { args: ['e', 'f'] },
        ],
        {
          timeoutMs: 1500,
        },
      );
      expect(summary(outcomes)).toEqual([
        '0:wasmhub\0a\0b\0',
        `error:${mixed} ["trap"]: trapped: unreachable`,
        '0:wasmhub\0c\0d\0',
        `error:${mixed} ["loop","x","y"]: did not finish within 1500 ms (killed)`,
        '0:wasmhub\0e\0f\0',
      ]);
      for (const outcome of outcomes) if (!outcome.ok) expect(outcome.error.code).toBe('ERR_WASM_INVALID');
      // Nothing of ours (wasmhub-*) is left; tsx, which runs the child from source, keeps its own cache there.
      expect((await readdir(scratch)).filter((name) => !name.startsWith('tsx-'))).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before;
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('fails every job the same way when the module cannot be compiled', async () => {
    const notWasm = join(dir, 'not-many.wasm');
    await writeFile(notWasm, 'not a wasm module');
    const outcomes = await runWasiMany(notWasm, [{ args: ['1'] }, { args: ['2'] }], { jobsPerProcess: 1 });
    expect(outcomes.map((o) => !o.ok && o.error.message.replace(/:.*$/s, ''))).toEqual([
      `${notWasm} ["1"]`,
      `${notWasm} ["2"]`,
    ]);
    for (const outcome of outcomes)
      expect(!outcome.ok && outcome.error.message).toMatch(/cannot compile the module: .*magic word/);
    await expect(runWasiMany(notWasm, [], { jobsPerProcess: 0 })).rejects.toThrow(
      /jobsPerProcess must be an integer >= 1/,
    );
  });
});

describe('loadConformance', () => {
  it('loads runtimes/conformance.json, which covers every command and its error paths', async () => {
    const suite = await loadConformance();
    const commands = new Set(suite.cases.map((c) => c.args[0] ?? '(none)'));
    for (const command of ['(none)', 'version', 'echo', 'eval', 'env', 'cat', 'ls', 'write', 'frobnicate']) {
      expect(commands, command).toContain(command);
    }
    for (const command of ['eval', 'cat', 'ls', 'write']) {
      expect(
        suite.cases.some((c) => c.args[0] === command && c.exitCode === 1),
        `${command} error case`,
      ).toBe(true);
    }
    const perLanguage = suite.cases.filter((c) => c.stdout === undefined).map((c) => c.name);
    expect(perLanguage).toEqual(['version']);
    // The usage text is spelled out where it is expected, identical everywhere.
    expect(suite.cases.find((c) => c.name === 'usage-no-args')?.stdout).toBe(suite.usage);
    for (const c of suite.cases.filter((c) => c.name.startsWith('unknown-command'))) {
      expect(c.stderr).toBe(`Unknown command: ${c.args[0]}\n${suite.usage}`);
    }
  });

  it('rejects an invalid file naming the JSON pointer of the problem', async () => {
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ cases: [{ name: 'x', args: [], stdout: '', stderr: '' }] }));
    const error = await rejection(loadConformance(file));
    expect(error.code).toBe('ERR_CONFORMANCE');
    expect(error.message).toBe(`${file}: invalid at /cases/0: must have required property 'exitCode'`);

    await writeFile(
      file,
      JSON.stringify({
        cases: [
          { name: 'x', args: [], stdout: '', stderr: '', exitCode: 0 },
          { name: 'x', args: [], stdout: '', stderr: '', exitCode: 0 },
        ],
      }),
    );
    expect((await rejection(loadConformance(file))).message).toBe(
      `${file}: invalid at /cases/1/name: duplicate case name "x"`,
    );

    await writeFile(
      file,
      JSON.stringify({
        cases: [{ name: 'x', args: [], files: { '../up': 'x' }, stdout: '', stderr: '', exitCode: 0 }],
      }),
    );
    expect((await rejection(loadConformance(file))).message).toMatch(/invalid at \/cases\/0\/files: /);
  });
});

describe('runConformance', () => {
  let suite: ConformanceSuite;

  beforeAll(async () => {
    const file = join(dir, 'suite.json');
    await writeFile(
      file,
      JSON.stringify({
        cases: [
          { name: 'plain', args: ['x'], stdout: 'wasmhub\0x\0', stderr: '', exitCode: 0 },
          {
            name: 'repeated',
            args: ['ab'.repeat(3)],
            stdout: { repeat: 'wasmhub\0ababab\0', count: 1 },
            stderr: '',
            exitCode: 0,
          },
          {
            name: 'per-language',
            args: ['v'],
            stdoutMatches: { args: '^wasmhub\\u0000v\\u0000$', other: '^nope$' },
            stderr: '',
            exitCode: 0,
          },
        ],
      }),
    );
    suite = await loadConformance(file);
  });

  it('runs every case and reports ok results in suite order', async () => {
    const results = await runConformance(path('args'), 'args', { suite });
    expect(results.map((r) => [r.name, r.ok, r.perLanguage])).toEqual([
      ['plain', true, false],
      ['repeated', true, false],
      ['per-language', true, true],
    ]);
    expect(results[0]).toEqual({
      name: 'plain',
      args: ['x'],
      perLanguage: false,
      ok: true,
      actual: { stdout: 'wasmhub\0x\0', stderr: '', exitCode: 0, files: {} },
      mismatches: [],
    });
    expect(() => assertConformance(path('args'), results)).not.toThrow();
  });

  it('names the file, the case and expected vs found for every mismatch', async () => {
    const file = path('argsToStderr');
    const results = await runConformance(file, 'other', { suite });
    expect(results.every((r) => !r.ok)).toBe(true);
    expect(results[0]?.mismatches).toEqual([
      `${file}: conformance case "plain" stdout: expected "wasmhub\\u0000x\\u0000", found "" (first difference at character 0)`,
      `${file}: conformance case "plain" stderr: expected "", found "wasmhub\\u0000x\\u0000" (first difference at character 0)`,
    ]);
    expect(results[2]?.mismatches[0]).toBe(
      `${file}: conformance case "per-language" stdout: expected a match of /^nope$/u, found ""`,
    );
    const error = (() => {
      try {
        assertConformance(file, results);
      } catch (e) {
        return e as PipelineError;
      }
      throw new Error('assertConformance did not throw');
    })();
    expect(error.code).toBe('ERR_CONFORMANCE');
    expect(error.message).toBe(`${results[0]?.mismatches[0]} (and 5 more mismatches)`);

    const noLanguage = await runConformance(path('args'), 'cobol', { suite, only: ['per-language'] });
    expect(noLanguage[0]?.mismatches).toEqual([
      `${path('args')}: conformance case "per-language" stdout: the case has no expectation for language "cobol" (add stdoutMatches.cobol)`,
    ]);

    const exit = await runConformance(path('argsExit3'), 'args', { suite, only: ['plain'] });
    expect(exit[0]?.mismatches).toEqual([
      `${path('argsExit3')}: conformance case "plain" exit code: expected 0, found 3`,
    ]);

    const trap = await runConformance(path('trap'), 'args', { suite, only: ['plain'] });
    expect(trap[0]?.actual.exitCode).toBe(-1);
    expect(trap[0]?.mismatches).toEqual([
      `${path('trap')}: conformance case "plain": did not run to its end: trapped: unreachable`,
    ]);
  });

  it('creates dirs and files in a fresh scratch directory and checks the files after the run', async () => {
    const file = join(dir, 'files.json');
    await writeFile(
      file,
      JSON.stringify({
        cases: [
          {
            name: 'writes',
            args: [],
            dirs: ['empty/deeper'],
            files: { 'in/a.txt': 'a', 'sparse.bin': { size: 1000000 }, 'out.txt': 'old content' },
            stdout: '',
            stderr: '',
            exitCode: 0,
            expectFiles: { 'out.txt': 'hi', 'in/a.txt': 'a', 'gone.txt': null },
          },
          { name: 'expects-missing', args: [], stdout: '', stderr: '', exitCode: 0, expectFiles: { 'out.txt': null } },
        ],
      }),
    );
    const results = await runConformance(path('writeFile'), 'x', { suite: await loadConformance(file) });
    expect(results[0]?.mismatches).toEqual([]);
    expect(results[0]?.actual.files).toEqual({ 'out.txt': 'hi', 'in/a.txt': 'a', 'gone.txt': null });
    expect(results[1]?.mismatches).toEqual([
      `${path('writeFile')}: conformance case "expects-missing" file out.txt: expected no file, found "hi"`,
    ]);
  });

  it("feeds stdin, names argv[0] from the suite, and preopens a case's own directories", async () => {
    const file = join(dir, 'io.json');
    await writeFile(
      file,
      JSON.stringify({
        argv0: 'lua',
        cases: [
          {
            name: 'stdin',
            args: [],
            stdin: { repeat: 'abc\n', count: 50000 },
            stdout: { repeat: 'abc\n', count: 50000 },
            stderr: '',
            exitCode: 0,
          },
          { name: 'no-stdin', args: [], stdout: '', stderr: '', exitCode: 0 },
          { name: 'argv0', args: ['x'], stdout: 'lua\0x\0', stderr: '', exitCode: 0 },
          {
            name: 'preopen',
            args: [],
            preopens: { '/box': 'box' },
            stdout: '',
            stderr: '',
            exitCode: 0,
            expectFiles: { 'box/out.txt': 'hi', 'out.txt': null },
          },
        ],
      }),
    );
    const io = await loadConformance(file);
    const cat = await runConformance(path('cat'), 'x', { suite: io, only: ['stdin', 'no-stdin'] });
    expect(cat.map((r) => [r.name, r.mismatches])).toEqual([
      ['stdin', []],
      ['no-stdin', []],
    ]);
    const args = await runConformance(path('args'), 'x', { suite: io, only: ['argv0'] });
    expect(args[0]?.mismatches).toEqual([]);
    const written = await runConformance(path('writeFile'), 'x', { suite: io, only: ['preopen'] });
    expect(written[0]?.mismatches).toEqual([]);
  });

  it('adds companion env and preopens to every case, names the module as told', async () => {
    const file = join(dir, 'companion.json');
    await writeFile(
      file,
      JSON.stringify({
        cases: [
          { name: 'env', args: [], env: { A: 'case' }, stdout: 'HOME=/lib\0A=case\0', stderr: '', exitCode: 0 },
          { name: 'write', args: [], stdout: '', stderr: '', exitCode: 0, expectFiles: { 'out.txt': null } },
        ],
      }),
    );
    const suite = await loadConformance(file);
    const companion = await mkdtemp(join(tmpdir(), 'wasmhub-companion-'));
    try {
      const options = { suite, env: { HOME: '/lib', A: 'companion' }, preopens: { '/lib': companion }, name: 'm.wasm' };
      const env = await runConformance(path('environ'), 'x', { ...options, only: ['env'] });
      expect(env[0]?.mismatches).toEqual([]);
      // The companion is the second preopen (fd 4); the case's scratch directory stays the first, "/".
      const written = await runConformance(path('writeFd4'), 'x', { ...options, only: ['write'] });
      expect(written[0]?.mismatches).toEqual([]);
      expect(await readFile(join(companion, 'out.txt'), 'utf8')).toBe('hi');
      const wrong = await runConformance(path('writeFile'), 'x', { ...options, only: ['write'] });
      expect(wrong[0]?.mismatches).toEqual([
        'm.wasm: conformance case "write" file out.txt: expected no file, found "hi"',
      ]);
    } finally {
      await rm(companion, { recursive: true, force: true });
    }
  });

  it('runs only the cases whose minVersion/maxVersion include the version, and rejects an empty range', async () => {
    const file = join(dir, 'versions.json');
    const ranged = (name: string, range: object) => ({ name, args: [], stdout: '', stderr: '', exitCode: 0, ...range });
    await writeFile(
      file,
      JSON.stringify({
        cases: [
          ranged('all', {}),
          ranged('from-5-3', { minVersion: '5.3' }),
          ranged('up-to-5-2', { maxVersion: '5.2' }),
          ranged('only-5-10', { minVersion: '5.10', maxVersion: '5.10' }),
        ],
      }),
    );
    const ranges = await loadConformance(file);
    const names = async (version?: string) =>
      (await runConformance(path('cat'), 'x', { suite: ranges, ...(version ? { version } : {}) })).map((r) => r.name);
    expect(await names('5.1')).toEqual(['all', 'up-to-5-2']);
    expect(await names('5.4')).toEqual(['all', 'from-5-3']);
    expect(await names('5.10')).toEqual(['all', 'from-5-3', 'only-5-10']);
    expect(await names()).toEqual(['all', 'from-5-3', 'up-to-5-2', 'only-5-10']);
    await writeFile(file, JSON.stringify({ cases: [ranged('empty', { minVersion: '5.4', maxVersion: '5.3' })] }));
    await expect(loadConformance(file)).rejects.toThrow(
      `${file}: invalid at /cases/0: minVersion 5.4 is above maxVersion 5.3`,
    );
  });

  it('compares two modules case by case, skipping per-language cases only when asked', async () => {
    const a = { file: 'a.wasm', results: await runConformance(path('args'), 'args', { suite }) };
    const b = { file: 'b.wasm', results: await runConformance(path('argsExit3'), 'args', { suite }) };
    expect(compareResults(a, a)).toEqual([]);
    expect(compareResults(a, b)).toEqual([
      'b.wasm: conformance case "plain" exit code: expected 0 (from a.wasm), found 3',
      'b.wasm: conformance case "repeated" exit code: expected 0 (from a.wasm), found 3',
      'b.wasm: conformance case "per-language" exit code: expected 0 (from a.wasm), found 3',
    ]);
    expect(compareResults(a, b, { skipPerLanguage: true })).toHaveLength(2);

    const changed: CaseResult[] = a.results.map((r) => ({
      ...r,
      actual: { ...r.actual, stdout: `${r.actual.stdout}!` },
    }));
    expect(compareResults(a, { file: 'c.wasm', results: changed.slice(0, 2) })).toEqual([
      'c.wasm: conformance case "plain" stdout: expected "wasmhub\\u0000x\\u0000" (from a.wasm), found "wasmhub\\u0000x\\u0000!" (first difference at character 10)',
      'c.wasm: conformance case "repeated" stdout: expected "wasmhub\\u0000ababab\\u0000" (from a.wasm), found "wasmhub\\u0000ababab\\u0000!" (first difference at character 15)',
      'c.wasm: conformance case "per-language": no result, but a.wasm has one',
    ]);
    expect(() => assertSameResults(a, b)).toThrow(
      'b.wasm: conformance case "plain" exit code: expected 0 (from a.wasm), found 3 (and 2 more mismatches)',
    );
  });
});
