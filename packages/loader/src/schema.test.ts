import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  compileWithAjv,
  generateManifestValidator,
  manifestValidatorPath,
} from '../scripts/manifest-validator-source.ts';
import { parseManifest } from './manifest.ts';
import * as generated from './manifest-validator.generated.ts';
import { type CompiledManifestSchema, manifestValidator, schemaValidator } from './schema.ts';
import { makeFixture } from './testing/fixture.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every document obtained by deleting one property, or replacing one value, of `doc` (one change each). */
function mutations(doc: Json): Json[] {
  const replacements: Json[] = [null, -1, 1.5, '', '..', 'a/b', 'Go', 'not-a-date', 'x'.repeat(200), {}, [], true];
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
  it('src/manifest-validator.generated.ts matches manifest.schema.json (run `npx tsx packages/loader/scripts/generate-validator.ts` on drift)', () => {
    expect(readFileSync(manifestValidatorPath, 'utf8'), `${manifestValidatorPath} is stale`).toBe(
      generateManifestValidator(),
    );
  });

  it('gives the same verdicts and errors as ajv compiling the schema at run time', () => {
    const reference = compileWithAjv();
    const precompiled = generated as unknown as CompiledManifestSchema;
    const fixture = makeFixture();
    const languageManifest = JSON.parse(
      (fixture.files.get(`${fixture.language}-manifest.json`) as Buffer).toString('utf8'),
    ) as Json;
    const corpus = [...mutations(fixture.globalManifest as Json), ...mutations(languageManifest)];
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

  it('errors name the document and the JSON path', () => {
    expect(() =>
      parseManifest('{"version":"1","languages":{"Go":{}}}', manifestValidator(), 'http://127.0.0.1:1/manifest.json'),
    ).toThrow(
      // The message of the run-time ajv validator before precompilation, byte for byte.
      'manifest http://127.0.0.1:1/manifest.json does not match manifest.schema.json: /languages must match pattern "^[a-z][a-z0-9-]{0,31}$"; /languages property name must be valid; /languages/Go must have required property \'latest\'',
    );
  });
});
