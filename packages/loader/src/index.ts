export { compareVersions } from '@wasmhub/contract';
export type { CachedRuntime, VerifiedRuntime } from './cache.ts';
export { defaultCacheDir } from './cache.ts';
export type { CachedCompanion } from './companions.ts';
export { isLoaderError, LoaderError, type LoaderErrorCode, type SourceFailure } from './errors.ts';
export {
  type AvailableLanguage,
  type LanguageInfo,
  type Runtime,
  RuntimeLoader,
  type VerifyResult,
  type WasmModule,
} from './loader.ts';
export type { Companion, GlobalManifest, LanguageManifest, VersionEntry } from './manifest.ts';
export type { LoaderEvent, RuntimeLoaderOptions } from './options.ts';
export { type Instantiated, type RunOptions, type WasiOptions, wasiOptions } from './run.ts';
export {
  defaultSourceSpecs,
  githubReleaseBase,
  JSDELIVR_NPM_TEMPLATE,
  releaseOfTag,
  UNPKG_NPM_TEMPLATE,
} from './sources.ts';
