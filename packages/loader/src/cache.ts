import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, readdirSync, rmSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { compareVersions } from '@wasmhub/contract';
import envPaths from 'env-paths';
import { cacheError } from './cache-errors.ts';
import { type CachedCompanion, companionPath, type GuestView, guestViewOf } from './companions.ts';
import { LoaderError } from './errors.ts';
import type { VersionEntry } from './manifest.ts';
import { assertLanguage, assertVersion } from './names.ts';

/** Default cache folder: WASMHUB_CACHE_DIR, else the platform's user cache folder + wasmhub (XDG_CACHE_HOME honoured). */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.WASMHUB_CACHE_DIR) return env.WASMHUB_CACHE_DIR;
  if (process.platform === 'linux' && env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, 'wasmhub');
  return envPaths('wasmhub', { suffix: '' }).cache;
}

export interface CachedRuntime {
  language: string;
  version: string;
  path: string;
  size: number;
  sha256: string;
}

/**
 * A verified runtime. Versions whose manifest entry has companion files (or a guest environment) also say
 * where those files are and how the guest must see them: merge `preopens` and `env` into `new WASI(...)`.
 */
export interface VerifiedRuntime extends CachedRuntime {
  companions?: CachedCompanion[];
  /** Guest folder -> host folder. */
  preopens?: Record<string, string>;
  env?: Record<string, string>;
}

export type CacheRead =
  /** `bytes`: the module as read and hashed, when asked to keep them (see readCached). */
  | { state: 'ok'; runtime: VerifiedRuntime; entry: VersionEntry; bytes?: Buffer }
  | { state: 'missing' }
  | { state: 'corrupt'; problem: string };

export const ENTRY_FILE = 'manifest.json';
const TEMP_DIR = '.tmp';

export function versionDir(cacheDir: string, language: string, version: string): string {
  return join(cacheDir, assertLanguage(language), assertVersion(version));
}

export function modulePath(cacheDir: string, language: string, version: string): string {
  return join(versionDir(cacheDir, language, version), `${language}-${version}.wasm`);
}

/** Files up to this size are hashed from one read (measured 2x faster than streaming a 2.4 MB module). */
const ONE_READ_LIMIT = 64 * 1024 * 1024;

export async function sha256File(path: string, knownSize?: number): Promise<string> {
  if (knownSize !== undefined && knownSize <= ONE_READ_LIMIT) {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  }
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Read a cache entry and check the module's size and sha256 against the entry it was verified against.
 * `keepBytes`: return the module's bytes that were hashed (read whole up to ONE_READ_LIMIT), for a caller that
 * compiles them next: one read and one hash instead of two, and no gap between checking and using them.
 */
export async function readCached(
  cacheDir: string,
  language: string,
  version: string,
  keepBytes = false,
): Promise<CacheRead> {
  const dir = versionDir(cacheDir, language, version);
  const path = modulePath(cacheDir, language, version);
  let entry: VersionEntry;
  try {
    entry = JSON.parse(await readFile(join(dir, ENTRY_FILE), 'utf8')) as VersionEntry;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      const leftover = await stat(dir).catch(() => undefined);
      return leftover ? { state: 'corrupt', problem: `${ENTRY_FILE} is missing` } : { state: 'missing' };
    }
    return { state: 'corrupt', problem: `${ENTRY_FILE} is unreadable (${(error as Error).message})` };
  }
  if (typeof entry?.size !== 'number' || typeof entry.sha256 !== 'string') {
    return { state: 'corrupt', problem: `${ENTRY_FILE} has no size/sha256` };
  }
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) return { state: 'corrupt', problem: `${path} is missing` };
  if (info.size !== entry.size)
    return { state: 'corrupt', problem: `${path} is ${info.size} bytes, expected ${entry.size}` };
  const bytes = keepBytes && info.size <= ONE_READ_LIMIT ? await readFile(path) : undefined;
  const sha256 = bytes ? createHash('sha256').update(bytes).digest('hex') : await sha256File(path, info.size);
  if (sha256 !== entry.sha256)
    return { state: 'corrupt', problem: `${path} has sha256 ${sha256}, expected ${entry.sha256}` };
  let view: GuestView;
  try {
    view = guestViewOf(dir, entry);
  } catch (error) {
    return { state: 'corrupt', problem: (error as Error).message };
  }
  const problem = await checkCompanions(view);
  if (problem !== undefined) return { state: 'corrupt', problem };
  const runtime = withView({ language, version, path, size: info.size, sha256 }, entry, view);
  return bytes ? { state: 'ok', entry, runtime, bytes } : { state: 'ok', entry, runtime };
}

