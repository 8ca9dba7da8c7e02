// Builder images: docker/<name>.Dockerfile -> wasmhub-builder/<name>:<16 hex of sha256(context)>.
// The tag is a content hash of the build context, so an unchanged Dockerfile is never rebuilt
// and a changed one always is.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import tar from 'tar-stream';
import { PipelineError } from '../errors.ts';
import { lineEmitter, type PipelineEvent } from '../kit/events.ts';
import { dockerfilePath, workspaceRoot } from '../paths.ts';
import { createTail, splitLines } from './run-container.ts';

export interface ContextFile {
  name: string;
  content: Buffer;
}

export interface BuildContext {
  /** Builder name, e.g. 'trixie'. */
  name: string;
  /** Files of the tar context (Dockerfile first). */
  files: ContextFile[];
  /** 16 hex digits of the sha256 over the context. */
  hash: string;
  tag: string;
  /** Base images named by FROM lines. */
  baseImages: string[];
}

export interface BuilderImage {
  tag: string;
  id: string;
  /** True when this call built it; false when it was already present. */
  built: boolean;
}

export interface EnsureImageOptions {
  root?: string;
  /** Receives every build output line, already prefixed `[image:<name>] `. */
  log?: (line: string) => void;
}

/** sha256 over each file's name and bytes, length-prefixed so boundaries cannot shift. */
export function hashContext(files: ContextFile[]): string {
  const hash = createHash('sha256');
  for (const file of [...files].sort((a, b) => a.name.localeCompare(b.name))) {
    hash.update(`${file.name}\0${file.content.length}\0`);
    hash.update(file.content);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Base images a Dockerfile builds FROM (ignoring references to its own earlier stages). */
export function parseBaseImages(dockerfile: string): string[] {
  const stages = new Set<string>();
  const bases: string[] = [];
  for (const line of dockerfile.split('\n')) {
    const m = /^\s*FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?\s*$/i.exec(line);
    if (!m) continue;
    const image = m[1] as string;
    if (!stages.has(image.toLowerCase()) && !bases.includes(image)) bases.push(image);
    if (m[2]) stages.add(m[2].toLowerCase());
  }
  return bases;
}

/** Reads docker/<name>.Dockerfile and describes the context it builds from. */
export async function createBuildContext(name: string, root = workspaceRoot): Promise<BuildContext> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new PipelineError('ERR_DOCKER_IMAGE', `builder name "${name}" is not a plain Dockerfile name under docker/`);
  }
  const file = dockerfilePath(name, root);
  let content: Buffer;
  try {
    content = await readFile(file);
  } catch (cause) {
    throw new PipelineError('ERR_DOCKER_IMAGE', `${relative(root, file)}: cannot read the builder's Dockerfile`, {
      cause,
      context: { file },
    });
  }
  const files = [{ name: 'Dockerfile', content }];
  const hash = hashContext(files);
  return { name, files, hash, tag: `wasmhub-builder/${name}:${hash}`, baseImages: parseBaseImages(content.toString()) };
}

/** A deterministic tar stream of the context (fixed mtime, owner and mode). */
export function packContext(files: ContextFile[]): NodeJS.ReadableStream {
  const pack = tar.pack();
  for (const file of files) {
    pack.entry(
      { name: file.name, size: file.content.length, mode: 0o644, mtime: new Date(0), uid: 0, gid: 0 },
      file.content,
    );
  }
  pack.finalize();
  return pack as unknown as NodeJS.ReadableStream;
}

/** The engine's id of an image, or undefined when it has none by that name. */
export async function imageId(docker: Docker, ref: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(ref).inspect()).Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/**
 * Returns the builder image for docker/<name>.Dockerfile, building it first when no image carries
 * the context's hash. Concurrent callers (parallel Nx tasks) wait for one build instead of racing.
 */
export async function ensureBuilderImage(
  docker: Docker,
  name: string,
  options: EnsureImageOptions = {},
): Promise<BuilderImage> {
  const root = options.root ?? workspaceRoot;
  const context = await createBuildContext(name, root);
  const existing = await imageId(docker, context.tag);
  if (existing) return { tag: context.tag, id: existing, built: false };
  return withLock(join(tmpdir(), `wasmhub-builder-${name}-${context.hash}`), async () => {
    const again = await imageId(docker, context.tag);
    if (again) return { tag: context.tag, id: again, built: false };
    const log = options.log;
    await buildImage(docker, context, root, lineEmitter(log && ((line) => log(line))));
    const id = await imageId(docker, context.tag);
    if (!id)
      throw new PipelineError('ERR_DOCKER_IMAGE', `${context.tag}: the engine reported success but has no such image`);
    return { tag: context.tag, id, built: true };
  });
}

async function buildImage(docker: Docker, context: BuildContext, root: string, emit: (event: PipelineEvent) => void) {
  const dockerfile = relative(root, dockerfilePath(context.name, root));
  for (const base of context.baseImages) {
    if (!(await imageId(docker, base))) {
      throw new PipelineError(
        'ERR_DOCKER_IMAGE',
        `${dockerfile}: base image ${base} is missing from the engine; run \`npm run docker:up\` to seed the base images`,
        { context: { dockerfile, base } },
      );
    }
  }
  const task = `image:${context.name}`;
  const tail = createTail(30);
  const output = (line: string) => {
    tail.push(line);
    emit({ kind: 'output', task, stream: 'stdout', line });
  };
  const started = Date.now();
  emit({ kind: 'image.build', task, tag: context.tag, dockerfile });
  const stream = await docker.buildImage(packContext(context.files), {
    t: context.tag,
    dockerfile: 'Dockerfile',
    rm: true,
    forcerm: true,
    labels: { 'org.wasmhub.builder': context.name, 'org.wasmhub.context-hash': context.hash },
  });
  const lines = splitLines(output);
  let failure: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (error) => (error ? reject(error) : resolve()),
      (event: { stream?: string; status?: string; error?: string; errorDetail?: { message?: string } }) => {
        if (event.stream) lines.write(event.stream);
        else if (event.status) lines.write(`${event.status}\n`);
        if (event.error) {
          failure = event.errorDetail?.message ?? event.error;
          lines.write(`${failure}\n`);
        }
      },
    );
  }).catch((error: unknown) => {
    failure ??= (error as Error).message;
  });
  lines.end();
  if (failure !== undefined) {
    throw new PipelineError(
      'ERR_DOCKER_IMAGE',
      `${dockerfile}: image build failed (${failure.split('\n')[0]}); last lines: ${tail.lines().slice(-5).join(' | ')}`,
      { context: { dockerfile, tag: context.tag, tail: tail.lines() } },
    );
  }
  emit({ kind: 'image.built', task, tag: context.tag, seconds: (Date.now() - started) / 1000 });
}

/**
 * A cross-process lock (proper-lockfile, as the loader's cache lock: an atomic mkdir refreshed while held, so
 * the lock of a process that died, e.g. killed mid-build, turns stale and is taken over).
 */
async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  // Imported here: only a build takes the lock (proper-lockfile loads graceful-fs and more).
  const { default: lockfile } = await import('proper-lockfile');
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lockfile.lock(path, { realpath: false, stale: 30_000, update: 5_000, retries: 0 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      await sleep(1000);
    }
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}
