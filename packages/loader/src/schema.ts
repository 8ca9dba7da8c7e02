import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import * as generated from './manifest-validator.generated.ts';

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

/** A validating function as ajv compiles it (run time) or generates it (standalone code). */
export type CompiledCheck = ((document: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The whole schema (oneOf) and its two branches. */
export interface CompiledManifestSchema {
  validate: CompiledCheck;
  global: CompiledCheck;
  language: CompiledCheck;
}

/** `validate` returns undefined or a one-line description of the first errors. */
export function schemaValidator({ validate: check, global, language }: CompiledManifestSchema): SchemaValidator {
  return {
    validate(document) {
      if (check(document)) return undefined;
      // Report the errors of the branch the document looks like, not both halves of the oneOf.
      const branch = document && typeof document === 'object' && 'languages' in document ? global : language;
      branch(document);
      const errors = ((branch.errors?.length ? branch.errors : check.errors) ?? [])
        .filter((e) => e.keyword !== 'oneOf')
        .slice(0, 3)
        .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
      return errors.join('; ') || 'does not match manifest.schema.json';
    },
  };
}

let compiled: SchemaValidator | undefined;

/**
 * The validator of manifest.schema.json, precompiled by ajv's standalone code generation
 * (./manifest-validator.generated.ts, checked against the schema by a test): no ajv compiler at run time.
 */
export function manifestValidator(): SchemaValidator {
  compiled ??= schemaValidator(generated as unknown as CompiledManifestSchema);
  return compiled;
}
