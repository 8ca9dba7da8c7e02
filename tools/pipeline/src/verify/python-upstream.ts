// CPython's own test suite (Lib/test of the same pinned tarball the module is built from), run by a
// python.wasm under node:wasi: `python -m test <module>` for each chosen module, each in its own
// interpreter in its own node:wasi child (run-wasi.ts), since WASI has no subprocesses and regrtest
// cannot isolate one test module from the next itself. A test module, or a test of one, is left out
// only by name, with the reason.
//
// Guest view of each run:
//   /                  a fresh empty directory (regrtest resolves its work directories from the cwd "/")
//   /usr/local/lib     python3NN.zip, the standard library companion (PYTHONHOME=/usr/local)
//   /tests             the folder holding Lib/test as `test/` (PYTHONPATH=/tests), never written to
//   /tmp               regrtest's --tempdir and the tests' TMPDIR/HOME
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { ensureBuilderImage } from '../docker/image.ts';
import { containerOutputDir, containerUser, runContainer } from '../docker/run-container.ts';
import { PipelineError } from '../errors.ts';
import type { DebianSource } from '../runtime/config.ts';
import { runWasiMany } from './run-wasi.ts';

/** One `python -m test` module, with the tests of it left out (regrtest --ignore patterns) and why. */
export interface PythonTestModule {
  name: string;
  /** Test id pattern (as regrtest's --ignore takes it) -> the reason it cannot pass here. */
  ignore?: Record<string, string>;
}

/**
 * The modules run (issue 13's list). test_unicode is test_str since CPython 3.13 (the module was
 * renamed; Lib/test has no test_unicode.py), so test_str stands for it.
 */
export const PYTHON_TEST_MODULES: PythonTestModule[] = [
  { name: 'test_json' },
  { name: 'test_re' },
  { name: 'test_math' },
  { name: 'test_string' },
  { name: 'test_textwrap' },
  { name: 'test_fractions' },
  { name: 'test_zlib' },
  { name: 'test_collections' },
  { name: 'test_datetime' },
  { name: 'test_statistics' },
  { name: 'test_str' },
  { name: 'test_unicodedata' },
  { name: 'test_decimal' },
  { name: 'test_itertools' },
];

/** What regrtest reported for one module (or why it reported nothing). */
export interface PythonModuleResult {
  module: string;
  /** Tests run, failed and skipped, from regrtest's `Total tests:` line (0 when it printed none). */
  run: number;
  failures: number;
  skipped: number;
  /** regrtest's `Result:` line (`SUCCESS`, `FAILURE`, `ENV CHANGED`, `NO TESTS RAN`, ...), or what ended the run. */
  result: string;
  /** The interpreter's exit status; undefined when it did not exit (trap, crash, timeout). */
  exitCode: number | undefined;
  /** The --ignore patterns passed. */
  ignored: string[];
  /** The last lines of its output, to see why without re-running it. */
  tail: string[];
}

export interface RegrtestSummary {
  run: number;
  failures: number;
  skipped: number;
  result: string;
}

/** `1,036` -> 1036 (regrtest groups thousands). */
const count = (text: string | undefined): number => Number((text ?? '0').replaceAll(',', ''));

/**
 * Reads regrtest's closing summary:
 *   Total tests: run=1,036 failures=2 skipped=76      (failures=/skipped= only when non-zero;
 *   Total test files: run=1/1 failed=1                 "run=144 (filtered)" with --ignore)
 *   Result: FAILURE
 * Undefined when the output has no `Total tests:` or no `Result:` line (the run did not get that far).
 */
