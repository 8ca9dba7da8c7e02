// Test helpers: a real verdaccio registry on 127.0.0.1 (child process, temp storage, no uplinks), and a
// loopback server answering jsDelivr's `/npm/<pkg>@<version>/<file>` from the tarballs ON that registry.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTarball } from '../tarball.ts';

const require = createRequire(import.meta.url);

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

export interface Registry {
  url: string;
  token: string;
  stop(): Promise<void>;
}

export async function startVerdaccio(): Promise<Registry> {
  const dir = await mkdtemp(join(tmpdir(), 'wasmhub-verdaccio-'));
  const config = join(dir, 'config.yaml');
  // No uplinks: every package lives here, nothing is ever proxied (so nothing waits on a network).
  await writeFile(
    config,
    [
      `storage: ${JSON.stringify(join(dir, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(join(dir, 'htpasswd'))}`,
      '    max_users: 10',
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    unpublish: $authenticated',
      'max_body_size: 200mb',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: pretty, level: error }',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const bin = join(require.resolve('verdaccio/package.json'), '..', 'bin', 'verdaccio');
  const child: ChildProcess = spawn(process.execPath, [bin, '--config', config, '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let output = '';
  child.stdout?.on('data', (c) => (output += c));
  child.stderr?.on('data', (c) => (output += c));
  const url = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`verdaccio exited: ${output}`);
      const ok = await fetch(`${url}-/ping`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 300) throw new Error(`verdaccio did not answer on ${url}: ${output}`);
      await new Promise((done) => setTimeout(done, 100));
    }
    const user = await fetch(`${url}-/user/org.couchdb.user:wasmhub-test`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'wasmhub-test', password: 'wasmhub-test-password' }),
    });
    const { token } = (await user.json()) as { token?: string };
    if (!token) throw new Error(`verdaccio gave no token (HTTP ${user.status})`);
    return { url, token, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface Loopback {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

export async function listen(server: Server, requests: string[]): Promise<Loopback> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((done) => server.close(() => done())),
  };
}

/**
 * jsDelivr's npm path, `/npm/<pkg>@<version or dist-tag>/<file>`, served from the registry: packument ->
 * dist.tarball -> untar -> the file's bytes.
 */
export async function startNpmCdn(registry: string): Promise<Loopback> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const match = /^\/npm\/((?:@[^/]+\/)?[^/@]+)@([^/]+)\/(.+)$/.exec(decodeURIComponent(req.url ?? ''));
    const fail = (status: number, text: string) => {
      res.writeHead(status, { 'content-type': 'text/plain' });
      res.end(text);
    };
    if (!match) return fail(404, 'not an /npm/<pkg>@<version>/<file> path');
    const [, name, range, file] = match as unknown as [string, string, string, string];
    (async () => {
      const packument = await fetch(`${registry}${name.replace('/', '%2f')}`);
      if (!packument.ok) return fail(404, `package ${name} not found`);
      const doc = (await packument.json()) as {
        'dist-tags': Record<string, string>;
        versions: Record<string, { dist: { tarball: string } }>;
      };
      const version = doc['dist-tags'][range] ?? range;
      const tarball = doc.versions[version]?.dist.tarball;
      if (!tarball) return fail(404, `${name}@${range} not found`);
      const files = await readTarball(Buffer.from(await (await fetch(tarball)).arrayBuffer()));
      const bytes = files.get(file);
      if (!bytes) return fail(404, `${file} not in ${name}@${version}`);
      res.writeHead(200, { 'content-length': bytes.length, 'content-type': 'application/octet-stream' });
      res.end(bytes);
    })().catch((error: unknown) => fail(500, String(error)));
  });
  return listen(server, requests);
}

/** A reverse proxy to the registry that answers 500 to a PUT (publish) of the packages `failing` names. */
export async function startFaultyProxy(registry: string, failing: Set<string>): Promise<Loopback> {
  const requests: string[] = [];
  const target = new URL(registry);
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const name = decodeURIComponent((req.url ?? '').slice(1)).split('/-/')[0] ?? '';
    if (req.method === 'PUT' && failing.has(name)) {
      req.resume();
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":"internal server error (injected)"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = { ...req.headers, host: target.host };
      fetch(new URL(req.url ?? '/', target), {
        method: req.method ?? 'GET',
        headers: headers as unknown as Record<string, string>,
        ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      })
        .then(async (upstream) => {
          const body = Buffer.from(await upstream.arrayBuffer());
          const out: Record<string, string> = {};
          upstream.headers.forEach((value, key) => {
            if (!['content-encoding', 'transfer-encoding', 'content-length', 'connection'].includes(key))
              out[key] = value;
          });
          res.writeHead(upstream.status, { ...out, 'content-length': body.length });
          res.end(body);
        })
        .catch((error: unknown) => {
          res.writeHead(502);
          res.end(String(error));
        });
    });
  });
  return listen(server, requests);
}
