import { readFile } from 'node:fs/promises';
import type { Companion, LanguageManifest, VersionEntry } from '@wasmhub/contract';
import { compareVersions, latestVersion } from '@wasmhub/contract';
import { writeFileAtomic } from '../kit/files.ts';
import { stringifyManifest } from './stable-json.ts';
import { assertLanguageManifest } from './validate.ts';

export interface VersionInput {
  version: string;
  /** Optimized module: the file a loader downloads. */
  size: number;
  sha256: string;
  unoptimized?: { size: number; sha256: string };
  toolchain?: string;
  builderImage?: string;
  wasmOpt?: string;
  /** Overrides the language's features for this version. */
  features?: string[];
  /** Files that travel with the module (variants are added by the release stage). */
  companions?: Companion[];
  /** Environment the guest needs to find its companions. */
  guestEnv?: Record<string, string>;
}

export interface LanguageManifestInput {
  language: string;
  versions: VersionInput[];
  released: string;
  wasi: string;
  features: string[];
  sourceCommit?: string;
}

/** The released file name of a module, as in the original WasmHub: `<lang>-<ver>.wasm`. */
export function moduleFileName(language: string, version: string): string {
  return `${language}-${version}.wasm`;
}

export function buildLanguageManifest(input: LanguageManifestInput): LanguageManifest {
  const versions: Record<string, VersionEntry> = {};
  for (const v of [...input.versions].sort((a, b) => compareVersions(a.version, b.version))) {
    versions[v.version] = {
      file: moduleFileName(input.language, v.version),
      size: v.size,
      sha256: v.sha256,
      released: input.released,
      wasi: input.wasi,
      features: [...(v.features ?? input.features)],
      ...(v.toolchain ? { toolchain: v.toolchain } : {}),
      ...(v.builderImage ? { builderImage: v.builderImage } : {}),
      ...(v.wasmOpt ? { wasmOpt: v.wasmOpt } : {}),
      ...(v.unoptimized ? { unoptimized: { size: v.unoptimized.size, sha256: v.unoptimized.sha256 } } : {}),
      ...(input.sourceCommit ? { sourceCommit: input.sourceCommit } : {}),
      ...(v.companions ? { companions: v.companions.map((c) => ({ ...c })) } : {}),
      ...(v.guestEnv ? { guestEnv: { ...v.guestEnv } } : {}),
    };
  }
  return {
    language: input.language,
    latest: latestVersion(input.versions.map((v) => v.version)),
    versions,
  };
}

export async function readLanguageManifest(path: string): Promise<LanguageManifest | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return assertLanguageManifest(JSON.parse(text), path);
}

/**
 * Keeps the `variants` the release stage added to an entry whose module is unchanged (same sha256), and to
 * companion files that are unchanged,
 * so re-running metadata after a release does not drop them.
 */
export function carryOverVariants(next: LanguageManifest, previous: LanguageManifest | undefined): LanguageManifest {
  if (!previous) return next;
  for (const [ver, entry] of Object.entries(next.versions)) {
    const old = previous.versions[ver];
    if (old?.variants && old.sha256 === entry.sha256 && !entry.variants) entry.variants = old.variants;
    for (const companion of entry.companions ?? []) {
      const before = old?.companions?.find((c) => c.file === companion.file && c.sha256 === companion.sha256);
      if (before?.variants && !companion.variants) companion.variants = before.variants;
    }
  }
  return next;
}

/**
 * Validates against manifest.schema.json, then writes canonical JSON through a temp file + rename.
 * Returns whether the bytes on disk changed.
 */
export async function writeLanguageManifest(
  path: string,
  manifest: LanguageManifest,
): Promise<{ changed: boolean; text: string }> {
  assertLanguageManifest(manifest, path);
  const text = stringifyManifest(manifest);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === text) return { changed: false, text };
  await writeFileAtomic(path, text);
  return { changed: true, text };
}
