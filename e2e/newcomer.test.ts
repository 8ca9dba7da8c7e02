// End to end, as a newcomer: on a clean clone, the README's main command stages a complete release,
// and the loader fetches every runtime from it — from the folder, and over loopback HTTP behind a
// first source that only answers 503. Slow (it builds every runtime version): runs in the docker project.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { RuntimeLoader } from '../packages/loader/src/index.ts';
import { metadataRecordPath } from '../tools/pipeline/src/paths.ts';
import { listRuntimes, loadRuntimeConfig } from '../tools/pipeline/src/runtime/config.ts';
import { requireDocker } from '../tools/pipeline/src/testing/require-docker.ts';
import {
  extractPythonTests,
  formatModuleResult,
  modulePassed,
  PYTHON_TEST_MODULES,
  runPythonUpstream,
} from '../tools/pipeline/src/verify/python-upstream.ts';
import { runWasi } from '../tools/pipeline/src/verify/run-wasi.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '..');
const docker = await requireDocker();

interface Global {
  languages: Record<
    string,
    { latest: string; versions: string[]; files?: Record<string, { file: string; sha256: string; size: number }> }
  >;
}

let work: string;
let clone: string;
let releaseDir: string;
const servers: Server[] = [];

/** Runs a command to completion, streaming its output with a prefix; resolves with its exit code and output. */
function runStreaming(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      process.stdout.write(chunk.toString().replace(/^(?=.)/gm, '[e2e] '));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? 1, output }));
  });
}

function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  return new Promise((resolvePromise) =>
    server.listen(0, '127.0.0.1', () => resolvePromise(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

// Nx 24 shares its cache between clones of one repository (~/.nx/<id>/cache, keyed by the remote or
// the first commit), so on a machine that has built before, a clean clone would restore every task.
// A newcomer has no cache: the clone gets its own, empty one.
const cleanEnv = (): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NX_DAEMON: 'false',
    NX_NO_CLOUD: 'true',
    FORCE_COLOR: '0',
    NX_CACHE_DIRECTORY: join(work, 'nx-cache'),
  };
  for (const key of [
    'GITHUB_TOKEN',
    'GITHUB_REPOSITORY',
    'GITHUB_API_URL',
    'VITEST',
    'VITEST_POOL_ID',
    'VITEST_WORKER_ID',
  ])
    delete env[key];
  return env;
};

beforeAll(async () => {
  if (!docker) return;
  work = await mkdtemp(join(tmpdir(), 'wasmhub-e2e-'));
  clone = join(work, 'wasmhub');
  // A clean clone of what is committed; the dependencies `npm ci` would install are shared by a link.
  await run('git', ['clone', '--quiet', '--no-hardlinks', root, clone]);
  await symlink(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir');
});

afterAll(async () => {
  for (const server of servers) server.close();
  if (work) await rm(work, { recursive: true, force: true });
});

it.skipIf(!docker)('`npx nx run-many -t release` on a clean clone stages a complete, checksummed release', async () => {
  const { code, output } = await runStreaming(
    'npx',
    ['nx', 'run-many', '-t', 'release', '--outputStyle=stream'],
    clone,
    cleanEnv(),
  );
  expect(code, output.slice(-4000)).toBe(0);
  // Cold, as on a newcomer's machine: every task ran, none was restored from a cache.
  expect(output).not.toMatch(/Nx read the output from the cache/);
  const version = JSON.parse(await readFile(join(clone, 'package.json'), 'utf8')).version as string;
  releaseDir = join(clone, 'build', 'release', `v${version}`);
  const sums = await run('sha256sum', ['--check', '--strict', 'SHA256SUMS'], { cwd: releaseDir });
  expect(sums.stdout).not.toMatch(/FAILED/);
  const global = JSON.parse(await readFile(join(releaseDir, 'manifest.json'), 'utf8')) as Global;
  // Every runtime of the checkout (runtimes/*/runtime.json) is in the release.
  expect(Object.keys(global.languages).sort()).toEqual(await listRuntimes(clone));
  expect(global.languages.go?.versions).toEqual(['1.21', '1.22', '1.23', '1.24', '1.25', '1.26', '1.27']);
  expect(global.languages.rust?.versions).toEqual(['1.85']);
  expect(global.languages.lua?.versions).toEqual(['5.1', '5.2', '5.3', '5.4']);
  expect(global.languages.python?.versions).toEqual(['3.13']);
  // Every asset named by SHA256SUMS exists; every runtime version has its three files.
  const listed = sums.stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(/: OK$/, ''));
  for (const [lang, info] of Object.entries(global.languages)) {
    for (const ver of info.versions) {
      for (const suffix of ['.wasm', '.wasm.gz', '.wasm.br']) expect(listed).toContain(`${lang}-${ver}${suffix}`);
    }
    expect(listed).toContain(`${lang}-manifest.json`);
  }
  // Python's standard library travels as a companion asset with its own compressed variants.
  for (const suffix of ['', '.gz', '.br']) expect(listed).toContain(`python-3.13-stdlib.zip${suffix}`);
  expect(listed).toContain('manifest.json');
});

/** The first ```sh block after a heading of README.md, as written there. */
async function readmeBlock(heading: string): Promise<string> {
  const readme = await readFile(join(clone, 'README.md'), 'utf8');
  const at = readme.indexOf(`\n${heading}\n`);
  expect(at, `README.md has no heading ${heading}`).toBeGreaterThanOrEqual(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at));
  expect(block, `no sh block under ${heading}`).not.toBeNull();
  return (block as RegExpExecArray)[1] as string;
}

