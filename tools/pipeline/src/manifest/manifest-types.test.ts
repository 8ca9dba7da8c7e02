import { describe, expect, it } from 'vitest';
import { generateManifestTypes, manifestTypesPath, readManifestTypes } from './generate-types.ts';

describe('manifest types generated from manifest.schema.json', () => {
  it('packages/loader/src/manifest-types.ts matches the schema (run `npx tsx scripts/generate-manifest-types.ts` on drift)', async () => {
    const generated = await generateManifestTypes();
    expect(readManifestTypes(), `${manifestTypesPath} is stale`).toBe(generated);
  });

  it('names the types both packages import', async () => {
    const source = await generateManifestTypes();
    for (const name of [
      'WasmHubManifest',
      'LanguageManifest',
      'GlobalManifest',
      'GlobalLanguage',
      'VersionEntry',
      'Variant',
      'Variants',
      'ModuleDigest',
    ]) {
      expect(source).toMatch(new RegExp(`export (interface|type) ${name}\\b`));
    }
  });
});
