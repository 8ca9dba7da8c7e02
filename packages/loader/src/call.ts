// One public call of a loader — its deadline, abort signal and the manifests read so far — and the logic
// every platform shares: manifest fetching and validation, version resolution, source fallback, variant
// order, retry with backoff. No node: imports: the Node loader and the browser entry run this same code
// over their own `Transport` (Node: ./node-transport.ts, browser: ./browser/fetch-transport.ts).
import type { SchemaValidator } from '@wasmhub/contract';
import { LoaderError, type SourceFailure } from './errors.ts';
import type { CoreNormalizedOptions, LoaderEvent } from './loader-options.ts';
import { type LanguageIndex, type ManifestIndex, own, parseManifest, type VersionEntry } from './manifest.ts';
import { classifyNetworkError } from './network-errors.ts';
import { withRetry } from './retry.ts';
import { concreteSources, type LocalSources, locationOf, type Source } from './sources.ts';
import type { SpeedRule } from './speed.ts';

export type Encoding = 'br' | 'gz' | 'identity';

export interface Expected {
  size: number;
  sha256: string;
}

/** What one attempt at one file gets from the call. */
export interface Attempt {
  /** Aborts the attempt (the call's overall deadline). */
  signal: AbortSignal;
  /** Where the file is, for messages. */
  url: string;
  /** The minimum-rate rule. */
  speed: SpeedRule;
}

export interface FileAttempt extends Attempt {
  language: string;
  version: string;
  encoding: Encoding;
  /** The bytes on the wire (a compressed variant, or the file itself). */
  transfer: Expected;
  /** The file after decompression. */
  module: Expected;
  /** Called once the file answered, with its final location. */
  onStart(url: string): void;
  onProgress(bytes: number, total: number): void;
}

/**
 * The platform's side of a call: single attempts, no retries, no fallback. Failures are LoaderErrors (or
 * errors `classifyNetworkError` understands); ERR_CACHE means a local failure that no source can fix.
 */
export interface Transport<T> {
  /** Encodings this platform can decode; variants in other encodings are not tried. */
  readonly encodings: ReadonlySet<Encoding>;
  /** Folder sources (Node only). */
  readonly local?: LocalSources;
  /** A small text file (a manifest), at most `limit` bytes. */
  fetchText(source: Source, file: string, limit: number, attempt: Attempt): Promise<string>;
  /** A file checked against `transfer` and `module` (size and sha256), into whatever `T` holds it. */
  fetchFile(source: Source, file: string, attempt: FileAttempt): Promise<T>;
}

/** What `download` needs: the module's entry or a companion file, both with optional compressed variants. */
export type DownloadableFile = Pick<VersionEntry, 'file' | 'size' | 'sha256' | 'variants'>;

export interface Resolved {
  version: string;
  entry: VersionEntry;
  index: LanguageIndex;
  source: Source;
}

/** State of one public call: its deadline, its abort signal and the manifests read so far. */
export class Call<T> {
  readonly deadline: number;
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  readonly #manifests = new Map<string, Promise<ManifestIndex | undefined>>();
  /** Sources that failed as a whole during this call (unreachable, untrusted, too slow): not asked again. */
  readonly #givenUp = new Set<string>();

