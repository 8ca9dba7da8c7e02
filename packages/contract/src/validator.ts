// The manifest validator both sides use: ajv's standalone code generated from manifest.schema.json
// (./manifest-validator.generated.ts, checked against the schema by a test), so no ajv compiler runs.
import * as generated from './manifest-validator.generated.ts';

/** One error as ajv reports it (the fields of ajv's ErrorObject this package reads; ajv is not a dependency). */
export interface SchemaError {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  propertyName?: string;
  message?: string;
}

/** A validating function as ajv compiles it (run time) or generates it (standalone code). */
export type CompiledCheck = ((document: unknown) => boolean) & { errors?: SchemaError[] | null };

/** The whole schema (oneOf) and its two branches. */
export interface CompiledManifestSchema {
  validate: CompiledCheck;
  global: CompiledCheck;
  language: CompiledCheck;
}

export type ManifestKind = 'language' | 'global';

/** The precompiled checks: `validate` (either kind), `global` and `language`; `.errors` as ajv sets them. */
export const manifestChecks: CompiledManifestSchema = generated as unknown as CompiledManifestSchema;

/** The kind a document claims to be: a global manifest has `languages`, a per-language one `language`. */
export function detectManifestKind(doc: unknown): ManifestKind {
  return doc !== null && typeof doc === 'object' && 'languages' in doc ? 'global' : 'language';
}

export interface SchemaValidator {
  validate(document: unknown): string | undefined;
}

/** `validate` returns undefined or a one-line description of the first errors. */
export function schemaValidator({ validate: check, global, language }: CompiledManifestSchema): SchemaValidator {
  return {
    validate(document) {
      if (check(document)) return undefined;
      // Report the errors of the branch the document looks like, not both halves of the oneOf.
      const branch = detectManifestKind(document) === 'global' ? global : language;
      branch(document);
      const errors = ((branch.errors?.length ? branch.errors : check.errors) ?? [])
        .filter((e) => e.keyword !== 'oneOf')
        .slice(0, 3)
        .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
      return errors.join('; ') || 'does not match manifest.schema.json';
    },
  };
}

const precompiled = schemaValidator(manifestChecks);

/** The validator of manifest.schema.json, precompiled: no ajv compiler at run time. */
export function manifestValidator(): SchemaValidator {
  return precompiled;
}