/** Size and sha256 of every cached companion: the first problem found, or undefined when all match. */
async function checkCompanions(view: GuestView): Promise<string | undefined> {
  for (const companion of view.companions) {
    const info = await stat(companion.path).catch(() => undefined);
    if (!info?.isFile()) return `companion ${companion.path} is missing`;
    if (info.size !== companion.size) {
      return `companion ${companion.path} is ${info.size} bytes, expected ${companion.size}`;
    }
    const sha256 = await sha256File(companion.path, info.size);
    if (sha256 !== companion.sha256) {
      return `companion ${companion.path} has sha256 ${sha256}, expected ${companion.sha256}`;
    }
  }
  return undefined;
}

/** The guest view joins the result only for versions that have one (older entries keep their exact shape). */
function withView(runtime: CachedRuntime, entry: VersionEntry, view: GuestView): VerifiedRuntime {
  if (entry.companions === undefined && entry.guestEnv === undefined) return runtime;
  return { ...runtime, ...view };
}

/**
 * The cache's temp folder, made when missing. It must be a real folder owned by us: a planted symbolic link
 * (a shared cache directory) would make the sweep delete, and downloads write, somewhere else.
 */
export async function tempDir(cacheDir: string): Promise<string> {
  const dir = join(cacheDir, TEMP_DIR);
  try {
    await mkdir(cacheDir, { recursive: true });
    await mkdir(dir).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'EEXIST') throw error;
    });
    const info = await lstat(dir);
    const uid = process.getuid?.();
    let problem: string | undefined;
    if (info.isSymbolicLink()) problem = 'is a symbolic link';
    else if (!info.isDirectory()) problem = 'is not a directory';
    else if (uid !== undefined && info.uid !== uid) problem = `belongs to uid ${info.uid}, not to us (uid ${uid})`;
    if (problem) {
      throw new LoaderError(
        'ERR_CACHE',
        `cache: ${dir} ${problem}: refused (it would redirect temp files and their cleanup); remove it, or choose another cache folder with --cache-dir or WASMHUB_CACHE_DIR`,
        { context: { path: dir } },
      );
    }
  } catch (error) {
    throw cacheError(error, dir);
  }
  return dir;
}

/** A fresh temp file path inside the cache folder (same file system, so the commit is an atomic rename). */
export async function tempFile(cacheDir: string, hint: string): Promise<string> {
  return join(await tempDir(cacheDir), `${hint}.${process.pid}.${randomBytes(6).toString('hex')}.part`);
}

/**
 * Remove temp files left behind by killed processes (older than `maxAgeMs`). Best effort, and only our own
 * kind: regular `.part` files directly in the checked temp folder; never a link, a folder or what they point to.
 */
export async function sweepTemp(cacheDir: string, maxAgeMs = 3_600_000): Promise<void> {
  const dir = await tempDir(cacheDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  const cutoff = Date.now() - maxAgeMs;
  for (const name of names) {
    if (!name.endsWith('.part')) continue;
    const path = join(dir, name);
    const info = await lstat(path).catch(() => undefined);
    if (info?.isFile() && info.mtimeMs < cutoff) await rm(path, { force: true }).catch(() => undefined);
  }
}

/** The pid a temp file was named with (`<hint>.<pid>.<random>.part`), or undefined. */
function pidOfTemp(name: string): number | undefined {
  const match = /\.(\d+)\.[0-9a-f]{12}\.part$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Remove partial downloads nobody is writing: temp files of processes that are gone, and any older than
 * `maxAgeMs`. Files of live processes stay (another `wasmhub get` may be writing them). Returns the count.
 */
export async function sweepPartials(cacheDir: string, maxAgeMs = 3_600_000): Promise<number> {
  const dir = join(cacheDir, TEMP_DIR);
  const cutoff = Date.now() - maxAgeMs;
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    const pid = pidOfTemp(name);
    const info = await stat(path).catch(() => undefined);
    if (!info) continue;
    const stale =
      pid === undefined ? info.mtimeMs < cutoff : pid !== process.pid && (!isAlive(pid) || info.mtimeMs < cutoff);
    if (stale) {
      await rm(path, { recursive: true, force: true }).catch(() => undefined);
      removed++;
    }
  }
  return removed;
}

/** Remove this process's own temp files at once (Ctrl-C): synchronous, so it runs before the process ends. */
export function removeOwnPartialsSync(cacheDir: string): void {
  const dir = join(cacheDir, TEMP_DIR);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (pidOfTemp(name) === process.pid) rmSync(join(dir, name), { force: true });
  }
}

