// `pipeline verify <lang> [--ver v] [--no-conformance]`: checks raw and optimized modules of each version.
import { parseArgs } from 'node:util';
import { PipelineError } from '../errors.ts';
import { optWasmPath, rawWasmPath, verifyRecordPath, workspaceRoot } from '../paths.ts';
import { loadRuntimeConfig, selectVersions } from '../runtime/config.ts';
import { verifyVersion } from './verify-stage.ts';

export async function run(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ver: { type: 'string' }, 'no-conformance': { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const [lang] = positionals;
  if (!lang || positionals.length > 1) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `verify expects one language, got ${JSON.stringify(positionals)}: run \`pipeline verify <lang> [--ver v]\``,
    );
  }
  const config = await loadRuntimeConfig(lang);
  for (const v of selectVersions(config, values.ver)) {
    await verifyVersion({
      language: lang,
      version: v.label,
      rawPath: rawWasmPath(lang, v.label),
      optPath: optWasmPath(lang, v.label),
      recordPath: verifyRecordPath(lang, v.label),
      root: workspaceRoot,
      ...(values['no-conformance'] ? { runCases: false as const } : {}),
    });
  }
}
