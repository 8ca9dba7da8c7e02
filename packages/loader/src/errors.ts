/** Stable error codes of @wasmhub/loader. */
export type LoaderErrorCode =
  | 'ERR_INVALID_NAME'
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_SOURCE'
  | 'ERR_INSECURE_SOURCE'
  | 'ERR_MANIFEST_INVALID'
  | 'ERR_NOT_FOUND'
  | 'ERR_HTTP'
  | 'ERR_NETWORK'
  | 'ERR_TIMEOUT'
  | 'ERR_TOO_SLOW'
  | 'ERR_TLS'
  | 'ERR_TOO_MANY_REDIRECTS'
  | 'ERR_SIZE_EXCEEDED'
  | 'ERR_INTEGRITY'
  | 'ERR_ALL_SOURCES_FAILED'
  | 'ERR_DEADLINE'
  | 'ERR_OFFLINE'
  | 'ERR_LOCK'
  | 'ERR_CACHE'
  | 'ERR_TRAP'
  | 'ERR_USAGE';

export interface LoaderErrorContext {
  url?: string;
  source?: string;
  status?: number;
  attempt?: number;
  language?: string;
  version?: string;
  path?: string;
  /**
   * The failure condemns the whole source (unreachable, untrusted certificate, too slow, a Retry-After longer
   * than we wait), not just one file on it: the next source is tried without trying other variants here.
   */
  sourceLevel?: boolean;
  /** For ERR_ALL_SOURCES_FAILED: what every source answered, in order. */
  failures?: SourceFailure[];
  [key: string]: unknown;
}

export interface SourceFailure {
  source: string;
  url?: string;
  code: LoaderErrorCode;
  message: string;
  status?: number;
}

/** The one error class of the loader: a stable `code`, a one-line message, a cause and debug context. */
export class LoaderError extends Error {
  override readonly name = 'LoaderError';
  readonly code: LoaderErrorCode;
  readonly context: LoaderErrorContext;

  constructor(code: LoaderErrorCode, message: string, options: { cause?: unknown; context?: LoaderErrorContext } = {}) {
    super(message.replace(/\s*\n\s*/g, ' '), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.context = options.context ?? {};
  }
}

export function isLoaderError(error: unknown, code?: LoaderErrorCode): error is LoaderError {
  return error instanceof LoaderError && (code === undefined || error.code === code);
}
