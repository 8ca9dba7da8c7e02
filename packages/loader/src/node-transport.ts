// The Node side of a call (see ./call.ts): node:http(s) with proxies and timeouts, folder sources, streamed
// decompression (brotli and gzip) into a verified temp file in the cache folder.
import type { Readable } from 'node:stream';
import { tempFile } from './cache.ts';
import type { Attempt, Encoding, FileAttempt, Transport } from './call.ts';
import { downloadTo } from './download.ts';
import { LoaderError } from './errors.ts';
import { localSources } from './local-sources.ts';
import { classifyNetworkError } from './network-errors.ts';
import { openStream } from './open-stream.ts';
import type { NormalizedOptions } from './options.ts';
import type { Source } from './sources.ts';
import { type SpeedRule, watchSpeed } from './speed.ts';

const USER_AGENT = 'wasmhub-loader/0.1 (+https://github.com/wasmhub/wasmhub)';

/** Node's transport: `fetchFile` resolves to the path of a verified temp file inside the cache folder. */
export class NodeTransport implements Transport<string> {
  readonly encodings: ReadonlySet<Encoding> = new Set(['br', 'gz', 'identity']);
  readonly local;

  constructor(private readonly options: NormalizedOptions) {
    this.local = localSources(options.cwd);
  }

  async fetchText(source: Source, file: string, limit: number, attempt: Attempt): Promise<string> {
    const opened = await openStream(source, file, this.#openOptions(attempt.signal));
    if (opened.length !== undefined && opened.length > limit) {
      opened.body.destroy();
      throw new LoaderError(
        'ERR_SIZE_EXCEEDED',
        `${opened.url} is ${opened.length} bytes, more than the ${limit} allowed for a manifest`,
      );
    }
    return readLimited(opened.body, limit, opened.url, attempt.speed);
  }

  async fetchFile(source: Source, file: string, attempt: FileAttempt): Promise<string> {
    const temp = await tempFile(this.options.cacheDir, `${attempt.language}-${attempt.version}`);
    const opened = await openStream(source, file, this.#openOptions(attempt.signal));
    attempt.onStart(opened.url);
    await downloadTo(opened, temp, {
      encoding: attempt.encoding,
      transfer: attempt.transfer,
      module: attempt.module,
      what: attempt.url,
      speed: attempt.speed,
      onProgress: attempt.onProgress,
    });
    return temp;
  }

  #openOptions(signal: AbortSignal) {
    return {
      connectTimeoutMs: this.options.connectTimeoutMs,
      stallTimeoutMs: this.options.stallTimeoutMs,
      maxRedirects: this.options.maxRedirects,
      allowHttp: this.options.allowHttp,
      signal,
      now: this.options.clock.now,
      userAgent: USER_AGENT,
      proxy: this.options.proxy,
    };
  }
}

async function readLimited(body: Readable, limit: number, url: string, speedRule: SpeedRule): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  const speed = watchSpeed(speedRule, url, (error) => body.destroy(error));
  try {
    for await (const chunk of body) {
      speed.add((chunk as Buffer).length);
      total += (chunk as Buffer).length;
      if (total > limit) {
        body.destroy();
        throw new LoaderError('ERR_SIZE_EXCEEDED', `${url} exceeds the ${limit} bytes allowed for a manifest`, {
          context: { url },
        });
      }
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    throw classifyNetworkError(error, url);
  } finally {
    speed.stop();
  }
  return Buffer.concat(chunks).toString('utf8');
}
