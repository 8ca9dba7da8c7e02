import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  type BrotliOptions,
  brotliCompress,
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  gunzipSync,
  gzip,
  gzipSync,
  type ZlibOptions,
} from 'node:zlib';
import { sha256Hex } from '../kit/digest.ts';
import { writeFileAtomic } from '../kit/files.ts';
import { mapBounded } from '../kit/map-bounded.ts';

export interface CompressedVariants {
  gz: Buffer;
  br: Buffer;
}

const gzipOptions: ZlibOptions = { level: 9 };
const brotliOptions = (size: number): BrotliOptions => ({
  params: {
    [constants.BROTLI_PARAM_QUALITY]: 11,
    [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_GENERIC,
    [constants.BROTLI_PARAM_SIZE_HINT]: size,
  },
});

/** gzip -9. zlib writes no file name and a zero mtime, so the header carries nothing variable. */
export function gzipBytes(bytes: Uint8Array): Buffer {
  return gzipSync(bytes, gzipOptions);
}

/** brotli quality 11, with the size hint so the encoder's choices depend on the input only. */
export function brotliBytes(bytes: Uint8Array): Buffer {
  return brotliCompressSync(bytes, brotliOptions(bytes.byteLength));
}

const gzipAsync = promisify(gzip) as (bytes: Uint8Array, options: ZlibOptions) => Promise<Buffer>;
const brotliAsync = promisify(brotliCompress) as (bytes: Uint8Array, options: BrotliOptions) => Promise<Buffer>;

async function cached(
  cacheDir: string | undefined,
  key: string,
  original: Uint8Array,
  decompress: (bytes: Buffer) => Buffer,
  compress: () => Promise<Buffer>,
): Promise<Buffer> {
  const path = cacheDir ? join(cacheDir, key) : undefined;
  if (path) {
    const hit = await readFile(path).catch(() => undefined);
    // Reuse only what provably round-trips to the module (a damaged cache entry is simply recomputed).
    if (
      hit &&
      (() => {
        try {
          return decompress(hit).equals(original);
        } catch {
          return false;
        }
      })()
    ) {
      return hit;
    }
  }
  const bytes = await compress();
  if (path && cacheDir) {
    await mkdir(cacheDir, { recursive: true });
    await writeFileAtomic(path, bytes);
  }
  return bytes;
}

/**
 * Compresses every module (gz and br) in parallel, keyed by the module's sha256 in `cacheDir` when given.
 * Returns the variants in the order of `modules`.
 */
export async function compressModules(
  modules: readonly Uint8Array[],
  options: { cacheDir?: string; concurrency?: number } = {},
): Promise<CompressedVariants[]> {
  const jobs = modules.flatMap((bytes, index) => [
    { index, kind: 'gz' as const, bytes },
    { index, kind: 'br' as const, bytes },
  ]);
  const results: CompressedVariants[] = modules.map(() => ({ gz: Buffer.alloc(0), br: Buffer.alloc(0) }));
  await mapBounded(jobs, options.concurrency ?? Math.max(2, availableParallelism()), async (job) => {
    const key = `${sha256Hex(job.bytes)}.${job.kind === 'gz' ? 'gz9' : 'br11'}`;
    const out = await cached(
      options.cacheDir,
      key,
      job.bytes,
      job.kind === 'gz' ? (b) => gunzipSync(b) : (b) => brotliDecompressSync(b),
      job.kind === 'gz'
        ? () => gzipAsync(job.bytes, gzipOptions)
        : () => brotliAsync(job.bytes, brotliOptions(job.bytes.byteLength)),
    );
    (results[job.index] as CompressedVariants)[job.kind] = out;
  });
  return results;
}
