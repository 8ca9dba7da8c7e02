/**
 * Seeds the Debian base images the builder Dockerfiles use (second half of `npm run docker:up`).
 *
 * For each of debian:bookworm-slim and debian:trixie-slim: present -> skip; else `docker pull`;
 * if that fails (no registry here), `debootstrap --variant=minbase <suite>` from the Debian mirror
 * configured in the host's apt sources, then import the tree under that exact name.
 * The temporary root filesystem is removed on success, failure and interrupt.
 *
 * Run: `tsx docker/base-images.ts` (after the engine answers; docker/engine-up.sh does both).
 * Environment: WASMHUB_DEBIAN_MIRROR overrides the mirror read from apt (e.g. for a local proxy).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { connectDocker } from '../tools/pipeline/src/docker/engine.ts';
import { imageId } from '../tools/pipeline/src/docker/image.ts';
import { createTail, splitLines } from '../tools/pipeline/src/docker/run-container.ts';
import { formatError, PipelineError } from '../tools/pipeline/src/errors.ts';

export const BASE_SUITES = ['bookworm', 'trixie'] as const;
export type BaseSuite = (typeof BASE_SUITES)[number];
export const baseImageTag = (suite: BaseSuite): string => `debian:${suite}-slim`;

const DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg';

const log = (line: string): void => console.log(`[docker:up] ${line}`);

/**
 * The Debian archive mirror from the host's apt configuration: the first `deb` source that is not a
 * security archive, from /etc/apt/sources.list.d/*.sources (deb822 `URIs:`), *.list, or /etc/apt/sources.list.
 */
export function readAptMirror(aptDir = '/etc/apt'): string {
  const override = process.env.WASMHUB_DEBIAN_MIRROR;
  if (override) return override.replace(/\/+$/, '');
  const candidates: { uri: string; suites: string[] }[] = [];
  const listDir = join(aptDir, 'sources.list.d');
  const files = existsSync(listDir)
    ? readdirSync(listDir)
        .sort()
        .map((name) => join(listDir, name))
    : [];
  files.push(join(aptDir, 'sources.list'));
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) candidates.push(...parseDeb822(text));
    else if (file.endsWith('.list')) candidates.push(...parseOneLine(text));
  }
  const isSecurity = (c: { uri: string; suites: string[] }) =>
    /security/.test(c.uri) || c.suites.some((s) => s.endsWith('-security') || s.includes('/updates'));
  const found = candidates.find((c) => /^https?:\/\//.test(c.uri) && !isSecurity(c));
  if (!found) {
    throw new PipelineError(
      'ERR_DOCKER_IMAGE',
      `no Debian mirror (a 'deb' http(s) source that is not security) found in ${aptDir}/sources.list{,.d/*}: configure apt or set WASMHUB_DEBIAN_MIRROR`,
      { context: { aptDir, candidates } },
    );
  }
  return found.uri.replace(/\/+$/, '');
}

function parseDeb822(text: string): { uri: string; suites: string[] }[] {
  const out: { uri: string; suites: string[] }[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split('\n')) {
      const match = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
      if (match?.[1] && match[2] !== undefined) fields.set(match[1].toLowerCase(), match[2].trim());
    }
    const types = (fields.get('types') ?? '').split(/\s+/);
    if (!types.includes('deb') || fields.get('enabled') === 'no') continue;
    const suites = (fields.get('suites') ?? '').split(/\s+/).filter(Boolean);
    for (const uri of (fields.get('uris') ?? '').split(/\s+/).filter(Boolean)) out.push({ uri, suites });
  }
  return out;
}

function parseOneLine(text: string): { uri: string; suites: string[] }[] {
  const out: { uri: string; suites: string[] }[] = [];
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(/#.*/, '')
      .replace(/\[[^\]]*\]/, ' ')
      .trim();
    const [type, uri, suite] = line.split(/\s+/);
    if (type === 'deb' && uri && suite) out.push({ uri, suites: [suite] });
  }
  return out;
}

/** Reads a Docker JSON-lines progress stream to its end; returns the last message or throws the first error. */
async function drainProgress(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  let last = '';
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let event: { error?: string; status?: string } = {};
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (event.error) throw new Error(event.error.split('\n')[0]);
    if (event.status) last = event.status;
  }
  return last;
}

