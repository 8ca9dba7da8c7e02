// Content digests and the GNU coreutils SHA256SUMS format.
import { createHash } from 'node:crypto';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Compare strings by UTF-16 code units (locale-free, so the order is the same on every machine). */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `<hex>  <name>` lines sorted by name, as `sha256sum` writes them (text mode, two spaces). */
export function formatSha256Sums(entries: readonly { name: string; sha256: string }[]): string {
  return [...entries]
    .sort((a, b) => compareNames(a.name, b.name))
    .map((entry) => `${entry.sha256}  ${entry.name}\n`)
    .join('');
}
