import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { generateManifestTypes, readRootSchema } from '../scripts/manifest-types-source.ts';
import { FILE_NAME_PATTERN, LANGUAGE_PATTERN, VERSION_PATTERN } from './name-patterns.generated.ts';

describe('the contract generated from manifest.schema.json', () => {
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

  it('the schema compiles under ajv strict mode (no unknown keywords, no ambiguous types)', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: false, validateFormats: false });
    expect(() => ajv.compile(readRootSchema())).not.toThrow();
  });

  it('name patterns accept plain names and refuse path tricks', () => {
    expect(['go', 'rust', 'quick-js'].every((n) => LANGUAGE_PATTERN.test(n))).toBe(true);
    expect(['Go', '../x', '', 'a/b'].some((n) => LANGUAGE_PATTERN.test(n))).toBe(false);
    expect(['1.24', '1.24rc1', '2024-01-13', '3.13.0+wasi'].every((n) => VERSION_PATTERN.test(n))).toBe(true);
    expect(['.1', '1/2', ''].some((n) => VERSION_PATTERN.test(n))).toBe(false);
    expect(FILE_NAME_PATTERN.test('go-1.24.wasm')).toBe(true);
    expect(['..', '.', 'a/b', 'a\\b'].some((n) => FILE_NAME_PATTERN.test(n))).toBe(false);
  });
});
