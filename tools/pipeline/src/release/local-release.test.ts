import { execFile } from 'node:child_process';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { assertGlobalManifest } from '../manifest/validate.ts';
import { createFixtureWorkspace } from '../testing/fixture-workspace.ts';
import { runRelease } from './release.ts';

const execFileAsync = promisify(execFile);
const env = { SOURCE_DATE_EPOCH: '1767225600' };
const roots: string[] = [];

async function fixture(): Promise<string> {
  const root = await createFixtureWorkspace();
  roots.push(root);
  return root;
}

afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('local release', () => {
  it('stages every asset; sha256sum -c passes and manifest.json validates', async () => {
    const root = await fixture();
    const lines: string[] = [];
    const result = await runRelease({ root, env, log: (line) => lines.push(line) });
    expect(result.tag).toBe('v1.2.3');
    expect(result.dir).toBe(join(root, 'build', 'release', 'v1.2.3'));
    const files = (await readdir(result.dir)).sort();
    expect(files).toEqual([
      'SHA256SUMS',
      'go-1.23.wasm',
      'go-1.23.wasm.br',
      'go-1.23.wasm.gz',
      'go-1.24.wasm',
      'go-1.24.wasm.br',
      'go-1.24.wasm.gz',
      'go-manifest.json',
      'manifest.json',
      'rust-1.85.wasm',
      'rust-1.85.wasm.br',
      'rust-1.85.wasm.gz',
      'rust-manifest.json',
    ]);
    const check = await execFileAsync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: result.dir });
    expect(check.stdout.trim().split('\n')).toHaveLength(12);
    expect(check.stdout).not.toMatch(/FAILED/);

    const manifest = JSON.parse(await readFile(join(result.dir, 'manifest.json'), 'utf8'));
    assertGlobalManifest(manifest, 'staged manifest.json');
    expect(manifest.build_date).toBe('2026-01-01T00:00:00Z');
    expect(manifest.languages.go.latest).toBe('1.24');
    expect(manifest.languages.go.source).toBe('https://example.test/go');
    expect(manifest.languages.rust.files['1.85'].variants.br.file).toBe('rust-1.85.wasm.br');

    // The workspace root carries copies of manifest.json and SHA256SUMS; nothing is written into runtimes/.
    expect(await readFile(join(root, 'manifest.json'))).toEqual(await readFile(join(result.dir, 'manifest.json')));
    expect(await readFile(join(root, 'SHA256SUMS'))).toEqual(await readFile(join(result.dir, 'SHA256SUMS')));
    expect(await readdir(join(root, 'runtimes/go'))).toEqual(['runtime.json']);
    expect(lines.join('\n')).toMatch(/asset\s+size\s+sha256/);
  });

  it('is byte-identical when run twice on the same inputs, and honours --tag and --out', async () => {
    const root = await fixture();
    const first = await runRelease({ root, env, log: () => {} });
    const second = await runRelease({ root, env, tag: 'v9.9.9', out: join(root, 'elsewhere'), log: () => {} });
    expect(second.dir).toBe(join(root, 'elsewhere'));
    // The second run took its variants from the compression cache; they must still be identical.
    expect((await readdir(join(root, 'build/release/.cache'))).length).toBe(6);
    for (const name of await readdir(first.dir)) {
      expect((await readFile(join(second.dir, name))).equals(await readFile(join(first.dir, name)))).toBe(true);
    }
  });

  it('re-verifies modules: a module that no longer matches its manifest stops the release and stages nothing', async () => {
    const root = await fixture();
    const module = join(root, 'build/rust/opt/rust-1.85.wasm');
    const bytes = await readFile(module);
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 1, bytes.length - 1);
    await writeFile(module, bytes);
    const error = await runRelease({ root, env, log: () => {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).message).toMatch(
      /rust-1\.85\.wasm: check "sha256" failed: expected [0-9a-f]{64}, found/,
    );
    expect(await readdir(join(root, 'build')).then((d) => d.includes('release'))).toBe(false);
    await expect(readFile(join(root, 'manifest.json'))).rejects.toThrow();
  });

  it('a declared version without a metadata record stops the release: no manifest lists part of a language', async () => {
    const root = await fixture();
    await rm(join(root, 'build/go/go-1.23.metadata.json'));
    await expect(runRelease({ root, env, log: () => {} })).rejects.toMatchObject({
      code: 'ERR_RELEASE',
      message: expect.stringMatching(
        /^build\/go\/go-1\.23\.metadata\.json: cannot read the metadata record \(ENOENT.*\): run `nx run go:metadata --ver=1\.23` \(or `nx run-many -t metadata`\) first$/,
      ),
    });
    expect(await readdir(join(root, 'build')).then((d) => d.includes('release'))).toBe(false);
  });

  it('without SOURCE_DATE_EPOCH, build_date is the newest released date of the inputs', async () => {
    const root = await fixture();
    const result = await runRelease({ root, env: {}, log: () => {} });
    const manifest = JSON.parse(await readFile(join(result.dir, 'manifest.json'), 'utf8'));
    expect(manifest.build_date).toBe('2026-01-01T00:00:00Z');
  });

  it('a damaged compression cache entry is detected and recomputed', async () => {
    const root = await fixture();
    const first = await runRelease({ root, env, log: () => {} });
    const cache = join(root, 'build/release/.cache');
    for (const name of await readdir(cache)) await writeFile(join(cache, name), 'garbage');
    const again = await runRelease({ root, env, out: join(root, 'again'), log: () => {} });
    for (const name of await readdir(first.dir)) {
      expect((await readFile(join(again.dir, name))).equals(await readFile(join(first.dir, name)))).toBe(true);
    }
  });

  it('--dry-run writes nothing', async () => {
    const root = await fixture();
    const result = await runRelease({ root, env, dryRun: true, log: () => {} });
    expect(result.assets).toHaveLength(13);
    expect(await readdir(join(root, 'build')).then((d) => d.includes('release'))).toBe(false);
    await expect(readFile(join(root, 'manifest.json'))).rejects.toThrow();
    await expect(readFile(join(root, 'SHA256SUMS'))).rejects.toThrow();
  });
});
