import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../kit/digest.ts';
import { assertGlobalManifest, assertLanguageManifest } from '../manifest/validate.ts';
import { tinyWasm } from '../testing/fixture-workspace.ts';
import { assembleRelease, type ReleaseInput } from './assemble.ts';

const STDLIB = Buffer.from('stored zip of .pyc files '.repeat(400));

function input(stdlib: Buffer = STDLIB): ReleaseInput {
  const wasm = tinyWasm('python-3.13', 2000);
  return {
    version: '1.0.0',
    buildDate: '2026-01-01T00:00:00Z',
    languages: [
      {
        language: 'python',
        manifest: {
          language: 'python',
          latest: '3.13',
          versions: {
            '3.13': {
              file: 'python-3.13.wasm',
              size: wasm.length,
              sha256: sha256Hex(wasm),
              released: '2026-01-01T00:00:00Z',
              wasi: 'wasip1',
              features: [],
              companions: [
                {
                  file: 'python-3.13-stdlib.zip',
                  size: STDLIB.length,
                  sha256: sha256Hex(STDLIB),
                  guestPath: '/usr/local/lib/python313.zip',
                },
              ],
              guestEnv: { PYTHONHOME: '/usr/local' },
            },
          },
        },
        modules: { '3.13': wasm },
        companions: { '3.13': { 'python-3.13-stdlib.zip': stdlib } },
      },
    ],
  };
}

describe('assembleRelease with companion files', () => {
  it('releases each companion with gzip and brotli variants, lists them in SHA256SUMS and the manifests', () => {
    const release = assembleRelease(input());
    const names = release.assets.map((a) => a.name);
    for (const name of ['python-3.13-stdlib.zip', 'python-3.13-stdlib.zip.gz', 'python-3.13-stdlib.zip.br']) {
      expect(names).toContain(name);
      const asset = release.assets.find((a) => a.name === name);
      expect(release.sha256sums).toContain(`${asset?.sha256}  ${name}\n`);
    }
    const byName = (name: string) => release.assets.find((a) => a.name === name)?.bytes as Buffer;
    expect(gunzipSync(byName('python-3.13-stdlib.zip.gz'))).toEqual(STDLIB);
    expect(brotliDecompressSync(byName('python-3.13-stdlib.zip.br'))).toEqual(STDLIB);
    const entry = release.globalManifest.languages.python?.files?.['3.13'];
    expect(entry?.guestEnv).toEqual({ PYTHONHOME: '/usr/local' });
    expect(entry?.companions?.[0]).toMatchObject({
      file: 'python-3.13-stdlib.zip',
      guestPath: '/usr/local/lib/python313.zip',
      variants: {
        br: { file: 'python-3.13-stdlib.zip.br', sha256: sha256Hex(byName('python-3.13-stdlib.zip.br')) },
        gz: { file: 'python-3.13-stdlib.zip.gz', sha256: sha256Hex(byName('python-3.13-stdlib.zip.gz')) },
      },
    });
    assertGlobalManifest(release.globalManifest, 'global');
    assertLanguageManifest(release.languageManifests.python, 'python');
    // Same inputs, same bytes.
    const again = assembleRelease(input());
    expect(again.assets.map((a) => a.sha256)).toEqual(release.assets.map((a) => a.sha256));
  });

  it('refuses companion bytes that are not the ones the manifest describes', () => {
    const altered = Buffer.from(STDLIB);
    altered[0] = 0x21;
    expect(() => assembleRelease(input(altered))).toThrow(/companion python-3.13-stdlib.zip is .* the manifest states/);
  });

  it('refuses a manifest whose companion has no bytes', () => {
    const missing = input();
    delete (missing.languages[0] as { companions?: unknown }).companions;
    expect(() => assembleRelease(missing)).toThrow(/no bytes were given for companion file python-3.13-stdlib.zip/);
  });
});
