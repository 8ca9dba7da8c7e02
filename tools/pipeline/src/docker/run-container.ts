// Runs one command in a throw-away container: read-only/read-write bind mounts, no network,
// a non-root user, output streamed line by line with the task prefix, and the container removed
// in every case (success, failure, exception, SIGINT/SIGTERM).
import { chown, mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';
import { PipelineError } from '../errors.ts';
import { lineEmitter } from '../kit/events.ts';

/** The container user: the host user, or the builder images' non-root `builder` (uid 1000) when we are root. */
export function containerUser(): { user: string; uid: number; gid: number } {
  const uid = process.getuid?.() ?? 1000;
  const gid = process.getgid?.() ?? 1000;
  if (uid === 0) return { user: '1000:1000', uid: 1000, gid: 1000 };
  return { user: `${uid}:${gid}`, uid, gid };
}

/** A fresh folder `<parent>/<prefix>XXXXXX` the container user can write to (mounted as an output). */
export async function containerOutputDir(parent: string, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(parent, prefix));
  if (process.getuid?.() === 0) {
    const { uid, gid } = containerUser();
    await chown(dir, uid, gid);
  }
  return dir;
}

export interface Mount {
  host: string;
  container: string;
  readOnly?: boolean;
}

export interface RunContainerOptions {
  image: string;
  cmd: string[];
  mounts: Mount[];
  /** `uid:gid` or a user name of the image; defaults to the image's USER. Never root by default. */
  user?: string;
  env?: Record<string, string>;
  workdir?: string;
  /** Prefix of every output line, e.g. `go@1.24` -> `[go@1.24] ...`. */
  task: string;
  network?: 'none';
  /** How many trailing lines to return (default 40). */
  tailLines?: number;
  /** Receives every output line, already prefixed (formatEvent); default: process.stdout / process.stderr. */
  log?: (line: string, stream: 'stdout' | 'stderr') => void;
  labels?: Record<string, string>;
}

export interface RunContainerResult {
  exitCode: number;
  tail: string[];
}

/** Keeps the last `max` lines. */
export function createTail(max: number) {
  const buffer: string[] = [];
  return {
    push(line: string) {
      buffer.push(line);
      if (buffer.length > max) buffer.shift();
    },
    lines: () => [...buffer],
  };
}

/** Splits chunks into lines (\n or \r\n); `end()` flushes an unterminated last line. */
export function splitLines(onLine: (line: string) => void) {
  let pending = '';
  return {
    write(chunk: string | Buffer) {
      pending += chunk.toString();
      const parts = pending.split(/\r?\n/);
      pending = parts.pop() ?? '';
      for (const part of parts) onLine(part);
    },
    end() {
      if (pending !== '') onLine(pending);
      pending = '';
    },
  };
}

/** Runs `cmd` in a new container of `image` and returns its exit code and last output lines. */
export async function runContainer(docker: Docker, options: RunContainerOptions): Promise<RunContainerResult> {
  const { task } = options;
  const emit = lineEmitter(options.log);
  const tail = createTail(options.tailLines ?? 40);
  const container = await docker.createContainer({
    Image: options.image,
    Cmd: options.cmd,
    User: options.user,
    WorkingDir: options.workdir,
    Env: Object.entries(options.env ?? {}).map(([k, v]) => `${k}=${v}`),
    Labels: { 'org.wasmhub.task': options.task, ...options.labels },
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    NetworkDisabled: (options.network ?? 'none') === 'none',
    HostConfig: {
      Binds: options.mounts.map((m) => `${m.host}:${m.container}:${m.readOnly ? 'ro' : 'rw'}`),
      NetworkMode: options.network ?? 'none',
      AutoRemove: false,
    },
  });

  // Ctrl-C / SIGTERM of the Nx process: remove the container, then exit once every
  // container of this process is gone (each run removes its own listener when done).
  const remove = () => container.remove({ force: true, v: true }).catch(() => {});
  const onSignal = (signal: NodeJS.Signals) => {
    void remove().then(() => {
      process.off(signal, onSignal);
      if (process.listenerCount(signal) === 0) process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true, logs: true });
    const ended = new Promise<void>((resolve) => {
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', resolve);
    });
    const sink = (name: 'stdout' | 'stderr') => {
      const lines = splitLines((line) => {
        tail.push(line);
        emit({ kind: 'output', task, stream: name, line });
      });
      const through = new PassThrough();
      through.on('data', (chunk: Buffer) => lines.write(chunk));
      through.on('end', () => lines.end());
      return { through, lines };
    };
    const out = sink('stdout');
    const err = sink('stderr');
    docker.modem.demuxStream(stream, out.through, err.through);
    await container.start();
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await ended;
    out.lines.end();
    err.lines.end();
    return { exitCode: StatusCode, tail: tail.lines() };
  } catch (cause) {
    if (cause instanceof PipelineError) throw cause;
    throw new PipelineError(
      'ERR_DOCKER_RUN',
      `[${options.task}] container of ${options.image} failed to run: ${(cause as Error).message}`,
      {
        cause,
        context: { image: options.image, cmd: options.cmd, tail: tail.lines() },
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await remove();
  }
}
