// Companion files: files a runtime version needs beside its module at run time (an interpreter's
// standard library). They are cached under <version dir>/root/<guest path>, so the host folder of a
// companion mirrors where the guest expects it, and a host mounts them with one preopen per guest folder.
import { dirname, join, posix, relative, sep } from 'node:path';
import type { Companion, VersionEntry } from '@wasmhub/contract';
import { assertCompanion } from './companion-names.ts';
import { LoaderError } from './errors.ts';

export { assertCompanion };

/** The folder (inside a version's cache folder) whose tree mirrors the guest's file system. */
export const GUEST_ROOT = 'root';

/** A companion as it sits in the cache. */
export interface CachedCompanion {
  file: string;
  /** Absolute host path of the verified file. */
  path: string;
  size: number;
  sha256: string;
  /** Where the guest expects it. */
  guestPath: string;
}

/** How a host must show a runtime's companions to the guest. */
export interface GuestView {
  companions: CachedCompanion[];
  /** Guest folder -> host folder, to merge into `new WASI({ preopens })`. */
  preopens: Record<string, string>;
  /** Environment the guest needs (e.g. PYTHONHOME), to merge into `new WASI({ env })`. */
  env: Record<string, string>;
}

/** Host path of a companion inside `versionDir`; refuses anything that would land outside it. */
export function companionPath(versionDir: string, companion: Companion): string {
  assertCompanion(companion, versionDir);
  const root = join(versionDir, GUEST_ROOT);
  const path = join(root, ...companion.guestPath.split('/').filter(Boolean));
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || rel.split(sep).includes('..')) {
    throw new LoaderError('ERR_MANIFEST_INVALID', `companion ${companion.guestPath} resolves outside ${root}`, {
      context: { guestPath: companion.guestPath },
    });
  }
  return path;
}

/** The mount description of a version's companions (empty for runtimes without any). */
export function guestViewOf(versionDir: string, entry: Pick<VersionEntry, 'companions' | 'guestEnv'>): GuestView {
  const companions: CachedCompanion[] = [];
  const preopens: Record<string, string> = {};
  for (const companion of entry.companions ?? []) {
    const path = companionPath(versionDir, companion);
    companions.push({
      file: companion.file,
      path,
      size: companion.size,
      sha256: companion.sha256,
      guestPath: companion.guestPath,
    });
    preopens[posix.dirname(companion.guestPath)] = dirname(path);
  }
  return { companions, preopens, env: { ...(entry.guestEnv ?? {}) } };
}
