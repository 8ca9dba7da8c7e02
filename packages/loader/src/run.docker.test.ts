import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRuntime } from '../../../tools/pipeline/src/compile/build-runtime.ts';
import { requireDocker } from '../../../tools/pipeline/src/testing/require-docker.ts';
import { makeFixture, writeFixture } from './testing/fixture.ts';
import { runCli } from './testing/run-cli.ts';

const docker = await requireDocker();
const targets = [
  { lang: 'rust', ver: '1.85' },
  { lang: 'go', ver: '1.24' },
] as const;

let root: string;
const sources: Record<string, string> = {};

function wasmhub(args: string[], options: { env?: Record<string, string>; closeStdoutAfter?: number } = {}) {
  return runCli(args, {
    ...options,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: root,
      WASMHUB_CACHE_DIR: join(root, 'cache'),
      SECRET_OF_HOST: 'x1',
      ...options.env,
    },
  });
}

beforeAll(async () => {
  if (!docker) return;
  root = await mkdtemp(join(tmpdir(), 'wasmhub-run-real-'));
  for (const { lang, ver } of targets) {
    const out = join(root, 'build', lang);
    const [record] = await buildRuntime(docker, { lang, ver, outDir: out, log: () => {} });
    const wasm = await readFile(join(out, record?.file ?? `${lang}-${ver}.wasm`));
    sources[lang] = join(root, 'release', lang);
    await writeFixture(makeFixture({ language: lang, version: ver, wasm }), sources[lang] as string);
  }
  const data = join(root, 'data');
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'blob.bin'), randomBytes(3 * 1024 * 1024));
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe.skipIf(!docker)('wasmhub run on the real Go and Rust contract programs', () => {
  for (const { lang, ver } of targets) {
    const run = (...args: string[]) => ['run', `${lang}@${ver}`, '--source', sources[lang] as string, ...args];

    it(`${lang}@${ver}: arguments, exit status, stderr, no host environment or folder unless given`, async () => {
      const first = await wasmhub(run('--quiet', '--', 'echo', 'hello', 'two words'));
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout.toString()).toBe('hello two words\n');
      // Cached now: nothing but the guest's own bytes on stderr even without --quiet.
      const evaluated = await wasmhub(run('eval', '(1 + 2) * -3 + 10 % 4'));
      expect(evaluated).toMatchObject({ code: 0, stderr: '' });
      expect(evaluated.stdout.toString()).toBe('-7\n');
      const unknown = await wasmhub(run('--', 'frobnicate'));
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^Unknown command: frobnicate\n/);
      expect((await wasmhub(run('--', 'env'))).stdout.toString()).toBe('');
      expect((await wasmhub(run('--env', 'B=2', '--env', 'SECRET_OF_HOST', '--', 'env'))).stdout.toString()).toBe(
        'B=2\nSECRET_OF_HOST=x1\n',
      );
      const hidden = await wasmhub(run('--', 'ls', '/data'));
      expect(hidden.code).toBe(1);
      const shown = await wasmhub(run('--dir', `${join(root, 'data')}:/data`, '--', 'ls', '/data'));
      expect(shown.code).toBe(0);
      expect(shown.stdout.toString()).toBe(`-  3145728 blob.bin\n`);
    });

    it(`${lang}@${ver}: a 3 MiB binary file comes out byte for byte; a closed stdout pipe neither hangs nor crashes`, async () => {
      const blob = await readFile(join(root, 'data', 'blob.bin'));
      const dir = ['--dir', `${join(root, 'data')}:/data`];
      const cat = await wasmhub(run(...dir, '--', 'cat', '/data/blob.bin'));
      expect(cat.code).toBe(0);
      expect(cat.stdout.equals(blob)).toBe(true);
      const closed = await wasmhub(run(...dir, '--', 'cat', '/data/blob.bin'), { closeStdoutAfter: 1 });
      // The guest sees EPIPE and decides (the contract programs stop writing); wasmhub just ends with it.
      expect(closed.signal).toBeNull();
      expect(typeof closed.code).toBe('number');
      expect(closed.stderr).not.toMatch(/wasmhub: unexpected error/);
    });
  }
});