/**
 * Commit a verified module and its verified companions (`companionTemps[i]` holds `entry.companions[i]`):
 * atomic renames of the module and companions, then of the entry (the entry marks completeness).
 */
export async function commitCached(
  cacheDir: string,
  language: string,
  version: string,
  verifiedTemp: string,
  entry: VersionEntry,
  companionTemps: string[] = [],
): Promise<VerifiedRuntime> {
  const dir = versionDir(cacheDir, language, version);
  const companions = entry.companions ?? [];
  if (companionTemps.length !== companions.length) {
    throw new LoaderError(
      'ERR_INTEGRITY',
      `${language}@${version}: ${companionTemps.length} companion file(s) fetched, the manifest lists ${companions.length}`,
    );
  }
  // Every target path is checked (inside the version folder) before anything is moved.
  const targets = companions.map((companion) => companionPath(dir, companion));
  const path = modulePath(cacheDir, language, version);
  let entryTemp: string | undefined;
  try {
    const text = `${JSON.stringify(entry, null, 2)}
`;
    await mkdir(dir, { recursive: true });
    entryTemp = await tempFile(cacheDir, `${language}-${version}.entry`);
    await writeFile(entryTemp, text, { flag: 'wx' });
    await rm(join(dir, ENTRY_FILE), { force: true });
    await rename(verifiedTemp, path);
    for (const [i, target] of targets.entries()) {
      await mkdir(dirname(target), { recursive: true });
      await rename(companionTemps[i] as string, target);
    }
    await rename(entryTemp, join(dir, ENTRY_FILE));
  } catch (error) {
    // No temp file outlives a failed commit.
    for (const leftover of [verifiedTemp, entryTemp, ...companionTemps]) {
      if (leftover) await rm(leftover, { force: true }).catch(() => undefined);
    }
    throw cacheError(error, dir);
  }
  const runtime = { language, version, path, size: entry.size, sha256: entry.sha256 };
  return withView(runtime, entry, guestViewOf(dir, entry));
}

export async function evictCached(cacheDir: string, language: string, version: string): Promise<void> {
  await rm(versionDir(cacheDir, language, version), { recursive: true, force: true });
}

/** Cached entries (as their entries claim; `verifyCache` checks them). */
export async function listCachedEntries(cacheDir: string): Promise<CachedRuntime[]> {
  const result: CachedRuntime[] = [];
  for (const language of await listNames(cacheDir)) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(language)) continue;
    for (const version of await listNames(join(cacheDir, language))) {
      if (!/^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/.test(version)) continue;
      const dir = join(cacheDir, language, version);
      try {
        const entry = JSON.parse(await readFile(join(dir, ENTRY_FILE), 'utf8')) as VersionEntry;
        result.push({
          language,
          version,
          path: modulePath(cacheDir, language, version),
          size: entry.size,
          sha256: entry.sha256,
        });
      } catch {
        // Not a complete entry (no manifest.json): not listed.
      }
    }
  }
  return result.sort((a, b) =>
    a.language === b.language ? compareVersions(a.version, b.version) : a.language < b.language ? -1 : 1,
  );
}

async function listNames(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
}

export async function clearCached(cacheDir: string, language?: string, version?: string): Promise<void> {
  await sweepPartials(cacheDir);
  if (language === undefined) {
    for (const name of await listNames(cacheDir)) await rm(join(cacheDir, name), { recursive: true, force: true });
    return;
  }
  assertLanguage(language);
  if (version === undefined) {
    await rm(join(cacheDir, language), { recursive: true, force: true });
    return;
  }
  await evictCached(cacheDir, language, version);
}
