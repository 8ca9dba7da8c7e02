// `pipeline release [--tag vX] [--dry-run] [--out DIR]`: the whole release, all languages, once.
//
// Local (always, except --dry-run): build/release/<tag>/ (or --out) gets <lang>-<ver>.wasm/.gz/.br,
// <lang>-manifest.json (assembled from every declared version's metadata record, with variants),
// manifest.json and SHA256SUMS, staged atomically; the workspace root gets copies of manifest.json and SHA256SUMS.
// GitHub (when GITHUB_TOKEN and GITHUB_REPOSITORY are set; GITHUB_API_URL honoured, GITHUB_SHA used as
// target of a new tag): draft -> uploads (one at a time: GitHub asks
// for serial content-creating requests) -> check -> publish. Tuning: WASMHUB_RELEASE_RETRY_BASE_MS (1000 ms per retry-after second), WASMHUB_RELEASE_WRITE_INTERVAL_MS
// (1000, GitHub's spacing of content-creating requests). SOURCE_DATE_EPOCH fixes build_date.
import { parseReleaseArgs } from './options.ts';
import { runRelease } from './release.ts';

export async function run(argv: string[]): Promise<void> {
  await runRelease(parseReleaseArgs(argv));
}
