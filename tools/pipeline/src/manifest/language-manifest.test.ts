import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareVersions, latestVersion } from '@wasmhub/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLanguageManifest, carryOverVariants, writeLanguageManifest } from './language-manifest.ts';
import { stringifyManifest } from './stable-json.ts';

const sha = (c: string) => c.repeat(64);
const input = {
  language: 'go',
  released: '2026-11-25T22:33:00Z',
  wasi: 'wasip1',
  features: ['args', 'env'],
  sourceCommit: 'f49c97a',
  versions: [
    { version: '1.9', size: 100, sha256: sha('1'), wasmOpt: '-Oz' },
    {
      version: '1.24',
      size: 300,
      sha256: sha('3'),
      unoptimized: { size: 400, sha256: sha('4') },
      toolchain: 'go1.24.4',
    },
    { version: '1.10', size: 200, sha256: sha('2') },
  ],
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasmhub-manifest-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('versions', () => {
  it('compares numerically', () => {
    expect(['1.10', '1.9', '1.24', '2', '1.24.1'].sort(compareVersions)).toEqual([
      '1.9',
      '1.10',
      '1.24',
      '1.24.1',
      '2',
    ]);
    expect(latestVersion(['1.21', '1.27', '1.3'])).toBe('1.27');
  });
});

describe('per-language manifest', () => {
  it('builds the original format plus our fields, latest = highest version', () => {
    const m = buildLanguageManifest(input);
    expect(m.latest).toBe('1.24');
    expect(Object.keys(m.versions)).toEqual(['1.9', '1.10', '1.24']);
    expect(m.versions['1.24']).toEqual({
      file: 'go-1.24.wasm',
      size: 300,
      sha256: sha('3'),
      released: '2026-11-25T22:33:00Z',
      wasi: 'wasip1',
      features: ['args', 'env'],
      toolchain: 'go1.24.4',
      unoptimized: { size: 400, sha256: sha('4') },
      sourceCommit: 'f49c97a',
    });
  });

  it('serializes in a canonical key order whatever the insertion order', () => {
    const m = buildLanguageManifest(input);
    const shuffled = {
      versions: Object.fromEntries(Object.entries(m.versions).reverse()),
      latest: m.latest,
      language: m.language,
    };
    const text = stringifyManifest(shuffled);
    expect(text).toBe(stringifyManifest(m));
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.indexOf('"language"')).toBeLessThan(text.indexOf('"latest"'));
    expect(text.indexOf('"1.9"')).toBeLessThan(text.indexOf('"1.10"'));
  });

  it('writes byte-identical output for an unchanged input and reports no change', async () => {
    const path = join(dir, 'manifest.json');
    const first = await writeLanguageManifest(path, buildLanguageManifest(input));
    const bytes = await readFile(path);
    const second = await writeLanguageManifest(path, buildLanguageManifest(input));
    expect(first.changed).toBe(true);
    expect(second.changed).toBe(false);
    expect(await readFile(path)).toEqual(bytes);
  });

  it('refuses to write an invalid manifest, with the JSON path', async () => {
    const bad = buildLanguageManifest({ ...input, versions: [{ version: '1.24', size: 0, sha256: sha('3') }] });
    await expect(writeLanguageManifest(join(dir, 'bad.json'), bad)).rejects.toThrow(
      '$.versions["1.24"].size must be >= 1',
    );
    await expect(readFile(join(dir, 'bad.json'))).rejects.toThrow(/ENOENT/);
  });

  it('keeps the release stage variants of an unchanged module only', () => {
    const variants = { gz: { file: 'go-1.24.wasm.gz', size: 10, sha256: sha('5') } };
    const previous = buildLanguageManifest(input);
    (previous.versions['1.24'] as { variants?: unknown }).variants = variants;
    (previous.versions['1.10'] as { variants?: unknown }).variants = variants;
    const next = buildLanguageManifest({
      ...input,
      versions: input.versions.map((v) => (v.version === '1.10' ? { ...v, sha256: sha('9') } : v)),
    });
    const merged = carryOverVariants(next, previous);
    expect(merged.versions['1.24']?.variants).toEqual(variants);
    expect(merged.versions['1.10']?.variants).toBeUndefined();
  });
});
