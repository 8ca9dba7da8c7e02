// Loads manifest.schema.json (JSON Schema 2020-12) and compiles it once with ajv + ajv-formats.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv/dist/2020.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as ajvFormats from 'ajv-formats';

/** Absolute path of the one manifest contract at the workspace root. */
export const manifestSchemaPath = fileURLToPath(new URL('../../../../manifest.schema.json', import.meta.url));

export type ManifestKind = 'language' | 'global';

export interface ManifestValidators {
  schema: Record<string, unknown>;
  language: ValidateFunction;
  global: ValidateFunction;
  any: ValidateFunction;
}

type FormatsPlugin = (ajv: Ajv2020) => Ajv2020;
const addFormats = ((ajvFormats as unknown as { default?: FormatsPlugin }).default ??
  (ajvFormats as unknown as FormatsPlugin)) as FormatsPlugin;

export function readManifestSchema(path: string = manifestSchemaPath): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** Compiles the schema: one validator per manifest kind plus the root (oneOf) validator. */
export function compileManifestSchema(schema: Record<string, unknown> = readManifestSchema()): ManifestValidators {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: false });
  addFormats(ajv);
  ajv.addSchema(schema);
  const id = String(schema.$id);
  const get = (ref: string): ValidateFunction => {
    const fn = ajv.getSchema(`${id}${ref}`);
    if (!fn) throw new Error(`manifest schema ${id} has no ${ref}`);
    return fn;
  };
  return { schema, language: get('#/$defs/LanguageManifest'), global: get('#/$defs/GlobalManifest'), any: get('') };
}
