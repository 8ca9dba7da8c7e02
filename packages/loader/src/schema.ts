import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS with a `default` property; under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as unknown as (
  ajv: Ajv2020,
) => Ajv2020;

/**
 * The path of manifest.schema.json: the SAME file the producer validates with. Running from source
 * (src/*.ts inside the repository) it is the repository root's file; from the built package it is the copy
 * that `npm run build` places at the package root (packages/loader/manifest.schema.json).
 */
export function schemaPath(): string {
  const fromSource = import.meta.url.endsWith('.ts');
  return fileURLToPath(
    new URL(fromSource ? '../../../manifest.schema.json' : '../manifest.schema.json', import.meta.url),
  );
}

export interface SchemaValidator {
  validate(document: unknown): string | undefined;
}

/** Compile the manifest schema once; `validate` returns undefined or a one-line description of the first errors. */
export function compileManifestSchema(path = schemaPath()): SchemaValidator {
  const schema = JSON.parse(readFileSync(path, 'utf8')) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const check: ValidateFunction = ajv.compile(schema);
  const id = (schema as { $id?: string }).$id ?? '';
  const global = ajv.getSchema(`${id}#/$defs/GlobalManifest`);
  const language = ajv.getSchema(`${id}#/$defs/LanguageManifest`);
  return {
    validate(document) {
      if (check(document)) return undefined;
      // Report the errors of the branch the document looks like, not both halves of the oneOf.
      const branch = document && typeof document === 'object' && 'languages' in document ? global : language;
      if (branch) branch(document);
      const errors = ((branch?.errors?.length ? branch.errors : check.errors) ?? [])
        .filter((e) => e.keyword !== 'oneOf')
        .slice(0, 3)
        .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
      return errors.join('; ') || 'does not match manifest.schema.json';
    },
  };
}
