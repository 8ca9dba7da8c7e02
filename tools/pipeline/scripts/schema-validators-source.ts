// Generates the pipeline's precompiled JSON Schema validators: ajv's standalone code for
// runtimes/runtime.schema.json (runtime/runtime-validator.generated.ts) and runtimes/conformance.schema.json
// (verify/conformance-validator.generated.ts), so no stage imports or runs ajv's compiler (ajv's module
// loading and schema compilation were ~0.1 s of every target). esbuild bundles ajv's run-time helpers in,
// as packages/contract/scripts/manifest-validator-source.ts does for the manifest. `npm run generate`
// writes them; scripts/generated-files.test.ts fails when one drifts from its schema.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type Options } from 'ajv/dist/2020.js';
import { addFormats, standaloneValidatorModule } from '../../../scripts/standalone-validator.ts';

const pipelineRoot = fileURLToPath(new URL('..', import.meta.url));
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export interface SchemaValidator {
  /** The generated module. */
  path: string;
  /** The schema it is compiled from, workspace-relative (for the drift message). */
  source: string;
  schemaPath: string;
  /** The ajv options the stage validated with when it compiled the schema at run time. */
  options: Options;
}

export const runtimeValidator: SchemaValidator = {
  path: here('../src/runtime/runtime-validator.generated.ts'),
  source: 'runtimes/runtime.schema.json',
  schemaPath: here('../../../runtimes/runtime.schema.json'),
  options: { allErrors: true, strict: true, useDefaults: false },
};

export const conformanceValidator: SchemaValidator = {
  path: here('../src/verify/conformance-validator.generated.ts'),
  source: 'runtimes/conformance.schema.json',
  schemaPath: here('../../../runtimes/conformance.schema.json'),
  options: { allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true },
};

/** ajv as the stage would compile the schema at run time (the reference the generated code must match). */
export function compileWithAjv(validator: SchemaValidator, source = false) {
  const ajv = new Ajv2020({ ...validator.options, ...(source ? { code: { source: true, esm: true } } : {}) });
  addFormats(ajv);
  return { ajv, validate: ajv.compile(JSON.parse(readFileSync(validator.schemaPath, 'utf8')) as object) };
}

/** The TypeScript source of the generated module (deterministic for one schema and one ajv version). */
export function generateSchemaValidator(validator: SchemaValidator): string {
  const { ajv, validate } = compileWithAjv(validator, true);
  return standaloneValidatorModule(ajv, validate, { source: validator.source, resolveDir: pipelineRoot });
}