async function tryPull(docker: Docker, tag: string): Promise<boolean> {
  try {
    await drainProgress(await docker.pull(tag));
    return true;
  } catch (error) {
    const reason = ((error as Error).message ?? String(error)).split('\n')[0];
    log(`${tag}: pull failed (${reason}); building it with debootstrap`);
    return false;
  }
}

interface Child {
  kill(): void;
  done: Promise<{ code: number | null; tail: string[] }>;
}

/**
 * Runs argv (execa, no shell); keeps the last lines of output; echoes lines matching `echo`. With `stdout:
 * 'stream'` the caller reads `stdout` (a tar stream) and only stderr is kept. Rejects when argv cannot start.
 */
function run(argv: string[], echo: (line: string) => boolean, stdout: 'pipe' | 'stream' = 'pipe') {
  const [cmd, ...args] = argv as [string, ...string[]];
  const child = execa(cmd, args, { stdin: 'ignore', buffer: false, reject: false });
  const tail = createTail(20);
  const onLine = (line: string) => {
    if (!line.trim()) return;
    tail.push(line);
    if (echo(line)) log(`  ${line}`);
  };
  for (const stream of stdout === 'pipe' ? [child.stdout, child.stderr] : [child.stderr]) {
    const lines = splitLines(onLine);
    stream.on('data', (chunk: Buffer) => lines.write(chunk));
    stream.on('end', () => lines.end());
  }
  const done = child.then((result) => {
    if (result.exitCode === undefined && result.signal === undefined)
      throw new Error(String(result.shortMessage).split('\n')[0]);
    return { code: result.exitCode ?? null, tail: tail.lines() };
  });
  return { stdout: child.stdout, kill: () => child.kill('SIGTERM'), done };
}

let activeChild: Child | undefined;
let activeRootfs: string | undefined;

/** Unmounts anything left mounted under dir (e.g. /proc after a killed debootstrap), then removes it. */
async function removeRootfs(dir: string): Promise<void> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  const mounts = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => !!point && (point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of mounts) await run(['umount', '-l', point], () => false).done;
  // --one-file-system: never descend into something still mounted from the host.
  await run(['rm', '-rf', '--one-file-system', dir], () => false).done;
}

/** Makes the debootstrapped tree behave like Docker Hub's slim images. */
async function tuneRootfs(dir: string, suite: BaseSuite, mirror: string): Promise<void> {
  // The main suite and its updates from the host's mirror; builder Dockerfiles add <suite>-backports.
  await writeFile(
    join(dir, 'etc/apt/sources.list'),
    `deb ${mirror} ${suite} main\ndeb ${mirror} ${suite}-updates main\n`,
  );
  // Like the official images: no services started by package scripts, no docs/man/locales installed.
  await writeFile(join(dir, 'usr/sbin/policy-rc.d'), '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  await writeFile(
    join(dir, 'etc/dpkg/dpkg.cfg.d/docker'),
    [
      'path-exclude /usr/share/doc/*',
      'path-include /usr/share/doc/*/copyright',
      'path-exclude /usr/share/man/*',
      'path-exclude /usr/share/groff/*',
      'path-exclude /usr/share/info/*',
      'path-exclude /usr/share/lintian/*',
      'path-exclude /usr/share/linda/*',
      'path-exclude /usr/share/locale/*',
      'path-include /usr/share/locale/locale.alias',
      '',
    ].join('\n'),
  );
  // Docker provides these at run time; do not ship the host's.
  await writeFile(join(dir, 'etc/resolv.conf'), '');
  await writeFile(join(dir, 'etc/hostname'), 'localhost\n');
  for (const sub of ['var/lib/apt/lists', 'var/cache/apt', 'tmp']) {
    await rm(join(dir, sub), { recursive: true, force: true });
  }
  await mkdir(join(dir, 'var/lib/apt/lists/partial'), { recursive: true });
  await mkdir(join(dir, 'var/cache/apt/archives/partial'), { recursive: true });
  await mkdir(join(dir, 'tmp'), { mode: 0o1777 });
  await run(['chmod', '1777', join(dir, 'tmp')], () => false).done;
}

