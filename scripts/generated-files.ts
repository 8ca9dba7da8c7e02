// Every generated file of the repository and how to make it: `npm run generate` writes them,
// scripts/generated-files.test.ts fails when one on disk differs from what its source gives.

import {
  generateManifestTypes,
  generateNamePatterns,
  manifestTypesPath,
  namePatternsPath,
} from '../packages/contract/scripts/manifest-types-source.ts';
import {
  generateManifestValidator,
  manifestValidatorPath,
} from '../packages/contract/scripts/manifest-validator-source.ts';
import { compiledPluginPath, compilePlugin } from '../tools/nx-plugin/compiled.ts';
import {
  generateGoUsage,
  generateRustUsage,
  goUsagePath,
  rustUsagePath,
} from '../tools/pipeline/scripts/runtime-usage-source.ts';
import {
  conformanceValidator,
  generateSchemaValidator,
  runtimeValidator,
} from '../tools/pipeline/scripts/schema-validators-source.ts';

export interface GeneratedFile {
  path: string;
  /** What the file is made from, for the message on drift. */
  source: string;
  generate(): string | Promise<string>;
}

export const generatedFiles: readonly GeneratedFile[] = [
  { path: manifestTypesPath, source: 'manifest.schema.json', generate: () => generateManifestTypes() },
  { path: manifestValidatorPath, source: 'manifest.schema.json', generate: () => generateManifestValidator() },
  { path: namePatternsPath, source: 'manifest.schema.json', generate: () => generateNamePatterns() },
  ...[runtimeValidator, conformanceValidator].map((validator) => ({
    path: validator.path,
    source: validator.source,
    generate: () => generateSchemaValidator(validator),
  })),
  { path: goUsagePath, source: 'runtimes/conformance.json', generate: () => generateGoUsage() },
  { path: rustUsagePath, source: 'runtimes/conformance.json', generate: () => generateRustUsage() },
  { path: compiledPluginPath, source: 'tools/nx-plugin/index.ts', generate: () => compilePlugin() },
];
