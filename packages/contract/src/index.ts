// @wasmhub/contract: what the producer (tools/pipeline) and the consumer (@wasmhub/loader) agree on.
// The schema itself is manifest.schema.json at the repository root (shipped in this package); the rest
// is generated from it (`npm run generate`) or is the one shared rule (the version order).
export * from './manifest-types.generated.ts';
export { FILE_NAME_PATTERN, LANGUAGE_PATTERN, VERSION_PATTERN } from './name-patterns.generated.ts';
export {
  type CompiledCheck,
  type CompiledManifestSchema,
  detectManifestKind,
  type ManifestKind,
  manifestChecks,
  manifestValidator,
  type SchemaError,
  type SchemaValidator,
  schemaValidator,
} from './validator.ts';
export { compareVersions, latestVersion } from './versions.ts';
