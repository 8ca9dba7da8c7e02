// Version labels compare numerically segment by segment: 1.9 < 1.10 < 1.24 < 2.
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^[0-9]+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^[0-9]+$/.test(y) ? Number(y) : Number.NaN;
    if (!Number.isNaN(nx) && !Number.isNaN(ny)) {
      if (nx !== ny) return nx < ny ? -1 : 1;
    } else if (x !== y) {
      // A numeric segment sorts before a textual one (1.24 < 1.24-rc is not semver, but stable and total).
      if (!Number.isNaN(nx)) return -1;
      if (!Number.isNaN(ny)) return 1;
      return x < y ? -1 : 1;
    }
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Highest label by numeric comparison; throws on an empty list. */
export function latestVersion(labels: readonly string[]): string {
  if (labels.length === 0) throw new Error('latestVersion: no versions');
  return [...labels].sort(compareVersions).at(-1) as string;
}
