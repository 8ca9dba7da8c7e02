// The browser side of a call (see ../call.ts): fetch, DecompressionStream (gzip; brotli where the browser
// has it) and crypto.subtle SHA-256. It returns the verified module bytes; ../browser.ts caches them.
import type { Attempt, Encoding, Expected, FileAttempt, Transport } from '../call.ts';
import { LoaderError } from '../errors.ts';
import type { CoreNormalizedOptions } from '../loader-options.ts';
import { classifyNetworkError, httpStatusError } from '../network-errors.ts';
import { assertFetchable, locationOf, type Source } from '../sources.ts';
import { type SpeedRule, watchSpeed } from '../speed.ts';
import { canDecompress, sha256Hex, type WebResponse, web } from './web.ts';

const FORMAT: Record<Exclude<Encoding, 'identity'>, string> = { gz: 'gzip', br: 'brotli' };

export class FetchTransport implements Transport<Uint8Array> {
  readonly encodings: ReadonlySet<Encoding>;

  constructor(private readonly options: CoreNormalizedOptions) {
    const encodings = new Set<Encoding>(['identity']);
    if (canDecompress(FORMAT.gz)) encodings.add('gz');
    if (canDecompress(FORMAT.br)) encodings.add('br');
    this.encodings = encodings;
  }

  async fetchText(source: Source, file: string, limit: number, attempt: Attempt): Promise<string> {
    // A manifest is revalidated with the server (never an HTTP-cached `latest` from yesterday).
    const bytes = await this.#get(
      source,
      file,
      attempt,
      'no-cache',
      limit,
      (length, url) => {
        throw new LoaderError(
          'ERR_SIZE_EXCEEDED',
          `${url} is ${length} bytes, more than the ${limit} allowed for a manifest`,
        );
      },
      (url) =>
        new LoaderError('ERR_SIZE_EXCEEDED', `${url} exceeds the ${limit} bytes allowed for a manifest`, {
          context: { url },
        }),
    );
    return new TextDecoder().decode(bytes);
  }

  async fetchFile(source: Source, file: string, attempt: FileAttempt): Promise<Uint8Array> {
    const { transfer, module, url: what } = attempt;
    // The verified bytes go to the loader's own cache: the HTTP cache need not keep a second copy.
    const wire = await this.#get(
      source,
      file,
      attempt,
      'no-store',
      transfer.size,
      (length, url) => {
        throw new LoaderError('ERR_SIZE_EXCEEDED', `${what} is ${length} bytes, the manifest states ${transfer.size}`, {
          context: { url },
        });
      },
      () => new LoaderError('ERR_SIZE_EXCEEDED', `${what} exceeds the ${transfer.size} bytes the manifest states`),
    );
    if (wire.length < transfer.size) {
      throw new LoaderError('ERR_NETWORK', `${what} ended after ${wire.length} of ${transfer.size} bytes (truncated)`, {
        context: { url: what },
      });
    }
    const wireSha = await sha256Hex(wire);
    if (wireSha !== transfer.sha256) {
      throw new LoaderError(
        'ERR_INTEGRITY',
        `${what}: sha256 ${wireSha} does not match the manifest's ${transfer.sha256}`,
        {
          context: { url: what },
        },
      );
    }
    const bytes = attempt.encoding === 'identity' ? wire : await decompress(wire, attempt.encoding, module, what);
    const sha256 = bytes === wire ? wireSha : await sha256Hex(bytes);
    if (bytes.length !== module.size || sha256 !== module.sha256) {
      throw new LoaderError(
        'ERR_INTEGRITY',
        `${what}: module is ${bytes.length} bytes with sha256 ${sha256}, the manifest states ${module.size} bytes, ${module.sha256}`,
        { context: { url: what } },
      );
    }
    return bytes;
  }

  /**
   * GET one file into memory, at most `limit` bytes. An attempt is aborted by the call's deadline, by
   * `stallTimeoutMs` without a byte (before the answer and between chunks) and by the minimum-rate rule.
   */
  async #get(
    source: Source,
    file: string,
    attempt: Attempt & Partial<Pick<FileAttempt, 'onStart' | 'onProgress'>>,
    cache: 'no-cache' | 'no-store',
    limit: number,
    tooLong: (length: number, url: string) => never,
    overLimit: (url: string) => LoaderError,
  ): Promise<Uint8Array> {
    if (source.kind !== 'http') throw new LoaderError('ERR_INVALID_SOURCE', `${source.label}: not an http(s) source`);
    const href = locationOf(source, file);
    const controller = new AbortController();
    const onAbort = () => controller.abort(attempt.signal.reason);
    if (attempt.signal.aborted) onAbort();
    attempt.signal.addEventListener('abort', onAbort, { once: true });
    let idle: ReturnType<typeof setTimeout> | undefined;
    const touch = () => {
      clearTimeout(idle);
      idle = setTimeout(
        () =>
          controller.abort(
            new LoaderError('ERR_TIMEOUT', `${href}: stalled, no bytes for ${this.options.stallTimeoutMs} ms`, {
              context: { url: href },
            }),
          ),
        this.options.stallTimeoutMs,
      );
    };
    const speed = watchSpeed(attempt.speed as SpeedRule, href, (error) => controller.abort(error));
    let url = href;
    try {
      touch();
      // Only CORS-safelisted request headers: no preflight, so any static host with CORS can serve a release.
      const response: WebResponse = await web().fetch(href, { signal: controller.signal, cache, redirect: 'follow' });
      if (response.redirected && response.url) {
        url = response.url;
        assertFetchable(new URL(url), this.options.allowHttp);
      }
      if (response.status !== 200) {
        void response.body?.cancel().catch(() => undefined);
        throw httpStatusError(
          response.status,
          url,
          response.headers.get('retry-after') ?? undefined,
          this.options.clock.now(),
        );
      }
      const declared = response.headers.get('content-length');
      if (declared !== null && Number(declared) > limit) {
        void response.body?.cancel().catch(() => undefined);
        tooLong(Number(declared), url);
      }
      attempt.onStart?.(url);
      const chunks: Uint8Array[] = [];
      let total = 0;
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        touch();
        total += value.length;
        if (total > limit) {
          void reader.cancel().catch(() => undefined);
          throw overLimit(url);
        }
        speed.add(value.length);
        chunks.push(value);
        attempt.onProgress?.(total, limit);
      }
      return concat(chunks, total);
    } catch (error) {
      if (controller.signal.aborted && controller.signal.reason instanceof LoaderError) throw controller.signal.reason;
      throw classifyNetworkError(error, url);
    } finally {
      clearTimeout(idle);
      speed.stop();
      attempt.signal.removeEventListener('abort', onAbort);
    }
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Decompress verified wire bytes; more output than the module's size stops at once. */
async function decompress(wire: Uint8Array, encoding: Exclude<Encoding, 'identity'>, module: Expected, what: string) {
  const Stream = web().DecompressionStream;
  if (!Stream) throw new LoaderError('ERR_INTEGRITY', `${what}: this browser cannot decompress ${FORMAT[encoding]}`);
  const reader = new (web().Blob)([wire]).stream().pipeThrough(new Stream(FORMAT[encoding])).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > module.size) {
        void reader.cancel().catch(() => undefined);
        throw new LoaderError(
          'ERR_SIZE_EXCEEDED',
          `${what} decompressed exceeds the ${module.size} bytes the manifest states`,
        );
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof LoaderError) throw error;
    throw new LoaderError('ERR_INTEGRITY', `${what}: does not decompress (${(error as Error).message})`, {
      cause: error,
      context: { url: what },
    });
  }
  return concat(chunks, total);
}
