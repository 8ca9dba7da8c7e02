// Reads an npm tarball (gzip'd tar, every entry under package/) into a map of path -> bytes.

import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';

export async function readTarball(bytes: Uint8Array): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const unpack = extract();
  unpack.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') files.set(header.name.replace(/^package\//, ''), Buffer.concat(chunks));
      next();
    });
    stream.resume();
  });
  await pipeline(Readable.from([Buffer.from(bytes)]), createGunzip(), unpack);
  return files;
}

/** Names of files that differ between two package contents (added, removed or changed), sorted. */
export function diffContents(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((name) => !(a.get(name)?.equals(b.get(name) ?? Buffer.alloc(0)) && b.has(name))).sort();
}
