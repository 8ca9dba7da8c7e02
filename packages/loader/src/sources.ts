import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LoaderError } from './errors.ts';

/** A base under which the release files lie flat: `<base>/manifest.json`, `<base>/<file>`. */
export type Source = { kind: 'http'; label: string; base: URL } | { kind: 'file'; label: string; dir: string };

export const DEFAULT_REPO = 'wasmhub/wasmhub';

/** GitHub Releases download URL of a tag (`latest` = the repository's latest release). */
export function githubReleaseBase(repo: string, tag: string): string {
  return tag === 'latest'
    ? `https://github.com/${repo}/releases/latest/download`
    : `https://github.com/${repo}/releases/download/${encodeURIComponent(tag)}`;
}

/** jsDelivr's mirror of the repository at a ref (a tag, or `latest`). */
export function jsdelivrBase(repo: string, tag: string): string {
  return `https://cdn.jsdelivr.net/gh/${repo}@${encodeURIComponent(tag)}`;
}

/** The default sources, in order: GitHub Releases, then jsDelivr. */
export function defaultSourceSpecs(repo = DEFAULT_REPO, tag = 'latest'): string[] {
  return [githubReleaseBase(repo, tag), jsdelivrBase(repo, tag)];
}

/** `WASMHUB_SOURCES`: comma-separated source specs, or undefined when unset/empty. */
export function sourcesFromEnv(env: Record<string, string | undefined>): string[] | undefined {
  const list = (env.WASMHUB_SOURCES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length > 0 ? list : undefined;
}

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Check that a URL may be fetched: https always; plain http only for loopback hosts unless allowed.
 * Used for sources and for every redirect target.
 */
export function assertFetchable(url: URL, allowHttp: boolean): void {
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:') {
    if (allowHttp || isLoopback(url.hostname)) return;
    throw new LoaderError(
      'ERR_INSECURE_SOURCE',
      `refusing plain http to ${url.host}: use https, or allow insecure http explicitly (allowHttp / --allow-http)`,
      { context: { url: url.href } },
    );
  }
  throw new LoaderError('ERR_INVALID_SOURCE', `unsupported URL scheme ${url.protocol} in ${url.href}: use https://`, {
    context: { url: url.href },
  });
}

/** Parse one source spec: http(s) URL, file:// URL or a plain path (relative to cwd). */
export function parseSource(spec: string, allowHttp: boolean, cwd = process.cwd()): Source {
  const text = spec.trim();
  if (text === '') throw new LoaderError('ERR_INVALID_SOURCE', 'empty source: give a URL or a folder path');
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch (cause) {
      throw new LoaderError('ERR_INVALID_SOURCE', `source ${JSON.stringify(text)} is not a valid URL`, { cause });
    }
    if (url.protocol === 'file:') {
      const dir = fileURLToPath(url);
      return { kind: 'file', label: url.href, dir };
    }
    if (url.username || url.password) {
      throw new LoaderError('ERR_INVALID_SOURCE', `source ${url.host} carries credentials in its URL: remove them`);
    }
    assertFetchable(url, allowHttp);
    url.search = '';
    url.hash = '';
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return { kind: 'http', label: url.href.replace(/\/$/, ''), base: url };
  }
  const dir = isAbsolute(text) ? text : resolve(cwd, text);
  return { kind: 'file', label: pathToFileURL(dir).href, dir };
}

/** The URL (or path) of a file under a source, for messages. The name is already a validated plain file name. */
export function locationOf(source: Source, file: string): string {
  return source.kind === 'http' ? new URL(file, source.base).href : `${source.dir.replace(/\/$/, '')}/${file}`;
}
