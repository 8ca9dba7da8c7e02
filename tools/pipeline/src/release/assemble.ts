// Release assembly as a pure function: manifests + module bytes in, the flat list of release assets out.
// No I/O here, so the same inputs give byte-identical assets (the tests check exactly that).

import { compareVersions } from '@wasmhub/contract';
import { PipelineError } from '../errors.ts';
import { compareNames, formatSha256Sums, sha256Hex } from '../kit/digest.ts';
import { stringifyManifest } from '../manifest/stable-json.ts';
import { brotliBytes, type CompressedVariants, gzipBytes } from './compress.ts';
import type { Companion, GlobalManifest, LanguageManifest, VersionEntry } from './manifest-shapes.ts';

export interface LanguageInput {
  language: string;
  manifest: LanguageManifest;
  source?: string;
  license?: string;
  /** Optimized module bytes keyed by version label; every version of the manifest must be present. */
  modules: Record<string, Uint8Array>;
  /** Precompressed variants by version (see compressModules); computed here when absent. */
  variants?: Record<string, CompressedVariants>;
  /** Bytes of the versions' companion files: version -> companion file name -> bytes (checked against the entry). */
  companions?: Record<string, Record<string, Uint8Array>>;
  /** Precompressed variants of companion files by file name; computed here when absent. */
  companionVariants?: Record<string, CompressedVariants>;
}

export interface ReleaseInput {
  /** Release version (root package.json `version`). */
  version: string;
  /** ISO date-time, deterministic (SOURCE_DATE_EPOCH or commit time). */
  buildDate: string;
  languages: LanguageInput[];
}

export interface ReleaseAsset {
  name: string;
  bytes: Buffer;
  size: number;
  sha256: string;
  contentType: string;
}

export interface AssembledRelease {
  /** Every asset, sorted by name; SHA256SUMS lists all the others. */
  assets: ReleaseAsset[];
  globalManifest: GlobalManifest;
  languageManifests: Record<string, LanguageManifest>;
  sha256sums: string;
}

export const SHA256SUMS = 'SHA256SUMS';
export const GLOBAL_MANIFEST = 'manifest.json';
export const languageManifestAssetName = (lang: string): string => `${lang}-manifest.json`;

/** Canonical manifest text (the metadata stage's serializer, so both stages write identical bytes). */
export const toJsonText = (manifest: unknown): string => stringifyManifest(manifest);

export { compareVersions };

function contentTypeOf(name: string): string {
  if (name.endsWith('.wasm')) return 'application/wasm';
  if (name.endsWith('.gz')) return 'application/gzip';
  if (name.endsWith('.br')) return 'application/x-brotli';
  if (name.endsWith('.json')) return 'application/json';
  return 'text/plain';
}

export function makeAsset(name: string, bytes: Buffer): ReleaseAsset {
  return { name, bytes, size: bytes.byteLength, sha256: sha256Hex(bytes), contentType: contentTypeOf(name) };
}

function sortedRecord<T>(record: Record<string, T>, compare: (a: string, b: string) => number): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key of Object.keys(record).sort(compare)) out[key] = record[key] as T;
  return out;
}

/** A companion file and its gzip/brotli variants as assets; its bytes must be the ones the entry describes. */
function companionAssets(
  lang: LanguageInput,
  ver: string,
  companion: Companion,
): { assets: ReleaseAsset[]; companion: Companion } {
  const task = `${lang.language}@${ver}`;
  const bytes = lang.companions?.[ver]?.[companion.file];
  if (!bytes) {
    throw new PipelineError('ERR_RELEASE', `${task}: no bytes were given for companion file ${companion.file}`, {
      context: { language: lang.language, version: ver, file: companion.file },
    });
  }
  const raw = makeAsset(companion.file, Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (raw.size !== companion.size || raw.sha256 !== companion.sha256) {
    throw new PipelineError(
      'ERR_INTEGRITY',
      `${task}: companion ${companion.file} is ${raw.size} bytes with sha256 ${raw.sha256}, the manifest states ${companion.size} bytes, ${companion.sha256}`,
      { context: { language: lang.language, version: ver, file: companion.file } },
    );
  }
  const given = lang.companionVariants?.[companion.file];
  const gz = makeAsset(`${companion.file}.gz`, given?.gz ?? gzipBytes(bytes));
  const br = makeAsset(`${companion.file}.br`, given?.br ?? brotliBytes(bytes));
  return {
    assets: [raw, gz, br],
    companion: {
      ...companion,
      variants: {
        br: { file: br.name, size: br.size, sha256: br.sha256 },
        gz: { file: gz.name, size: gz.size, sha256: gz.sha256 },
      },
    },
  };
}

export function assembleRelease(input: ReleaseInput): AssembledRelease {
  const assets: ReleaseAsset[] = [];
  const languageManifests: Record<string, LanguageManifest> = {};
  const global: GlobalManifest = { version: input.version, build_date: input.buildDate, languages: {} };

  for (const lang of [...input.languages].sort((a, b) => compareNames(a.language, b.language))) {
    const versions: Record<string, VersionEntry> = {};
    for (const ver of Object.keys(lang.manifest.versions).sort(compareVersions)) {
      const entry = lang.manifest.versions[ver] as VersionEntry;
      const module = lang.modules[ver];
      if (!module) {
        throw new PipelineError(
          'ERR_RELEASE',
          `${lang.language}@${ver}: no optimized module was given for ${entry.file}; run the optimize stage first`,
          { context: { language: lang.language, version: ver } },
        );
      }
      const wasm = makeAsset(entry.file, Buffer.from(module.buffer, module.byteOffset, module.byteLength));
      const given = lang.variants?.[ver];
      const gz = makeAsset(`${entry.file}.gz`, given?.gz ?? gzipBytes(module));
      const br = makeAsset(`${entry.file}.br`, given?.br ?? brotliBytes(module));
      assets.push(wasm, gz, br);
      const companions = (entry.companions ?? []).map((companion) => {
        const released = companionAssets(lang, ver, companion);
        assets.push(...released.assets);
        return released.companion;
      });
      versions[ver] = {
        ...entry,
        size: wasm.size,
        sha256: wasm.sha256,
        variants: {
          br: { file: br.name, size: br.size, sha256: br.sha256 },
          gz: { file: gz.name, size: gz.size, sha256: gz.sha256 },
        },
        ...(entry.companions ? { companions } : {}),
      };
    }
    const manifest: LanguageManifest = { ...lang.manifest, versions };
    languageManifests[lang.language] = manifest;
    assets.push(makeAsset(languageManifestAssetName(lang.language), Buffer.from(toJsonText(manifest))));
    global.languages[lang.language] = {
      latest: manifest.latest,
      versions: Object.keys(versions),
      ...(lang.source === undefined ? {} : { source: lang.source }),
      ...(lang.license === undefined ? {} : { license: lang.license }),
      files: versions,
    };
  }
  global.languages = sortedRecord(global.languages, compareNames);
  assets.push(makeAsset(GLOBAL_MANIFEST, Buffer.from(toJsonText(global))));

  const seen = new Set<string>();
  for (const asset of assets) {
    if (seen.has(asset.name) || asset.name === SHA256SUMS) {
      throw new PipelineError('ERR_RELEASE', `two release assets are named ${asset.name}; file names must be unique`, {
        context: { name: asset.name },
      });
    }
    seen.add(asset.name);
  }
  const sha256sums = formatSha256Sums(assets);
  assets.push(makeAsset(SHA256SUMS, Buffer.from(sha256sums)));
  assets.sort((a, b) => compareNames(a.name, b.name));
  return { assets, globalManifest: global, languageManifests, sha256sums };
}
