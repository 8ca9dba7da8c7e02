import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../kit/digest.ts';
import { assertGlobalManifest, assertLanguageManifest } from '../manifest/validate.ts';
import { tinyWasm } from '../testing/fixture-workspace.ts';
import { assembleRelease, compareVersions, type ReleaseInput } from './assemble.ts';

function input(): ReleaseInput {
  const go = tinyWasm('go-1.24', 4000);
  const go10 = tinyWasm('go-1.10', 100);
  return {
    version: '1.2.3',
    buildDate: '2026-01-01T00:00:00Z',
    languages: [
      {
        language: 'go',
        source: 'https://go.dev/',
        license: 'BSD-3-Clause',
        manifest: {
          language: 'go',
          latest: '1.24',
          versions: {
            '1.24': {
              file: 'go-1.24.wasm',
              size: go.length,
              sha256: sha256Hex(go),
              released: '2026-01-01T00:00:00Z',
              wasi: 'wasip1',
              features: [],
            },
            '1.10': {
              file: 'go-1.10.wasm',
              size: go10.length,
              sha256: sha256Hex(go10),
              released: '2026-01-01T00:00:00Z',
              wasi: 'wasip1',
              features: [],
            },
          },
        },
        modules: { '1.24': go, '1.10': go10 },
      },
    ],
  };
}

describe('assembleRelease', () => {
  it('gives byte-identical assets for the same inputs', () => {
    const a = assembleRelease(input());
    const b = assembleRelease(input());
    expect(a.assets.map((x) => x.name)).toEqual(b.assets.map((x) => x.name));
    for (const [i, asset] of a.assets.entries()) expect(asset.bytes.equals(b.assets[i]?.bytes as Buffer)).toBe(true);
  });

  it('produces every asset, a sorted SHA256SUMS over all others, and a schema-valid global manifest', () => {
    const release = assembleRelease(input());
    expect(release.assets.map((x) => x.name)).toEqual([
      'SHA256SUMS',
      'go-1.10.wasm',
      'go-1.10.wasm.br',
      'go-1.10.wasm.gz',
      'go-1.24.wasm',
      'go-1.24.wasm.br',
      'go-1.24.wasm.gz',
      'go-manifest.json',
      'manifest.json',
    ]);
    const lines = release.sha256sums.trimEnd().split('\n');
    expect(lines).toHaveLength(8);
    for (const line of lines) {
      const [hex, name] = line.split('  ');
      expect(release.assets.find((x) => x.name === name)?.sha256).toBe(hex);
    }
    assertGlobalManifest(release.globalManifest, 'global');
    assertLanguageManifest(release.languageManifests.go, 'go');
    const go = release.globalManifest.languages.go;
    expect(go?.versions).toEqual(['1.10', '1.24']);
    expect(go?.files?.['1.24']?.variants?.gz?.file).toBe('go-1.24.wasm.gz');
    expect(release.globalManifest.build_date).toBe('2026-01-01T00:00:00Z');
  });

  it('writes gzip without a name or mtime and round-trips the module', () => {
    const release = assembleRelease(input());
    const gz = release.assets.find((x) => x.name === 'go-1.24.wasm.gz')?.bytes as Buffer;
    expect(gz.readUInt32LE(4)).toBe(0); // MTIME
    expect(gz[3]).toBe(0); // FLG: no FNAME
    expect(gunzipSync(gz).equals(input().languages[0]?.modules['1.24'] as Buffer)).toBe(true);
  });

  it('orders versions numerically', () => {
    expect(['1.9', '1.10', '1.2'].sort(compareVersions)).toEqual(['1.2', '1.9', '1.10']);
  });
});
