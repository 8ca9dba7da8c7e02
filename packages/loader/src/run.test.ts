// `wasmhub run` and loader.run/instantiate/wasiOptions on a real WASI module (testing/wasi-probe.ts,
// assembled by binaryen), through real child processes and real pipes. The Go and Rust contract
// programs are run by run.docker.test.ts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLoaderError } from './errors.ts';
import { RuntimeLoader } from './loader.ts';
import { wasiOptions } from './run.ts';
import { makeFixture, writeFixture } from './testing/fixture.ts';
import { wasmhubBin as bin, type CliResult, runCli } from './testing/run-cli.ts';
import { startServer, type TestServer } from './testing/server.ts';
import { probeWasm } from './testing/wasi-probe.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

let root: string;
let release: string;
let cache: string;

function wasmhub(
  args: string[],
  options: { env?: Record<string, string>; stdin?: Buffer; closeStdoutAfter?: number } = {},
): Promise<CliResult> {
  return runCli(args, {
    ...options,
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: root, WASMHUB_CACHE_DIR: cache, ...options.env },
  });
}

const probe = (...args: string[]) => ['run', 'probe', '--source', release, '--quiet', ...args];
/** A NUL-separated buffer as the probe prints argv or environ. */
const nul = (...items: string[]) => Buffer.from(items.map((i) => `${i}\0`).join(''));

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wasmhub-run-'));
  release = join(root, 'release');
  cache = join(root, 'cache');
  await writeFixture(makeFixture({ language: 'probe', version: '1.0', wasm: probeWasm() }), release);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('wasmhub run (child processes, real pipes)', { timeout: 120_000 }, () => {
  it('passes the arguments verbatim with argv[0] = the runtime name; the guest exit status is the process status', async () => {
    const args = await wasmhub(probe('--', 'a', 'two words', '--json', '-x', 'ü'));
    expect(args.stderr).toBe('');
    expect(args.code).toBe(0);
    expect(args.stdout).toEqual(nul('probe', 'a', 'two words', '--json', '-x', 'ü'));
    // Without --, the first argument that is not a wasmhub option starts the guest's.
    expect((await wasmhub(probe('a', '--quiet'))).stdout).toEqual(nul('probe', 'a', '--quiet'));
    expect((await wasmhub(probe('--', 'x'))).code).toBe(42);
    expect((await wasmhub(['run', 'probe@1.0', '--source', release, '--', 'other'])).code).toBe(9);
  });

  it('a trap is one line on stderr and exit status 134', async () => {
    const result = await wasmhub(probe('--', 't'));
    expect(result.code).toBe(134);
    expect(result.stderr).toBe('wasmhub: ERR_TRAP: probe@1.0 trapped: unreachable\n');
    const json = await wasmhub(probe('--json', '--', 't'));
    expect(json.code).toBe(134);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'ERR_TRAP', language: 'probe' } });
  });

  it('copies stdin to stdout byte for byte (8 MiB of random bytes through pipes), stderr untouched', async () => {
    const input = randomBytes(8 * 1024 * 1024);
    const result = await wasmhub(probe('--', 'c'), { stdin: input });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.equals(input)).toBe(true);
  });

  it('a closed stdout pipe ends the guest (EPIPE) instead of hanging or crashing wasmhub', async () => {
    const result = await wasmhub(probe('--', 'c'), { stdin: randomBytes(8 * 1024 * 1024), closeStdoutAfter: 1 });
    expect(result.signal).toBeNull();
    expect(result.code).toBe(3); // the probe's own status for a failed write
    expect(result.stderr).not.toMatch(/unexpected|Error/);
  });

  it('sandbox: no host environment and no host folder unless given with --env, --env-inherit, --dir', async () => {
    const env = { SECRET_OF_HOST: 'x1' };
    expect((await wasmhub(probe('--', 'e'), { env })).stdout).toEqual(Buffer.alloc(0));
    expect((await wasmhub(probe('--', 'p'), { env })).stdout).toEqual(Buffer.from([8])); // EBADF: no preopen
    expect((await wasmhub(probe('--env', 'A=1=2', '--env', 'SECRET_OF_HOST', '--', 'e'), { env })).stdout).toEqual(
      nul('A=1=2', 'SECRET_OF_HOST=x1'),
    );
    const inherited = (await wasmhub(probe('--env-inherit', '--', 'e'), { env })).stdout.toString();
    expect(inherited.split('\0')).toContain('SECRET_OF_HOST=x1');
    expect((await wasmhub(probe('--dir', `${root}:/data`, '--', 'p'))).stdout).toEqual(Buffer.from([0]));
    const misplaced = await wasmhub(['get', 'probe', '--dir', root, '--source', release]);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/--dir is an option of 'wasmhub run' only/);
  });
});