export async function seedWithDebootstrap(docker: Docker, suite: BaseSuite, mirror: string): Promise<void> {
  const tag = baseImageTag(suite);
  if (!existsSync(DEBIAN_KEYRING)) {
    throw new PipelineError(
      'ERR_DOCKER_IMAGE',
      `${tag}: ${DEBIAN_KEYRING} is missing: apt-get install debian-archive-keyring, then rerun npm run docker:up`,
    );
  }
  const dir = await mkdtemp(join(process.env.WASMHUB_ROOTFS_TMP ?? '/var/tmp', `wasmhub-rootfs-${suite}-`));
  activeRootfs = dir;
  try {
    log(`${tag}: debootstrap --variant=minbase ${suite} from ${mirror} into ${dir}`);
    const started = Date.now();
    const milestone = (line: string) =>
      /^(E|W):/.test(line) ||
      /^I: (Validating Release|Retrieving packages|Installing core|Base system installed)/.test(line);
    const debootstrap = run(
      ['debootstrap', '--variant=minbase', `--keyring=${DEBIAN_KEYRING}`, suite, dir, mirror],
      milestone,
    );
    activeChild = debootstrap;
    const result = await debootstrap.done;
    activeChild = undefined;
    if (result.code !== 0) {
      const last = result.tail.filter((l) => /^E:/.test(l)).pop() ?? result.tail.at(-1) ?? 'no output';
      throw new PipelineError(
        'ERR_DOCKER_IMAGE',
        `${tag}: debootstrap ${suite} from ${mirror} failed with exit ${result.code} (${last}): check the mirror and network, then rerun npm run docker:up`,
        { context: { tail: result.tail } },
      );
    }
    const bootstrapSeconds = (Date.now() - started) / 1000;
    await tuneRootfs(dir, suite, mirror);

    log(`${tag}: importing the root filesystem`);
    const importStarted = Date.now();
    const tar = run(['tar', '--numeric-owner', '-C', dir, '-c', '.'], () => false, 'stream');
    activeChild = tar;
    const [repo, version] = tag.split(':') as [string, string];
    const response = await docker.importImage(tar.stdout, {
      repo,
      tag: version,
      changes: ['CMD ["bash"]'],
      message: `debootstrap --variant=minbase ${suite} ${mirror}`,
    });
    const [, tarResult] = await Promise.all([drainProgress(response), tar.done]);
    activeChild = undefined;
    if (tarResult.code !== 0) {
      throw new PipelineError(
        'ERR_DOCKER_IMAGE',
        `${tag}: tar of ${dir} failed (${tarResult.tail.at(-1) ?? 'no output'})`,
      );
    }
    const image = await docker.getImage(tag).inspect();
    const importSeconds = (Date.now() - importStarted) / 1000;
    log(
      `${tag}: created ${image.Id.slice(0, 19)} (${Math.round(image.Size / 1e6)} MB): debootstrap ${bootstrapSeconds.toFixed(0)}s, import ${importSeconds.toFixed(0)}s`,
    );
  } finally {
    activeChild?.kill();
    activeChild = undefined;
    await removeRootfs(dir);
    activeRootfs = undefined;
  }
}

async function onSignal(signal: NodeJS.Signals): Promise<void> {
  log(`${signal}: stopping and removing the temporary root filesystem`);
  activeChild?.kill();
  await activeChild?.done.catch(() => undefined);
  if (activeRootfs) await removeRootfs(activeRootfs);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

export async function ensureBaseImages(): Promise<void> {
  const docker = await connectDocker();
  let created = 0;
  let mirror: string | undefined;
  for (const suite of BASE_SUITES) {
    const tag = baseImageTag(suite);
    const id = await imageId(docker, tag);
    if (id) {
      log(`${tag} already present (${id.slice(0, 19)}); skipping`);
      continue;
    }
    if (await tryPull(docker, tag)) {
      log(`${tag}: pulled`);
      created++;
      continue;
    }
    if (!existsSync('/usr/sbin/debootstrap')) {
      throw new PipelineError(
        'ERR_DOCKER_IMAGE',
        `${tag} is missing, cannot be pulled, and debootstrap is not installed: run npm run docker:up as root on Debian (it installs debootstrap) or load the image yourself`,
      );
    }
    mirror ??= readAptMirror();
    await seedWithDebootstrap(docker, suite, mirror);
    created++;
  }
  log(created === 0 ? 'base images: nothing to do' : `base images: ${created} created`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  ensureBaseImages().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(`[docker:up] ${formatError(error)}`);
      process.exit(1);
    },
  );
}
