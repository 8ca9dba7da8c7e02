// The human summary printed at the end of a release: asset, size, sha256 prefix.
import { formatSize } from '../kit/release-events.ts';
import type { ReleaseAsset } from './assemble.ts';

export function formatSummaryTable(assets: readonly ReleaseAsset[]): string {
  const rows = assets.map((asset) => [asset.name, formatSize(asset.size), asset.sha256.slice(0, 12)] as const);
  const header = ['asset', 'size', 'sha256'] as const;
  const widths = [0, 1, 2].map((i) => Math.max(header[i]?.length ?? 0, ...rows.map((row) => row[i]?.length ?? 0)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => (i === 1 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
