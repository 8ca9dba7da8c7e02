import type { GlobalManifest, LanguageManifest, SchemaValidator, VersionEntry } from '@wasmhub/contract';
import { assertCompanion } from './companion-names.ts';
import { LoaderError } from './errors.ts';
import { assertFileName, assertLanguage, assertVersion } from './names.ts';

// The shapes are generated from manifest.schema.json (in @wasmhub/contract, shared with the producer).
export type { Companion, GlobalManifest, LanguageManifest, Variant, VersionEntry } from '@wasmhub/contract';

/** What the loader knows about one language after reading a manifest. */
export interface LanguageIndex {
  language: string;
  latest: string;
  versions: string[];
  source?: string;
  license?: string;
  /** Entries known so far; a global manifest without `files` leaves this empty (read `<lang>-manifest.json`). */
  entries: Record<string, VersionEntry>;
}

export interface ManifestIndex {
  kind: 'global' | 'language';
  languages: Record<string, LanguageIndex>;
}

/** `record[key]` when `key` is the record's own property: never `toString`, `constructor` or `__proto__`. */
export function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** Deepest nesting of objects and arrays accepted in a manifest (the real ones nest 5 levels). */
export const MAX_MANIFEST_DEPTH = 32;

/** Nesting depth of JSON text, counted without parsing it (brackets inside strings ignored). */
function nestingDepth(text: string, limit: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > limit) return depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return depth;
}

/** Parse and validate manifest bytes (global or per-language) into an index. `where` names the document in errors. */
export function parseManifest(text: string, validator: SchemaValidator, where: string): ManifestIndex {
  if (nestingDepth(text, MAX_MANIFEST_DEPTH) > MAX_MANIFEST_DEPTH) {
    throw new LoaderError(
      'ERR_MANIFEST_INVALID',
      `manifest ${where} nests values deeper than ${MAX_MANIFEST_DEPTH} levels: refused (not a WasmHub manifest)`,
      { context: { url: where } },
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (cause) {
    throw new LoaderError('ERR_MANIFEST_INVALID', `manifest ${where} is not JSON: ${(cause as Error).message}`, {
      cause,
      context: { url: where },
    });
  }
  const problem = validator.validate(document);
  if (problem !== undefined) {
    throw new LoaderError('ERR_MANIFEST_INVALID', `manifest ${where} does not match manifest.schema.json: ${problem}`, {
      context: { url: where },
    });
  }
  if (document && typeof document === 'object' && 'languages' in document) {
    const global = document as GlobalManifest;
    const languages: Record<string, LanguageIndex> = Object.create(null);
    for (const [language, info] of Object.entries(global.languages)) {
      const entries: Record<string, VersionEntry> = Object.create(null);
      for (const [version, entry] of Object.entries(info.files ?? {})) {
        entries[version] = checkEntry(entry, language, version);
      }
      languages[language] = {
        language,
        latest: info.latest,
        versions: [...info.versions],
        ...(info.source === undefined ? {} : { source: info.source }),
        ...(info.license === undefined ? {} : { license: info.license }),
        entries,
      };
    }
    return { kind: 'global', languages };
  }
  const single = document as LanguageManifest;
  const languages: Record<string, LanguageIndex> = Object.create(null);
  languages[single.language] = languageIndexOf(single);
  return { kind: 'language', languages };
}

export function languageIndexOf(manifest: LanguageManifest): LanguageIndex {
  const entries: Record<string, VersionEntry> = Object.create(null);
  for (const [version, entry] of Object.entries(manifest.versions)) {
    entries[version] = checkEntry(entry, manifest.language, version);
  }
  return { language: manifest.language, latest: manifest.latest, versions: Object.keys(manifest.versions), entries };
}

/** Belt and braces beyond the schema: names that become paths are checked again here. */
function checkEntry(entry: VersionEntry, language: string, version: string): VersionEntry {
  const where = `${language}@${version}`;
  assertLanguage(language);
  assertVersion(version);
  assertFileName(entry.file, where);
  for (const variant of Object.values(entry.variants ?? {})) {
    if (variant) assertFileName(variant.file, where);
  }
  for (const companion of entry.companions ?? []) assertCompanion(companion, where);
  return entry;
}
