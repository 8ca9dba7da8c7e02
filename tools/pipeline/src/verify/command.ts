// `pipeline verify <lang> [--ver v] [--no-conformance]`: checks raw and optimized modules of each version.
import { optWasmPath, rawWasmPath, verifyRecordPath, workspaceRoot } from '../paths.ts';
import { loadRuntimeConfig, selectVersions } from '../runtime/config.ts';
import { parseStageArgs } from '../stage-args.ts';
import { verifyVersion } from './verify-stage.ts';

export async function run(argv: string[]): Promise<void> {
  const { lang, ver, values } = parseStageArgs('verify', argv, {
    'no-conformance': { type: 'boolean', default: false },
  });
  const config = await loadRuntimeConfig(lang);
  for (const v of selectVersions(config, ver)) {
    await verifyVersion({
      language: lang,
      version: v.label,
      rawPath: rawWasmPath(lang, v.label),
      optPath: optWasmPath(lang, v.label),
      recordPath: verifyRecordPath(lang, v.label),
      root: workspaceRoot,
      ...(values['no-conformance'] ? { conformance: false as const } : {}),
    });
  }
}
