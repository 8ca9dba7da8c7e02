import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http, { type IncomingMessage } from 'node:http';
import type { RequestOptions as HttpsRequestOptions } from 'node:https';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { LoaderError } from './errors.ts';
import { classifyNetworkError, httpStatusError } from './network-errors.ts';
import { type ProxySettings, proxyAuthorization, proxyFor, tunnel } from './proxy.ts';
import { assertFetchable, locationOf, type Source } from './sources.ts';

export interface OpenOptions {
  connectTimeoutMs: number;
  stallTimeoutMs: number;
  maxRedirects: number;
  allowHttp: boolean;
  /** Aborts the request (overall deadline). */
  signal: AbortSignal;
  now: () => number;
  userAgent: string;
  /** Proxies from the environment (HTTPS_PROXY, HTTP_PROXY, NO_PROXY). */
  proxy?: ProxySettings;
}

export interface OpenedStream {
  body: Readable;
  /** Declared length (Content-Length or file size), when known. */
  length: number | undefined;
  /** Final location after redirects. */
  url: string;
}

/** Open `<source>/<file>` for reading. Throws classified LoaderErrors (ERR_NOT_FOUND, ERR_HTTP, ERR_NETWORK, ...). */
export function openStream(source: Source, file: string, options: OpenOptions): Promise<OpenedStream> {
  return source.kind === 'file' ? openFile(source.dir, file) : openHttp(new URL(file, source.base), options);
}

async function openFile(dir: string, file: string): Promise<OpenedStream> {
  const path = join(dir, file);
  const info = await stat(path).catch((cause: NodeJS.ErrnoException) => {
    if (cause.code === 'ENOENT' || cause.code === 'ENOTDIR') {
      throw new LoaderError('ERR_NOT_FOUND', `${path} does not exist`, { cause, context: { url: path } });
    }
    throw new LoaderError('ERR_NETWORK', `cannot read ${path}: ${cause.message}`, { cause, context: { url: path } });
  });
  if (!info.isFile()) {
    throw new LoaderError('ERR_NOT_FOUND', `${path} is not a regular file`, { context: { url: path } });
  }
  return { body: createReadStream(path), length: info.size, url: path };
}

async function openHttp(start: URL, options: OpenOptions): Promise<OpenedStream> {
  let url = start;
  for (let redirects = 0; ; redirects++) {
    const response = await requestOnce(url, options);
    const status = response.statusCode ?? 0;
    const location = response.headers.location;
    if (status >= 300 && status < 400 && location) {
      // A body we do not read is destroyed, never drained: an endless one would keep the process alive.
      response.destroy();
      if (redirects >= options.maxRedirects) {
        throw new LoaderError('ERR_TOO_MANY_REDIRECTS', `${start.href}: more than ${options.maxRedirects} redirects`, {
          context: { url: start.href, status },
        });
      }
      const next = new URL(location, url);
      if (url.protocol === 'https:' && next.protocol === 'http:' && !options.allowHttp) {
        throw new LoaderError('ERR_INSECURE_SOURCE', `${url.href} redirects from https to plain http: refused`, {
          context: { url: url.href, status },
        });
      }
      assertFetchable(next, options.allowHttp);
      // user:password@ in a Location would become an Authorization header: never send credentials a server hands us.
      next.username = '';
      next.password = '';
      url = next;
      continue;
    }
    if (status === 200) {
      const declared = response.headers['content-length'];
      return { body: response, length: declared === undefined ? undefined : Number(declared), url: url.href };
    }
    response.destroy();
    throw httpStatusError(status, url.href, headerOf(response, 'retry-after'), options.now());
  }
}

function headerOf(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** One GET: connect timeout until the TCP connection stands, then the stall timeout on socket inactivity. */
async function requestOnce(url: URL, options: OpenOptions): Promise<IncomingMessage> {
  // node:https (and with it node:tls) is loaded only for https:// URLs: a CLI run answered from the cache
  // or a loopback http:// source does not pay for it at start-up.
  const https = url.protocol === 'https:' ? (await import('node:https')).default : undefined;
  return new Promise((resolve, reject) => {
    const client = https ?? http;
    let response: IncomingMessage | undefined;
    const headers = { 'user-agent': options.userAgent, 'accept-encoding': 'identity', accept: '*/*' };
    const proxy = options.proxy ? proxyFor(url, options.proxy) : undefined;
    const request = !proxy
      ? client.request(url, { method: 'GET', agent: false, signal: options.signal, headers })
      : https
        ? // A CONNECT tunnel through the proxy; TLS to the target inside it.
          https.request(url, {
            method: 'GET',
            agent: undefined,
            signal: options.signal,
            headers,
            createConnection: (_options: unknown, done: (error: Error | null, socket?: Socket) => void) => {
              tunnel(proxy, url, options.signal, done);
              return undefined;
            },
          } as HttpsRequestOptions)
        : // Plain http through the proxy: the absolute URL as the request target.
          http.request({
            host: proxy.hostname,
            port: proxy.port || 80,
            path: url.href,
            method: 'GET',
            agent: false,
            signal: options.signal,
            headers: { ...headers, host: url.host, ...proxyAuthorization(proxy) },
          });
    const fail = (error: LoaderError) => {
      if (response) response.destroy(error);
      request.destroy(error);
    };
    const connectTimer = setTimeout(
      () =>
        fail(
          new LoaderError('ERR_TIMEOUT', `${url.host}: no connection within ${options.connectTimeoutMs} ms`, {
            context: { url: url.href, sourceLevel: true },
          }),
        ),
      options.connectTimeoutMs,
    );
    request.on('socket', (socket) => {
      if (!socket.connecting) clearTimeout(connectTimer);
      socket.once('connect', () => clearTimeout(connectTimer));
    });
    request.setTimeout(options.stallTimeoutMs, () =>
      fail(
        new LoaderError('ERR_TIMEOUT', `${url.href}: stalled, no bytes for ${options.stallTimeoutMs} ms`, {
          context: { url: url.href },
        }),
      ),
    );
    request.on('close', () => clearTimeout(connectTimer));
    request.on('response', (res) => {
      response = res;
      resolve(res);
    });
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(connectTimer);
      reject(classifyNetworkError(error, url));
    });
    request.end();
  });
}

export { classifyNetworkError, locationOf };