/**
 * Runs the block under `heading` in one bash, as a reader pasting it: every line must succeed. The
 * reader has an own home and cache (`name`) and no WASMHUB_SOURCES. Resolves with the output.
 */
async function runReadmeBlock(heading: string, name: string): Promise<string> {
  const block = await readmeBlock(heading);
  const env: NodeJS.ProcessEnv = {
    ...cleanEnv(),
    HOME: join(work, `home-${name}`),
    WASMHUB_CACHE_DIR: join(work, `cache-${name}`),
  };
  delete env.WASMHUB_SOURCES;
  const { code, output } = await runStreaming('bash', ['-euo', 'pipefail', '-c', block], clone, env);
  expect(code, output.slice(-4000)).toBe(0);
  return output;
}

it.skipIf(!docker)("the README's consumer commands work verbatim after the main command", async () => {
  expect(releaseDir, 'the release test must pass first').toBeDefined();
  const output = await runReadmeBlock('## Consuming a runtime', 'readme');
  expect(output).toContain('hello from wasi\n');
  expect(output).toMatch(/^- +\d+ README\.md$/m); // `ls /work` lists the checkout through --dir
  expect(output).toMatch(/^go\tlatest 1\.27\t/m);
  expect(output).toMatch(/^ok\trust@1\.85$/m);
  expect(output).toMatch(/^cleaned rust in /m);
});

it.skipIf(!docker)('`nx run-many -t metadata` again is fully cached and byte-identical', async () => {
  expect(releaseDir, 'the release test must pass first').toBeDefined();
  const langs = await listRuntimes(clone);
  // The metadata stage's outputs: one record per declared version (the release wrote into none of them).
  const records: string[] = [];
  for (const lang of langs) {
    for (const { label } of (await loadRuntimeConfig(lang, clone)).versions) {
      records.push(metadataRecordPath(lang, label, clone));
    }
  }
  const recordBytes = async () => Promise.all(records.map((path) => readFile(path)));
  const metadata = () =>
    runStreaming('npx', ['nx', 'run-many', '-t', 'metadata', '--outputStyle=stream'], clone, cleanEnv());
  // Every runtime x (build, optimize, verify, metadata), plus the compiled pipeline they run (@wasmhub/pipeline:build
  // and what it depends on), every one of them replayed from the local cache.
  const tasks = langs.length * 4;
  const allCached = /Nx read the output from the cache instead of running the command for (\d+) out of \1 tasks/;
  const first = await metadata();
  expect(first.code, first.output.slice(-4000)).toBe(0);
  expect(first.output).toMatch(allCached);
  expect(Number(allCached.exec(first.output)?.[1])).toBeGreaterThanOrEqual(tasks);
  const once = await recordBytes();
  const second = await metadata();
  expect(second.code, second.output.slice(-4000)).toBe(0);
  expect(second.output).toMatch(allCached);
  expect(await recordBytes()).toEqual(once);
});

