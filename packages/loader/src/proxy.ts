// HTTP(S) proxies from the environment, as curl reads them: https_proxy/HTTPS_PROXY for https:// URLs
// (a CONNECT tunnel, TLS end to end), http_proxy/HTTP_PROXY for http:// URLs (absolute-form requests),
// no_proxy/NO_PROXY to bypass (comma- or space-separated host names, domain suffixes with or without a
// leading dot or `*.`, IP addresses, optional `:port`, `*` for everything). Loopback is not special-cased:
// list it in NO_PROXY as with curl. The proxy itself is an http:// URL, optionally with user:password.
import http, { type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { LoaderError } from './errors.ts';

export interface ProxySettings {
  https?: URL;
  http?: URL;
  noProxy: string[];
}

function pick(env: Record<string, string | undefined>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

function proxyUrl(value: string | undefined, variable: string): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch (cause) {
    throw new LoaderError('ERR_INVALID_OPTION', `${variable} is not a proxy URL`, { cause });
  }
  if (url.protocol !== 'http:') {
    throw new LoaderError('ERR_INVALID_OPTION', `${variable}: only http:// proxies are supported, got ${url.protocol}`);
  }
  return url;
}

/** Read the proxy variables once (options.env, else process.env). */
export function proxySettings(env: Record<string, string | undefined>): ProxySettings {
  const https = proxyUrl(pick(env, 'https_proxy', 'HTTPS_PROXY'), 'HTTPS_PROXY');
  const plain = proxyUrl(pick(env, 'http_proxy', 'HTTP_PROXY'), 'HTTP_PROXY');
  const noProxy = (pick(env, 'no_proxy', 'NO_PROXY') ?? '')
    .split(/[\s,]+/)
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  return { ...(https ? { https } : {}), ...(plain ? { http: plain } : {}), noProxy };
}

function bypassed(url: URL, noProxy: string[]): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy) {
    if (raw === '*') return true;
    let entry = raw;
    const portMatch = /^(.*[^:]):(\d+)$/.exec(entry);
    if (portMatch && !entry.includes('::')) {
      if (portMatch[2] !== port) continue;
      entry = portMatch[1] as string;
    }
    entry = entry.replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** The proxy to use for `url`, or undefined for a direct connection. */
export function proxyFor(url: URL, settings: ProxySettings): URL | undefined {
  const proxy = url.protocol === 'https:' ? settings.https : settings.http;
  if (!proxy || bypassed(url, settings.noProxy)) return undefined;
  return proxy;
}

export function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

/** The proxy as it may appear in a message (never its credentials). */
export function proxyLabel(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

/**
 * A TLS connection to `target` through an HTTP CONNECT tunnel on `proxy`, for https.request's
 * `createConnection`. The certificate is checked against the target's host name, as without a proxy.
 */
export function tunnel(
  proxy: URL,
  target: URL,
  signal: AbortSignal,
  callback: (error: Error | null, socket?: Socket) => void,
): void {
  let called = false;
  const done = (error: Error | null, socket?: Socket) => {
    if (called) return;
    called = true;
    callback(error, socket);
  };
  const authority = `${target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname}:${target.port || 443}`;
  const connect = http.request({
    host: proxy.hostname,
    port: proxy.port || 80,
    method: 'CONNECT',
    path: authority,
    agent: false,
    signal,
    headers: { host: authority, ...proxyAuthorization(proxy) },
  });
  connect.once('connect', (response: IncomingMessage, socket: Socket) => {
    if (response.statusCode !== 200) {
      socket.destroy();
      done(
        new LoaderError(
          'ERR_HTTP',
          `proxy ${proxyLabel(proxy)} answered ${response.statusCode} to CONNECT ${authority}`,
          { context: { url: target.href, status: response.statusCode ?? 0, proxy: proxyLabel(proxy) } },
        ),
      );
      return;
    }
    const servername = /^[\d.]+$|:/.test(target.hostname) ? undefined : target.hostname;
    socket.once('error', (error) => done(error));
    // node:tls is loaded here, not at start-up (only https:// through a proxy needs it here).
    import('node:tls').then(
      ({ default: tls }) => {
        const secure = tls.connect({ socket, ...(servername ? { servername } : {}), host: target.hostname });
        secure.once('secureConnect', () => done(null, secure));
        secure.once('error', (error) => done(error));
      },
      (error: unknown) => done(error as Error),
    );
  });
  connect.once('error', (error) => done(error));
  connect.end();
}
