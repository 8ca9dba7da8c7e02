import { fileURLToPath } from 'node:url';

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