it.skipIf(!docker)('`wasmhub get` fetches go and rust@1.85 from the release folder, and both run', async () => {
  expect(releaseDir, 'the release test must pass first').toBeDefined();
  const cacheDir = join(work, 'cache-cli');
  const cli = join(clone, 'packages', 'loader', 'src', 'cli.ts');
  for (const spec of ['go', 'rust@1.85']) {
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', cli, 'get', spec, '--source', releaseDir, '--cache-dir', cacheDir],
      { cwd: clone, env: cleanEnv() },
    );
    const path = stdout.trim().split('\n').at(-1) as string;
    expect(path.startsWith(cacheDir)).toBe(true);
    const echo = await runWasi(path, ['echo', 'hello', 'from', spec]);
    expect(echo).toEqual({ stdout: `hello from ${spec}\n`, stderr: '', exitCode: 0 });
    const evaluated = await runWasi(path, ['eval', '(1 + 2) * -3 + 10 % 4']);
    expect(evaluated).toEqual({ stdout: '-7\n', stderr: '', exitCode: 0 });
  }
});

it.skipIf(!docker)(
  "`wasmhub get lua@5.4` from the release folder returns a module that runs `lua -e 'print(_VERSION)'`; `wasmhub run lua@5.4 -- -e 'print(1)'` runs it",
  async () => {
    expect(releaseDir, 'the release test must pass first').toBeDefined();
    const cli = join(clone, 'packages', 'loader', 'src', 'cli.ts');
    const cacheDir = join(work, 'cache-lua');
    const wasmhub = ['--import', 'tsx', cli];
    const { stdout } = await run(
      process.execPath,
      [...wasmhub, 'get', 'lua@5.4', '--source', releaseDir, '--cache-dir', cacheDir],
      { cwd: clone, env: cleanEnv() },
    );
    const path = stdout.trim().split('\n').at(-1) as string;
    const lua = await runWasi(path, ['-e', 'print(_VERSION)'], { argv0: 'lua' });
    expect(lua).toEqual({ stdout: 'Lua 5.4\n', stderr: '', exitCode: 0 });

    // The same module through `wasmhub run` (the pipeline's real lua build, not a test program).
    const own = ['--source', releaseDir, '--cache-dir', cacheDir, '--quiet'];
    const printed = await run(process.execPath, [...wasmhub, 'run', 'lua@5.4', ...own, '--', '-e', 'print(1)'], {
      cwd: clone,
      env: cleanEnv(),
    });
    expect({ stdout: printed.stdout, stderr: printed.stderr }).toEqual({ stdout: '1\n', stderr: '' });
    // The guest's exit status is wasmhub's; its error goes to stderr.
    const failed = await run(process.execPath, [...wasmhub, 'run', 'lua@5.4', ...own, '--', '-e', 'error("boom")'], {
      cwd: clone,
      env: cleanEnv(),
    }).catch((e: { code: number; stdout: string; stderr: string }) => e);
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect(failed.stderr).toMatch(/boom/);
  },
);

