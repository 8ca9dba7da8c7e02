import { LoaderError } from './errors.ts';

// Platform-neutral (no node: imports): the browser entry uses this file as it is. Folder sources exist only
// where a platform passes `LocalSources` (Node: ./local-sources.ts).

/** A base under which the release files lie flat: `<base>/manifest.json`, `<base>/<file>`. */
export type Source = { kind: 'http'; label: string; base: URL } | { kind: 'file'; label: string; dir: string };

/**
 * A source whose base depends on the language: `{lang}`, `{release}` (the release version, or `latest`) and
 * `{file}` (the file name; when absent, files lie under the expanded URL). It is expanded to an http or
 * file source per call; a call that names no language (list) cannot use it.
 */
export type TemplateSource = { kind: 'template'; label: string; template: string; release: string };
export type SourceSpec = Source | TemplateSource;

/** How a platform turns `file://` URLs and plain paths into folder sources; absent in the browser. */
export interface LocalSources {
  fromFileUrl(url: URL): Source;
  fromPath(text: string): Source;
}

const PLACEHOLDER = /\{([a-z]+)\}/g;
const PLACEHOLDERS = new Set(['lang', 'release', 'file']);

export const DEFAULT_REPO = 'wasmhub/wasmhub';

/** GitHub Releases download URL of a tag (`latest` = the repository's latest release). */
export function githubReleaseBase(repo: string, tag: string): string {
  return tag === 'latest'
    ? `https://github.com/${repo}/releases/latest/download`
    : `https://github.com/${repo}/releases/download/${encodeURIComponent(tag)}`;
}

/**
 * The npm package of a language's runtimes (`@wasmhub/runtime-<lang>`, version = the release version) as a
 * CDN serves it: jsDelivr and unpkg answer `/<pkg>@<version>/<file>` with the package's file.
 */
export const JSDELIVR_NPM_TEMPLATE = 'https://cdn.jsdelivr.net/npm/@wasmhub/runtime-{lang}@{release}/{file}';
export const UNPKG_NPM_TEMPLATE = 'https://unpkg.com/@wasmhub/runtime-{lang}@{release}/{file}';

/** The default sources, in order: GitHub Releases, then jsDelivr over the npm packages, then unpkg. */
export function defaultSourceSpecs(repo = DEFAULT_REPO, tag = 'latest'): string[] {
  return [githubReleaseBase(repo, tag), JSDELIVR_NPM_TEMPLATE, UNPKG_NPM_TEMPLATE];
}

/** `{release}` of a template: the npm version of a tag (`v1.2.0` -> `1.2.0`), or `latest`. */
export const releaseOfTag = (tag: string): string => (tag === 'latest' ? 'latest' : tag.replace(/^v(?=\d)/, ''));

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

function noLocal(text: string): never {
  throw new LoaderError(
    'ERR_INVALID_SOURCE',
    `source ${JSON.stringify(text)} is a folder or file:// URL: this platform fetches over https only (give an https:// URL)`,
  );
}

/** Parse one source spec: http(s) URL, or (where the platform has `local`) a file:// URL or a plain path. */
export function parseSource(spec: string, allowHttp: boolean, local?: LocalSources): Source {
  const text = spec.trim();
  if (text === '') throw new LoaderError('ERR_INVALID_SOURCE', 'empty source: give a URL or a folder path');
  if (/\{[a-z]+\}/.test(text)) {
    throw new LoaderError('ERR_INVALID_SOURCE', `source ${JSON.stringify(text)} is a template: expand it first`);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch (cause) {
      throw new LoaderError('ERR_INVALID_SOURCE', `source ${JSON.stringify(text)} is not a valid URL`, { cause });
    }
    if (url.protocol === 'file:') return local ? local.fromFileUrl(url) : noLocal(text);
    if (url.username || url.password) {
      throw new LoaderError('ERR_INVALID_SOURCE', `source ${url.host} carries credentials in its URL: remove them`);
    }
    assertFetchable(url, allowHttp);
    url.search = '';
    url.hash = '';
    if (!url.pathname.endsWith('/')) url.pathname += '/';
    return { kind: 'http', label: url.href.replace(/\/$/, ''), base: url };
  }
  return local ? local.fromPath(text) : noLocal(text);
}

/** The URL (or path) of a file under a source, for messages. The name is already a validated plain file name. */
export function locationOf(source: Source, file: string): string {
  return source.kind === 'http' ? new URL(file, source.base).href : `${source.dir.replace(/\/$/, '')}/${file}`;
}

/** Parse a source spec that may be a template (`{lang}`, `{release}`, `{file}`). */
export function parseSourceSpec(spec: string, allowHttp: boolean, tag: string, local?: LocalSources): SourceSpec {
  const text = spec.trim();
  const names = [...text.matchAll(PLACEHOLDER)].map((m) => m[1] as string);
  if (names.length === 0) return parseSource(text, allowHttp, local);
  const unknown = names.find((name) => !PLACEHOLDERS.has(name));
  if (unknown !== undefined) {
    throw new LoaderError(
      'ERR_INVALID_SOURCE',
      `source template ${JSON.stringify(text)} has an unknown placeholder {${unknown}}: use {lang}, {release}, {file}`,
    );
  }
  if (names.includes('file') && (!text.endsWith('/{file}') || names.filter((n) => n === 'file').length > 1)) {
    throw new LoaderError(
      'ERR_INVALID_SOURCE',
      `source template ${JSON.stringify(text)}: {file} may only end it, after a /`,
    );
  }
  const release = releaseOfTag(tag);
  // Check the template's shape (scheme, http policy) once, with sample values.
  parseSource(expand(text, 'lang', release), allowHttp, local);
  return { kind: 'template', label: text.replaceAll('{release}', release), template: text, release };
}

function expand(template: string, lang: string, release: string): string {
  return template
    .replace(/\/\{file\}$/, '')
    .replaceAll('{lang}', lang)
    .replaceAll('{release}', release);
}

/** The concrete sources of one call: templates expanded for `language`, or left out when there is none. */
export function concreteSources(
  specs: readonly SourceSpec[],
  language: string | undefined,
  allowHttp: boolean,
  local?: LocalSources,
): Source[] {
  return specs.flatMap((spec): Source[] => {
    if (spec.kind !== 'template') return [spec];
    if (language === undefined) return [];
    const source = parseSource(expand(spec.template, language, spec.release), allowHttp, local);
    return [source];
  });
}
