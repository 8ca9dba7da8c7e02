/** Stable error codes of the pipeline. */
export type PipelineErrorCode =
  | 'ERR_DOCKER_UNAVAILABLE'
  | 'ERR_DOCKER_IMAGE'
  | 'ERR_DOCKER_RUN'
  | 'ERR_BUILD_FAILED'
  | 'ERR_SOURCE_INTEGRITY'
  | 'ERR_SOURCE_MISSING'
  | 'ERR_PATCH_FAILED'
  | 'ERR_RUNTIME_CONFIG'
  | 'ERR_WASM_INVALID'
  | 'ERR_WASM_OPT'
  | 'ERR_CONFORMANCE'
  | 'ERR_MANIFEST_INVALID'
  | 'ERR_RELEASE'
  | 'ERR_UPLOAD_HTTP'
  | 'ERR_INVALID_OPTION'
  | 'ERR_INTEGRITY'
  | 'ERR_NPM'
  | 'ERR_NPM_CONFLICT';

/**
 * The one error class of the pipeline. `message` is a single line a user can act on;
 * `context` holds what is needed to debug from the object alone (never a secret).
 */
export class PipelineError extends Error {
  readonly code: PipelineErrorCode;
  readonly context: Record<string, unknown>;

  constructor(
    code: PipelineErrorCode,
    message: string,
    options: { cause?: unknown; context?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PipelineError';
    this.code = code;
    this.context = options.context ?? {};
  }
}

/** Known errors print one line; unknown ones print their stack. */
export function formatError(error: unknown): string {
  if (error instanceof PipelineError) return `error ${error.code}: ${error.message}`;
  if (error instanceof Error) return error.stack ?? error.message;
  return String(error);
}
