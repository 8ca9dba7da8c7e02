// The adversarial suite, CLI part (issue #17): the `wasmhub` CLI as a real child process against loopback
// servers, and against real local failures (a full and a read-only file system: a tmpfs mounted in a private
// mount namespace with `unshare`). Every child is killed after CHILD_LIMIT_MS if it has not exited by itself.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { makeFixture, makeWasm, sha256 } from './testing/fixture.ts';
import { useHarness } from './testing/harness.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const cliSource = fileURLToPath(new URL('./cli.ts', import.meta.url));
const CHILD_LIMIT_MS = 40_000;

const { tempDir, serve } = useHarness();

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The child did not exit by itself within CHILD_LIMIT_MS and was killed. */
  killed: boolean;
}

function run(command: string[], env: Record<string, string> = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] as string, command.slice(1), {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, CHILD_LIMIT_MS);
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

const cli = (args: string[]) => [process.execPath, '--import', 'tsx', cliSource, ...args];

/**
 * Run the CLI with a fresh tmpfs of `sizeKiB` mounted at `mount` (read-only when asked), in a private mount
 * namespace, then list what is left in `<mount>/.tmp` (on stderr, `LEFT:`) before the tmpfs disappears.
 */
function inTmpfs(mount: string, sizeKiB: number, readOnly: boolean, args: string[]): Promise<Result> {
  const script = [
    `mount -t tmpfs -o size=${sizeKiB}k${readOnly ? ',ro' : ''} tmpfs "$0" || exit 97`,
    '"$@"',
    'code=$?',
    'echo "LEFT:$(ls -A "$0/.tmp" 2>/dev/null | tr "\\n" " ")" >&2',
    'exit $code',
  ].join('; ');
  return run(['unshare', '--map-root-user', '--mount', 'sh', '-c', script, mount, ...cli(args)]);
}

function unshareWorks(): boolean {
  const probe = spawnSync('unshare', ['--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs tmpfs /mnt'], {
    stdio: 'ignore',
  });
  return probe.status === 0;
}

const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('wasmhub:'));

describe('adversarial: the CLI', { timeout: 120_000 }, () => {
  it('item 3: the CLI exits by itself after printing the path although a 404 body never ends', async () => {
    const fixture = makeFixture();
    const dripping = await serve(new Map([['manifest.json', fixture.files.get('manifest.json') as Buffer]]));
    for (const name of ['demo-1.0.wasm.br', 'demo-1.0.wasm.gz', 'demo-1.0.wasm'])
      dripping.fault(name, { kind: 'drip', status: 404, everyMs: 50, bytes: 1024 });
    const good = await serve(fixture.files);
    const cacheDir = await tempDir();
    const result = await run(
      cli(['get', 'demo@1.0', '--source', dripping.url, '--source', good.url, '--cache-dir', cacheDir]),
    );
    expect(result.killed).toBe(false);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(join(cacheDir, 'demo', '1.0', 'demo-1.0.wasm'));
  });

  it('item 5: ENOSPC (a full tmpfs) is one ERR_CACHE line naming the path, downloaded once, no temp file left', async () => {
    expect(unshareWorks(), 'needs `unshare --map-root-user --mount` (util-linux) to mount a small tmpfs').toBe(true);
    const fixture = makeFixture({ padding: 512 * 1024 });
    const server = await serve(fixture.files);
    const mount = join(await tempDir(), 'full');
    await mkdir(mount);
    const result = await inTmpfs(mount, 128, false, ['get', 'demo@1.0', '--source', server.url, '--cache-dir', mount]);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(1);
    const lines = errorLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^wasmhub: ERR_CACHE: cache: no space left on the device holding .*full.* \(ENOSPC\)$/);
    expect(result.stderr).not.toMatch(/unexpected error| {4}at /);
    expect(server.count('demo-1.0.wasm.br') + server.count('demo-1.0.wasm.gz') + server.count('demo-1.0.wasm')).toBe(1);
    expect(result.stderr).toMatch(/^LEFT:\s*$/m);
  });

  it('item 5: a read-only file system is one ERR_CACHE line naming the path, nothing fetched twice', async () => {
    expect(unshareWorks(), 'needs `unshare --map-root-user --mount` (util-linux) to mount a small tmpfs').toBe(true);
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const mount = join(await tempDir(), 'ro');
    await mkdir(mount);
    const cacheDir = join(mount, 'cache');
    const result = await inTmpfs(mount, 64, true, ['get', 'demo@1.0', '--source', server.url, '--cache-dir', cacheDir]);
    expect(result.killed).toBe(false);
    expect(result.code).toBe(1);
    const lines = errorLines(result.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^wasmhub: ERR_CACHE: cache: \S*\/ro is on a read-only file system.*--cache-dir.*\(EROFS\)$/,
    );
    expect(server.count('demo-1.0.wasm.br')).toBeLessThanOrEqual(1);
  });

  it('item 5: a cache folder below a regular file is one ERR_CACHE line, no stack', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const root = await tempDir();
    await writeFile(join(root, 'file'), 'x');
    const result = await run(cli(['get', 'demo@1.0', '--source', server.url, '--cache-dir', join(root, 'file', 'c')]));
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/^wasmhub: ERR_CACHE: .*file.*--cache-dir/)]);
    expect(result.stderr).not.toMatch(/unexpected error| {4}at /);
  });

  it('item 6: --deadline bounds a call whose body stalls below the stall timeout', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    server.fault('manifest.json', { kind: 'drip', everyMs: 1000, bytes: 1 }, 100);
    const cacheDir = await tempDir();
    const result = await run(
      cli(['get', 'demo@1.0', '--source', server.url, '--cache-dir', cacheDir, '--deadline', '2']),
    );
    expect(result.killed).toBe(false);
    expect(result.code).toBe(1);
    expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/^wasmhub: ERR_DEADLINE: .*2000 ms/)]);
  });

  it('item 6: --deadline rejects a value that is not seconds', async () => {
    const result = await run(cli(['get', 'demo', '--deadline', 'soon']));
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/--deadline takes seconds/)]);
  });

  it('item 7: --cache-dir "" is a usage error, not the default folder', async () => {
    const home = await tempDir();
    const result = await run(cli(['cache', 'ls', '--cache-dir', '']), { HOME: home });
    expect(result.code).toBe(2);
    expect(errorLines(result.stderr)).toEqual([expect.stringMatching(/ERR_USAGE: --cache-dir needs a folder path/)]);
  });

  it('item 7: cache verify --online catches a module and entry altered together; plain verify cannot', async () => {
    const fixture = makeFixture();
    const server = await serve(fixture.files);
    const cacheDir = await tempDir();
    const got = await run(cli(['get', 'demo@1.0', '--source', server.url, '--cache-dir', cacheDir]));
    expect(got.code).toBe(0);
    const forged = makeWasm(4096, 42);
    await writeFile(join(cacheDir, 'demo', '1.0', 'demo-1.0.wasm'), forged);
    await writeFile(
      join(cacheDir, 'demo', '1.0', 'manifest.json'),
      JSON.stringify({ ...fixture.entry, size: forged.length, sha256: sha256(forged) }),
    );
    const offline = await run(cli(['cache', 'verify', '--cache-dir', cacheDir]));
    expect(offline.code).toBe(0);
    const online = await run(cli(['cache', 'verify', '--online', '--source', server.url, '--cache-dir', cacheDir]));
    expect(online.code).toBe(1);
    expect(online.stdout).toMatch(/^CORRUPT\tdemo@1\.0\t.*differs from the manifest of http:\/\/127\.0\.0\.1/m);
  });
});
