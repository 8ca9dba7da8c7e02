// Runs a wasm32-wasip1 command module under node:wasi in a child Node process, so a trap, a
// proc_exit or a runaway module can never take the caller down, and the module writes to real
// file descriptors (files, read back after the run) as it would under any other WASI host.
// runWasiMany runs many jobs of one module in one child (compiled once, a fresh instance per job):
// a conformance suite of 117 cases takes seconds instead of a Node start per case. The child's
// program is wasi-child.ts (the sibling file with this file's own extension, so compiled JS runs
// compiled JS).
//
// Guest view of the host:
//   argv    [argv0 ('wasmhub' by default), ...args]
//   env     exactly `options.env` (nothing is inherited from the caller)
//   stdin   `options.stdin` (text), or empty (/dev/null)
//   fs      one preopen: the host directory `options.dir` (default: a fresh empty temporary
//           directory, removed afterwards) is the guest's "/". Go and wasi-libc both start with
//           the working directory "/", so `cat a.txt`, `cat /a.txt` and `ls .` all resolve into it.
//           `options.preopens` ({ guestPath: hostDir }) replaces that default with its own list.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PipelineError } from '../errors.ts';
import type { ChildConfig, ChildJob, ChildLine, JobReport } from './wasi-child.ts';

export interface RunWasiOptions {
  /** The module's whole environment. Default: empty. */
  env?: Record<string, string>;
  /** Host directory preopened as the guest's "/". Default: a fresh empty temporary directory. */
  dir?: string;
  /** argv[0] seen by the module. Default: 'wasmhub'. */
  argv0?: string;
  /** What the module reads on fd 0. Default: nothing (end of file at once). */
  stdin?: string;
  /** Guest directory -> host directory; replaces the default preopen of `dir` as "/". */
  preopens?: Record<string, string>;
  /** Kill the child and fail after this long. Default: 60 000 ms. */
  timeoutMs?: number;
}

export interface WasiResult {
  /** What the module wrote to fd 1, decoded as UTF-8. */
  stdout: string;
  /** What the module wrote to fd 2, decoded as UTF-8. */
  stderr: string;
  /** The code passed to proc_exit, or 0 when _start returned. */
  exitCode: number;
}

interface NormalizedRunWasiOptions {
  env: Record<string, string>;
  dir: string | undefined;
  argv0: string;
  stdin: string | undefined;
  preopens: Record<string, string> | undefined;
  timeoutMs: number;
}

const KNOWN_OPTIONS = new Set(['env', 'dir', 'argv0', 'stdin', 'preopens', 'timeoutMs']);

