import { existsSync } from 'node:fs';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type Fixture, makeFixture, makeWasm, sha256, writeFixture } from './testing/fixture.ts';
import { expectCached, expectNotCached, failure, useHarness } from './testing/harness.ts';
import type { TestServer } from './testing/server.ts';

const harness = useHarness();
const { tempDir, loaderFor } = harness;
const serve = (fixture: Fixture): Promise<TestServer> => harness.serve(fixture.files);

describe('RuntimeLoader over a real loopback server', () => {
  it('downloads the .br variant, verifies it and commits it to the cache', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    const { loader, cacheDir, delays } = await loaderFor([server.url]);
    const runtime = await loader.getRuntime('demo');
    const path = await expectCached(cacheDir, fixture);
    expect(runtime).toEqual({
      language: 'demo',
      version: '1.0',
      path,
      size: fixture.wasm.length,
      sha256: sha256(fixture.wasm),
    });
    expect(server.requests.map((r) => r.path)).toEqual(['/manifest.json', '/demo-1.0.wasm.br']);
    expect(delays).toEqual([]);
    // A second call is served from the cache: no request for the module.
    await loader.getRuntime('demo', '1.0');
    expect(server.requests.map((r) => r.path)).toEqual(['/manifest.json', '/demo-1.0.wasm.br']);
  });

  it('retries 503 twice with exponential backoff and jitter, then succeeds', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    server.fault('demo-1.0.wasm.br', { kind: 'status', status: 503 }, 2);
    const { loader, cacheDir, delays } = await loaderFor([server.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(server.count('demo-1.0.wasm.br')).toBe(3);
    expect(server.count('demo-1.0.wasm.gz')).toBe(0);
    // base 500 ms doubled per retry; jitter (fixed at 0.5 here) picks from [d/2, d].
    expect(delays).toEqual([375, 750]);
  });

  it('honours Retry-After on 429 (up to the longest wait, maxRetryAfterMs)', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    server.fault('demo-1.0.wasm.br', { kind: 'status', status: 429, retryAfter: '7' });
    server.fault('demo-1.0.wasm.br', { kind: 'status', status: 429, retryAfter: '30' });
    const { loader, cacheDir, delays } = await loaderFor([server.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(server.count('demo-1.0.wasm.br')).toBe(3);
    expect(delays).toEqual([7000, 30_000]);
  });

  it('gives up after 3 retries and names what the source answered', async () => {
    const fixture = makeFixture({ variants: false });
    const server = await serve(fixture);
    server.fault('demo-1.0.wasm', { kind: 'status', status: 502 }, 10);
    const { loader, cacheDir, delays } = await loaderFor([server.url]);
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.code).toBe('ERR_ALL_SOURCES_FAILED');
    expect(error.message).toMatch(/demo-1\.0\.wasm answered 502 \(after 4 attempts\)/);
    expect(error.message).not.toMatch(/\n/);
    expect(server.count('demo-1.0.wasm')).toBe(4);
    expect(delays).toEqual([375, 750, 1500]);
    await expectNotCached(cacheDir, fixture);
  });

  it('recovers from a connection reset mid-body', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    server.fault('demo-1.0.wasm.br', { kind: 'reset' });
    const { loader, cacheDir, delays } = await loaderFor([server.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(server.count('demo-1.0.wasm.br')).toBe(2);
    expect(delays).toHaveLength(1);
  });

  it('recovers from a truncated body', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    server.fault('demo-1.0.wasm.br', { kind: 'truncate' });
    const { loader, cacheDir, delays } = await loaderFor([server.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(server.count('demo-1.0.wasm.br')).toBe(2);
    expect(delays).toHaveLength(1);
  });

  it('treats a body that ends short without Content-Length as truncated (retried)', async () => {
    const fixture = makeFixture({ variants: false });
    const server = await serve(fixture);
    server.fault('demo-1.0.wasm', { kind: 'body', bytes: fixture.wasm.subarray(0, 100), contentLength: false });
    const { loader, cacheDir } = await loaderFor([server.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(server.count('demo-1.0.wasm')).toBe(2);
  });

  it('aborts a stalled body after the stall timeout and retries', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    server.fault('demo-1.0.wasm.br', { kind: 'stall' });
    const { loader, cacheDir, delays, events } = await loaderFor([server.url], { stallTimeoutMs: 1500 });
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(server.count('demo-1.0.wasm.br')).toBe(2);
    expect(delays).toHaveLength(1);
    expect(events.find((e) => e.kind === 'retry')).toMatchObject({ reason: expect.stringMatching(/stalled/) });
  });

  it('moves on at once on wrong bytes (integrity), without retrying: next variant, then next source', async () => {
    const fixture = makeFixture();
    const bad = await serve(fixture);
    const good = await serve(fixture);
    for (const name of ['demo-1.0.wasm.br', 'demo-1.0.wasm.gz', 'demo-1.0.wasm']) {
      const bytes = fixture.files.get(name) as Buffer;
      bad.fault(name, { kind: 'body', bytes: Buffer.alloc(bytes.length, 7) });
    }
    const { loader, cacheDir, delays } = await loaderFor([bad.url, good.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(bad.requests.map((r) => r.path)).toEqual([
      '/manifest.json',
      '/demo-1.0.wasm.br',
      '/demo-1.0.wasm.gz',
      '/demo-1.0.wasm',
    ]);
    expect(good.requests.map((r) => r.path)).toEqual(['/demo-1.0.wasm.br']);
    expect(delays).toEqual([]);
  });

  it('moves on after 404 on the first source without retrying', async () => {
    const fixture = makeFixture();
    const empty = await serve({
      ...fixture,
      files: new Map([['manifest.json', fixture.files.get('manifest.json') as Buffer]]),
    });
    const good = await serve(fixture);
    const { loader, cacheDir, delays } = await loaderFor([empty.url, good.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(empty.requests.map((r) => r.path)).toEqual([
      '/manifest.json',
      '/demo-1.0.wasm.br',
      '/demo-1.0.wasm.gz',
      '/demo-1.0.wasm',
    ]);
    expect(good.requests.map((r) => r.path)).toEqual(['/demo-1.0.wasm.br']);
    expect(delays).toEqual([]);
  });

  it('stops reading a body longer than the manifest states', async () => {
    const fixture = makeFixture({ variants: false });
    const long = await serve(fixture);
    const good = await serve(fixture);
    // Chunked (no Content-Length) so the limit is enforced on the streamed bytes.
    long.fault('demo-1.0.wasm', {
      kind: 'body',
      bytes: Buffer.concat([fixture.wasm, Buffer.alloc(1 << 20)]),
      contentLength: false,
    });
    const { loader, cacheDir, events } = await loaderFor([long.url, good.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(long.count('demo-1.0.wasm')).toBe(1);
    expect(good.count('demo-1.0.wasm')).toBe(1);
    expect(events.find((e) => e.kind === 'source.failed')).toMatchObject({ code: 'ERR_SIZE_EXCEEDED' });
  });

  it('refuses a declared Content-Length above the manifest size before reading', async () => {
    const fixture = makeFixture({ variants: false });
    const server = await serve(fixture);
    server.fault('demo-1.0.wasm', { kind: 'body', bytes: Buffer.concat([fixture.wasm, Buffer.alloc(10)]) });
    const { loader, cacheDir } = await loaderFor([server.url]);
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.code).toBe('ERR_ALL_SOURCES_FAILED');
    expect(error.context.failures?.[0]?.code).toBe('ERR_SIZE_EXCEEDED');
    expect(server.count('demo-1.0.wasm')).toBe(1);
    await expectNotCached(cacheDir, fixture);
  });

  it('stops decompressing a .br that inflates past the stated size (no decompression bomb)', async () => {
    const wasm = makeWasm(4096);
    const bomb = brotliCompressSync(Buffer.concat([wasm, Buffer.alloc(16 << 20)]), {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5 },
    });
    const fixture = makeFixture({ brBytes: bomb });
    // Only the bomb on offer: no other variant rescues the download.
    fixture.files.delete('demo-1.0.wasm.gz');
    fixture.files.delete('demo-1.0.wasm');
    const server = await serve(fixture);
    const { loader, cacheDir } = await loaderFor([server.url]);
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.code).toBe('ERR_ALL_SOURCES_FAILED');
    expect(error.context.failures?.map((f) => f.code)).toEqual(['ERR_SIZE_EXCEEDED', 'ERR_NOT_FOUND', 'ERR_NOT_FOUND']);
    expect(error.message).toMatch(/decompressed exceeds the \d+ bytes the manifest states/);
    expect(server.count('demo-1.0.wasm.br')).toBe(1);
    await expectNotCached(cacheDir, fixture);
  });

  it("rejects a manifest naming '../evil' and fetches nothing it names", async () => {
    const fixture = makeFixture({ fileName: '../evil' });
    const server = await serve(fixture);
    const cacheDir = join(await tempDir(), 'cache');
    const { loader } = await loaderFor([server.url], { cacheDir });
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.code).toBe('ERR_ALL_SOURCES_FAILED');
    expect(error.context.failures?.[0]?.code).toBe('ERR_MANIFEST_INVALID');
    expect(error.message).toMatch(/manifest\.json does not match manifest\.schema\.json: .*\/file must match pattern/);
    expect(server.requests.map((r) => r.path)).toEqual(['/manifest.json']);
    expect(existsSync(join(cacheDir, '..', 'evil'))).toBe(false);
    expect(existsSync(join(cacheDir, 'demo'))).toBe(false);
  });

  it('detects a cached file altered on disk, evicts it and fetches it again', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    const { loader, cacheDir, events } = await loaderFor([server.url]);
    const { path } = await loader.getRuntime('demo', '1.0');
    const altered = Buffer.from(fixture.wasm);
    altered.writeUInt8((altered.at(-1) ?? 0) ^ 0xff, altered.length - 1);
    await writeFile(path, altered);
    expect((await loader.verifyCache()).map((r) => r.ok)).toEqual([false]);
    const again = await loader.getRuntime('demo', '1.0');
    expect(again.path).toBe(path);
    await expectCached(cacheDir, fixture);
    expect(server.count('demo-1.0.wasm.br')).toBe(2);
    expect(events.some((e) => e.kind === 'cache.evict')).toBe(true);
    expect((await loader.verifyCache()).map((r) => r.ok)).toEqual([true]);
  });

  it('offline: a cold cache is a clear error and nothing is fetched; a warm cache works', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    const cacheDir = await tempDir();
    const offline = (await loaderFor([server.url], { cacheDir, offline: true })).loader;
    const error = await failure(offline.getRuntime('demo', '1.0'));
    expect(error.code).toBe('ERR_OFFLINE');
    expect(error.message).toMatch(/demo@1\.0 is not in the cache .* offline/);
    expect((await failure(offline.getRuntime('demo'))).code).toBe('ERR_OFFLINE');
    expect(server.requests).toEqual([]);
    await (await loaderFor([server.url], { cacheDir })).loader.getRuntime('demo', '1.0');
    const seen = server.requests.length;
    expect((await offline.getRuntime('demo')).path).toBe(await expectCached(cacheDir, fixture));
    expect(server.requests.length).toBe(seen);
  });

  it('offline: a corrupt cached file is an integrity error, nothing is fetched', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    const { loader, cacheDir } = await loaderFor([server.url]);
    const { path } = await loader.getRuntime('demo', '1.0');
    await writeFile(path, Buffer.alloc(fixture.wasm.length));
    const seen = server.requests.length;
    const offline = (await loaderFor([server.url], { cacheDir, offline: true })).loader;
    expect((await failure(offline.getRuntime('demo', '1.0'))).code).toBe('ERR_INTEGRITY');
    expect(server.requests.length).toBe(seen);
  });

  it('reads file:// and plain-path sources (a local release folder)', async () => {
    const fixture = makeFixture();
    const root = await tempDir();
    const release = join(root, 'release');
    await writeFixture(fixture, release);
    const viaUrl = await loaderFor([`file://${release}`]);
    await viaUrl.loader.getRuntime('demo');
    await expectCached(viaUrl.cacheDir, fixture);
    const viaPath = await loaderFor([relative(root, release)], { cwd: root });
    await viaPath.loader.getRuntime('demo', '1.0');
    await expectCached(viaPath.cacheDir, fixture);
  });

  it('falls back to <lang>-manifest.json when the global manifest has no entries, and to a per-language manifest alone', async () => {
    const fixture = makeFixture({ globalFiles: false });
    const server = await serve(fixture);
    const { loader, cacheDir } = await loaderFor([server.url]);
    await loader.getRuntime('demo');
    await expectCached(cacheDir, fixture);
    expect(server.requests.map((r) => r.path)).toEqual(['/manifest.json', '/demo-manifest.json', '/demo-1.0.wasm.br']);

    const original = makeFixture({ variants: false });
    original.files.delete('manifest.json');
    const legacy = await serve(original);
    const second = await loaderFor([legacy.url]);
    expect(await second.loader.getLatestVersion('demo')).toBe('1.0');
    await second.loader.getRuntime('demo');
    await expectCached(second.cacheDir, original);
  });

  it('lists what the sources offer and what is cached; clears the cache', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    const { loader } = await loaderFor([server.url]);
    expect(await loader.listAvailable()).toEqual([
      { language: 'demo', latest: '1.0', versions: ['1.0'], source: 'https://example.org/demo', license: 'MIT' },
    ]);
    expect(await loader.getLatestVersion('demo')).toBe('1.0');
    expect(await loader.listCached()).toEqual([]);
    const runtime = await loader.getRuntime('demo');
    expect(await loader.listCached()).toEqual([runtime]);
    const module = await loader.compile('demo', '1.0');
    expect(Object.prototype.toString.call(module)).toBe('[object WebAssembly.Module]');
    await loader.clearCache('demo', '1.0');
    expect(await loader.listCached()).toEqual([]);
  });

  it('reports an unknown version as ERR_NOT_FOUND naming the available ones', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    const { loader } = await loaderFor([server.url]);
    const error = await failure(loader.getRuntime('demo', '9.9'));
    expect(error.code).toBe('ERR_NOT_FOUND');
    expect(error.message).toMatch(/no demo@9\.9 \(available: 1\.0\)/);
    expect(server.requests.map((r) => r.path)).toEqual(['/manifest.json']);
  });

  it('limits redirects and refuses to follow one to plain http on a non-loopback host', async () => {
    const fixture = makeFixture({ variants: false });
    const server = await serve(fixture);
    server.fault('demo-1.0.wasm', { kind: 'redirect', location: '/demo-1.0.wasm' }, 100);
    const { loader } = await loaderFor([server.url], { maxRedirects: 2 });
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.context.failures?.[0]?.code).toBe('ERR_TOO_MANY_REDIRECTS');
    expect(server.count('demo-1.0.wasm')).toBe(3);

    const other = await serve(fixture);
    other.fault('demo-1.0.wasm', { kind: 'redirect', location: 'http://example.com/demo-1.0.wasm' });
    const second = await loaderFor([other.url]);
    const refused = await failure(second.loader.getRuntime('demo', '1.0'));
    expect(refused.context.failures?.[0]?.code).toBe('ERR_INSECURE_SOURCE');
  });

  it('takes over a stale lock left by a process that died', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    const { loader, cacheDir, events } = await loaderFor([server.url], { lockStaleMs: 2000 });
    const lock = join(cacheDir, 'demo', '.1.0.lock');
    await mkdir(lock, { recursive: true });
    const past = new Date(Date.now() - 2 * 3_600_000);
    await utimes(lock, past, past);
    // The dead process also left a partial download behind.
    const leftover = join(cacheDir, '.tmp', 'demo-1.0.4242.abcdef.part');
    await mkdir(join(cacheDir, '.tmp'), { recursive: true });
    await writeFile(leftover, 'partial');
    await utimes(leftover, past, past);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(existsSync(lock)).toBe(false);
    expect(server.count('demo-1.0.wasm.br')).toBe(1);
    expect(events.some((e) => e.kind === 'lock.wait')).toBe(false);
  });

  it('an overall deadline bounds a call even when no timeout fires', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    server.fault('demo-1.0.wasm.br', { kind: 'stall' }, 100);
    const { loader, cacheDir } = await loaderFor([server.url], { deadlineMs: 1500, stallTimeoutMs: 60_000 });
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.code).toBe('ERR_DEADLINE');
    expect(server.count('demo-1.0.wasm.br')).toBeLessThanOrEqual(1);
    await expectNotCached(cacheDir, fixture);
  });

  it("'latest' refetches when the manifest names new bytes for a cached version", async () => {
    const first = makeFixture();
    const server = await serve(first);
    const { loader, cacheDir } = await loaderFor([server.url]);
    await loader.getRuntime('demo');
    const rebuilt = makeFixture({ padding: 5000 });
    for (const [name, bytes] of rebuilt.files) first.files.set(name, bytes);
    await loader.getRuntime('demo');
    await expectCached(cacheDir, rebuilt);
    expect(server.count('demo-1.0.wasm.br')).toBe(2);
    // An explicit version is served from the verified cache without asking the network.
    const seen = server.requests.length;
    await loader.getRuntime('demo', '1.0');
    expect(server.requests.length).toBe(seen);
  });

  it('validates names before touching the disk or the network', async () => {
    const { loader } = await loaderFor(['http://127.0.0.1:9']);
    for (const [lang, version] of [
      ['../x', '1.0'],
      ['Go', '1.0'],
      ['go', '../1'],
      ['go', 'a/b'],
      ['go', '..'],
    ]) {
      expect((await failure(loader.getRuntime(lang as string, version))).code).toBe('ERR_INVALID_NAME');
    }
  });
});
