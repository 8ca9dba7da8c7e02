// The one version order of WasmHub lives beside the loader (the consumer must sort exactly as the producer):
// numeric segments numerically (1.9 < 1.10 < 1.24 < 2), pre-releases below their release (1.0-rc1 < 1.0).
import { compareVersions } from '../../../../packages/loader/src/names.ts';

export { compareVersions };

/** Highest label by that order; throws on an empty list. */
export function latestVersion(labels: readonly string[]): string {
  if (labels.length === 0) throw new Error('latestVersion: no versions');
  return [...labels].sort(compareVersions).at(-1) as string;
}
