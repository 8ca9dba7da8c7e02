// The manifest shapes the release stage reads and writes: the types generated from manifest.schema.json.
export type {
  Companion,
  GlobalLanguage,
  GlobalManifest,
  LanguageManifest,
  Variant,
  VersionEntry,
} from '@wasmhub/contract';
