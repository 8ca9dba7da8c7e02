// Stable serialization: the same manifest always gives the same bytes (canonical key order, 2-space
// indent, trailing newline), so an unchanged build rewrites a byte-identical file.
import { compareVersions } from '@wasmhub/contract';

/**
 * Known keys come first in this order (the original WasmHub order, then our additions); any other key
 * (map keys such as version labels, language names, unknown fields) follows, sorted by compareVersions.
 */
const keyOrder = [
  '$schema',
  'version',
  'build_date',
  'language',
  'latest',
  'versions',
  'source',
  'license',
  'files',
  'languages',
  'file',
  'size',
  'sha256',
  'released',
  'wasi',
  'features',
  'variants',
  'br',
  'gz',
  'toolchain',
  'builderImage',
  'wasmOpt',
  'unoptimized',
  'sourceCommit',
];
const rank = new Map(keyOrder.map((k, i) => [k, i]));

function compareKeys(a: string, b: string): number {
  const ra = rank.get(a);
  const rb = rank.get(b);
  if (ra !== undefined && rb !== undefined) return ra - rb;
  if (ra !== undefined) return -1;
  if (rb !== undefined) return 1;
  return compareVersions(a, b);
}

/** Deep copy with object keys in canonical order; arrays keep their order; undefined members are dropped. */
export function canonicalize(value: unknown, isMap = false): unknown {
  if (Array.isArray(value)) return value.map((v) => canonicalize(v));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  // Inside a map (versions, files, languages) every key is data: sort them all as versions.
  entries.sort(([a], [b]) => (isMap ? compareVersions(a, b) : compareKeys(a, b)));
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries)
    out[k] = canonicalize(v, !isMap && (k === 'versions' || k === 'files' || k === 'languages'));
  return out;
}

/** JSON text of a manifest in canonical form, with a trailing newline. */
export function stringifyManifest(doc: unknown): string {
  return `${JSON.stringify(canonicalize(doc), null, 2)}\n`;
}
