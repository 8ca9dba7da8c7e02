// `pipeline metadata <lang> [--ver v]`: writes build/<lang>/<lang>-<ver>.metadata.json for each verified module.
// Without --ver it describes every version runtime.json declares; with --ver only that one (the CI
// matrix runs one job per version; the release assembles each language's manifest from all the records).
import { loadRuntimeConfig, selectVersions } from '../runtime/config.ts';
import { parseStageArgs } from '../stage-args.ts';
import { writeMetadata } from './write-metadata.ts';

export async function run(argv: string[]): Promise<void> {
  const { lang, ver } = parseStageArgs('metadata', argv);
  const config = await loadRuntimeConfig(lang);
  await writeMetadata({ config, versions: selectVersions(config, ver) });
}