describe('loader.run / instantiate / wasiOptions (API)', { timeout: 60_000 }, () => {
  it('run resolves to the exit status, with stdio on given file descriptors; a trap rejects with ERR_TRAP', async () => {
    const loader = new RuntimeLoader({ sources: [release], cacheDir: cache });
    const input = randomBytes(300_000);
    await writeFile(join(root, 'in.bin'), input);
    const stdin = openSync(join(root, 'in.bin'), 'r');
    const stdout = openSync(join(root, 'out.bin'), 'w');
    try {
      expect(await loader.run('probe', '1.0', { args: ['c'], stdin, stdout })).toBe(0);
    } finally {
      closeSync(stdin);
      closeSync(stdout);
    }
    expect((await readFile(join(root, 'out.bin'))).equals(input)).toBe(true);
    expect(await loader.run('probe', '1.0', { args: ['x'] })).toBe(42);
    const trapped = await loader.run('probe', '1.0', { args: ['t'] }).catch((e: unknown) => e);
    expect(isLoaderError(trapped, 'ERR_TRAP')).toBe(true);
  });

  it('compiles a module once per loader and instantiates it afresh for each run', async () => {
    const loader = new RuntimeLoader({ sources: [release], cacheDir: cache });
    const first = await loader.compile('probe', '1.0');
    expect(await loader.compile('probe', '1.0')).toBe(first);
    const a = await loader.instantiate('probe', '1.0', { args: ['x'] });
    const b = await loader.instantiate('probe', '1.0', { args: ['x'] });
    expect(a.module).toBe(first);
    expect(a.instance).not.toBe(b.instance);
    expect(a.start()).toBe(42);
    expect(() => a.start()).toThrow(/starts once/);
  });

  it('a fresh loader runs a cached module from the bytes it verified; an altered cached module is fetched again first', async () => {
    const cacheDir = join(root, 'cache-reread');
    const { path } = await new RuntimeLoader({ sources: [release], cacheDir }).getRuntime('probe', '1.0');
    const offline = new RuntimeLoader({ sources: [release], cacheDir, offline: true });
    expect(await offline.run('probe', '1.0', { args: ['x'] })).toBe(42);
    const altered = Buffer.from(await readFile(path));
    altered[altered.length - 1] = (altered.at(-1) ?? 0) ^ 0xff; // same size, other bytes
    await writeFile(path, altered);
    const error = await new RuntimeLoader({ sources: [release], cacheDir, offline: true })
      .run('probe', '1.0', { args: ['x'] })
      .catch((e: unknown) => e);
    expect(isLoaderError(error, 'ERR_INTEGRITY')).toBe(true);
    expect(await new RuntimeLoader({ sources: [release], cacheDir }).run('probe', '1.0', { args: ['x'] })).toBe(42);
    expect((await readFile(path)).equals(probeWasm())).toBe(true);
  });

  it("wasiOptions: argv[0] is the language; the runtime's companions and guest env are mounted, the caller's win", async () => {
    const runtime = {
      language: 'python',
      version: '3.13',
      path: '/c/python.wasm',
      size: 1,
      sha256: 'a'.repeat(64),
      preopens: { '/usr/local/lib': '/c/root/usr/local/lib' },
      env: { PYTHONHOME: '/usr/local' },
    };
    expect(wasiOptions(runtime, { args: ['-c', 'print(1)'], env: { A: '1' }, preopens: { '/w': '/tmp/w' } })).toEqual({
      version: 'preview1',
      args: ['python', '-c', 'print(1)'],
      env: { PYTHONHOME: '/usr/local', A: '1' },
      preopens: { '/usr/local/lib': '/c/root/usr/local/lib', '/w': '/tmp/w' },
      stdin: 0,
      stdout: 1,
      stderr: 2,
      returnOnExit: true,
    });
    expect(wasiOptions(runtime, { env: { PYTHONHOME: '/opt' } }).env).toEqual({ PYTHONHOME: '/opt' });
    expect(() => wasiOptions(runtime, { envs: {} } as never)).toThrow(/unknown option "envs"/);
    expect(() => wasiOptions(runtime, { env: { 'A=B': '1' } })).toThrow(/invalid environment entry/);
    const loader = new RuntimeLoader({ sources: [release], cacheDir: cache });
    const { wasi, module } = await loader.wasiOptions('probe', '1.0', { args: ['a'] });
    expect(wasi.args).toEqual(['probe', 'a']);
    expect(module).toBe(await loader.compile('probe', '1.0'));
  });
});

