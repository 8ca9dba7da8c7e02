// Build kind c-debian-source against the real engine and the real wasi-c builder image: a Lua
// version builds from its Debian tarball, and the two kinds of bad input (a tarball that differs
// from its pin, a patch that no longer applies) fail naming what is wrong, leaving nothing in build/.
import { cp, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { workspaceRoot } from '../paths.ts';
import { describeDocker } from '../testing/require-docker.ts';
import { runWasi } from '../verify/run-wasi.ts';
import { buildRuntime } from './build-runtime.ts';

const quiet = () => {};

/** A workspace with runtimes/lua (runtime.json edited by `edit`) and docker/wasi-c.Dockerfile. */
async function luaWorkspace(edit: (config: { versions: Record<string, unknown>[] }) => void): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wasmhub-c-source-'));
  await mkdir(join(root, 'docker'));
  await cp(join(workspaceRoot, 'runtimes/runtime.schema.json'), join(root, 'runtimes/runtime.schema.json'));
  await cp(join(workspaceRoot, 'runtimes/lua'), join(root, 'runtimes/lua'), { recursive: true });
  await cp(join(workspaceRoot, 'docker/wasi-c.Dockerfile'), join(root, 'docker/wasi-c.Dockerfile'));
  const file = join(root, 'runtimes/lua/runtime.json');
  const config = JSON.parse(await readFile(file, 'utf8'));
  edit(config);
  await writeFile(file, JSON.stringify(config, null, 2));
  return root;
}

async function failure(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}

/** Every file left under <root>/build (nothing at all is expected after a failure). */
async function leftovers(root: string): Promise<string[]> {
  try {
    return (await readdir(join(root, 'build'), { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  } catch {
    return [];
  }
}

await describeDocker('build kind c-debian-source (real engine, wasi-c image)', (docker) => {
  let outDir = '';

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'wasmhub-lua-build-'));
  });

  it('builds lua 5.4 from the lua5.4 orig tarball, patched, into a module that runs `lua -e`', async () => {
    const [record] = await buildRuntime(docker, { lang: 'lua', ver: '5.4', outDir, log: quiet });
    expect(record).toMatchObject({ language: 'lua', version: '5.4', toolchain: expect.stringMatching(/^clang 19\./) });
    expect(record?.features).toContain('exception-handling');
    const run = await runWasi(join(outDir, 'lua-5.4.wasm'), ['-e', 'print(_VERSION, pcall(error, "x"))'], {
      argv0: 'lua',
    });
    expect(run).toEqual({ stdout: 'Lua 5.4\tfalse\tx\n', stderr: '', exitCode: 0 });
  });

  it('fails a tarball whose SHA-256 differs from the pin, naming package, expected and actual hash; nothing in build/', async () => {
    const wrong = '0'.repeat(64);
    const root = await luaWorkspace((config) => {
      const v = config.versions.find((x) => x.label === '5.3') as { debianSource: { sha256: string } };
      v.debianSource.sha256 = wrong;
    });
    const error = await failure(buildRuntime(docker, { lang: 'lua', ver: '5.3', root, log: quiet }));
    expect(error.code).toBe('ERR_SOURCE_INTEGRITY');
    expect(error.message).toBe(
      `lua@5.3: Debian source package lua5.3: lua5.3_5.3.6.orig.tar.gz has SHA-256 fc5fd69bb8736323f026672b1b7235da613d7177e72558893a0bdcd320466d60, expected ${wrong} (the pin in runtimes/lua/runtime.json)`,
    );
    expect(await leftovers(root)).toEqual([]);
  });

  it('fails a patch that no longer applies, naming the patch file; nothing in build/', async () => {
    const root = await luaWorkspace(() => {});
    await writeFile(
      join(root, 'runtimes/lua/patches/5.2/0002-stale.patch'),
      '--- a/src/lua.c\n+++ b/src/lua.c\n@@ -1,3 +1,3 @@\n-this line is not in lua.c\n+nor is this one\n context\n context\n',
    );
    const error = await failure(buildRuntime(docker, { lang: 'lua', ver: '5.2', root, log: quiet }));
    expect(error.code).toBe('ERR_PATCH_FAILED');
    expect(error.message).toBe(
      'lua@5.2: patch runtimes/lua/patches/5.2/0002-stale.patch does not apply to lua5.2_5.2.4.orig.tar.gz',
    );
    expect(await leftovers(root)).toEqual([]);
  });

  it('fails a tarball the builder image does not hold, naming it', async () => {
    const root = await luaWorkspace((config) => {
      const v = config.versions.find((x) => x.label === '5.1') as { debianSource: { tarball: string } };
      v.debianSource.tarball = 'lua5.1_5.1.6.orig.tar.gz';
    });
    const error = await failure(buildRuntime(docker, { lang: 'lua', ver: '5.1', root, log: quiet }));
    expect(error.code).toBe('ERR_SOURCE_MISSING');
    expect(error.message).toMatch(
      /^lua@5\.1: Debian source package lua5\.1: lua5\.1_5\.1\.6\.orig\.tar\.gz is not in the builder image \(in \/opt\/wasmhub\/sources: .*lua5\.1_5\.1\.5\.orig\.tar\.gz/,
    );
    expect(await leftovers(root)).toEqual([]);
  });
});
