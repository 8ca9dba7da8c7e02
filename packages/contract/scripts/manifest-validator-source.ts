// Generates src/manifest-validator.generated.ts: ajv's standalone code for manifest.schema.json, so neither
// the loader nor the pipeline imports or runs ajv's compiler at run time (about 100 ms of module loading and
// schema compilation per process). Also the reference (run-time ajv) the tests compare with.
// The standalone code require()s a few of ajv's run-time helpers (ucs2length, ajv-formats' formats);
// esbuild bundles them into the generated file, so the published contract needs neither ajv nor
// ajv-formats (they were 2.6 MB of a 3.9 MB install of @wasmhub/loader) and has no Node-only import.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { addFormats, standaloneValidatorModule } from '../../../scripts/standalone-validator.ts';
import { rootSchemaPath } from './manifest-types-source.ts';

const contractRoot = fileURLToPath(new URL('..', import.meta.url));

export const manifestValidatorPath = fileURLToPath(new URL('../src/manifest-validator.generated.ts', import.meta.url));

/** The ajv options of the loader's validation; the generated code and the reference compile with the same ones. */
function newAjv(source: boolean): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: false, ...(source ? { code: { source: true, esm: true } } : {}) });
  addFormats(ajv);
  return ajv;
}

function refs(schema: { $id?: string }): { validate: string; global: string; language: string } {
  const id = schema.$id ?? '';
  return { validate: id, global: `${id}#/$defs/GlobalManifest`, language: `${id}#/$defs/LanguageManifest` };
}

/** The three validators compiled at run time by ajv (the behaviour the generated code must reproduce). */
export function compileWithAjv(schemaText = readFileSync(rootSchemaPath, 'utf8')): {
  validate: ValidateFunction;
  global: ValidateFunction;
  language: ValidateFunction;
} {
  const schema = JSON.parse(schemaText) as { $id?: string };
  const ajv = newAjv(false);
  ajv.addSchema(schema);
  const r = refs(schema);
  const get = (ref: string) => {
    const fn = ajv.getSchema(ref);
    if (!fn) throw new Error(`manifest.schema.json has no ${ref}`);
    return fn;
  };
  return { validate: get(r.validate), global: get(r.global), language: get(r.language) };
}

/** The TypeScript source of the generated module (deterministic for one schema and one ajv version). */
export function generateManifestValidator(schemaText = readFileSync(rootSchemaPath, 'utf8')): string {
  const schema = JSON.parse(schemaText) as { $id?: string };
  const ajv = newAjv(true);
  ajv.addSchema(schema);
  return standaloneValidatorModule(ajv, refs(schema), { source: 'manifest.schema.json', resolveDir: contractRoot });
}