  constructor(
    private readonly options: CoreNormalizedOptions,
    private readonly validator: SchemaValidator,
    private readonly transport: Transport<T>,
    private readonly emit: (event: LoaderEvent) => void,
  ) {
    this.deadline = options.clock.now() + options.deadlineMs;
    this.#timer = setTimeout(() => {
      this.#controller.abort(new LoaderError('ERR_DEADLINE', `overall deadline of ${options.deadlineMs} ms reached`));
    }, options.deadlineMs);
    (this.#timer as { unref?: () => void }).unref?.();
  }

  close(): void {
    clearTimeout(this.#timer);
  }

  /** Fetch a small text file from a source, with retries, bounded in size. */
  async fetchText(source: Source, file: string): Promise<string> {
    const url = locationOf(source, file);
    return this.#retry(url, () =>
      this.transport.fetchText(source, file, this.options.maxManifestBytes, {
        signal: this.#controller.signal,
        url,
        speed: this.#speedRule(),
      }),
    );
  }

  /** The manifest of a source: `manifest.json`, or undefined when the source has none (404). */
  manifest(source: Source): Promise<ManifestIndex | undefined> {
    let pending = this.#manifests.get(source.label);
    if (!pending) {
      pending = this.fetchText(source, 'manifest.json').then(
        (text) => parseManifest(text, this.validator, locationOf(source, 'manifest.json')),
        (error: unknown) => {
          if (error instanceof LoaderError && error.code === 'ERR_NOT_FOUND') return undefined;
          throw error;
        },
      );
      this.#manifests.set(source.label, pending);
    }
    return pending;
  }

  /** `<lang>-manifest.json` at a source (the original per-language format). */
  async languageManifest(source: Source, language: string): Promise<LanguageIndex> {
    const file = `${language}-manifest.json`;
    const where = locationOf(source, file);
    const index = parseManifest(await this.fetchText(source, file), this.validator, where);
    const found = own(index.languages, language);
    if (index.kind !== 'language' || !found) {
      throw new LoaderError('ERR_MANIFEST_INVALID', `${where} is not the per-language manifest of ${language}`);
    }
    return found;
  }

  /** The per-language manifest; when there is none but the global manifest is there, name what it offers. */
  async #languageOrList(source: Source, language: string, global: ManifestIndex | undefined): Promise<LanguageIndex> {
    try {
      return await this.languageManifest(source, language);
    } catch (error) {
      if (!global || !(error instanceof LoaderError) || error.code !== 'ERR_NOT_FOUND') throw error;
      const available = Object.keys(global.languages).sort();
      throw new LoaderError(
        'ERR_NOT_FOUND',
        `${source.label} has no ${language} runtime (available: ${available.join(', ') || 'none'})`,
        { context: { language, available } },
      );
    }
  }

  async firstManifest(): Promise<ManifestIndex> {
    const failures: SourceFailure[] = [];
    for (const spec of this.options.sources) {
      if (spec.kind === 'template') {
        failures.push({
          source: spec.label,
          code: 'ERR_NOT_FOUND',
          message: `${spec.label} is per language: it cannot list every runtime`,
        });
      }
    }
    for (const source of this.#liveSources(undefined)) {
      try {
        const index = await this.manifest(source);
        if (index) return index;
        failures.push({
          source: source.label,
          code: 'ERR_NOT_FOUND',
          message: `${locationOf(source, 'manifest.json')} not found`,
        });
      } catch (error) {
        this.#record(failures, source, error);
      }
    }
    throw aggregate(failures, 'the runtime list');
  }

  /** Find the entry of language@version (or the latest) in the first source whose manifest lists it. */
  async resolve(language: string, version: string): Promise<Resolved> {
    const failures: SourceFailure[] = [];
    for (const source of this.#liveSources(language)) {
      try {
        const global = await this.manifest(source);
        const index =
          (global && own(global.languages, language)) ?? (await this.#languageOrList(source, language, global));
        const wanted = version === 'latest' ? index.latest : version;
        // Own properties only: `toString`, `constructor` and friends are on every object, not in the manifest.
        let entry = own(index.entries, wanted);
        if (!entry && index.versions.includes(wanted)) {
          entry = own((await this.languageManifest(source, language)).entries, wanted);
        }
        if (!entry) {
          throw new LoaderError(
            'ERR_NOT_FOUND',
            `the manifest lists no ${language}@${wanted} (available: ${index.versions.join(', ') || 'none'})`,
            { context: { language, version: wanted } },
          );
        }
        return { version: wanted, entry, index, source };
      } catch (error) {
        this.#record(failures, source, error);
      }
    }
    throw aggregate(failures, `${language}@${version}`);
  }

  /**
   * Download a file (the module or a companion), verified, trying .br, .gz, raw (those the platform decodes)
   * on each source in order.
   */
  async download(language: string, version: string, entry: DownloadableFile): Promise<T> {
    const candidates: { file: string; encoding: Encoding; transfer: Expected }[] = [];
    const decodes = this.transport.encodings;
    if (entry.variants?.br && decodes.has('br'))
      candidates.push({ file: entry.variants.br.file, encoding: 'br', transfer: entry.variants.br });
    if (entry.variants?.gz && decodes.has('gz'))
      candidates.push({ file: entry.variants.gz.file, encoding: 'gz', transfer: entry.variants.gz });
    candidates.push({ file: entry.file, encoding: 'identity', transfer: entry });
    const failures: SourceFailure[] = [];
    for (const source of this.#liveSources(language)) {
      for (const candidate of candidates) {
        const url = locationOf(source, candidate.file);
        try {
          return await this.#retry(url, async () => {
            const got = await this.transport.fetchFile(source, candidate.file, {
              signal: this.#controller.signal,
              url,
              speed: this.#speedRule(),
              language,
              version,
              encoding: candidate.encoding,
              transfer: candidate.transfer,
              module: entry,
              onStart: (opened) => this.emit({ kind: 'download.start', url: opened, size: candidate.transfer.size }),
              onProgress: (bytes, total) => this.emit({ kind: 'download.progress', url, bytes, total }),
            });
            this.emit({ kind: 'download.done', url });
            return got;
          });
        } catch (error) {
          // A local failure (disk full, read-only cache) is no source's fault: stop, name it.
          if (error instanceof LoaderError && error.code === 'ERR_CACHE') throw error;
          this.#record(failures, source, error);
          // A bad variant (missing, refused, corrupt, truncated) says nothing about the others: try the next
          // encoding on the same source. Only a failure of the whole source (unreachable, untrusted
          // certificate, too slow, a Retry-After too long) moves to the next source at once.
          if (error instanceof LoaderError && error.context.sourceLevel === true) break;
        }
      }
    }
    throw aggregate(failures, `${language}@${version}`);
  }

  /** The sources of this call, templates expanded for the language (left out when there is none). */
  #liveSources(language: string | undefined): Source[] {
    return concreteSources(this.options.sources, language, this.options.allowHttp, this.transport.local).filter(
      (source) => !this.#givenUp.has(source.label),
    );
  }

  #record(failures: SourceFailure[], source: Source, error: unknown): void {
    const loaderError = error instanceof LoaderError ? error : classifyNetworkError(error, source.label);
    if (loaderError.code === 'ERR_DEADLINE' || this.#controller.signal.aborted) {
      throw this.#controller.signal.reason instanceof LoaderError ? this.#controller.signal.reason : loaderError;
    }
    if (loaderError.context.sourceLevel === true) this.#givenUp.add(source.label);
    const attempts = loaderError.context.attempt;
    const failure: SourceFailure = {
      source: source.label,
      code: loaderError.code,
      message:
        typeof attempts === 'number' && attempts > 1
          ? `${loaderError.message} (after ${attempts} attempts)`
          : loaderError.message,
      ...(loaderError.context.url ? { url: loaderError.context.url } : {}),
      ...(typeof loaderError.context.status === 'number' ? { status: loaderError.context.status } : {}),
    };
    failures.push(failure);
    this.emit({ kind: 'source.failed', source: source.label, code: failure.code, message: failure.message });
  }

  #retry<R>(url: string, run: () => Promise<R>): Promise<R> {
    return withRetry(run, {
      policy: this.options.policy,
      clock: this.options.clock,
      deadline: this.deadline,
      signal: this.#controller.signal,
      onRetry: ({ attempt, delayMs, error }) =>
        this.emit({ kind: 'retry', url, attempt, delayMs, reason: error.message }),
    });
  }

  #speedRule(): SpeedRule {
    return { minBytesPerSec: this.options.minSpeedBytesPerSec, windowMs: this.options.minSpeedWindowMs };
  }
}

/** One error for a failure on every source: ERR_NOT_FOUND when every source said "not found". */
function aggregate(failures: SourceFailure[], what: string): LoaderError {
  const lines = failures.map((f) => `${f.message}`).join('; ');
  if (failures.length > 0 && failures.every((f) => f.code === 'ERR_NOT_FOUND')) {
    return new LoaderError('ERR_NOT_FOUND', `${what} not found on any source: ${lines}`, { context: { failures } });
  }
  return new LoaderError(
    'ERR_ALL_SOURCES_FAILED',
    `cannot get ${what} from any of ${new Set(failures.map((f) => f.source)).size} source(s): ${lines}`,
    {
      context: { failures },
    },
  );
}
