// Proxies from the environment, through a real loopback proxy written here: CONNECT tunnels for https://
// (TLS end to end, the certificate checked against the target), absolute-form requests for http://,
// NO_PROXY, proxy credentials; and DNS names that do not resolve are not retried.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { LoaderError } from './errors.ts';
import { RuntimeLoader } from './loader.ts';
import { classifyNetworkError } from './open-stream.ts';
import { proxyFor, proxySettings } from './proxy.ts';
import { isTransient } from './retry.ts';
import { makeFixture } from './testing/fixture.ts';
import { SELF_SIGNED_CERT, TEST_ONLY_KEY } from './testing/self-signed.ts';
import { startServer, type TestServer } from './testing/server.ts';

const bin = fileURLToPath(new URL('../bin/wasmhub.js', import.meta.url));

interface Proxy {
  url: string;
  /** `CONNECT host:port` and `GET http://...` lines, in order. */
  seen: string[];
  auth: (string | undefined)[];
  close(): Promise<void>;
}

/** A minimal forward proxy on 127.0.0.1:0: CONNECT tunnels and absolute-form GETs. */
async function startProxy(): Promise<Proxy> {
  const seen: string[] = [];
  const auth: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    auth.push(req.headers['proxy-authorization']);
    const target = new URL(req.url ?? '');
    const upstream = httpRequest(target, { method: req.method, headers: { ...req.headers, connection: 'close' } });
    upstream.on('response', (answer: IncomingMessage) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    upstream.end();
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    auth.push(req.headers['proxy-authorization']);
    sockets.add(client);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host as string, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    auth,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: { tls?: boolean } = {}) {
  const fixture = makeFixture();
  const server: TestServer = await startServer(
    fixture.files,
    options.tls ? { tls: { key: TEST_ONLY_KEY, cert: SELF_SIGNED_CERT } } : {},
  );
  const proxy = await startProxy();
  const dir = await mkdtemp(join(tmpdir(), 'wasmhub-proxy-'));
  cleanups.push(
    () => server.close(),
    () => proxy.close(),
    () => rm(dir, { recursive: true, force: true }),
  );
  return { fixture, server, proxy, dir };
}

describe('proxies from the environment (real loopback proxy)', { timeout: 60_000 }, () => {
  it('HTTPS_PROXY: the CLI tunnels with CONNECT, verifies TLS against the target, and gets the bytes', async () => {
    const { fixture, server, proxy, dir } = await setup({ tls: true });
    const ca = join(dir, 'ca.pem');
    await writeFile(ca, SELF_SIGNED_CERT);
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, 'get', 'demo', '--source', server.url, '--quiet'], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: dir,
          WASMHUB_CACHE_DIR: join(dir, 'cache'),
          HTTPS_PROXY: proxy.url.replace('http://', 'http://user:s%40cret@'),
          NODE_EXTRA_CA_CERTS: ca,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => {
        stdout += d;
      });
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await readFile(result.stdout.trim())).toEqual(fixture.wasm);
    const authority = new URL(server.url).host;
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(proxy.seen.every((line) => line === `CONNECT ${authority}`)).toBe(true);
    expect(proxy.auth[0]).toBe(`Basic ${Buffer.from('user:s@cret').toString('base64')}`);
    // Every request went through the tunnel: the server saw the same files.
    expect(server.requests.map((r) => r.path)).toContain('/manifest.json');
  });

  it('HTTP_PROXY: plain http goes to the proxy as absolute-form requests; NO_PROXY bypasses it', async () => {
    const { fixture, server, proxy, dir } = await setup();
    const loader = new RuntimeLoader({
      sources: [server.url],
      cacheDir: join(dir, 'cache'),
      env: { HTTP_PROXY: proxy.url },
    });
    const runtime = await loader.getRuntime('demo', '1.0');
    expect(await readFile(runtime.path)).toEqual(fixture.wasm);
    expect(proxy.seen).toContain(`GET ${server.url}/manifest.json`);
    expect(proxy.seen.some((line) => line.startsWith(`GET ${server.url}/demo-1.0.wasm`))).toBe(true);

    const seenBefore = proxy.seen.length;
    const direct = new RuntimeLoader({
      sources: [server.url],
      cacheDir: join(dir, 'cache-direct'),
      env: { HTTP_PROXY: proxy.url, NO_PROXY: 'example.org, 127.0.0.1' },
    });
    expect(await readFile((await direct.getRuntime('demo', '1.0')).path)).toEqual(fixture.wasm);
    expect(proxy.seen.length).toBe(seenBefore);
  });

  it('NO_PROXY matching: suffixes, ports, *; an https URL uses HTTPS_PROXY only', () => {
    const settings = proxySettings({
      HTTPS_PROXY: 'http://proxy:3128',
      NO_PROXY: '.internal.example, mirror.example:8443, [::1]',
    });
    const via = (url: string) => proxyFor(new URL(url), settings)?.host;
    expect(via('https://github.com/x')).toBe('proxy:3128');
    expect(via('https://a.internal.example/x')).toBeUndefined();
    expect(via('https://internal.example/x')).toBeUndefined();
    expect(via('https://mirror.example:8443/x')).toBeUndefined();
    expect(via('https://mirror.example/x')).toBe('proxy:3128');
    expect(via('https://[::1]:9/x')).toBeUndefined();
    expect(via('http://github.com/x')).toBeUndefined(); // no HTTP_PROXY
    expect(proxyFor(new URL('https://x.org'), proxySettings({ https_proxy: 'p:1', NO_PROXY: '*' }))).toBeUndefined();
    expect(() => proxySettings({ HTTPS_PROXY: 'socks5://p:1' })).toThrow(/only http:\/\/ proxies/);
  });
});

describe('DNS failures', () => {
  it('a name that does not resolve (ENOTFOUND) is not retried; a temporary DNS failure (EAI_AGAIN) is', () => {
    const failure = (code: string) =>
      classifyNetworkError(Object.assign(new Error(`getaddrinfo ${code} nowhere.invalid`), { code }), 'https://x');
    expect(isTransient(failure('ENOTFOUND'))).toBe(false);
    expect(isTransient(failure('EAI_AGAIN'))).toBe(true);
    expect(isTransient(failure('ECONNRESET'))).toBe(true);
    expect(failure('ENOTFOUND')).toBeInstanceOf(LoaderError);
  });
});
