// How a failed request becomes a LoaderError, on every platform (no node: imports): the Node transport and
// the browser's fetch transport classify the same way, so retry and fallback decide the same way.
import { LoaderError } from './errors.ts';
import { parseRetryAfter } from './retry.ts';

/** A non-200, non-redirect answer: 404/410 are ERR_NOT_FOUND, the rest ERR_HTTP (with a Retry-After in ms). */
export function httpStatusError(
  status: number,
  href: string,
  retryAfter: string | undefined,
  now: number,
): LoaderError {
  if (status === 404 || status === 410) {
    return new LoaderError('ERR_NOT_FOUND', `${href} answered ${status}`, { context: { url: href, status } });
  }
  const retryAfterMs = parseRetryAfter(retryAfter, now);
  return new LoaderError('ERR_HTTP', `${href} answered ${status}`, {
    context: { url: href, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
  });
}

/** Errors that say the host cannot be reached at all: no other file on it will do better. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_FAIL']);

/** OpenSSL / Node codes of a certificate the client does not trust. */
function isCertificateError(code: string | undefined): boolean {
  return (
    code !== undefined &&
    /^(CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_TLS_CERT|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE)/.test(code)
  );
}

export function classifyNetworkError(error: unknown, url: URL | string): LoaderError {
  const href = typeof url === 'string' ? url : url.href;
  if (error instanceof LoaderError) return error;
  const err = error as NodeJS.ErrnoException;
  if (isCertificateError(err?.code)) {
    // Retrying cannot make a certificate trusted: fail fast, say how to fix it.
    return new LoaderError(
      'ERR_TLS',
      `${href}: TLS certificate not trusted (${err.code}); fix the server's certificate, or trust its CA with NODE_EXTRA_CA_CERTS=<file.pem>`,
      { cause: error, context: { url: href, sourceLevel: true } },
    );
  }
  if (err?.name === 'AbortError') {
    return new LoaderError('ERR_DEADLINE', `${href}: overall deadline reached`, {
      cause: error,
      context: { url: href },
    });
  }
  const detail = err?.code
    ? `${err.code}${err.message && err.message !== err.code ? ` (${err.message})` : ''}`
    : String(err?.message ?? err);
  return new LoaderError('ERR_NETWORK', `${href}: network error ${detail}`, {
    cause: error,
    context: { url: href, ...(UNREACHABLE.has(err?.code ?? '') ? { sourceLevel: true } : {}) },
  });
}
