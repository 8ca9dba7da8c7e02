// Child processes for timing, through execa like the rest of the project: argv arrays only (no shell),
// output captured, wall time measured from spawn to exit. A non-zero exit fails the benchmark with the command
// and the tail of its output. execa's cleanup stops the children when the bench is interrupted (Ctrl-C; docker
// run --rm passes the signal on to its container).
import { execa } from 'execa';
import type { Mount } from '../../tools/pipeline/src/docker/run-container.ts';

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

export async function runProc(cmd: string, args: string[], options: ProcOptions = {}): Promise<ProcResult> {
  const t0 = performance.now();
  const child = execa(cmd, args, {
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
    stdin: 'ignore',
    stripFinalNewline: false,
    reject: false,
  });
  const echo = options.echo;
  if (echo) {
    for (const stream of [child.stdout, child.stderr]) {
      stream.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) if (line.trim()) echo(line);
      });
    }
  }
  const result = await child;
  const ms = performance.now() - t0;
  const { stdout, stderr } = result;
  if (result.exitCode !== 0) {
    const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-12).join('\n');
    const how = result.signal ?? result.exitCode ?? String(result.shortMessage).split('\n')[0];
    throw new Error(`${cmd} ${args.join(' ')} exited with ${how}:\n${tail}`);
  }
  return { ms, stdout, stderr };
}

/**
 * `docker run` argv (for runProc('docker', …)) with the container setup the pipeline's runContainer uses: removed
 * afterwards, no network, never root; the bare baseline the pipeline's stages are measured against.
 */
export function bareDockerRun(
  setup: { image: string; user: string; mounts: Mount[]; env?: Record<string, string>; workdir?: string },
  cmd: string[],
): string[] {
  return [
    'run',
    '--rm',
    '--network',
    'none',
    '-u',
    setup.user,
    ...(setup.workdir ? ['-w', setup.workdir] : []),
    ...Object.entries(setup.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    ...setup.mounts.flatMap((m) => ['-v', `${m.host}:${m.container}${m.readOnly ? ':ro' : ''}`]),
    setup.image,
    ...cmd,
  ];
}
