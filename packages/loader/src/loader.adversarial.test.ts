// The standing adversarial suite of the loader (issue #17): each case attacks the loader through a real
// loopback server (127.0.0.1:0) or a planted cache, and checks the outcome: what was requested, what is on
// disk, which error. Bounded: every server stops after the test, every wait has a limit, sleeps between
// retries are captured rather than slept.
import { existsSync } from 'node:fs';
import { mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { RuntimeLoader } from './loader.ts';
import { type Fixture, makeFixture, makeWasm, sha256 } from './testing/fixture.ts';
import { eventually, expectCached, expectNotCached, failure, leftovers, useHarness } from './testing/harness.ts';
import { SELF_SIGNED_CERT, TEST_ONLY_KEY } from './testing/self-signed.ts';
import type { Fault } from './testing/server.ts';

const { tempDir, serve, loaderFor } = useHarness();

/** Rewrite the fixture's global manifest (and keep the per-language one consistent where asked). */
function withManifest(
  fixture: Fixture,
  edit: (manifest: { languages: Record<string, Record<string, unknown>> }) => void,
) {
  const manifest = structuredClone(fixture.globalManifest) as { languages: Record<string, Record<string, unknown>> };
  edit(manifest);
  fixture.files.set('manifest.json', Buffer.from(JSON.stringify(manifest)));
  return fixture;
}

describe('adversarial: inherited names are not entries (item 1)', () => {
  it("item 1: a manifest whose latest is 'toString' is a clear not-found; nothing but the manifest is fetched", async () => {
    const fixture = withManifest(makeFixture(), (m) => {
      (m.languages.demo as Record<string, unknown>).latest = 'toString';
    });
    const server = await serve(fixture.files);
    const { loader, cacheDir } = await loaderFor([server.url]);
    const error = await failure(loader.getRuntime('demo'));
    expect(error.code).toBe('ERR_NOT_FOUND');
    expect(error.message).toMatch(/demo@toString/);
    expect(server.requests.map((r) => r.path)).not.toContain('/undefined');
    expect(server.requests.every((r) => r.path.endsWith('manifest.json'))).toBe(true);
    await expectNotCached(cacheDir, fixture);
  });

  it.each([
    ['demo', 'toString'],
    ['demo', 'constructor'],
    ['demo', 'hasOwnProperty'],
    ['constructor', 'latest'],
    ['tostring', 'latest'],
    ['valueof', '1.0'],
  ])('item 1: %s@%s is ERR_NOT_FOUND, never a fetch of an inherited value', async (language, version) => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const { loader } = await loaderFor([server.url]);
    const error = await failure(loader.getRuntime(language, version));
    expect(error.code).toBe('ERR_NOT_FOUND');
    expect(server.requests.every((r) => r.path.endsWith('manifest.json'))).toBe(true);
  });

  it("item 1: a language named 'constructor' in info and latest is not found, not a TypeError", async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const { loader } = await loaderFor([server.url]);
    expect((await failure(loader.getLanguageInfo('constructor'))).code).toBe('ERR_NOT_FOUND');
    expect((await failure(loader.getLatestVersion('constructor'))).code).toBe('ERR_NOT_FOUND');
  });
});

