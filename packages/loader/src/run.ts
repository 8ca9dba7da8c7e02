// Running a verified runtime under node:wasi (WASI preview 1). The guest sees only what it is given:
// argv [argv0 (the runtime's name), ...args], exactly the environment passed (plus the runtime's own guest
// environment, e.g. PYTHONHOME), the folders passed as preopens (plus the runtime's companion folders), and
// the three file descriptors passed (default: the process's own 0, 1, 2, so bytes pass through untouched).
import type { VerifiedRuntime } from './cache.ts';
import { LoaderError } from './errors.ts';
import type { WasmModule } from './loader.ts';

export interface RunOptions {
  /** Arguments after argv[0]. */
  args?: string[];
  /** argv[0] as the guest sees it. Default: the language name (`go`, `rust`, `lua`, ...). */
  argv0?: string;
  /** The guest's environment (nothing of the host's is visible otherwise). */
  env?: Record<string, string>;
  /** Guest folder -> host folder. No host folder is visible otherwise. */
  preopens?: Record<string, string>;
  /** File descriptors of the guest's stdin, stdout and stderr (default 0, 1, 2: the process's own). */
  stdin?: number;
  stdout?: number;
  stderr?: number;
}

/** What a WASI preview 1 host needs: `new WASI(options)` in Node, or the same fields for another host. */
export interface WasiOptions {
  version: 'preview1';
  args: string[];
  env: Record<string, string>;
  preopens: Record<string, string>;
  stdin: number;
  stdout: number;
  stderr: number;
  /** `wasi.start()` returns the guest's exit status instead of ending the process. */
  returnOnExit: true;
}

/** A runtime instantiated under node:wasi, ready to start once. */
export interface Instantiated {
  runtime: VerifiedRuntime;
  module: WasmModule;
  instance: object;
  wasi: object;
  /** Run `_start`; resolves to the guest's exit status. A trap throws a LoaderError ERR_TRAP. */
  start(): number;
}

const KNOWN = new Set(['args', 'argv0', 'env', 'preopens', 'stdin', 'stdout', 'stderr']);

/**
 * The WASI options for one run of `runtime`: the runtime's own preopens and environment (companion files)
 * first, the caller's on top. Checks every value (no NUL, no '=' in a key, fds are small integers).
 */
export function wasiOptions(runtime: VerifiedRuntime, options: RunOptions = {}): WasiOptions {
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) {
      throw new LoaderError('ERR_INVALID_OPTION', `run: unknown option ${JSON.stringify(key)}; known: ${[...KNOWN]}`);
    }
  }
  const args = [options.argv0 ?? runtime.language, ...(options.args ?? [])];
  for (const arg of args) {
    if (typeof arg !== 'string' || arg.includes('\0')) {
      throw new LoaderError('ERR_INVALID_OPTION', `run: argument ${JSON.stringify(arg)} is not a string without NUL`);
    }
  }
  const env = { ...(runtime.env ?? {}), ...(options.env ?? {}) };
  for (const [key, value] of Object.entries(env)) {
    if (key === '' || key.includes('=') || key.includes('\0') || typeof value !== 'string' || value.includes('\0')) {
      throw new LoaderError('ERR_INVALID_OPTION', `run: invalid environment entry ${JSON.stringify(key)}`);
    }
  }
  const preopens = { ...(runtime.preopens ?? {}), ...(options.preopens ?? {}) };
  for (const [guest, host] of Object.entries(preopens)) {
    if (guest === '' || guest.includes('\0') || typeof host !== 'string' || host === '' || host.includes('\0')) {
      throw new LoaderError('ERR_INVALID_OPTION', `run: invalid preopen ${JSON.stringify(guest)} -> ${String(host)}`);
    }
  }
  const fd = (name: 'stdin' | 'stdout' | 'stderr', fallback: number) => {
    const value = options[name] ?? fallback;
    if (!Number.isInteger(value) || value < 0) {
      throw new LoaderError('ERR_INVALID_OPTION', `run: ${name} must be a file descriptor, got ${String(value)}`);
    }
    return value;
  };
  return {
    version: 'preview1',
    args,
    env,
    preopens,
    stdin: fd('stdin', 0),
    stdout: fd('stdout', 1),
    stderr: fd('stderr', 2),
    returnOnExit: true,
  };
}

type WasiCtor = new (
  options: WasiOptions,
) => { getImportObject(): Record<string, unknown>; start(instance: object): number };

/**
 * node:wasi, imported without its one-time ExperimentalWarning on stderr: a guest's stderr must be its own
 * bytes only. Other warnings pass through.
 */
export async function importWasi(): Promise<WasiCtor> {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/WASI/.test(text)) return;
    (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return (await import('node:wasi')).WASI as unknown as WasiCtor;
  } finally {
    process.emitWarning = emit;
  }
}

interface WasmApi {
  instantiate(module: WasmModule, imports: Record<string, unknown>): Promise<object>;
}

const WASI_EAGAIN = 6;

/**
 * The guest's stdio behaves as blocking, whatever the host did to the file descriptors. Node sets a pipe or
 * a terminal to O_NONBLOCK as soon as anything touches process.stdin/stdout/stderr (even
 * `import process from 'node:process'` in a dependency), and a guest would then see EAGAIN on a full
 * pipe or an empty stdin and lose output. fd_read/fd_write on fds 0-2 answering EAGAIN wait and try
 * again (a short sleep that grows to 20 ms); every other answer, EPIPE of a closed pipe included, is the guest's.
 */
function blockingStdio(imports: Record<string, unknown>): Record<string, unknown> {
  const preview1 = imports.wasi_snapshot_preview1 as Record<string, (...args: number[]) => number>;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const retrying =
    (call: (...args: number[]) => number) =>
    (...args: number[]): number => {
      let delayMs = 1;
      for (;;) {
        const errno = call(...args);
        if (errno !== WASI_EAGAIN || (args[0] as number) > 2) return errno;
        Atomics.wait(pause, 0, 0, delayMs);
        delayMs = Math.min(delayMs * 2, 20);
      }
    };
  const { fd_read: fdRead, fd_write: fdWrite } = preview1;
  if (!fdRead || !fdWrite) return imports;
  return {
    ...imports,
    wasi_snapshot_preview1: { ...preview1, fd_read: retrying(fdRead), fd_write: retrying(fdWrite) },
  };
}

/** Instantiate a compiled runtime under node:wasi with `options` (see wasiOptions). */
export async function instantiateRuntime(
  runtime: VerifiedRuntime,
  module: WasmModule,
  options: WasiOptions,
): Promise<Instantiated> {
  const WASI = await importWasi();
  const wasi = new WASI(options);
  const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
  const instance = await wasm.instantiate(module, blockingStdio(wasi.getImportObject()));
  let started = false;
  return {
    runtime,
    module,
    instance,
    wasi,
    start() {
      if (started)
        throw new LoaderError('ERR_USAGE', `${runtime.language}@${runtime.version}: an instance starts once`);
      started = true;
      try {
        return wasi.start(instance);
      } catch (cause) {
        const message = cause instanceof Error ? cause.message : String(cause);
        throw new LoaderError('ERR_TRAP', `${runtime.language}@${runtime.version} trapped: ${message}`, {
          cause,
          context: { language: runtime.language, version: runtime.version },
        });
      }
    },
  };
}
