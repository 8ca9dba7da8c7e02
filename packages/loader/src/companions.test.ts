import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, describe, expect, it } from 'vitest';
import { LoaderError } from './errors.ts';
import { RuntimeLoader } from './loader.ts';
import { schemaPath } from './schema.ts';
import {
  type Fixture,
  fixtureWithCompanion,
  COMPANION_GUEST_PATH as GUEST,
  makeFixture,
  COMPANION_BYTES as STDLIB,
  sha256,
} from './testing/fixture.ts';
import { startServer, type TestServer } from './testing/server.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wasmhub-companions-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function serve(fixture: Fixture): Promise<TestServer> {
  const server = await startServer(fixture.files);
  cleanups.push(() => server.close());
  return server;
}

async function loaderFor(sources: string[], cacheDir?: string, offline = false) {
  return new RuntimeLoader({
    sources,
    cacheDir: cacheDir ?? (await tempDir()),
    env: {},
    offline,
    clock: { sleep: async () => undefined, random: () => 0.5 },
  });
}

async function failure(promise: Promise<unknown>): Promise<LoaderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoaderError);
  expect((error as Error).message).not.toContain('\n');
  return error as LoaderError;
}

/** Nothing half-written: no version folder and no temp files. */
async function expectNothingCached(cacheDir: string) {
  expect(existsSync(join(cacheDir, 'demo', '1.0'))).toBe(false);
  expect(await readdir(join(cacheDir, '.tmp')).catch(() => [])).toEqual([]);
}

