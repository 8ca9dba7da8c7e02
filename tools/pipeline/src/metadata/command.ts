// `pipeline metadata <lang> [--ver v]`: writes runtimes/<lang>/manifest.json from the verified modules.
// Without --ver it describes every version runtime.json declares; with --ver only that one (the CI
// matrix runs one job per version and merges the per-version manifests afterwards).
import { loadRuntimeConfig, selectVersions } from '../runtime/config.ts';
import { parseStageArgs } from '../stage-args.ts';
import { writeMetadata } from './write-metadata.ts';

export async function run(argv: string[]): Promise<void> {
  const { lang, ver } = parseStageArgs('metadata', argv);
  const config = await loadRuntimeConfig(lang);
  await writeMetadata({ config, versions: selectVersions(config, ver) });
}
