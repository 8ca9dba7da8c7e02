// The child process of runWasiMany (run-wasi.ts): compiles the module once, then runs each job in its
// own WASI instance with its own argv, env and preopens, stdout and stderr going to files (read back
// after the run). After each job it writes one JSON line to fd 3, so the module's own fds 1 and 2 stay
// untouched: `{ ready: true }` once the module is compiled, then per job `{ exitCode, stdout, stderr }` or `{ phase: 'instantiate' | 'run', error, stdout, stderr }`;
// a module that cannot be read or compiled ends the child with one `{ phase: 'read' | 'compile', error, fatal }`.
// Node 20 crashes (SIGSEGV) after a handful of Go instances unless the previous ones are collected,
// hence the gc() after each job (the parent starts the child with --expose-gc).
//
// The child never outlives the process that started it: a watchdog thread kills it once that parent is
// gone, even while a module loops on the main thread (see watchParent).
//
// Started as `node [--import tsx/esm] wasi-child.(ts|js) <config.json>`; run-wasi.ts finds this file
// beside itself with its own extension, so it works from the TypeScript sources and from compiled JS.
import { closeSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { WASI } from 'node:wasi';
import { Worker } from 'node:worker_threads';

/** One job as the child receives it: absolute host paths, stdin as a file. */
export interface ChildJob {
  /** The whole argv, argv[0] included. */
  args: string[];
  env: Record<string, string>;
  /** Preopened as the guest's "/" unless `preopens` is given. */
  dir: string;
  preopens?: Record<string, string>;
  stdinFile?: string;
}

/** The JSON file named by the child's only argument. */
export interface ChildConfig {
  wasm: string;
  /** A directory the child may write its scratch files (stdout, stderr) into. */
  out: string;
  jobs: ChildJob[];
  /** The process that started the child: when it is gone, so is the child (see watchParent). */
  parentPid: number;
}

/** A job's end, or (fatal) the end of every job. */
export type JobReport = ({ exitCode: number } | { phase: string; error: string; fatal?: true }) & {
  stdout?: string;
  stderr?: string;
};

/** One line on fd 3: `{ ready: true }` once the module is compiled (each job's clock starts then), then reports. */
export type ChildLine = { ready: true } | JobReport;

type Phase = 'read' | 'compile' | 'instantiate' | 'run';

// The workspace's lib is ES2023 without DOM, so type the two WebAssembly members used here.
interface WasmApi {
  compile(bytes: Uint8Array): Promise<object>;
  /** Given a compiled module, resolves with its instance. */
  instantiate(module: object, imports: object): Promise<object>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

const send = (line: ChildLine): void => {
  writeSync(3, `${JSON.stringify(line)}\n`);
};
const firstLine = (error: unknown): string =>
  String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';

async function compile(wasm: string): Promise<object | undefined> {
  let phase: Phase = 'read';
  try {
    const bytes = readFileSync(wasm);
    phase = 'compile';
    return await wasmApi.compile(bytes);
  } catch (error) {
    send({ phase, error: firstLine(error), fatal: true });
    return undefined;
  }
}

async function runJob(module: object, job: ChildJob, out: string): Promise<JobReport> {
  const stdoutPath = join(out, 'stdout');
  const stderrPath = join(out, 'stderr');
  const fds = [
    openSync(stdoutPath, 'w'),
    openSync(stderrPath, 'w'),
    openSync(job.stdinFile ?? join(out, 'empty'), 'r'),
  ];
  const [stdout, stderr, stdin] = fds as [number, number, number];
  let report: JobReport;
  let phase: Phase = 'instantiate';
  try {
    const wasi = new WASI({
      version: 'preview1',
      args: job.args,
      env: job.env,
      preopens: job.preopens ?? { '/': job.dir },
      returnOnExit: true,
      stdin,
      stdout,
      stderr,
    });
    const instance = await wasmApi.instantiate(module, wasi.getImportObject());
    phase = 'run';
    report = { exitCode: wasi.start(instance) };
  } catch (error) {
    report = { phase, error: firstLine(error) };
  } finally {
    for (const fd of fds) closeSync(fd);
  }
  return { ...report, stdout: readFileSync(stdoutPath, 'utf8'), stderr: readFileSync(stderrPath, 'utf8') };
}

/** How often the watchdog looks for the parent. */
const WATCH_INTERVAL_MS = 250;

/**
 * Kills this process once `parentPid` is no longer its parent (it died, even by SIGKILL, and the
 * child was handed to init or a subreaper). Uses only globals: it runs in a worker from its own text.
 */
function exitWithParent(parentPid: number, intervalMs: number): void {
  setInterval(() => {
    if (process.ppid !== parentPid) process.kill(process.pid, 'SIGKILL');
  }, intervalMs);
}

/**
 * Starts exitWithParent on its own thread: a module stuck in a loop holds the main thread forever,
 * so nothing on it (an 'end' of stdin, a 'disconnect', a timer) could ever run. The worker is
 * unreferenced, so it never keeps a finished child alive, and starts without the parent's execArgv
 * (under tsx, a worker cannot load a .ts file on Node 20; it needs none).
 */
function watchParent(parentPid: number): void {
  const source = `(${exitWithParent.toString()})(${parentPid}, ${WATCH_INTERVAL_MS});`;
  new Worker(source, { eval: true, execArgv: [] }).unref();
}

async function main(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as ChildConfig;
  watchParent(config.parentPid);
  const module = await compile(config.wasm);
  if (!module) return;
  send({ ready: true });
  writeFileSync(join(config.out, 'empty'), '');
  for (const job of config.jobs) {
    send(await runJob(module, job, config.out));
    globalThis.gc?.();
  }
}

await main(process.argv[2] ?? '');
