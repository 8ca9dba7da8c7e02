// Runs a wasm32-wasip1 command module under node:wasi in a child Node process, so a trap, a
// proc_exit or a runaway module can never take the caller down, and the module writes to real
// file descriptors (pipes) exactly as it would under any other WASI host.
//
// Guest view of the host:
//   argv    [argv0 ('wasmhub' by default), ...args]
//   env     exactly `options.env` (nothing is inherited from the caller)
//   stdin   empty (/dev/null)
//   fs      one preopen: the host directory `options.dir` (default: a fresh empty temporary
//           directory, removed afterwards) is the guest's "/". Go and wasi-libc both start with
//           the working directory "/", so `cat a.txt`, `cat /a.txt` and `ls .` all resolve into it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PipelineError } from '../errors.ts';

export interface RunWasiOptions {
  /** The module's whole environment. Default: empty. */
  env?: Record<string, string>;
  /** Host directory preopened as the guest's "/". Default: a fresh empty temporary directory. */
  dir?: string;
  /** argv[0] seen by the module. Default: 'wasmhub'. */
  argv0?: string;
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
  timeoutMs: number;
}

const KNOWN_OPTIONS = new Set(['env', 'dir', 'argv0', 'timeoutMs']);

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
  return { env, dir: options.dir, argv0: options.argv0 ?? 'wasmhub', timeoutMs };
}

/**
 * The child's program. It reports how the run ended on fd 3 as one JSON object, so the
 * module's own stdout/stderr (fds 1 and 2) stay untouched:
 * `{ exitCode }` or `{ phase: 'read' | 'compile' | 'instantiate' | 'run', error }`.
 */
const CHILD_SOURCE = `
import { readFileSync, writeSync } from 'node:fs';
import { WASI } from 'node:wasi';
const config = JSON.parse(process.argv[1]);
let phase = 'read';
let report;
try {
  const bytes = readFileSync(config.wasm);
  phase = 'compile';
  const module = await WebAssembly.compile(bytes);
  phase = 'instantiate';
  const wasi = new WASI({
    version: 'preview1',
    args: config.args,
    env: config.env,
    preopens: { '/': config.dir },
    returnOnExit: true,
  });
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  phase = 'run';
  report = { exitCode: wasi.start(instance) };
} catch (error) {
  report = { phase, error: String(error instanceof Error ? error.message : error).split('\\n')[0] };
}
writeSync(3, JSON.stringify(report));
`;

type ChildReport = { exitCode: number } | { phase: string; error: string };

const tail = (text: string, lines = 5): string[] => text.trimEnd().split('\n').slice(-lines);

/**
 * Runs `wasmPath` with `args` under node:wasi (preview1) in a child process.
 * Resolves with the module's stdout, stderr and exit code whatever the exit code is.
 * Rejects with ERR_WASM_INVALID when the module cannot be read, compiled or instantiated,
 * traps, or does not finish within `timeoutMs`.
 */
export async function runWasi(wasmPath: string, args: string[], options: RunWasiOptions = {}): Promise<WasiResult> {
  const opts = normalizeOptions(options);
  const wasm = resolve(wasmPath);
  const scratch = opts.dir === undefined ? await mkdtemp(join(tmpdir(), 'wasmhub-wasi-')) : undefined;
  try {
    const config = { wasm, args: [opts.argv0, ...args], env: opts.env, dir: resolve(scratch ?? (opts.dir as string)) };
    return await runChild(wasmPath, args, config, opts.timeoutMs);
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}

function runChild(
  wasmPath: string,
  args: string[],
  config: { wasm: string; args: string[]; env: Record<string, string>; dir: string },
  timeoutMs: number,
): Promise<WasiResult> {
  const { NODE_OPTIONS: _ignored, ...parentEnv } = process.env;
  const child = spawn(
    process.execPath,
    ['--disable-warning=ExperimentalWarning', '--input-type=module', '-e', CHILD_SOURCE, JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: parentEnv, windowsHide: true },
  );
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const status: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  (child.stdio[3] as NodeJS.ReadableStream | null)?.on('data', (chunk: Buffer) => status.push(chunk));

  const command = `${wasmPath} ${JSON.stringify(args)}`;
  return new Promise<WasiResult>((resolvePromise, reject) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (cause) => {
      clearTimeout(timer);
      reject(new PipelineError('ERR_WASM_INVALID', `${command}: cannot start node to run the module`, { cause }));
    });
    // 'close' fires once the child has exited and all its pipes are drained.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(stdout).toString('utf8');
      const err = Buffer.concat(stderr).toString('utf8');
      const context = { wasmPath, args, childExitCode: code, signal, stdoutTail: tail(out), stderrTail: tail(err) };
      if (timedOut) {
        reject(
          new PipelineError('ERR_WASM_INVALID', `${command}: did not finish within ${timeoutMs} ms (killed)`, {
            context,
          }),
        );
        return;
      }
      let report: ChildReport | undefined;
      try {
        report = JSON.parse(Buffer.concat(status).toString('utf8')) as ChildReport;
      } catch {
        report = undefined;
      }
      if (report && 'exitCode' in report) {
        resolvePromise({ stdout: out, stderr: err, exitCode: report.exitCode });
        return;
      }
      const why = report
        ? report.phase === 'run'
          ? `trapped: ${report.error}`
          : `cannot ${report.phase} the module: ${report.error}`
        : `the node:wasi host died (exit code ${code}, signal ${signal ?? 'none'}): ${tail(err, 1)[0] ?? ''}`;
      reject(new PipelineError('ERR_WASM_INVALID', `${command}: ${why}`, { context }));
    });
  });
}
