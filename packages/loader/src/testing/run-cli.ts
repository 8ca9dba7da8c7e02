// Runs the wasmhub CLI (bin/wasmhub.js) as a real child process with real pipes, for the CLI tests.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const wasmhubBin = fileURLToPath(new URL('../../bin/wasmhub.js', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

export interface CliOptions {
  /** The child's whole environment (nothing is inherited). */
  env: Record<string, string>;
  cwd?: string;
  /** Written to the child's stdin, which is then closed (empty by default). */
  stdin?: Buffer;
  /** Destroys the read side of stdout after this many bytes (a consumer that goes away). */
  closeStdoutAfter?: number;
}

export function runCli(args: string[], options: CliOptions): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wasmhubBin, ...args], {
      env: options.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let received = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      received += chunk.length;
      if (options.closeStdoutAfter !== undefined && received >= options.closeStdoutAfter) child.stdout.destroy();
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin ?? Buffer.alloc(0));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr }));
  });
}