function normalizeOptions(options: RunWasiOptions): NormalizedRunWasiOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key)) {
      throw new PipelineError('ERR_INVALID_OPTION', `runWasi: unknown option "${key}"; known: ${[...KNOWN_OPTIONS]}`);
    }
  }
  const env = options.env ?? {};
  for (const [key, value] of Object.entries(env)) {
    if (key === '' || key.includes('=') || key.includes('\0') || typeof value !== 'string' || value.includes('\0')) {
      throw new PipelineError('ERR_INVALID_OPTION', `runWasi: invalid environment entry ${JSON.stringify(key)}`);
    }
  }
  const timeoutMs = options.timeoutMs ?? 60_000;
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new PipelineError('ERR_INVALID_OPTION', `runWasi: timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  for (const guest of Object.keys(options.preopens ?? {})) {
    if (!guest.startsWith('/')) {
      throw new PipelineError(
        'ERR_INVALID_OPTION',
        `runWasi: preopen ${JSON.stringify(guest)} must be an absolute guest path`,
      );
    }
  }
  return {
    env,
    dir: options.dir,
    argv0: options.argv0 ?? 'wasmhub',
    stdin: options.stdin,
    preopens: options.preopens,
    timeoutMs,
  };
}

/** One run of a module: its own argv, env and guest "/" (see RunWasiOptions). */
export interface WasiJob extends Omit<RunWasiOptions, 'timeoutMs'> {
  args: string[];
}

/**
 * How one job of runWasiMany ended: the module ran to its exit, or it could not. `reason` says why
 * (`trapped: unreachable`, `did not finish within 1500 ms (killed)`); `error` adds the module and argv.
 */
export type WasiOutcome = { ok: true; result: WasiResult } | { ok: false; reason: string; error: PipelineError };

/** A failed job: ERR_WASM_INVALID `<wasm> <argv>: <reason>`. */
function failure(wasmPath: string, args: string[], reason: string, context: Record<string, unknown>): WasiOutcome {
  return {
    ok: false,
    reason,
    error: new PipelineError('ERR_WASM_INVALID', `${commandOf(wasmPath, args)}: ${reason}`, {
      context: { wasmPath, args, ...context },
    }),
  };
}

export interface RunWasiManyOptions {
  /** Per-job timeout; the child is killed and the remaining jobs go on in a new one. Default: 60 000 ms. */
  timeoutMs?: number;
  /** Jobs run by one child process before a fresh one takes over. Default: 64. */
  jobsPerProcess?: number;
}

const tail = (text: string, lines = 5): string[] => text.trimEnd().split('\n').slice(-lines);
const commandOf = (wasmPath: string, args: string[]): string => `${wasmPath} ${JSON.stringify(args)}`;

/**
 * Runs `wasmPath` with `args` under node:wasi (preview1) in a child process.
 * Resolves with the module's stdout, stderr and exit code whatever the exit code is.
 * Rejects with ERR_WASM_INVALID when the module cannot be read, compiled or instantiated,
 * traps, or does not finish within `timeoutMs`.
 */
export async function runWasi(wasmPath: string, args: string[], options: RunWasiOptions = {}): Promise<WasiResult> {
  const { timeoutMs, ...job } = options;
  const [outcome] = await runWasiMany(wasmPath, [{ ...job, args }], timeoutMs === undefined ? {} : { timeoutMs });
  if (!outcome) throw new Error('runWasiMany returned no outcome');
  if (!outcome.ok) throw outcome.error;
  return outcome.result;
}

/**
 * Runs many jobs of one module: the module is compiled once per child process and each job gets a
 * fresh WASI instance (its own memory, argv, env, preopen and output files), so a trap or proc_exit
 * in one job cannot affect another. Outcomes come back in job order; a job that traps, times out or
 * kills its host is reported as `{ ok: false }` (the same ERR_WASM_INVALID messages as runWasi) and the
 * remaining jobs go on in a fresh child. When a child dies after other jobs ran in it, the job is
 * retried alone, so a crash of the shared host is never blamed on the module.
 */
export async function runWasiMany(
  wasmPath: string,
  jobs: WasiJob[],
  options: RunWasiManyOptions = {},
): Promise<WasiOutcome[]> {
  const { jobsPerProcess = 64, ...rest } = options;
  if (!Number.isInteger(jobsPerProcess) || jobsPerProcess < 1) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `runWasiMany: jobsPerProcess must be an integer >= 1, got ${jobsPerProcess}`,
    );
  }
  const normalized = jobs.map((job) => {
    const { args, ...jobOptions } = job;
    return { args, ...normalizeOptions({ ...jobOptions, ...rest }) };
  });
  const wasm = resolve(wasmPath);
  const scratches: string[] = [];
  try {
    const configs = [];
    for (const job of normalized) {
      let dir = job.dir;
      if (dir === undefined) {
        dir = await mkdtemp(join(tmpdir(), 'wasmhub-wasi-'));
        scratches.push(dir);
      }
      configs.push({
        args: [job.argv0, ...job.args],
        env: job.env,
        dir: resolve(dir),
        ...(job.stdin === undefined ? {} : { stdin: job.stdin }),
        ...(job.preopens
          ? { preopens: Object.fromEntries(Object.entries(job.preopens).map(([g, h]) => [g, resolve(h)])) }
          : {}),
      });
    }
    const timeoutMs = normalizeOptions(rest).timeoutMs;
    const outcomes: WasiOutcome[] = [];
    while (outcomes.length < normalized.length) {
      const first = outcomes.length;
      const chunk = configs.slice(first, first + jobsPerProcess);
      const run = await runChild(wasm, chunk, timeoutMs);
      for (const [i, report] of run.reports.entries()) {
        outcomes.push(toOutcome(wasmPath, normalized[first + i]?.args ?? [], report, timeoutMs));
      }
      const stopped = normalized[outcomes.length];
      if (outcomes.length === normalized.length || !stopped) break;
      if (run.fatal) {
        // The module cannot be read or compiled: every remaining job fails the same way.
        for (const job of normalized.slice(outcomes.length)) {
          outcomes.push(toOutcome(wasmPath, job.args, run.fatal, timeoutMs));
        }
      } else if (run.timedOut === 'job') {
        outcomes.push(failure(wasmPath, stopped.args, `did not finish within ${timeoutMs} ms (killed)`, run.context));
      } else if (run.timedOut === 'start') {
        const reason = `the node:wasi host did not start within ${Math.max(timeoutMs, STARTUP_TIMEOUT_MS)} ms (killed)`;
        outcomes.push(failure(wasmPath, stopped.args, reason, run.context));
      } else if (run.reports.length === 0) {
        // The child died on the first job it ran: the job itself took its host down.
        const { childExitCode, signal, stderrTail } = run.context;
        const reason = `the node:wasi host died (exit code ${childExitCode}, signal ${signal ?? 'none'}): ${stderrTail.at(-1) ?? ''}`;
        outcomes.push(failure(wasmPath, stopped.args, reason, run.context));
      }
      // Otherwise the child died after running other jobs: the loop retries this job first in a fresh child.
    }
    return outcomes;
  } finally {
    await Promise.all(scratches.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

function toOutcome(wasmPath: string, args: string[], report: JobReport, timeoutMs: number): WasiOutcome {
  if ('exitCode' in report) {
    return {
      ok: true,
      result: { stdout: report.stdout ?? '', stderr: report.stderr ?? '', exitCode: report.exitCode },
    };
  }
  const why =
    report.phase === 'run' ? `trapped: ${report.error}` : `cannot ${report.phase} the module: ${report.error}`;
  return failure(wasmPath, args, why, {
    timeoutMs,
    stdoutTail: tail(report.stdout ?? ''),
    stderrTail: tail(report.stderr ?? ''),
  });
}

/** One job as runChild receives it (absolute host paths, stdin as text). */
type HostJob = Omit<ChildJob, 'stdinFile'> & { stdin?: string };

interface ChildRun {
  /** One report per job that ended, in order. */
  reports: JobReport[];
  /** Set when the module could not be read or compiled. */
  fatal?: JobReport;
  /** Set when the child was killed: a job ran too long, or the host did not start. */
  timedOut?: 'job' | 'start';
  context: { childExitCode: number | null; signal: NodeJS.Signals | null; stderrTail: string[] };
}

/** Runs `jobs` in one child; its config, stdin and output files live in a directory removed however the child ends. */
async function runChild(wasm: string, jobs: HostJob[], timeoutMs: number): Promise<ChildRun> {
  const out = await mkdtemp(join(tmpdir(), 'wasmhub-wasi-out-'));
  try {
    const sent: ChildJob[] = [];
    for (const [i, { stdin, ...job }] of jobs.entries()) {
      if (stdin === undefined) {
        sent.push(job);
        continue;
      }
      const stdinFile = join(out, `stdin-${i}`);
      await writeFile(stdinFile, stdin);
      sent.push({ ...job, stdinFile });
    }
    // The config travels as a file too: an argument is limited to 128 KiB.
    const configPath = join(out, 'config.json');
    const config: ChildConfig = { wasm, jobs: sent, out, parentPid: process.pid };
    await writeFile(configPath, JSON.stringify(config));
    return await spawnChild(wasm, configPath, timeoutMs);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** How to start wasi-child beside this file: the compiled .js as it is, the .ts source through tsx. */
function childCommand(): string[] {
  const self = fileURLToPath(import.meta.url);
  const extension = extname(self);
  const child = join(dirname(self), `wasi-child${extension}`);
  if (extension !== '.ts') return [child];
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
  return ['--import', tsx, child];
}

/** The host gets this long to start and compile the module before its first job's clock starts. */
const STARTUP_TIMEOUT_MS = 120_000;

/**
 * Starts the child. `--no-turbo-fast-api-calls`: Node 20's node:wasi syscalls are V8 fast API calls, and
 * one that grows uvwasi's memory can start a GC inside the fast call, which V8 forbids (nodejs/node#46777,
 * open, still seen on Node 22): the GC misses the JS frame that called wasi.start(), and the host dies
 * once the module returns (SIGTRAP, "Stacktrace: ... FreeSpace"). CPython's test_str did that on every
 * run here after regrtest printed SUCCESS, test_zlib on about one run in two; with the flag, 0 in 21.
 */
function spawnChild(wasm: string, configPath: string, timeoutMs: number): Promise<ChildRun> {
  const { NODE_OPTIONS: _ignored, ...parentEnv } = process.env;
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--no-turbo-fast-api-calls',
      '--disable-warning=ExperimentalWarning',
      ...childCommand(),
      configPath,
    ],
    { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], env: parentEnv, windowsHide: true },
  );
  const stderr: Buffer[] = [];
  const reports: JobReport[] = [];
  let fatal: JobReport | undefined;
  let pending = '';
  let timedOut: ChildRun['timedOut'];
  let timer: NodeJS.Timeout | undefined;
  const arm = (what: 'job' | 'start', ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = what;
      child.kill('SIGKILL');
    }, ms);
  };
  arm('start', Math.max(timeoutMs, STARTUP_TIMEOUT_MS));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  (child.stdio[3] as NodeJS.ReadableStream | null)?.setEncoding('utf8');
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (chunk: string) => {
    pending += chunk;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = JSON.parse(pending.slice(0, newline)) as ChildLine;
      pending = pending.slice(newline + 1);
      if ('ready' in line) arm('job', timeoutMs);
      else if ('fatal' in line && line.fatal) fatal = line;
      else {
        reports.push(line);
        arm('job', timeoutMs);
      }
      newline = pending.indexOf('\n');
    }
  });
  return new Promise<ChildRun>((resolvePromise, reject) => {
    child.on('error', (cause) => {
      clearTimeout(timer);
      reject(new PipelineError('ERR_WASM_INVALID', `${wasm}: cannot start node to run the module`, { cause }));
    });
    // 'close' fires once the child has exited and all its pipes are drained.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const context = { childExitCode: code, signal, stderrTail: tail(Buffer.concat(stderr).toString('utf8')) };
      resolvePromise({ reports, ...(fatal ? { fatal } : {}), ...(timedOut ? { timedOut } : {}), context });
    });
  });
}
