// Where things live. Every stage takes its paths from here so that the Nx plugin's
// `outputs` and the files the stages write can never drift apart.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (overridable for tests with WASMHUB_ROOT). */
export const workspaceRoot: string = resolve(
  process.env.WASMHUB_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'),
);

export const dockerDir = (root = workspaceRoot): string => join(root, 'docker');
export const dockerfilePath = (name: string, root = workspaceRoot): string =>
  join(dockerDir(root), `${name}.Dockerfile`);

export const runtimesDir = (root = workspaceRoot): string => join(root, 'runtimes');
export const runtimeDir = (lang: string, root = workspaceRoot): string => join(runtimesDir(root), lang);
export const runtimeConfigPath = (lang: string, root = workspaceRoot): string =>
  join(runtimeDir(lang, root), 'runtime.json');
export const runtimeSchemaPath = (root = workspaceRoot): string => join(runtimesDir(root), 'runtime.schema.json');
export const conformancePath = (root = workspaceRoot): string => join(runtimesDir(root), 'conformance.json');

/** build/<lang> */
export const buildDir = (lang: string, root = workspaceRoot): string => join(root, 'build', lang);
/** File name of a module: <lang>-<ver>.wasm */
export const wasmFileName = (lang: string, ver: string): string => `${lang}-${ver}.wasm`;
/** Raw module from the build stage: build/<lang>/<lang>-<ver>.wasm */
export const rawWasmPath = (lang: string, ver: string, root = workspaceRoot): string =>
  join(buildDir(lang, root), wasmFileName(lang, ver));
/** Build record beside the raw module: build/<lang>/<lang>-<ver>.build.json (toolchain, builder image). */
export const buildRecordPath = (lang: string, ver: string, root = workspaceRoot): string =>
  join(buildDir(lang, root), `${lang}-${ver}.build.json`);
/** Folder of the companion files inside build/<lang>. */
export const COMPANIONS_DIR = 'companions';
/** A companion file (e.g. an interpreter's standard library) as the build wrote it: build/<lang>/companions/<file>. */
export const companionBuildPath = (lang: string, file: string, root = workspaceRoot): string =>
  join(buildDir(lang, root), COMPANIONS_DIR, file);
/** Optimized module from the optimize stage: build/<lang>/opt/<lang>-<ver>.wasm */
export const optDir = (lang: string, root = workspaceRoot): string => join(buildDir(lang, root), 'opt');
export const optWasmPath = (lang: string, ver: string, root = workspaceRoot): string =>
  join(optDir(lang, root), wasmFileName(lang, ver));
/** Verification record from the verify stage: build/<lang>/<lang>-<ver>.verify.json */
export const verifyRecordPath = (lang: string, ver: string, root = workspaceRoot): string =>
  join(buildDir(lang, root), `${lang}-${ver}.verify.json`);
/**
 * Metadata record from the metadata stage: build/<lang>/<lang>-<ver>.metadata.json, the manifest entry of
 * one version. No stage writes a per-language manifest into the workspace: the release assembles each
 * from the records of every version runtime.json declares (release/inputs.ts).
 */
export const metadataRecordPath = (lang: string, ver: string, root = workspaceRoot): string =>
  join(buildDir(lang, root), `${lang}-${ver}.metadata.json`);
/** Release staging: build/release/<tag> */
export const releaseDir = (tag: string, root = workspaceRoot): string => join(root, 'build', 'release', tag);

/**
 * Nx `outputs` of each per-language stage, relative to the workspace root. They are disjoint file
 * globs inside build/<lang>, so restoring one stage from cache never deletes another stage's files.
 * The Nx plugin (tools/nx-plugin/index.ts) uses exactly these.
 */
export const stageOutputs = (lang: string): Record<'build' | 'optimize' | 'verify' | 'metadata', string[]> => ({
  build: [
    `build/${lang}/${lang}-*.wasm`,
    `build/${lang}/${lang}-*.build.json`,
    `build/${lang}/${COMPANIONS_DIR}/${lang}-*`,
  ],
  optimize: [`build/${lang}/opt/${lang}-*.wasm`],
  verify: [`build/${lang}/${lang}-*.verify.json`, `build/${lang}/opt/${lang}-*.verify.json`],
  metadata: [`build/${lang}/${lang}-*.metadata.json`],
});
