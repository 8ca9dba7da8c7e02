// Child processes for timing: argv arrays only (no shell), output captured, wall time measured from
// spawn to exit. A non-zero exit fails the benchmark with the command and the tail of its output.
import { type ChildProcess, spawn } from 'node:child_process';

export interface ProcResult {
  ms: number;
  stdout: string;
  stderr: string;
}

export interface ProcOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Pass output through to our stderr as it comes (long builds). */
  echo?: (line: string) => void;
}

/** Children still running: a Ctrl-C of the bench stops them too (docker run --rm passes the signal on). */
const live = new Set<ChildProcess>();
let handlersInstalled = false;
function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const child of live) child.kill(signal);
      setTimeout(() => process.exit(signal === 'SIGINT' ? 130 : 143), 2000).unref();
    });
  }
}

export function runProc(cmd: string, args: string[], options: ProcOptions = {}): Promise<ProcResult> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    installSignalHandlers();
    live.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const echo = options.echo;
    const take = (sink: Buffer[]) => (chunk: Buffer) => {
      sink.push(chunk);
      if (echo) for (const line of chunk.toString().split('\n')) if (line.trim()) echo(line);
    };
    child.stdout.on('data', take(out));
    child.stderr.on('data', take(err));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      live.delete(child);
      const ms = performance.now() - t0;
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      if (code !== 0) {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-12).join('\n');
        reject(new Error(`${cmd} ${args.join(' ')} exited with ${signal ?? code}:\n${tail}`));
        return;
      }
      resolve({ ms, stdout, stderr });
    });
  });
}
