import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { compileWithAjv, manifestValidatorPath } from '../scripts/manifest-validator-source.ts';
import { manifestChecks, manifestValidator, schemaValidator } from './validator.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const sha = 'ab'.repeat(32);
const entry: Json = {
  file: 'demo-1.0.wasm',
  size: 8,
  sha256: sha,
  released: '2026-01-01T00:00:00Z',
  wasi: 'wasip1',
  features: ['bulk-memory'],
  variants: {
    br: { file: 'demo-1.0.wasm.br', size: 5, sha256: sha },
    gz: { file: 'demo-1.0.wasm.gz', size: 6, sha256: sha },
  },
};
const globalManifest: Json = {
  version: '0.1.0',
  build_date: '2026-01-01T00:00:00Z',
  languages: {
    demo: {
      latest: '1.0',
      versions: ['1.0'],
      source: 'https://example.org/demo',
      license: 'MIT',
      files: { '1.0': entry },
    },
  },
};
const languageManifest: Json = { language: 'demo', latest: '1.0', versions: { '1.0': entry } };

/** Every document obtained by deleting one property, or replacing one value, of `doc` (one change each). */
function mutations(doc: Json): Json[] {
  // Astral characters count once towards maxLength (ajv's ucs2length, bundled into the generated code).
  const replacements: Json[] = [
    null,
    -1,
    1.5,
    '',
    '..',
    'a/b',
    'Go',
    'not-a-date',
    'x'.repeat(200),
    '\u{1F600}'.repeat(100),
    {},
    [],
    true,
  ];
  const out: Json[] = [];
  const walk = (node: Json, rebuild: (value: Json | undefined) => Json) => {
    for (const r of replacements) out.push(rebuild(r));
    if (node && typeof node === 'object') {
      if (Array.isArray(node)) {
        node.forEach((child, i) => {
          walk(child, (v) => rebuild(v === undefined ? node.filter((_, j) => j !== i) : node.with(i, v)));
        });
      } else {
        for (const key of Object.keys(node)) {
          walk(node[key] as Json, (v) => {
            const copy: { [key: string]: Json } = { ...node };
            if (v === undefined) delete copy[key];
            else copy[key] = v;
            return rebuild(copy);
          });
        }
        out.push(rebuild({ ...node, unexpected: 1 }));
      }
    }
    out.push(rebuild(undefined) ?? null);
  };
  walk(doc, (v) => (v === undefined ? null : v));
  return out;
}

describe('precompiled manifest validator', () => {
  it('gives the same verdicts and errors as ajv compiling the schema at run time', () => {
    const reference = compileWithAjv();
    const precompiled = manifestChecks;
    const corpus = [...mutations(globalManifest), ...mutations(languageManifest)];
    expect(corpus.length).toBeGreaterThan(500);
    const fromReference = schemaValidator(reference);
    let invalid = 0;
    for (const doc of corpus) {
      for (const name of ['validate', 'global', 'language'] as const) {
        expect(precompiled[name](doc), `${name} ${JSON.stringify(doc)}`).toBe(reference[name](doc));
        expect(precompiled[name].errors ?? null).toEqual(reference[name].errors ?? null);
      }
      const problem = manifestValidator().validate(doc);
      expect(problem).toBe(fromReference.validate(doc));
      if (problem !== undefined) invalid++;
    }
    expect(invalid).toBeGreaterThan(400);
  });

  it('is self-contained: no import or require, so the contract installs without ajv', async () => {
    const source = await readFile(manifestValidatorPath, 'utf8');
    expect(source).not.toMatch(/^\s*import\b/m);
    expect(source).not.toMatch(/createRequire|\bimport\(|(?<!["'])\brequire\(["']/);
  });
});
