// The one order of version labels, shared by the producer (manifest key order, `latest`, GitHub's
// make_latest) and the loader (`latest`, listings, the cache): 1.9 < 1.10 < 1.24rc1 < 1.24 < 1.24.1 < 2.

/**
 * The one version order of WasmHub (loader and publisher): the leading numeric release part compares
 * numerically segment by segment (1.9 < 1.10 < 1.24 < 2); a pre-release suffix (`1.0-rc1`, `1.0rc1`,
 * `1.0.beta`) sorts below the same release without one (1.0-rc1 < 1.0 < 1.0.1); pre-release labels compare
 * numerically where both parts are numbers; `+build` metadata is ignored except to break ties; labels that
 * do not start with a digit sort below every numeric one. Total and stable (ties end in a plain comparison).
 */
export function compareVersions(a: string, b: string): number {
  const x = splitVersion(a);
  const y = splitVersion(b);
  const release = compareParts(x.release, y.release);
  if (release !== 0) return release;
  if (x.pre !== y.pre) {
    if (x.pre === '') return 1;
    if (y.pre === '') return -1;
    const pre = compareParts(runsOf(x.pre), runsOf(y.pre));
    if (pre !== 0) return pre;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function splitVersion(version: string): { release: string[]; pre: string } {
  const plus = version.indexOf('+');
  const core = plus < 0 ? version : version.slice(0, plus);
  const match = /^(\d+(?:[._]\d+)*)(.*)$/.exec(core);
  if (!match) return { release: [], pre: core === '' ? '~' : core };
  return { release: (match[1] as string).split(/[._]/), pre: (match[2] as string).replace(/^[-._]/, '') };
}

/** `rc10.x` -> ['rc', '10', 'x']: digit runs compare as numbers (rc2 < rc10). */
function runsOf(pre: string): string[] {
  return pre.split(/[.\-_]/).flatMap((part) => part.match(/\d+|\D+/g) ?? []);
}

/** Segment-wise: numbers numerically, a number below text, text by code points; a shorter list sorts first. */
function compareParts(pa: string[], pb: string[]): number {
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) {
      const [sx, sy] = [x.replace(/^0+(?=\d)/, ''), y.replace(/^0+(?=\d)/, '')];
      if (sx !== sy) return sx.length !== sy.length ? (sx.length < sy.length ? -1 : 1) : sx < sy ? -1 : 1;
    } else if (nx !== ny) return nx ? -1 : 1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/** Highest label in the one order; throws on an empty list. */
export function latestVersion(labels: readonly string[]): string {
  if (labels.length === 0) throw new Error('latestVersion: no versions');
  return [...labels].sort(compareVersions).at(-1) as string;
}
