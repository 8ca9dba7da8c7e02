// runtimes/<lang>/runtime.json: load, validate against runtimes/runtime.schema.json, normalize once.
import { readdir, readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { ErrorObject } from 'ajv';
import { PipelineError } from '../errors.ts';
import { readJson } from '../kit/files.ts';
import { runtimeConfigPath, runtimesDir, workspaceRoot } from '../paths.ts';
import validateRuntimeJson from './runtime-validator.generated.ts';

export type WasmOptLevel = '-O0' | '-O1' | '-O2' | '-O3' | '-O4' | '-Os' | '-Oz';
export type RuntimeKind = 'go' | 'rust' | 'c-debian-source';

/** Kind c-debian-source: the upstream tarball of a Debian source package, as the builder image holds it. */
export interface DebianSource {
  /** Debian source package, e.g. `lua5.4`. */
  package: string;
  /** e.g. `lua5.4_5.4.7.orig.tar.gz` */
  tarball: string;
  /** Pinned SHA-256 (hex) the build checks the tarball against. */
  sha256: string;
}

/**
 * A file the build script writes beside the module that the module needs at run time (e.g. an
 * interpreter's standard library), and where the guest expects it.
 */
export interface CompanionSpec {
  /** `<language>-<label>-<name>`, written by the build script into $WASMHUB_OUT. */
  file: string;
  /** Absolute path inside the guest, e.g. `/usr/local/lib/python313.zip`. */
  guestPath: string;
}

/** Feature a module lists when it uses the (legacy) exception-handling instructions (clang's setjmp/longjmp). */
export const EXCEPTION_HANDLING_FEATURE = 'exception-handling';

/** One buildable version, every default applied. */
export interface RuntimeVersion {
  label: string;
  /** Builder image = docker/<builder>.Dockerfile */
  builder: string;
  /** Absolute path of the compiler driver inside the builder image. */
  toolchain: string;
  wasmOpt: WasmOptLevel;
  features: string[];
  /** Kind c-debian-source only. */
  debianSource?: DebianSource;
  /** Kind c-debian-source: folder of *.patch files relative to runtimes/<lang> (default `patches`). */
  patches?: string;
  /** Kind c-debian-source: build script relative to runtimes/<lang> (default `build.sh`). */
  buildScript?: string;
  /** Kind c-debian-source: more tarballs, each checked and extracted to $WASMHUB_EXTRA_DIR/<package>. */
  extraSources?: DebianSource[];
  /** Files the module needs at run time, written by the build beside it. */
  companions?: CompanionSpec[];
  /** Environment the guest needs to find its companions, e.g. PYTHONHOME. */
  guestEnv?: Record<string, string>;
}

/** A runtime.json after validation and normalization. */
export interface RuntimeConfig {
  language: string;
  kind: RuntimeKind;
  displayName: string;
  source: string;
  license: string;
  target: 'wasm32-wasip1';
  wasmOpt: WasmOptLevel;
  features: string[];
  /** Highest label unless runtime.json names one. */
  latest: string;
  /** Sorted by label, ascending. */
  versions: RuntimeVersion[];
}

/** A version as runtime.json states it: the level and features may be left to the runtime's defaults. */
type RawVersion = Omit<RuntimeVersion, 'wasmOpt' | 'features'> & Partial<Pick<RuntimeVersion, 'wasmOpt' | 'features'>>;
interface RawConfig {
  language: string;
  kind: RuntimeKind;
  displayName?: string;
  source: string;
  license: string;
  target?: 'wasm32-wasip1';
  wasmOpt?: WasmOptLevel;
  features?: string[];
  latest?: string;
  versions: RawVersion[];
}

const DEFAULT_WASM_OPT: WasmOptLevel = '-Oz';

/** Compares dotted numeric labels: 1.9 < 1.10 < 1.21. */
export function compareLabels(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** One line per ajv error: `/versions/2/toolchain must be string`. */
export function formatSchemaErrors(errors: ErrorObject[]): string[] {
  return errors.map((e) => {
    const path = e.instancePath === '' ? '/' : e.instancePath;
    let detail = e.message ?? 'is invalid';
    if (e.keyword === 'additionalProperties') detail = `must not have property "${e.params.additionalProperty}"`;
    if (e.keyword === 'enum') detail = `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
    return `${path} ${detail}`;
  });
}

type RuntimeCheck = ((data: unknown) => data is RawConfig) & { errors?: ErrorObject[] | null };

/**
 * The runtime.json check: ajv's standalone code for runtimes/runtime.schema.json
 * (./runtime-validator.generated.ts, from tools/pipeline/scripts/schema-validators-source.ts; a test fails
 * when it drifts from the schema), so no stage loads ajv's compiler.
 */
const validateRuntimeConfig = validateRuntimeJson as unknown as RuntimeCheck;

/**
 * Validates parsed JSON as a runtime config. `file` names the input in errors, e.g.
 * `runtimes/go/runtime.json: /versions/2/toolchain must be string`.
 */
export async function parseRuntimeConfig(
  data: unknown,
  file: string,
  options: { lang?: string } = {},
): Promise<RuntimeConfig> {
  if (!validateRuntimeConfig(data)) {
    const lines = formatSchemaErrors(validateRuntimeConfig.errors ?? []);
    throw new PipelineError('ERR_RUNTIME_CONFIG', `${file}: ${lines.join('; ')}`, {
      context: { file, errors: lines },
    });
  }
  const raw = data;
  const fail = (path: string, problem: string) =>
    new PipelineError('ERR_RUNTIME_CONFIG', `${file}: ${path} ${problem}`, { context: { file } });
  if (options.lang !== undefined && raw.language !== options.lang) {
    throw fail('/language', `must be "${options.lang}" (the folder name), found "${raw.language}"`);
  }
  const seen = new Map<string, number>();
  raw.versions.forEach((v, i) => {
    const first = seen.get(v.label);
    if (first !== undefined) throw fail(`/versions/${i}/label`, `duplicates /versions/${first}/label "${v.label}"`);
    seen.set(v.label, i);
    const sourceFields = (['debianSource', 'patches', 'buildScript', 'extraSources'] as const).filter(
      (k) => v[k] !== undefined,
    );
    if (raw.kind === 'c-debian-source' && v.debianSource === undefined) {
      throw fail(`/versions/${i}`, 'must have "debianSource" (kind c-debian-source builds from a Debian tarball)');
    }
    if (raw.kind !== 'c-debian-source' && sourceFields.length > 0) {
      throw fail(`/versions/${i}/${sourceFields[0]}`, `is only for kind c-debian-source, not ${raw.kind}`);
    }
    const packages = [v.debianSource?.package, ...(v.extraSources ?? []).map((s) => s.package)];
    (v.extraSources ?? []).forEach((s, j) => {
      if (packages.indexOf(s.package) !== j + 1) {
        throw fail(`/versions/${i}/extraSources/${j}/package`, `"${s.package}" is already a source of this version`);
      }
    });
    const prefix = `${raw.language}-${v.label}-`;
    const files = new Set<string>();
    const guests = new Set<string>();
    (v.companions ?? []).forEach((c, j) => {
      if (!c.file.startsWith(prefix)) {
        throw fail(`/versions/${i}/companions/${j}/file`, `must start with "${prefix}", found "${c.file}"`);
      }
      if (files.has(c.file)) throw fail(`/versions/${i}/companions/${j}/file`, `"${c.file}" is listed twice`);
      if (guests.has(c.guestPath)) {
        throw fail(`/versions/${i}/companions/${j}/guestPath`, `"${c.guestPath}" is listed twice`);
      }
      files.add(c.file);
      guests.add(c.guestPath);
    });
    if (v.guestEnv !== undefined && v.companions === undefined) {
      throw fail(`/versions/${i}/guestEnv`, 'is only for a version with "companions"');
    }
  });
  const wasmOpt = raw.wasmOpt ?? DEFAULT_WASM_OPT;
  const features = raw.features ?? [];
  const versions = raw.versions
    .map(
      (v): RuntimeVersion => ({
        label: v.label,
        builder: v.builder,
        toolchain: v.toolchain,
        wasmOpt: v.wasmOpt ?? wasmOpt,
        features: v.features ?? features,
        ...(v.debianSource
          ? {
              debianSource: { ...v.debianSource },
              patches: v.patches ?? 'patches',
              buildScript: v.buildScript ?? 'build.sh',
            }
          : {}),
        ...(v.extraSources ? { extraSources: v.extraSources.map((s) => ({ ...s })) } : {}),
        ...(v.companions ? { companions: v.companions.map((c) => ({ ...c })) } : {}),
        ...(v.guestEnv ? { guestEnv: { ...v.guestEnv } } : {}),
      }),
    )
    .sort((a, b) => compareLabels(a.label, b.label));
  const latest = raw.latest ?? (versions.at(-1) as RuntimeVersion).label;
  if (!seen.has(latest)) throw fail('/latest', `must name one of the versions, found "${latest}"`);
  return {
    language: raw.language,
    kind: raw.kind,
    displayName: raw.displayName ?? raw.language,
    source: raw.source,
    license: raw.license,
    target: 'wasm32-wasip1',
    wasmOpt,
    features,
    latest,
    versions,
  };
}

/** Reads and validates runtimes/<lang>/runtime.json. */
export async function loadRuntimeConfig(lang: string, root = workspaceRoot): Promise<RuntimeConfig> {
  const file = runtimeConfigPath(lang, root);
  const shown = relative(root, file);
  const data = await readJson(file, {
    what: 'runtime config',
    shown,
    hint: `is "${lang}" a runtime under runtimes/?`,
    code: 'ERR_RUNTIME_CONFIG',
  });
  return parseRuntimeConfig(data, shown, { lang });
}

/** Languages that have a runtimes/<lang>/runtime.json, sorted. */
export async function listRuntimes(root = workspaceRoot): Promise<string[]> {
  const entries = await readdir(runtimesDir(root), { withFileTypes: true });
  const langs: string[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    try {
      await readFile(runtimeConfigPath(entry.name, root));
      langs.push(entry.name);
    } catch {
      // not a runtime folder
    }
  }
  return langs.sort();
}

/** Picks the versions a command asked for (`--ver`), or all of them. */
export function selectVersions(config: RuntimeConfig, ver: string | undefined): RuntimeVersion[] {
  if (ver === undefined) return config.versions;
  const found = config.versions.find((v) => v.label === ver);
  if (!found) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `--ver=${ver}: ${config.language} has no version "${ver}"; known: ${config.versions.map((v) => v.label).join(', ')}`,
      { context: { ver, language: config.language } },
    );
  }
  return [found];
}
