// The metadata stage's output: one record per version, build/<lang>/<lang>-<ver>.metadata.json, holding
// that version's manifest entry. Nothing else writes it, and the metadata stage writes nothing else.
//
// A per-language manifest is never a file in the workspace: the release assembles it from the records of
// every version runtime.json declares (readLanguageManifest), so a `--ver` run cannot leave a manifest that
// describes only the versions it happened to run, and no stage reads its own earlier output.
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { LanguageManifest, VersionEntry } from '@wasmhub/contract';
import { PipelineError } from '../errors.ts';
import { readJson, writeFileAtomic } from '../kit/files.ts';
import { assembleLanguageManifest } from '../manifest/language-manifest.ts';
import { stringifyManifest } from '../manifest/stable-json.ts';
import { assertLanguageManifest } from '../manifest/validate.ts';
import { metadataRecordPath } from '../paths.ts';

export interface MetadataRecord {
  language: string;
  version: string;
  /** The version's entry in the per-language manifest, as the release publishes it (before variants). */
  entry: VersionEntry;
}

/** Checks the entry against manifest.schema.json as the only version of its language; returns it. */
function assertRecord(record: MetadataRecord, shown: string): MetadataRecord {
  assertLanguageManifest(
    { language: record.language, latest: record.version, versions: { [record.version]: record.entry } },
    shown,
  );
  return record;
}

/** Writes the record (canonical JSON, atomically) only when its bytes change, so mtimes stay for caches. */
export async function writeMetadataRecord(
  record: MetadataRecord,
  root: string,
): Promise<{ path: string; changed: boolean }> {
  const path = metadataRecordPath(record.language, record.version, root);
  assertRecord(record, relative(root, path));
  const text = stringifyManifest(record);
  const current = await readFile(path, 'utf8').catch(() => undefined);
  if (current === text) return { path, changed: false };
  await writeFileAtomic(path, text);
  return { path, changed: true };
}

/** Reads and checks the record of `lang`@`version`; a missing one names the command that writes it. */
export async function readMetadataRecord(lang: string, version: string, root: string): Promise<VersionEntry> {
  const path = metadataRecordPath(lang, version, root);
  const shown = relative(root, path);
  const record = await readJson<MetadataRecord>(path, {
    what: 'metadata record',
    shown,
    hint: `run \`nx run ${lang}:metadata --ver=${version}\` (or \`nx run-many -t metadata\`) first`,
    missingCode: 'ERR_RELEASE',
  });
  if (record?.language !== lang || record.version !== version) {
    throw new PipelineError(
      'ERR_MANIFEST_INVALID',
      `${shown}: describes ${String(record?.language)}@${String(record?.version)}, expected ${lang}@${version}: run the metadata stage again`,
      { context: { path } },
    );
  }
  return assertRecord(record, shown).entry;
}

/**
 * The per-language manifest of `lang`: the records of exactly the versions given (runtime.json's full
 * list), assembled. Records of versions no longer declared are ignored; a declared one without a record
 * is an error, never a shorter manifest.
 */
export async function readLanguageManifest(
  lang: string,
  versions: readonly string[],
  root: string,
): Promise<LanguageManifest> {
  const entries: Record<string, VersionEntry> = {};
  for (const version of versions) entries[version] = await readMetadataRecord(lang, version, root);
  return assembleLanguageManifest(lang, entries);
}