describe('CLI conventions', { timeout: 120_000 }, () => {
  it('--version, and --help of every command on stdout with exit 0', async () => {
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    const version = await wasmhub(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.toString()).toBe(`wasmhub ${pkg.version}\n`);
    for (const command of ['get', 'run', 'list', 'info', 'cache']) {
      for (const args of [
        [command, '--help'],
        ['help', command],
      ]) {
        const help = await wasmhub(args);
        expect(help.code, args.join(' ')).toBe(0);
        expect(help.stdout.toString()).toMatch(new RegExp(`^usage: wasmhub ${command}`));
        expect(help.stderr).toBe('');
      }
    }
    const top = await wasmhub(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout.toString()).toMatch(/^usage: wasmhub <command>/);
  });

  it('an unknown language names the available ones; --json reports errors as one JSON line', async () => {
    const unknown = await wasmhub(['get', 'cobol', '--source', release, '--quiet']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/ERR_NOT_FOUND: .*no cobol runtime \(available: probe\)/);
    const json = await wasmhub(['get', 'cobol', '--source', release, '--json']);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stderr.trimEnd().split('\n').at(-1) as string) as {
      error: { code: string; message: string; failures: unknown[] };
    };
    expect(parsed.error.code).toBe('ERR_NOT_FOUND');
    expect(parsed.error.failures).toHaveLength(1);
    const usage = await wasmhub(['get', '--bogus', '--json']);
    expect(usage.code).toBe(2);
    expect(JSON.parse(usage.stderr)).toMatchObject({ error: { code: 'ERR_USAGE' } });
  });

  it('cache clean removes stale partial downloads and keeps those of live processes', async () => {
    const dir = await mkdtemp(join(root, 'clean-'));
    const tmp = join(dir, '.tmp');
    await mkdir(tmp, { recursive: true });
    const gone = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ['-e', '0']);
      child.on('close', () => resolve(child.pid as number));
    });
    const dead = `go-1.24.${gone}.0123456789ab.part`;
    const live = `go-1.24.${process.pid}.0123456789ab.part`;
    const old = `rust-1.85.${process.pid}.ba9876543210.part`;
    for (const name of [dead, live, old]) await writeFile(join(tmp, name), 'partial');
    await utimes(join(tmp, old), new Date(0), new Date(0));
    const result = await wasmhub(['cache', 'clean', 'go', '--cache-dir', dir]);
    expect(result.code).toBe(0);
    expect(await readdir(tmp)).toEqual([live]);
  });

  it('Ctrl-C during a download removes its temp file and exits 130', async () => {
    const fixture = makeFixture({ language: 'slow', padding: 2 * 1024 * 1024, variants: false });
    const server: TestServer = await startServer(fixture.files);
    const dir = await mkdtemp(join(root, 'sigint-'));
    try {
      server.fault('slow-1.0.wasm', { kind: 'stall' });
      const child = spawn(process.execPath, [bin, 'get', 'slow', '--source', server.url, '--cache-dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
      // Wait until the download has started writing its temp file.
      for (;;) {
        const names = await readdir(join(dir, '.tmp')).catch(() => [] as string[]);
        if (names.some((n) => n.endsWith('.part')) && stderr.includes('downloading')) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      child.kill('SIGINT');
      expect(await closed).toBe(130);
      expect((await readdir(join(dir, '.tmp'))).filter((n) => n.endsWith('.part'))).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
