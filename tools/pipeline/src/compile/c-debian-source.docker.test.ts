// Build kind c-debian-source against the real engine and the real wasi-c builder image: a Lua
// version builds from its Debian tarball, and the kinds of bad input (a tarball that differs
// from its pin, a patch that no longer applies, an extra source that differs from its pin, a
// companion the build did not write) fail naming what is wrong, leaving nothing in build/.
// Extra sources and companions use a tiny made-up runtime ("demo"), not a real interpreter build.
import { createHash } from 'node:crypto';
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

const LUA53 = {
  package: 'lua5.3',
  tarball: 'lua5.3_5.3.6.orig.tar.gz',
  sha256: 'fc5fd69bb8736323f026672b1b7235da613d7177e72558893a0bdcd320466d60',
};
const LUA54 = {
  package: 'lua5.4',
  tarball: 'lua5.4_5.4.7.orig.tar.gz',
  sha256: '9fbf5e28ef86c69858f6d3d34eccc32e911c1a28b4120ff3e84aaa70cfbf1e30',
};

/**
 * A workspace with a made-up runtime "demo" 1.0 built from lua5.4 with lua5.3 as an extra source: its
 * build script checks the extra tree is there, compiles a one-line C program and writes lua5.3's lua.h
 * as its companion file. `edit` changes the version entry of runtime.json.
 */
async function demoWorkspace(edit: (version: Record<string, unknown>) => void = () => {}): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wasmhub-c-extra-'));
  await mkdir(join(root, 'docker'));
  await mkdir(join(root, 'runtimes/demo'), { recursive: true });
  await cp(join(workspaceRoot, 'runtimes/runtime.schema.json'), join(root, 'runtimes/runtime.schema.json'));
  await cp(join(workspaceRoot, 'docker/wasi-c.Dockerfile'), join(root, 'docker/wasi-c.Dockerfile'));
  const version: Record<string, unknown> = {
    label: '1.0',
    builder: 'wasi-c',
    toolchain: '/usr/bin/clang-19',
    debianSource: { ...LUA54 },
    extraSources: [{ ...LUA53 }],
    companions: [{ file: 'demo-1.0-lua.h', guestPath: '/usr/local/include/lua.h' }],
    guestEnv: { DEMOHOME: '/usr/local' },
  };
  edit(version);
  const config = {
    language: 'demo',
    kind: 'c-debian-source',
    source: 'https://www.lua.org/',
    license: 'MIT',
    versions: [version],
  };
  await writeFile(join(root, 'runtimes/demo/runtime.json'), JSON.stringify(config, null, 2));
  await writeFile(
    join(root, 'runtimes/demo/build.sh'),
    [
      'set -eu',
      'grep -q \'LUA_VERSION_MINOR\t"4"\' src/lua.h',
      'grep -q \'LUA_VERSION_MINOR\t"3"\' "$WASMHUB_EXTRA_DIR/lua5.3/src/lua.h"',
      "printf 'int main(void) { return 0; }\\n' > /tmp/main.c",
      '$CC $CFLAGS /tmp/main.c -o "$WASMHUB_OUTPUT_PATH" $LDFLAGS $LIBS',
      'cp "$WASMHUB_EXTRA_DIR/lua5.3/src/lua.h" "$WASMHUB_OUT/demo-1.0-lua.h"',
      '',
    ].join('\n'),
  );
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

  it('extracts extra sources to $WASMHUB_EXTRA_DIR/<package> and records the companion files the build wrote', async () => {
    const root = await demoWorkspace();
    const [record] = await buildRuntime(docker, { lang: 'demo', root, log: quiet });
    const companion = await readFile(join(root, 'build/demo/companions/demo-1.0-lua.h'));
    expect(companion.toString()).toContain('LUA_VERSION_MINOR\t"3"');
    expect(record?.companions).toEqual([
      {
        file: 'demo-1.0-lua.h',
        size: companion.length,
        sha256: createHash('sha256').update(companion).digest('hex'),
        guestPath: '/usr/local/include/lua.h',
      },
    ]);
    expect(record?.guestEnv).toEqual({ DEMOHOME: '/usr/local' });
    expect(JSON.parse(await readFile(join(root, 'build/demo/demo-1.0.build.json'), 'utf8'))).toEqual(record);
    expect((await leftovers(root)).map((f) => f.slice(root.length + 1)).sort()).toEqual([
      'build/demo/companions/demo-1.0-lua.h',
      'build/demo/demo-1.0.build.json',
      'build/demo/demo-1.0.wasm',
    ]);
  });

  it('fails an extra source whose SHA-256 differs from its pin, naming package, tarball, both hashes and runtime.json; nothing in build/', async () => {
    const wrong = 'f'.repeat(64);
    const root = await demoWorkspace((version) => {
      version.extraSources = [{ ...LUA53, sha256: wrong }];
    });
    const error = await failure(buildRuntime(docker, { lang: 'demo', root, log: quiet }));
    expect(error.code).toBe('ERR_SOURCE_INTEGRITY');
    expect(error.message).toBe(
      `demo@1.0: Debian source package lua5.3: lua5.3_5.3.6.orig.tar.gz has SHA-256 ${LUA53.sha256}, expected ${wrong} (the extraSources pin in runtimes/demo/runtime.json)`,
    );
    expect(await leftovers(root)).toEqual([]);
  });

  it('fails a companion the build did not write, naming it and runtime.json; nothing in build/', async () => {
    const root = await demoWorkspace((version) => {
      version.companions = [
        { file: 'demo-1.0-lua.h', guestPath: '/usr/local/include/lua.h' },
        { file: 'demo-1.0-stdlib.zip', guestPath: '/usr/local/lib/demo.zip' },
      ];
    });
    const error = await failure(buildRuntime(docker, { lang: 'demo', root, log: quiet }));
    expect(error.code).toBe('ERR_BUILD_FAILED');
    expect(error.message).toBe(
      'demo@1.0: the build did not write companion demo-1.0-stdlib.zip (declared in runtimes/demo/runtime.json; a build script writes it to $WASMHUB_OUT/demo-1.0-stdlib.zip)',
    );
    expect(await leftovers(root)).toEqual([]);
  });
});
