import { describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { assertGlobalManifest, assertLanguageManifest, pointerToJsonPath, validateManifest } from './validate.ts';

const sha = 'a'.repeat(64);
const entry = {
  file: 'go-1.24.wasm',
  size: 2_250_000,
  sha256: sha,
  released: '2026-11-25T22:33:00Z',
  wasi: 'wasip1',
  features: ['args'],
};

// The shape the original WasmHub published (no WasmHub additions): must stay valid.
const original = {
  language: 'go',
  latest: '1.23',
  versions: {
    '1.23': {
      file: 'go-1.23.wasm',
      size: 2_400_000,
      sha256: sha,
      released: '2025-01-10T00:00:00Z',
      wasi: 'preview1',
      features: ['fs'],
    },
  },
};

describe('manifest validation', () => {
  it('accepts the original per-language and global formats', () => {
    expect(validateManifest(original)).toEqual([]);
    expect(
      validateManifest({
        version: '1.0.0',
        languages: { go: { latest: '1.23', versions: ['1.23'], source: 'https://go.dev', license: 'BSD-3-Clause' } },
      }),
    ).toEqual([]);
  });

  it('accepts our optional additions', () => {
    const ours = {
      language: 'go',
      latest: '1.24',
      versions: {
        '1.24': {
          ...entry,
          toolchain: 'go1.24.4',
          builderImage: 'sha256:abc',
          wasmOpt: '-Oz',
          unoptimized: { size: 2_370_000, sha256: sha },
          sourceCommit: 'deadbeef',
          variants: {
            gz: { file: 'go-1.24.wasm.gz', size: 685_000, sha256: sha },
            br: { file: 'go-1.24.wasm.br', size: 523_000, sha256: sha },
          },
        },
      },
    };
    expect(assertLanguageManifest(ours, 'ours.json')).toBe(ours);
  });

  it('reports every error with its JSON path', () => {
    const bad = {
      language: 'Go',
      latest: '1.24',
      versions: { '1.24': { ...entry, sha256: 'xyz', released: 'yesterday', variants: { zstd: {} } }, '../x': entry },
    };
    const issues = validateManifest(bad, 'language');
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: '$.language', message: 'must match pattern "^[a-z][a-z0-9-]{0,31}$"' },
        { path: '$.versions["1.24"].sha256', message: 'must match pattern "^[0-9a-f]{64}$"' },
        { path: '$.versions["1.24"].released', message: 'must match format "date-time"' },
        { path: '$.versions["1.24"].variants.zstd', message: 'is not allowed here' },
        { path: '$.versions', message: 'has an invalid key "../x"' },
      ]),
    );
  });

  it('throws ERR_MANIFEST_INVALID naming the source and the paths', () => {
    const { sha256: _, ...noSha } = entry;
    let error: unknown;
    try {
      assertLanguageManifest(
        { language: 'go', latest: '1.24', versions: { '1.24': noSha } },
        'runtimes/go/manifest.json',
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).code).toBe('ERR_MANIFEST_INVALID');
    expect((error as PipelineError).message).toBe(
      'runtimes/go/manifest.json: not a valid language manifest (manifest.schema.json): $.versions["1.24"].sha256 is required',
    );
    expect(() => assertGlobalManifest({ version: 1, languages: {} }, 'manifest.json')).toThrow(
      'manifest.json: not a valid global manifest (manifest.schema.json): $.version must be string',
    );
  });

  it('converts JSON pointers to JSONPath', () => {
    expect(pointerToJsonPath('')).toBe('$');
    expect(pointerToJsonPath('/languages/go/versions/0')).toBe('$.languages.go.versions[0]');
    expect(pointerToJsonPath('/a~1b/c~0d')).toBe('$["a/b"]["c~d"]');
  });
});
