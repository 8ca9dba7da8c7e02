import { compareVersions, latestVersion } from '@wasmhub/contract';
import { describe, expect, it } from 'vitest';
import { assembleLanguageManifest, buildLanguageManifest } from './language-manifest.ts';
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

  it('assembles a manifest from entries in any order: versions ascending, latest the highest', () => {
    const m = buildLanguageManifest(input);
    const assembled = assembleLanguageManifest('go', Object.fromEntries(Object.entries(m.versions).reverse()));
    expect(assembled).toEqual(m);
    expect(Object.keys(assembled.versions)).toEqual(['1.9', '1.10', '1.24']);
    expect(stringifyManifest(assembled)).toBe(stringifyManifest(m));
  });
});