it.skipIf(!docker)(
  'over loopback HTTP, with the first source answering only 503, the loader gets every runtime',
  async () => {
    expect(releaseDir, 'the release test must pass first').toBeDefined();
    let failing = 0;
    const badSource = await listen((_req, res) => {
      failing += 1;
      res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
    });
    const served: string[] = [];
    const goodSource = await listen(async (req, res) => {
      const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
      served.push(name);
      try {
        const body = await readFile(join(releaseDir, name.replace(/[/\\]/g, '')));
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    const loader = new RuntimeLoader({
      sources: [badSource, goodSource],
      cacheDir: join(work, 'cache-http'),
      retryBaseDelayMs: 5,
      retryMaxDelayMs: 20,
    });
    const global = JSON.parse(await readFile(join(releaseDir, 'manifest.json'), 'utf8')) as Global;
    for (const [lang, info] of Object.entries(global.languages)) {
      for (const ver of info.versions) {
        const runtime = await loader.getRuntime(lang, ver);
        const bytes = await readFile(runtime.path);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(info.files?.[ver]?.sha256);
        if (lang === 'go' || lang === 'rust') {
          const echo = await runWasi(runtime.path, ['echo', lang, ver]);
          expect(echo.stdout).toBe(`${lang} ${ver}\n`);
        } else if (lang === 'lua') {
          const lua = await runWasi(runtime.path, ['-e', 'print(_VERSION)'], { argv0: 'lua' });
          expect(lua.stdout).toBe(`Lua ${ver}\n`);
        }
      }
    }
    expect(failing).toBeGreaterThan(0);
    // The compressed variant was preferred: no raw .wasm needed to cross the wire.
    const versions = Object.values(global.languages).reduce((n, info) => n + info.versions.length, 0);
    expect(served.filter((name) => name.endsWith('.wasm.br')).length).toBe(versions);
  },
);

it.skipIf(!docker)(
  'through the loader API alone, python@3.13 from a loopback source into an empty cache runs a json one-liner',
  async () => {
    expect(releaseDir, 'the release test must pass first').toBeDefined();
    // Nothing here knows Python's layout: the loader brings the interpreter's files and environment.
    const source = await listen(async (req, res) => {
      const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
      try {
        const body = await readFile(join(releaseDir, name.replace(/[/\\]/g, '')));
        res.writeHead(200, { 'content-length': body.length }).end(body);
      } catch {
        res.writeHead(404).end();
      }
    });
    const loader = new RuntimeLoader({ sources: [source], cacheDir: join(work, 'cache-python') });
    const stdoutPath = join(work, 'python-stdout.txt');
    const stdout = openSync(stdoutPath, 'w');
    let exitCode: number;
    try {
      exitCode = await loader.run('python', '3.13', {
        args: ['-c', 'print(__import__("json").dumps({"ok": True}))'],
        stdout,
      });
    } finally {
      closeSync(stdout);
    }
    expect({ exitCode, stdout: await readFile(stdoutPath, 'utf8') }).toEqual({ exitCode: 0, stdout: '{"ok": true}\n' });
  },
);

it.skipIf(!docker)("the README's Python command works verbatim after the main command", async () => {
  expect(releaseDir, 'the release test must pass first').toBeDefined();
  const output = await runReadmeBlock('## Python (CPython 3.13 for wasm32-wasip1)', 'readme-python');
  expect(output).toMatch(/^1$/m);
});

it.skipIf(!docker)(
  "CPython's own test modules pass on the released python-3.13.wasm with the released stdlib zip",
  async () => {
    expect(releaseDir, 'the release test must pass first').toBeDefined();
    const python = await loadRuntimeConfig('python', clone);
    const source = python.versions.find((v) => v.label === '3.13')?.debianSource;
    expect(source, 'runtimes/python/runtime.json declares 3.13 with its debianSource').toBeDefined();
    const testsDir = await extractPythonTests(docker as NonNullable<typeof docker>, {
      source: source as NonNullable<typeof source>,
      parent: work,
    });
    const started = Date.now();
    const results = await runPythonUpstream({
      wasm: join(releaseDir, 'python-3.13.wasm'),
      stdlibZip: join(releaseDir, 'python-3.13-stdlib.zip'),
      testsDir,
      version: '3.13',
      log: (line) => process.stdout.write(`[e2e] ${line}\n`),
    });
    process.stdout.write(`[e2e] CPython test modules: ${Math.round((Date.now() - started) / 1000)} s\n`);
    expect(results.map((r) => r.module)).toEqual(PYTHON_TEST_MODULES.map((m) => m.name));
    for (const r of results) expect(modulePassed(r), `${formatModuleResult(r)}\n${r.tail.join('\n')}`).toBe(true);
  },
);