export function parseRegrtestSummary(output: string): RegrtestSummary | undefined {
  const totals = [...output.matchAll(/^Total tests: (.*)$/gm)].at(-1)?.[1];
  const result = [...output.matchAll(/^Result: (.+)$/gm)].at(-1)?.[1]?.trim();
  if (totals === undefined || result === undefined) return undefined;
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}=([\\d,]+)`).exec(totals)?.[1];
  return { run: count(field('run')), failures: count(field('failures')), skipped: count(field('skipped')), result };
}

/** A module passed: regrtest said SUCCESS, no test failed, at least one ran, and the interpreter exited 0. */
export const modulePassed = (r: PythonModuleResult): boolean =>
  r.result === 'SUCCESS' && r.failures === 0 && r.run > 0 && r.exitCode === 0;

/** `test_json run=184 failures=0 skipped=18 SUCCESS` (+ what was ignored). */
export function formatModuleResult(r: PythonModuleResult): string {
  const ignored = r.ignored.length > 0 ? ` (ignored: ${r.ignored.join(', ')})` : '';
  return `${r.module} run=${r.run} failures=${r.failures} skipped=${r.skipped} ${r.result}${ignored}`;
}

export interface RunPythonUpstreamOptions {
  /** python.wasm (raw or optimized). */
  wasm: string;
  /** The standard library zip (the build's <lang>-<ver>-stdlib.zip). */
  stdlibZip: string;
  /** The folder holding CPython's Lib/test as `test/` (see extractPythonTests). */
  testsDir: string;
  /** `3.13`: names the zip python313.zip where getpath looks for it. */
  version: string;
  /** Default: PYTHON_TEST_MODULES. */
  modules?: PythonTestModule[];
  /** Per module. Default: 900 000 ms (test_decimal and test_datetime take minutes under load). */
  timeoutMs?: number;
  /** One line per module as it ends. */
  log?: (line: string) => void;
}

/**
 * Runs each module with `python -m test -q <module>` in its own interpreter (one node:wasi child per
 * module, one after the other: the host has few cores) and returns what regrtest reported for each.
 * Never throws for a failing or crashing module: its result says so (see modulePassed).
 */
export async function runPythonUpstream(options: RunPythonUpstreamOptions): Promise<PythonModuleResult[]> {
  const modules = options.modules ?? PYTHON_TEST_MODULES;
  if (!/^\d+\.\d+$/.test(options.version)) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `runPythonUpstream: version ${JSON.stringify(options.version)} is not <major>.<minor>`,
    );
  }
  const work = await mkdtemp(join(tmpdir(), 'wasmhub-python-upstream-'));
  try {
    const lib = join(work, 'lib');
    await mkdir(lib);
    await copyFile(options.stdlibZip, join(lib, `python${options.version.replace('.', '')}.zip`));
    const results: PythonModuleResult[] = [];
    for (const module of modules) {
      const root = join(work, module.name);
      await mkdir(join(root, 'tmp'), { recursive: true });
      const ignored = Object.keys(module.ignore ?? {});
      const args = ['-m', 'test', '--tempdir', '/tmp/regrtest', '-q', ...ignored.flatMap((p) => ['--ignore', p])];
      const [outcome] = await runWasiMany(
        options.wasm,
        [
          {
            args: [...args, module.name],
            argv0: 'python',
            env: {
              PYTHONHOME: '/usr/local',
              PYTHONPATH: '/tests',
              PYTHONDONTWRITEBYTECODE: '1',
              HOME: '/tmp',
              TMPDIR: '/tmp',
            },
            preopens: { '/': root, '/usr/local/lib': lib, '/tests': options.testsDir, '/tmp': join(root, 'tmp') },
          },
        ],
        { timeoutMs: options.timeoutMs ?? 900_000, jobsPerProcess: 1 },
      );
      const result = toModuleResult(module.name, ignored, outcome);
      results.push(result);
      options.log?.(formatModuleResult(result));
      await rm(root, { recursive: true, force: true });
    }
    return results;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function toModuleResult(
  module: string,
  ignored: string[],
  outcome: Awaited<ReturnType<typeof runWasiMany>>[number] | undefined,
): PythonModuleResult {
  if (!outcome) throw new Error(`runWasiMany returned no outcome for ${module}`);
  if (!outcome.ok) {
    const ctx = outcome.error.context as { stdoutTail?: string[]; stderrTail?: string[] };
    return {
      module,
      run: 0,
      failures: 0,
      skipped: 0,
      result: outcome.reason,
      exitCode: undefined,
      ignored,
      tail: [...(ctx.stdoutTail ?? []), ...(ctx.stderrTail ?? [])],
    };
  }
  const output = `${outcome.result.stdout}\n${outcome.result.stderr}`;
  const summary = parseRegrtestSummary(outcome.result.stdout);
  return {
    module,
    ...(summary ?? {
      run: 0,
      failures: 0,
      skipped: 0,
      result: `no regrtest summary (exit ${outcome.result.exitCode})`,
    }),
    exitCode: outcome.result.exitCode,
    ignored,
    tail: output.trimEnd().split('\n').slice(-30),
  };
}

/**
 * Extracts Lib/test of the pinned tarball into a new folder under `parent` (as `<folder>/test`), in
 * the builder image that holds the tarball (network off), after checking its SHA-256 against the pin.
 * Returns the folder to pass as `testsDir`.
 */
export async function extractPythonTests(
  docker: Docker,
  options: { source: DebianSource; parent: string; builder?: string; log?: (line: string) => void },
): Promise<string> {
  const log = options.log ?? (() => {});
  const image = await ensureBuilderImage(docker, options.builder ?? 'wasi-python', { log });
  const out = await containerOutputDir(options.parent, 'python-tests-');
  const { exitCode, tail } = await runContainer(docker, {
    image: image.tag,
    cmd: [
      'sh',
      '-c',
      [
        'set -eu',
        't="/opt/wasmhub/sources/$TARBALL"',
        'actual="$(sha256sum "$t" | cut -d " " -f 1)"',
        '[ "$actual" = "$SHA256" ] || { echo "wasmhub: $TARBALL has SHA-256 $actual, expected $SHA256" >&2; exit 65; }',
        'tar -xf "$t" -C /out --strip-components=2 --no-same-owner --no-same-permissions --wildcards "*/Lib/test/*"',
      ].join('; '),
    ],
    env: { TARBALL: options.source.tarball, SHA256: options.source.sha256 },
    user: containerUser().user,
    mounts: [{ host: out, container: '/out' }],
    network: 'none',
    task: 'python-tests',
    log,
  });
  if (exitCode !== 0) {
    await rm(out, { recursive: true, force: true });
    throw new PipelineError(
      exitCode === 65 ? 'ERR_SOURCE_INTEGRITY' : 'ERR_DOCKER_RUN',
      `${options.source.tarball}: cannot extract Lib/test in ${image.tag} (exit ${exitCode}): ${tail.at(-1) ?? ''}`,
      { context: { tail } },
    );
  }
  return out;
}
