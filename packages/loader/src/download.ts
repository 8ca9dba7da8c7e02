import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { cacheError } from './cache-errors.ts';
import type { Encoding, Expected } from './call.ts';
import { LoaderError } from './errors.ts';
import { classifyNetworkError } from './network-errors.ts';
import type { OpenedStream } from './open-stream.ts';
import { type SpeedRule, watchSpeed } from './speed.ts';

export type { Encoding, Expected } from './call.ts';

/** Counts and hashes the bytes flowing through; fails as soon as they exceed `limit`. */
class Meter extends Transform {
  bytes = 0;
  private readonly hash = createHash('sha256');
  constructor(
    private readonly limit: number,
    private readonly what: string,
    private readonly onBytes?: (bytes: number) => void,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      callback(
        new LoaderError('ERR_SIZE_EXCEEDED', `${this.what} exceeds the ${this.limit} bytes the manifest states`),
      );
      return;
    }
    this.hash.update(chunk);
    this.onBytes?.(this.bytes);
    callback(null, chunk);
  }
  digest(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Stream an opened file into `tempPath`: the transferred bytes are bounded by (and checked against) the
 * compressed variant's size and sha256; decompression is bounded by the module's size; the module's sha256
 * must match. On any failure the temp file is removed and a classified LoaderError is thrown.
 */
export async function downloadTo(
  opened: OpenedStream,
  tempPath: string,
  options: {
    encoding: Encoding;
    transfer: Expected;
    module: Expected;
    what: string;
    /** The minimum-rate rule; off when absent. */
    speed?: SpeedRule;
    onProgress?: (bytes: number, total: number) => void;
  },
): Promise<void> {
  const { transfer, module, what } = options;
  if (opened.length !== undefined && opened.length > transfer.size) {
    opened.body.destroy();
    throw new LoaderError(
      'ERR_SIZE_EXCEEDED',
      `${what} is ${opened.length} bytes, the manifest states ${transfer.size}`,
      {
        context: { url: opened.url },
      },
    );
  }
  let last = 0;
  const speed = watchSpeed(options.speed ?? { minBytesPerSec: 0, windowMs: 1000 }, what, (error) => {
    first ??= { from: 'body', error };
    opened.body.destroy(error);
  });
  const wire = new Meter(transfer.size, what, (bytes) => {
    speed.add(bytes - last);
    last = bytes;
    options.onProgress?.(bytes, transfer.size);
  });
  const out = new Meter(module.size, `${what} decompressed`);
  const stages: NodeJS.ReadWriteStream[] = [wire];
  // Which stream failed first tells a network failure (body) from bad compressed data (inflate).
  let first: { from: 'body' | 'inflate' | 'disk'; error: unknown } | undefined;
  opened.body.on('error', (error) => {
    first ??= { from: 'body', error };
  });
  if (options.encoding !== 'identity') {
    // 256 KiB output chunks instead of zlib's 16 KiB: 16x fewer round trips through the thread pool, the
    // meter and the file stream for the same bytes (a 2.4 MB module: ~10 chunks instead of ~150).
    const chunkSize = 256 * 1024;
    // Loaded when a compressed variant is fetched, not at start-up (the body's error listener is attached).
    const { createBrotliDecompress, createGunzip } = await import('node:zlib');
    const inflate = options.encoding === 'br' ? createBrotliDecompress({ chunkSize }) : createGunzip({ chunkSize });
    inflate.on('error', (error) => {
      first ??= { from: 'inflate', error };
    });
    stages.push(inflate, out);
  }
  const file = createWriteStream(tempPath, { flags: 'wx', mode: 0o644 });
  file.on('error', (error) => {
    first ??= { from: 'disk', error };
  });
  try {
    await pipeline([opened.body, ...stages, file]);
    if (wire.bytes < transfer.size) {
      throw new LoaderError('ERR_NETWORK', `${what} ended after ${wire.bytes} of ${transfer.size} bytes (truncated)`, {
        context: { url: opened.url },
      });
    }
    const moduleMeter = options.encoding === 'identity' ? wire : out;
    const wireSha = wire.digest();
    const moduleSha = moduleMeter === wire ? wireSha : moduleMeter.digest();
    if (wireSha !== transfer.sha256) {
      throw new LoaderError(
        'ERR_INTEGRITY',
        `${what}: sha256 ${wireSha} does not match the manifest's ${transfer.sha256}`,
        {
          context: { url: opened.url },
        },
      );
    }
    if (moduleMeter.bytes !== module.size || moduleSha !== module.sha256) {
      throw new LoaderError(
        'ERR_INTEGRITY',
        `${what}: module is ${moduleMeter.bytes} bytes with sha256 ${moduleSha}, the manifest states ${module.size} bytes, ${module.sha256}`,
        { context: { url: opened.url } },
      );
    }
  } catch (error) {
    opened.body.destroy();
    await rm(tempPath, { force: true }).catch(() => undefined);
    // A local failure (disk full, read-only, no permission) is not the source's fault: never retried.
    if (first?.from === 'disk') throw cacheError(first.error, tempPath);
    if (first?.error instanceof LoaderError && first.error.code === 'ERR_TOO_SLOW') throw first.error;
    if (error instanceof LoaderError) throw error;
    if (first?.from === 'inflate') {
      if (wire.bytes < transfer.size) {
        throw new LoaderError(
          'ERR_NETWORK',
          `${what} ended after ${wire.bytes} of ${transfer.size} bytes (truncated)`,
          {
            cause: error,
            context: { url: opened.url },
          },
        );
      }
      const message = (error as Error).message;
      throw new LoaderError('ERR_INTEGRITY', `${what}: does not decompress (${message})`, {
        cause: error,
        context: { url: opened.url },
      });
    }
    throw classifyNetworkError(error, opened.url);
  } finally {
    speed.stop();
  }
}
