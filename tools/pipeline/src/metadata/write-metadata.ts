// The metadata stage: verification records (+ build records) -> build/<lang>/<lang>-<ver>.metadata.json,
// one record per version (metadata/record.ts), each a function of that version's inputs only. It reads no
// earlier output of its own, and nothing later writes into it: the release assembles the per-language
// manifest from the records of every declared version and adds the variants in its own output.
import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { PipelineError } from '../errors.ts';
import { sha256Hex } from '../kit/digest.ts';
import { lineEmitter } from '../kit/events.ts';
import { readJson, readJsonIfExists } from '../kit/files.ts';
import { buildVersionEntry, type VersionInput } from '../manifest/language-manifest.ts';
import { resolveSourceStamp } from '../manifest/released.ts';
import { buildRecordPath, companionBuildPath, optWasmPath, verifyRecordPath, workspaceRoot } from '../paths.ts';
import type { RuntimeConfig, RuntimeVersion } from '../runtime/config.ts';
import type { VerificationRecord } from '../verify/verify-stage.ts';
import { type MetadataRecord, writeMetadataRecord } from './record.ts';

export interface WriteMetadataInput {
  config: RuntimeConfig;
  versions: RuntimeVersion[];
  root?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

interface BuildRecordLike {
  sha256?: string;
  /** Companion files the build wrote beside the module (build/<lang>/<file>). */
  companions?: { file: string; size: number; sha256: string; guestPath: string }[];
  guestEnv?: Record<string, string>;
  toolchain?: string;
  builder?: { id?: string; image?: string };
}

/** The stage's inputs are earlier stages' outputs: a missing or broken one says which stage to run. */
const stageInput = (what: string, path: string, root: string) => ({
  what,
  shown: relative(root, path),
  hint: 'run the earlier stages first',
});

async function versionInput(config: RuntimeConfig, version: RuntimeVersion, root: string): Promise<VersionInput> {
  const lang = config.language;
  const recordPath = verifyRecordPath(lang, version.label, root);
  const record = await readJson<VerificationRecord>(recordPath, stageInput('verification record', recordPath, root));
  const optPath = optWasmPath(lang, version.label, root);
  const onDisk = sha256Hex(await readFile(optPath));
  if (onDisk !== record.optimized.sha256) {
    throw new PipelineError(
      'ERR_WASM_INVALID',
      `${relative(root, optPath)}: check "sha256" failed: expected ${record.optimized.sha256} (verified), found ${onDisk}: run the verify stage again`,
      { context: { file: optPath, check: 'sha256', expected: record.optimized.sha256, found: onDisk } },
    );
  }
  const buildPath = buildRecordPath(lang, version.label, root);
  const build = await readJsonIfExists<BuildRecordLike>(buildPath, stageInput('build record', buildPath, root));
  if (build?.sha256 && build.sha256 !== record.unoptimized.sha256) {
    throw new PipelineError(
      'ERR_WASM_INVALID',
      `${relative(root, recordPath)}: verified module ${record.unoptimized.sha256} is not the one built (${build.sha256}): run optimize and verify again`,
    );
  }
  for (const companion of build?.companions ?? []) {
    const path = companionBuildPath(lang, companion.file, root);
    const bytes = await readFile(path).catch(() => undefined);
    const found = bytes ? sha256Hex(bytes) : 'no file';
    if (found !== companion.sha256) {
      throw new PipelineError(
        'ERR_WASM_INVALID',
        `${relative(root, path)}: companion check "sha256" failed: expected ${companion.sha256} (built), found ${found}: run the build stage again`,
        { context: { file: path, check: 'sha256', expected: companion.sha256, found } },
      );
    }
  }
  return {
    version: version.label,
    size: record.optimized.size,
    sha256: record.optimized.sha256,
    unoptimized: { size: record.unoptimized.size, sha256: record.unoptimized.sha256 },
    wasmOpt: version.wasmOpt,
    features: version.features,
    ...(build?.toolchain ? { toolchain: build.toolchain } : {}),
    ...(build?.builder?.id ? { builderImage: build.builder.id } : {}),
    ...(build?.companions?.length
      ? {
          companions: build.companions.map(({ file, size, sha256, guestPath }) => ({ file, size, sha256, guestPath })),
        }
      : {}),
    ...(build?.guestEnv && Object.keys(build.guestEnv).length > 0 ? { guestEnv: { ...build.guestEnv } } : {}),
  };
}

export interface WrittenRecord {
  path: string;
  changed: boolean;
  record: MetadataRecord;
}

/** Writes the metadata record of each of `input.versions` (all of runtime.json's, or the one of --ver). */
export async function writeMetadata(input: WriteMetadataInput): Promise<WrittenRecord[]> {
  const root = input.root ?? workspaceRoot;
  const emit = lineEmitter(input.log);
  const lang = input.config.language;
  const versions = await Promise.all(input.versions.map((v) => versionInput(input.config, v, root)));
  const stamp = await resolveSourceStamp(lang, { cwd: root, ...(input.env ? { env: input.env } : {}) });
  const context = {
    language: lang,
    released: stamp.released,
    wasi: input.config.target.replace(/^wasm32-/, ''),
    features: input.config.features,
    ...(stamp.sourceCommit ? { sourceCommit: stamp.sourceCommit } : {}),
  };
  const written: WrittenRecord[] = [];
  for (const version of versions) {
    const record: MetadataRecord = {
      language: lang,
      version: version.version,
      entry: buildVersionEntry(version, context),
    };
    const { path, changed } = await writeMetadataRecord(record, root);
    emit({
      kind: 'metadata.record',
      task: `${lang}@${version.version}`,
      path: relative(root, path),
      changed,
      released: stamp.released,
    });
    written.push({ path, changed, record });
  }
  return written;
}
