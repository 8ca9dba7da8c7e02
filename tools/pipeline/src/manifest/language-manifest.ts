import type { Companion, LanguageManifest, VersionEntry } from '@wasmhub/contract';
import { compareVersions, latestVersion } from '@wasmhub/contract';

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

/** What every version entry of a language shares: the release stamp, the WASI target and default features. */
export type EntryContext = Omit<LanguageManifestInput, 'versions'>;

/** The manifest entry of one version (variants are added by the release stage). */
export function buildVersionEntry(v: VersionInput, context: EntryContext): VersionEntry {
  return {
    file: moduleFileName(context.language, v.version),
    size: v.size,
    sha256: v.sha256,
    released: context.released,
    wasi: context.wasi,
    features: [...(v.features ?? context.features)],
    ...(v.toolchain ? { toolchain: v.toolchain } : {}),
    ...(v.builderImage ? { builderImage: v.builderImage } : {}),
    ...(v.wasmOpt ? { wasmOpt: v.wasmOpt } : {}),
    ...(v.unoptimized ? { unoptimized: { size: v.unoptimized.size, sha256: v.unoptimized.sha256 } } : {}),
    ...(context.sourceCommit ? { sourceCommit: context.sourceCommit } : {}),
    ...(v.companions ? { companions: v.companions.map((c) => ({ ...c })) } : {}),
    ...(v.guestEnv ? { guestEnv: { ...v.guestEnv } } : {}),
  };
}

/**
 * A per-language manifest from the entries of a full set of versions (latest = the highest of them). Only
 * ever called with every version runtime.json declares, so no manifest describes part of a language.
 */
export function assembleLanguageManifest(language: string, entries: Record<string, VersionEntry>): LanguageManifest {
  const labels = Object.keys(entries).sort(compareVersions);
  return {
    language,
    latest: latestVersion(labels),
    versions: Object.fromEntries(labels.map((label) => [label, entries[label] as VersionEntry])),
  };
}

export function buildLanguageManifest(input: LanguageManifestInput): LanguageManifest {
  const { versions, ...context } = input;
  return assembleLanguageManifest(
    input.language,
    Object.fromEntries(versions.map((v) => [v.version, buildVersionEntry(v, context)])),
  );
}
