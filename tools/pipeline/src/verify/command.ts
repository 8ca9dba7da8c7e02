// `pipeline verify <lang> [--ver v] [--no-conformance]`: checks raw and optimized modules of each version.
// Companion files and the guest environment come from the build record (what the build wrote).
import { relative } from 'node:path';
import type { BuildRecord } from '../compile/build-version.ts';
import { PipelineError } from '../errors.ts';
import { readJsonIfExists } from '../kit/files.ts';
import {
  buildRecordPath,
  companionBuildPath,
  optWasmPath,
  rawWasmPath,
  verifyRecordPath,
  workspaceRoot,
} from '../paths.ts';
import { loadRuntimeConfig, selectVersions } from '../runtime/config.ts';
import { parseStageArgs } from '../stage-args.ts';
import { verifyVersion } from './verify-stage.ts';

export async function run(argv: string[]): Promise<void> {
  const { lang, ver, values } = parseStageArgs('verify', argv, {
    'no-conformance': { type: 'boolean', default: false },
  });
  const config = await loadRuntimeConfig(lang);
  for (const v of selectVersions(config, ver)) {
    const recordPath = buildRecordPath(lang, v.label);
    const build = await readJsonIfExists<Pick<BuildRecord, 'companions' | 'guestEnv'>>(recordPath, {
      what: 'build record',
      shown: relative(workspaceRoot, recordPath),
      hint: 'run the build stage again',
    });
    // A record from before runtime.json declared its companions would verify the module without them.
    const missing = (v.companions ?? []).find((c) => !build?.companions?.some((b) => b.file === c.file));
    if (missing) {
      throw new PipelineError(
        'ERR_WASM_INVALID',
        `${relative(workspaceRoot, recordPath)}: records no companion ${missing.file} (declared in runtimes/${lang}/runtime.json): run the build stage again`,
        { context: { file: recordPath, companion: missing.file } },
      );
    }
    await verifyVersion({
      language: lang,
      version: v.label,
      rawPath: rawWasmPath(lang, v.label),
      optPath: optWasmPath(lang, v.label),
      recordPath: verifyRecordPath(lang, v.label),
      root: workspaceRoot,
      ...(values['no-conformance'] ? { conformance: false as const } : {}),
      ...(build?.companions
        ? { companions: build.companions.map((c) => ({ ...c, path: companionBuildPath(lang, c.file) })) }
        : {}),
      ...(build?.guestEnv ? { guestEnv: build.guestEnv } : {}),
    });
  }
}
