// The manifest shapes the release stage reads and writes (manifest.schema.json is the contract).
// TODO(swap): import these from packages/loader/src/manifest-types.ts once the schema-generated types land.

export interface Variant {
  file: string;
  size: number;
  sha256: string;
}

export interface VersionEntry {
  file: string;
  size: number;
  sha256: string;
  released: string;
  wasi: string;
  features: string[];
  variants?: { br?: Variant; gz?: Variant };
  [extra: string]: unknown;
}

export interface LanguageManifest {
  language: string;
  latest: string;
  versions: Record<string, VersionEntry>;
  [extra: string]: unknown;
}

export interface GlobalLanguage {
  latest: string;
  versions: string[];
  source?: string;
  license?: string;
  files: Record<string, VersionEntry>;
}

export interface GlobalManifest {
  version: string;
  build_date?: string;
  languages: Record<string, GlobalLanguage>;
}
