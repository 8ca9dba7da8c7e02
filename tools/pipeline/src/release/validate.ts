// Manifest validation against manifest.schema.json (ajv, JSON Schema 2020-12).
// TODO(swap): replace with the manifest stage's validator (tools/pipeline/src/manifest/) once it lands.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { PipelineError } from '../errors.ts';

/** The schema shipped with this code (not the one of the workspace being released, which tests may fake). */
export const manifestSchemaPath = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  '..',
  'manifest.schema.json',
);

function compileSchema(): ValidateFunction {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(manifestSchemaPath, 'utf8')));
}

/** Throws ERR_MANIFEST_INVALID naming the document and each error's JSON path. */
export function validateManifestDocument(document: unknown, what: string, validate = compileSchema()): void {
  if (validate(document)) return;
  const errors = (validate.errors ?? [])
    .filter((error) => error.keyword !== 'oneOf')
    .slice(0, 5)
    .map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
  throw new PipelineError('ERR_MANIFEST_INVALID', `${what} fails manifest.schema.json: ${errors.join('; ')}`, {
    context: { what, errors: validate.errors },
  });
}

export function createManifestValidator(): (document: unknown, what: string) => void {
  const validate = compileSchema();
  return (document, what) => validateManifestDocument(document, what, validate);
}
