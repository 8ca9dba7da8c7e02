// Size of each runtime version: raw (build stage), after wasm-opt (optimize stage), and the release's
// gzip -9 / brotli q11 variants as staged in build/release/<tag>/ (computed here if a variant is absent).
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { RuntimeVersionInfo } from './lib/workspace.ts';

export interface SizeRow {
  runtime: string;
  raw: number;
  opt: number;
  gzip: number;
  brotli: number;
  /** Where the compressed sizes came from. */
  from: 'release' | 'computed';
}

async function sizeOf(path: string): Promise<number | undefined> {
  return stat(path).then(
    (s) => s.size,
    () => undefined,
  );
}

export async function collectSizes(versions: RuntimeVersionInfo[], releaseDir: string): Promise<SizeRow[]> {
  const rows: SizeRow[] = [];
  for (const v of versions) {
    const name = `${v.lang}-${v.ver}.wasm`;
    let gzip = await sizeOf(join(releaseDir, `${name}.gz`));
    let brotli = await sizeOf(join(releaseDir, `${name}.br`));
    const from = gzip !== undefined && brotli !== undefined ? 'release' : 'computed';
    if (gzip === undefined || brotli === undefined) {
      const bytes = await readFile(v.opt);
      gzip ??= gzipSync(bytes, { level: 9 }).length;
      brotli ??= brotliCompressSync(bytes, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length },
      }).length;
    }
    rows.push({
      runtime: `${v.lang}@${v.ver}`,
      raw: (await stat(v.raw)).size,
      opt: (await stat(v.opt)).size,
      gzip,
      brotli,
      from,
    });
  }
  return rows;
}
