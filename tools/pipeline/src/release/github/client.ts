// The Octokit client of the release: octokit's Octokit (which bundles @octokit/plugin-retry and
// @octokit/plugin-throttling), with every wait and every log line routed through options so that
// tests can capture them, and errors turned into one-line PipelineErrors that never carry the token.
import Bottleneck from 'bottleneck';
import { Octokit, RequestError } from 'octokit';
import { PipelineError } from '../../errors.ts';
import type { GitHubEvent } from '../../kit/release-events.ts';
import { redact } from './redact.ts';

export interface GitHubClientOptions {
  token: string;
  /** GITHUB_API_URL, e.g. https://api.github.com or https://ghe.example/api/v3. */
  apiUrl: string;
  /** Milliseconds per second of a server's retry-after / of computed backoff (plugin default 1000). */
  retryBaseMs: number;
  /** Minimum spacing of content-creating requests (GitHub asks for about 1 s; plugin default). */
  writeIntervalMs: number;
  /** Retries of a rate-limited request before giving up. */
  maxRateLimitRetries: number;
  /** A retry-after above this (seconds) is not waited for; the release fails with a clear message instead. */
  maxRetryAfterSeconds: number;
  onEvent: (event: GitHubEvent) => void;
}

export function createGitHubClient(options: GitHubClientOptions): Octokit {
  const secrets = [options.token];
  const log = (level: 'warn' | 'error') => (message: string) =>
    options.onEvent({ kind: 'log', level, message: redact(String(message), secrets) });
  const onLimit =
    (secondary: boolean) =>
    (retryAfter: number, request: { method: string; url: string }, _octokit: unknown, retryCount: number): boolean => {
      options.onEvent({
        kind: 'rate-limit',
        secondary,
        retryAfterSeconds: retryAfter,
        method: request.method,
        url: redact(request.url, secrets),
        retryCount,
      });
      return retryCount < options.maxRateLimitRetries && retryAfter <= options.maxRetryAfterSeconds;
    };
  // Per-client limiter groups (the plugin's defaults are module-wide); same shape as the plugin's own.
  const write = new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeIntervalMs });
  const notifications = new Bottleneck.Group({ maxConcurrent: 1, minTime: options.writeIntervalMs * 3 });
  return new Octokit({
    auth: options.token,
    baseUrl: options.apiUrl.replace(/\/+$/, ''),
    userAgent: 'wasmhub-release',
    log: { debug: () => {}, info: () => {}, warn: log('warn'), error: log('error') },
    // 429 belongs to the throttling plugin (it honours retry-after); the retry plugin would back off blindly.
    retry: {
      retries: 3,
      retryAfterBaseValue: options.retryBaseMs,
      doNotRetry: [400, 401, 403, 404, 410, 422, 429, 451],
    },
    throttle: {
      onRateLimit: onLimit(false),
      onSecondaryRateLimit: onLimit(true),
      retryAfterBaseValue: options.retryBaseMs,
      write,
      notifications,
    },
  });
}

/** What a 401/403 means for a release: the token and the `contents: write` permission. */
function permissionHint(status: number, repository: string): string {
  if (status === 401) {
    return `GitHub rejected the token (401 Bad credentials); set GITHUB_TOKEN to a valid token with "contents: write" on ${repository}`;
  }
  return `the token lacks the "contents: write" permission on ${repository} (needed to create releases and upload assets); in GitHub Actions add \`permissions: contents: write\` to the job, or use a token with repo scope`;
}

function messageOf(error: RequestError): string {
  const data = error.response?.data as { message?: unknown; errors?: unknown } | undefined;
  const parts: string[] = [];
  if (data && typeof data.message === 'string') parts.push(data.message);
  if (data && Array.isArray(data.errors)) {
    for (const item of data.errors as Record<string, unknown>[]) {
      parts.push([item.resource, item.code, item.field, item.message].filter((x) => typeof x === 'string').join(' '));
    }
  }
  return parts.join('; ') || error.message.split('\n')[0] || 'no message';
}

/** Is this a 422 `already_exists` on an asset name (a concurrent or half-finished upload)? */
export function isAlreadyExists(error: unknown): boolean {
  if (!(error instanceof RequestError) || error.status !== 422) return false;
  const errors = (error.response?.data as { errors?: { code?: string }[] } | undefined)?.errors;
  return Array.isArray(errors) && errors.some((item) => item.code === 'already_exists');
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof RequestError ? error.status : undefined;
}

/**
 * Wraps anything thrown by Octokit into a PipelineError: one line naming the operation, the status and
 * GitHub's message, and what to do. The original error is not kept as `cause` (its request holds headers).
 */
export function toGitHubError(error: unknown, what: string, repository: string, token: string): PipelineError {
  if (error instanceof PipelineError) return error;
  const secrets = [token];
  if (error instanceof RequestError) {
    const method = error.request.method;
    const url = redact(error.request.url.replace(/\{[^}]*\}/g, ''), secrets);
    const path = (() => {
      try {
        return new URL(url).pathname;
      } catch {
        return url;
      }
    })();
    const status = error.status;
    const detail = redact(messageOf(error), secrets);
    const isRateLimit = /rate limit/i.test(detail);
    const hint =
      (status === 401 || status === 403) && !isRateLimit
        ? permissionHint(status, repository)
        : isRateLimit
          ? 'GitHub rate limit: wait for the retry-after period and run the release again'
          : status >= 500 || status === 0
            ? 'GitHub or the network failed; run the release again (it resumes)'
            : 'see the message above';
    return new PipelineError(
      'ERR_UPLOAD_HTTP',
      `${what}: GitHub answered ${status} to ${method} ${path} (${detail}); ${hint}`,
      {
        context: { what, status, method, url, requestId: error.response?.headers?.['x-github-request-id'] },
      },
    );
  }
  const message = redact(error instanceof Error ? error.message : String(error), secrets);
  return new PipelineError(
    'ERR_UPLOAD_HTTP',
    `${what}: ${message.split('\n')[0]}; run the release again (it resumes)`,
    {
      context: { what },
    },
  );
}