describe('adversarial: one bad variant does not condemn the others (item 2)', () => {
  const br = (fixture: Fixture) => fixture.files.get('demo-1.0.wasm.br') as Buffer;
  const faults: [string, (f: Fixture) => Fault][] = [
    ['corrupt .br stream', (f) => ({ kind: 'body', bytes: Buffer.alloc(br(f).length, 7) })],
    ['403 on .br', () => ({ kind: 'status', status: 403 })],
    ['200 HTML soft 404 on .br', () => ({ kind: 'body', bytes: Buffer.from('<html>Not here</html>') })],
    ['reset on every .br attempt', () => ({ kind: 'reset' })],
  ];
  it.each(faults)('item 2: %s -> .gz from the same source', async (_name, make) => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    server.fault('demo-1.0.wasm.br', make(fixture), 10);
    const { loader, cacheDir } = await loaderFor([server.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(server.count('demo-1.0.wasm.gz')).toBe(1);
    expect(server.count('demo-1.0.wasm')).toBe(0);
  });

  it('item 2: identical mirrors with the same bad .br still deliver (from the first mirror)', async () => {
    const fixture = makeFixture();
    const first = await serve(fixture.files);
    const second = await serve(fixture.files);
    for (const server of [first, second])
      server.fault('demo-1.0.wasm.br', { kind: 'body', bytes: Buffer.alloc(br(fixture).length, 1) }, 10);
    const { loader, cacheDir } = await loaderFor([first.url, second.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(second.requests).toEqual([]);
  });

  it('item 2: a source that refuses connections is left after one variant, not three', async () => {
    const fixture = makeFixture();
    const good = await serve(fixture.files);
    const { loader, cacheDir, events } = await loaderFor(['http://127.0.0.1:9', good.url], { retries: 0 });
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    const refused = events.filter((e) => e.kind === 'source.failed' && e.source === 'http://127.0.0.1:9');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.map((e) => (e.kind === 'source.failed' ? e.message : '')).join('\n')).not.toMatch(/wasm\.gz|wasm:/);
  });
});

describe('adversarial: bodies we do not read are closed (item 3)', () => {
  it('item 3: a 404 whose body never ends is closed at once, not drained', async () => {
    const fixture = makeFixture();
    const empty = await serve(new Map([['manifest.json', fixture.files.get('manifest.json') as Buffer]]));
    for (const name of ['demo-1.0.wasm.br', 'demo-1.0.wasm.gz', 'demo-1.0.wasm'])
      empty.fault(name, { kind: 'drip', status: 404, everyMs: 20, bytes: 1024 });
    const good = await serve(fixture.files);
    const { loader, cacheDir } = await loaderFor([empty.url, good.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    // The dripping error bodies go on forever; only the client closing them ends the connections.
    expect(await eventually(() => empty.connections().open === 0)).toBe(true);
  });

  it('item 3: a redirect body that never ends is closed too', async () => {
    const fixture = makeFixture({ variants: false });
    const server = await serve(fixture.files);
    server.fault('manifest.json', { kind: 'redirect', location: '/manifest.json' }, 1);
    const { loader, cacheDir } = await loaderFor([server.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(await eventually(() => server.connections().open === 0)).toBe(true);
  });
});

describe('adversarial: the temp sweep never follows links (item 4)', () => {
  it('item 4: a planted .tmp symlink is refused with one line; nothing behind it is touched', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const root = await tempDir();
    const victim = join(root, 'victim');
    await mkdir(victim);
    const precious = join(victim, 'precious.txt');
    await writeFile(precious, 'keep me');
    const past = new Date(Date.now() - 2 * 3_600_000);
    await utimes(precious, past, past);
    const cacheDir = join(root, 'cache');
    await mkdir(cacheDir);
    await symlink(victim, join(cacheDir, '.tmp'));
    const { loader } = await loaderFor([server.url], { cacheDir });
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.code).toBe('ERR_CACHE');
    expect(error.message).toContain(join(cacheDir, '.tmp'));
    expect(error.message).toMatch(/symbolic link|not a directory/);
    expect(await readFile(precious, 'utf8')).toBe('keep me');
    expect(existsSync(join(cacheDir, 'demo', '1.0'))).toBe(false);
  });

  it('item 4: the sweep removes old .part files only, never a symlink target or a folder', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const root = await tempDir();
    const cacheDir = join(root, 'cache');
    const temp = join(cacheDir, '.tmp');
    await mkdir(join(temp, 'sub'), { recursive: true });
    const outside = join(root, 'outside.part');
    await writeFile(outside, 'not ours');
    await symlink(outside, join(temp, 'link.part'));
    await writeFile(join(temp, 'sub', 'inner.part'), 'x');
    await writeFile(join(temp, 'old.1.abc.part'), 'stale');
    const past = new Date(Date.now() - 2 * 3_600_000);
    for (const name of ['old.1.abc.part', 'sub']) await utimes(join(temp, name), past, past);
    const { loader } = await loaderFor([server.url], { cacheDir });
    await loader.getRuntime('demo', '1.0');
    expect(await readFile(outside, 'utf8')).toBe('not ours');
    expect(existsSync(join(temp, 'sub', 'inner.part'))).toBe(true);
    expect(existsSync(join(temp, 'old.1.abc.part'))).toBe(false);
  });
});

describe('adversarial: local failures are named, not retried (item 5, in-process part)', () => {
  it('item 5: a 200,000-deep value inside an entry is refused before any download; no temp file', async () => {
    const fixture = makeFixture();
    const deep = `${'['.repeat(200_000)}${']'.repeat(200_000)}`;
    const text = (fixture.files.get('manifest.json') as Buffer)
      .toString('utf8')
      .replace('"wasi":"wasip1"', `"wasi":"wasip1","x-deep":${deep}`);
    fixture.files.set('manifest.json', Buffer.from(text));
    const server = await serve(fixture.files);
    const { loader, cacheDir } = await loaderFor([server.url]);
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(['ERR_MANIFEST_INVALID', 'ERR_ALL_SOURCES_FAILED']).toContain(error.code);
    expect(error.message).toMatch(/nest/);
    expect(server.requests.map((r) => r.path)).toEqual(['/manifest.json']);
    expect(await leftovers(cacheDir)).toEqual([]);
  });

  it('item 5: a cache folder under a regular file is ERR_CACHE naming the path, fetched at most once', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const root = await tempDir();
    await writeFile(join(root, 'file'), 'x');
    const cacheDir = join(root, 'file', 'cache');
    const { loader, delays } = await loaderFor([server.url], { cacheDir });
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.code).toBe('ERR_CACHE');
    expect(error.message).toContain(join(root, 'file'));
    expect(error.message).toMatch(/--cache-dir|WASMHUB_CACHE_DIR/);
    expect(delays).toEqual([]);
    expect(server.count('demo-1.0.wasm.br')).toBeLessThanOrEqual(1);
  });
});

describe('adversarial: every wait has a useful bound (item 6)', () => {
  it('item 6: a body slower than the minimum rate is abandoned and the next source used', async () => {
    const fixture = makeFixture({ variants: false, padding: 64 * 1024 });
    const slow = await serve(fixture.files);
    slow.fault('demo-1.0.wasm', { kind: 'drip', everyMs: 50, bytes: 16 }, 10);
    const good = await serve(fixture.files);
    const { loader, cacheDir, events, delays } = await loaderFor([slow.url, good.url], {
      minSpeedBytesPerSec: 4096,
      minSpeedWindowMs: 300,
      stallTimeoutMs: 60_000,
    });
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(slow.count('demo-1.0.wasm')).toBe(1);
    expect(delays).toEqual([]);
    expect(events.find((e) => e.kind === 'source.failed')).toMatchObject({
      code: 'ERR_TOO_SLOW',
      message: expect.stringMatching(/below the minimum of 4096 bytes\/s/),
    });
    expect(await eventually(() => slow.connections().open === 0)).toBe(true);
  });

  it('item 6: a Retry-After beyond what we are willing to wait skips to the next source at once', async () => {
    const fixture = makeFixture();
    const busy = await serve(fixture.files);
    busy.fault('manifest.json', { kind: 'status', status: 503, retryAfter: '99999' }, 10);
    const good = await serve(fixture.files);
    const { loader, cacheDir, delays, events } = await loaderFor([busy.url, good.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(delays).toEqual([]);
    expect(busy.count('manifest.json')).toBe(1);
    expect(events.find((e) => e.kind === 'source.failed')?.message).toMatch(/Retry-After of 99999 s/);
  });

  it('item 6: a Retry-After within the limit is still honoured', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    server.fault('demo-1.0.wasm.br', { kind: 'status', status: 429, retryAfter: '7' });
    const { loader, cacheDir, delays } = await loaderFor([server.url], { maxRetryAfterMs: 10_000 });
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(delays).toEqual([7000]);
  });
});

describe('adversarial: smaller holes (item 7)', () => {
  it('item 7: credentials in a redirect Location are stripped, never sent as Authorization', async () => {
    const fixture = makeFixture({ variants: false });
    const server = await serve(fixture.files);
    const port = new URL(server.url).port;
    server.fault('demo-1.0.wasm', { kind: 'redirect', location: `http://user:secret@127.0.0.1:${port}/demo-1.0.wasm` });
    const { loader, cacheDir } = await loaderFor([server.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(server.count('demo-1.0.wasm')).toBe(2);
    expect(server.requests.filter((r) => r.authorization !== undefined)).toEqual([]);
  });

  it('item 7: an untrusted TLS certificate fails fast (one handshake) and the next source is used', async () => {
    const fixture = makeFixture();
    const untrusted = await serve(fixture.files, { tls: { key: TEST_ONLY_KEY, cert: SELF_SIGNED_CERT } });
    const good = await serve(fixture.files);
    const { loader, cacheDir, delays, events } = await loaderFor([untrusted.url, good.url]);
    await loader.getRuntime('demo', '1.0');
    await expectCached(cacheDir, fixture);
    expect(untrusted.connections().opened).toBe(1);
    expect(untrusted.requests).toEqual([]);
    expect(delays).toEqual([]);
    expect(events.find((e) => e.kind === 'source.failed')).toMatchObject({ code: 'ERR_TLS' });
  });

  it('item 7: offline latest prefers the release 1.0 over the pre-release 1.0-rc1', async () => {
    const release = makeFixture({ version: '1.0' });
    const candidate = makeFixture({ version: '1.0-rc1', padding: 5000 });
    const cacheDir = await tempDir();
    for (const fixture of [candidate, release]) {
      const server = await serve(fixture.files);
      await (await loaderFor([server.url], { cacheDir })).loader.getRuntime('demo', fixture.version);
    }
    const offline = (await loaderFor(['http://127.0.0.1:9'], { cacheDir, offline: true })).loader;
    expect((await offline.getRuntime('demo')).version).toBe('1.0');
    expect(await offline.getLatestVersion('demo')).toBe('1.0');
  });

  it('item 7: an empty cache folder option is an error, not the default folder', async () => {
    const error = await failure((async () => new RuntimeLoader({ cacheDir: '', env: {} }))());
    expect(error.code).toBe('ERR_INVALID_OPTION');
    expect(error.message).toMatch(/cacheDir/);
  });

  it('item 7: a module and its cached entry altered together pass verify, and fail verify --online', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const { loader, cacheDir } = await loaderFor([server.url]);
    const { path } = await loader.getRuntime('demo', '1.0');
    const forged = makeWasm(4096, 99);
    await writeFile(path, forged);
    const entryPath = join(cacheDir, 'demo', '1.0', 'manifest.json');
    const entry = JSON.parse(await readFile(entryPath, 'utf8'));
    await writeFile(entryPath, JSON.stringify({ ...entry, size: forged.length, sha256: sha256(forged) }));
    // The documented limit of the offline check: the cache trusts its own entry.
    expect((await loader.verifyCache()).map((r) => r.ok)).toEqual([true]);
    const online = await loader.verifyCache({ online: true });
    expect(online).toMatchObject([{ ok: false, problem: expect.stringMatching(/differs from .*manifest/) }]);
  });
});

describe('adversarial: what already held stays held', () => {
  const wrongBodies: [string, string, (f: Fixture, name: string) => Fault][] = [
    [
      'br',
      'same-size wrong bytes',
      (f, n) => ({ kind: 'body', bytes: Buffer.alloc((f.files.get(n) as Buffer).length, 9) }),
    ],
    [
      'gz',
      'same-size wrong bytes',
      (f, n) => ({ kind: 'body', bytes: Buffer.alloc((f.files.get(n) as Buffer).length, 9) }),
    ],
    [
      'wasm',
      'same-size wrong bytes',
      (f, n) => ({ kind: 'body', bytes: Buffer.alloc((f.files.get(n) as Buffer).length, 9) }),
    ],
    [
      'wasm',
      'one flipped byte',
      (f, n) => {
        const bytes = Buffer.from(f.files.get(n) as Buffer);
        bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 1, bytes.length - 1);
        return { kind: 'body', bytes };
      },
    ],
    ['gz', 'valid gzip of other bytes', () => ({ kind: 'body', bytes: gzipSync(makeWasm(4096, 5)) })],
    ['br', 'valid brotli of other bytes', () => ({ kind: 'body', bytes: brotliCompressSync(makeWasm(4096, 5)) })],
    [
      'wasm',
      'extra bytes, chunked',
      (f, n) => ({
        kind: 'body',
        bytes: Buffer.concat([f.files.get(n) as Buffer, Buffer.alloc(64)]),
        contentLength: false,
      }),
    ],
  ];
  it.each(wrongBodies)(
    'no wrong byte reaches the cache: .%s with %s on every attempt',
    async (variant, _what, make) => {
      const fixture = makeFixture({ variants: variant !== 'wasm' });
      if (variant !== 'wasm') {
        // Only the attacked variant exists: nothing else can rescue the download.
        for (const other of ['br', 'gz']) if (other !== variant) fixture.files.delete(`demo-1.0.wasm.${other}`);
        fixture.files.delete('demo-1.0.wasm');
      }
      const name = variant === 'wasm' ? 'demo-1.0.wasm' : `demo-1.0.wasm.${variant}`;
      const server = await serve(fixture.files);
      server.fault(name, make(fixture, name), 100);
      const { loader, cacheDir } = await loaderFor([server.url]);
      const error = await failure(loader.getRuntime('demo', '1.0'));
      expect(['ERR_ALL_SOURCES_FAILED', 'ERR_NOT_FOUND']).toContain(error.code);
      await expectNotCached(cacheDir, fixture);
    },
  );

  it('a decompression bomb is stopped at the stated size', async () => {
    const bomb = brotliCompressSync(Buffer.concat([makeWasm(4096), Buffer.alloc(64 << 20)]), {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5 },
    });
    const fixture = makeFixture({ brBytes: bomb });
    fixture.files.delete('demo-1.0.wasm.gz');
    fixture.files.delete('demo-1.0.wasm');
    const server = await serve(fixture.files);
    const { loader, cacheDir } = await loaderFor([server.url]);
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.context.failures?.[0]?.code).toBe('ERR_SIZE_EXCEEDED');
    await expectNotCached(cacheDir, fixture);
  });

  it.each(['../evil', 'a/b.wasm', '..', 'x\\y.wasm', '.'])(
    'a traversal file name %j is refused before any fetch',
    async (fileName) => {
      const fixture = makeFixture({ fileName });
      const server = await serve(fixture.files);
      const root = await tempDir();
      const { loader } = await loaderFor([server.url], { cacheDir: join(root, 'cache') });
      const error = await failure(loader.getRuntime('demo', '1.0'));
      expect(error.context.failures?.[0]?.code).toBe('ERR_MANIFEST_INVALID');
      expect(server.requests.map((r) => r.path)).toEqual(['/manifest.json']);
      expect(existsSync(join(root, 'evil'))).toBe(false);
    },
  );

  it.each([
    ['to plain http on another host', 'http://example.com/demo-1.0.wasm', 'ERR_INSECURE_SOURCE'],
    ['to file://', 'file:///etc/passwd', 'ERR_INVALID_SOURCE'],
    ['to itself forever', '/demo-1.0.wasm', 'ERR_TOO_MANY_REDIRECTS'],
  ])('a redirect %s is refused', async (_what, location, code) => {
    const fixture = makeFixture({ variants: false });
    const server = await serve(fixture.files);
    server.fault('demo-1.0.wasm', { kind: 'redirect', location }, 100);
    const { loader, cacheDir } = await loaderFor([server.url]);
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.context.failures?.[0]?.code).toBe(code);
    expect(server.count('demo-1.0.wasm')).toBeLessThanOrEqual(6);
    await expectNotCached(cacheDir, fixture);
  });

  it.each([true, false])('an oversize manifest is refused (Content-Length declared: %s)', async (declared) => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    server.fault('manifest.json', { kind: 'body', bytes: Buffer.alloc(2048 * 1024, 0x20), contentLength: declared });
    const { loader, cacheDir } = await loaderFor([server.url], { maxManifestBytes: 1024 * 1024 });
    const error = await failure(loader.getRuntime('demo', '1.0'));
    expect(error.context.failures?.[0]?.code).toBe('ERR_SIZE_EXCEEDED');
    await expectNotCached(cacheDir, fixture);
  });
});