describe('companion files', () => {
  it('are fetched, verified and cached beside the module, with the preopens and env a host needs', async () => {
    const fixture = fixtureWithCompanion();
    const server = await serve(fixture);
    const cacheDir = await tempDir();
    const loader = await loaderFor([server.url], cacheDir);
    const runtime = await loader.getRuntime('demo', '1.0');
    const hostDir = join(cacheDir, 'demo', '1.0', 'root', 'usr', 'local', 'lib');
    expect(runtime.preopens).toEqual({ '/usr/local/lib': hostDir });
    expect(runtime.env).toEqual({ DEMOHOME: '/usr/local' });
    expect(runtime.companions).toEqual([
      {
        file: 'demo-1.0-stdlib.zip',
        path: join(hostDir, 'demo10.zip'),
        size: STDLIB.length,
        sha256: sha256(STDLIB),
        guestPath: GUEST,
      },
    ]);
    expect(await readFile(join(hostDir, 'demo10.zip'))).toEqual(STDLIB);
    expect(server.count('demo-1.0-stdlib.zip.br')).toBe(1);
    expect(server.count('demo-1.0-stdlib.zip')).toBe(0);
    expect(await readdir(join(cacheDir, '.tmp'))).toEqual([]);
    // A second call is a verified cache hit: no request at all.
    const before = server.requests.length;
    expect(await loader.getRuntime('demo', '1.0')).toEqual(runtime);
    expect(server.requests.length).toBe(before);
    // Offline, the cached companions are verified and served too.
    expect(await (await loaderFor([server.url], cacheDir, true)).getRuntime('demo', '1.0')).toEqual(runtime);
  });

  it('a version without companions keeps the original result shape (no preopens, env or companions keys)', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture);
    const runtime = await (await loaderFor([server.url])).getRuntime('demo', '1.0');
    expect(Object.keys(runtime).sort()).toEqual(['language', 'path', 'sha256', 'size', 'version']);
  });

  it('a companion altered or missing in the cache is refetched; offline it is a one-line integrity error', async () => {
    const fixture = fixtureWithCompanion();
    const server = await serve(fixture);
    const cacheDir = await tempDir();
    const runtime = await (await loaderFor([server.url], cacheDir)).getRuntime('demo', '1.0');
    const path = runtime.companions?.[0]?.path as string;
    await writeFile(path, Buffer.concat([STDLIB.subarray(0, -1), Buffer.from('!')]));
    const offline = await failure((await loaderFor([server.url], cacheDir, true)).getRuntime('demo', '1.0'));
    expect(offline.code).toBe('ERR_INTEGRITY');
    expect(offline.message).toContain('companion');
    expect(await (await loaderFor([server.url], cacheDir)).getRuntime('demo', '1.0')).toEqual(runtime);
    expect(await readFile(path)).toEqual(STDLIB);
    await rm(path);
    expect(await (await loaderFor([server.url], cacheDir)).getRuntime('demo', '1.0')).toEqual(runtime);
    expect(await readFile(path)).toEqual(STDLIB);
    expect(server.count('demo-1.0-stdlib.zip.br')).toBe(3);
  });

  it('a companion altered on the only source fails in one line and leaves nothing half-written', async () => {
    const fixture = fixtureWithCompanion();
    // Same sizes as the manifest states, one byte changed: only the sha256 can tell.
    for (const name of ['demo-1.0-stdlib.zip', 'demo-1.0-stdlib.zip.br', 'demo-1.0-stdlib.zip.gz']) {
      const bad = Buffer.from(fixture.files.get(name) as Buffer);
      bad[bad.length >> 1] = (bad[bad.length >> 1] as number) ^ 0x01;
      fixture.files.set(name, bad);
    }
    const server = await serve(fixture);
    const cacheDir = await tempDir();
    const error = await failure((await loaderFor([server.url], cacheDir)).getRuntime('demo', '1.0'));
    expect(error.code).toBe('ERR_ALL_SOURCES_FAILED');
    expect(error.message).toContain('sha256');
    await expectNothingCached(cacheDir);
  });

  it('a companion missing on the first source is taken from the next one', async () => {
    const fixture = fixtureWithCompanion();
    const partial = new Map(fixture.files);
    for (const name of [...partial.keys()]) if (name.includes('stdlib')) partial.delete(name);
    const first = await startServer(partial);
    cleanups.push(() => first.close());
    const second = await serve(fixture);
    const cacheDir = await tempDir();
    const runtime = await (await loaderFor([first.url, second.url], cacheDir)).getRuntime('demo', '1.0');
    expect(await readFile(runtime.companions?.[0]?.path as string)).toEqual(STDLIB);
    expect(second.count('demo-1.0-stdlib.zip.br')).toBe(1);
  });

  it('a decompression bomb in a companion variant stops at the stated size, one line, nothing cached', async () => {
    const bomb = brotliCompressSync(Buffer.alloc(64 * 1024 * 1024));
    const fixture = fixtureWithCompanion({ brBytes: bomb });
    const only = new Map(fixture.files);
    only.delete('demo-1.0-stdlib.zip.gz');
    only.delete('demo-1.0-stdlib.zip');
    const server = await startServer(only);
    cleanups.push(() => server.close());
    const cacheDir = await tempDir();
    const error = await failure((await loaderFor([server.url], cacheDir)).getRuntime('demo', '1.0'));
    expect(error.message).toMatch(/exceeds the \d+ bytes the manifest states/);
    await expectNothingCached(cacheDir);
  });

  it.each(['/usr/../../etc/passwd', '../escape.zip', '/usr/local/lib/', '/usr/./lib/x.zip', '//x.zip'])(
    'a manifest whose companion guest path is %s is refused in one line before anything is written',
    async (guestPath) => {
      const fixture = fixtureWithCompanion({ guestPath });
      const server = await serve(fixture);
      const cacheDir = await tempDir();
      const error = await failure((await loaderFor([server.url], cacheDir)).getRuntime('demo', '1.0'));
      expect(error.message).toMatch(/does not match manifest.schema.json|guest path/);
      expect(server.count('demo-1.0.wasm.br')).toBe(0);
      await expectNothingCached(cacheDir);
    },
  );
});

describe('the companions field in manifest.schema.json', () => {
  const schema = JSON.parse(readFileSync(schemaPath(), 'utf8'));

  it('is optional: an original manifest (no companions) is valid, and so is one with companions', () => {
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(makeFixture().globalManifest)).toBe(true);
    expect(validate(fixtureWithCompanion().globalManifest)).toBe(true);
  });

  it('is ignored by a loader that predates it: the schema without the field still accepts the new manifest', () => {
    const old = structuredClone(schema);
    delete old.$defs.VersionEntry.properties.companions;
    delete old.$defs.VersionEntry.properties.guestEnv;
    const ajv = new Ajv2020({ strict: false });
    addFormats.default(ajv);
    expect(ajv.compile(old)(fixtureWithCompanion().globalManifest)).toBe(true);
  });
});
