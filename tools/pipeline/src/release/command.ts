// `pipeline release [--tag vX] [--dry-run] [--out DIR]`: the whole release, all languages, once.
import { parseReleaseArgs } from './options.ts';
import { runRelease } from './release.ts';

export async function run(argv: string[]): Promise<void> {
  await runRelease(parseReleaseArgs(argv));
}
