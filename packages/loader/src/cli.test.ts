import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { makeFixture, sha256, writeFixture } from './testing/fixture.ts';
import { startServer, type TestServer } from './testing/server.ts';

// The CLI runs as a real child process: `node --import tsx src/cli.ts` (the source, as tsx runs it in the repo).
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliSource = fileURLToPath(new URL('./cli.ts', import.meta.url));
const binShim = fileURLToPath(new URL('../bin/wasmhub.js', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], options: { env?: Record<string, string>; command?: string[] } = {}): Promise<Result> {
  const command = options.command ?? [process.execPath, '--import', 'tsx', cliSource];
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] as string, [...command.slice(1), ...args], {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...options.env },
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
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wasmhub-cli-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(files: Map<string, Buffer>): Promise<TestServer> {
  const server = await startServer(files);
  cleanups.push(() => server.close());
  return server;
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

describe('wasmhub CLI (child processes)', { timeout: 240_000 }, () => {
  it('get prints the absolute cache path as its last line; --json prints the runtime', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const cacheDir = await tempDir();
    const plain = await run(['get', 'demo@1.0', '--source', server.url, '--cache-dir', cacheDir]);
    expect(plain.code).toBe(0);
    const path = join(cacheDir, 'demo', '1.0', 'demo-1.0.wasm');
    expect(lastLine(plain.stdout)).toBe(path);
    expect(await readFile(path)).toEqual(fixture.wasm);
    const json = await run(['get', 'demo', '--json', '--source', server.url, '--cache-dir', cacheDir]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      language: 'demo',
      version: '1.0',
      path,
      size: fixture.wasm.length,
      sha256: sha256(fixture.wasm),
    });
    expect(server.count('demo-1.0.wasm.br')).toBe(1);
  });

  it('eight processes getting the same runtime at once download it once', async () => {
    const fixture = makeFixture({ padding: 256 * 1024 });
    const server = await serve(fixture.files);
    // Every download is slow, so the processes really overlap.
    server.fault('demo-1.0.wasm.br', { kind: 'slow', ms: 800 }, 100);
    const cacheDir = await tempDir();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        run(['get', 'demo@1.0', '--json', '--source', server.url, '--cache-dir', cacheDir]),
      ),
    );
    const path = join(cacheDir, 'demo', '1.0', 'demo-1.0.wasm');
    for (const result of results) {
      expect(result.stderr).not.toMatch(/ERR_/);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).path).toBe(path);
    }
    expect(await readFile(path)).toEqual(fixture.wasm);
    expect(server.count('demo-1.0.wasm.br') + server.count('demo-1.0.wasm.gz') + server.count('demo-1.0.wasm')).toBe(1);
    // Processes that start after the commit take the cache fast path and never ask for the manifest.
    expect(server.count('manifest.json')).toBeLessThanOrEqual(8);
  });

  it('--offline with a cold cache fails with one clear line and no request', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const cacheDir = await tempDir();
    const result = await run(['get', 'demo@1.0', '--offline', '--source', server.url, '--cache-dir', cacheDir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^wasmhub: ERR_OFFLINE: demo@1\.0 is not in the cache .* offline/);
    expect(server.requests).toEqual([]);
  });

  it('exits non-zero with one line naming the problem: unknown flag, bad name, every source failing', async () => {
    const unknown = await run(['get', 'demo', '--sauce', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^wasmhub: ERR_USAGE: unknown or malformed option --sauce/);
    expect(unknown.stderr.trimEnd().split('\n')).toHaveLength(1);

    const badName = await run(['get', '../etc@1']);
    expect(badName.code).toBe(2);
    expect(badName.stderr).toMatch(/ERR_INVALID_NAME: invalid language name/);

    const fixture = makeFixture({ variants: false });
    const server = await serve(fixture.files);
    server.fault('demo-1.0.wasm', { kind: 'status', status: 410 });
    const cacheDir = await tempDir();
    const failed = await run([
      'get',
      'demo@1.0',
      '--source',
      server.url,
      '--source',
      'http://127.0.0.1:9',
      '--cache-dir',
      cacheDir,
    ]);
    expect(failed.code).toBe(1);
    const lines = failed.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(
      /^wasmhub: ERR_ALL_SOURCES_FAILED: cannot get demo@1\.0 from any of 2 source\(s\): .*answered 410.*ECONNREFUSED/,
    );
    expect(server.count('demo-1.0.wasm')).toBe(1);
  });

  it('list, info, cache ls|verify|clean; WASMHUB_SOURCES and WASMHUB_CACHE_DIR; a plain-path source', async () => {
    const fixture = makeFixture();
    const root = await tempDir();
    await writeFixture(fixture, join(root, 'release'));
    const env = { WASMHUB_SOURCES: join(root, 'release'), WASMHUB_CACHE_DIR: join(root, 'cache') };
    const list = await run(['list', '--json'], { env });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ language: 'demo', latest: '1.0', versions: ['1.0'] }]);
    const info = await run(['info', 'demo'], { env });
    expect(info.code).toBe(0);
    expect(info.stdout).toContain(`1.0\tdemo-1.0.wasm\t${fixture.wasm.length} bytes\tsha256 ${sha256(fixture.wasm)}`);
    const get = await run(['get', 'demo'], { env });
    expect(get.code).toBe(0);
    const path = join(root, 'cache', 'demo', '1.0', 'demo-1.0.wasm');
    expect(lastLine(get.stdout)).toBe(path);
    const ls = await run(['cache', 'ls', '--json'], { env });
    expect(JSON.parse(ls.stdout)).toEqual([
      { language: 'demo', version: '1.0', path, size: fixture.wasm.length, sha256: sha256(fixture.wasm) },
    ]);
    expect((await run(['cache', 'verify'], { env })).code).toBe(0);
    await writeFile(path, Buffer.alloc(fixture.wasm.length));
    const verify = await run(['cache', 'verify'], { env });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/^CORRUPT\tdemo@1\.0/);
    const clean = await run(['cache', 'clean'], { env });
    expect(clean.code).toBe(0);
    expect(existsSync(path)).toBe(false);
    expect(JSON.parse((await run(['cache', 'ls', '--json'], { env })).stdout)).toEqual([]);
  });

  it('the package bin (bin/wasmhub.js, shebang: dist/ when fresh, else the source) fetches from a file:// source', async () => {
    const fixture = makeFixture();
    const root = await tempDir();
    await writeFixture(fixture, join(root, 'release'));
    const result = await run(
      ['get', 'demo', '--source', `file://${join(root, 'release')}`, '--cache-dir', join(root, 'cache')],
      {
        command: [binShim],
      },
    );
    expect(result.stderr).not.toMatch(/ERR_/);
    expect(result.code).toBe(0);
    expect(await readFile(lastLine(result.stdout) as string)).toEqual(fixture.wasm);
  });
});
