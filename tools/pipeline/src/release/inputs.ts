// Reads what the release needs from the workspace: every runtime's declared versions (runtime.json) and
// their metadata records, assembled into per-language manifests; the optimized modules (re-verified right
// before release); the version and a deterministic build date.
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { PipelineError } from '../errors.ts';
import { sha256Hex } from '../kit/digest.ts';
import { readJson } from '../kit/files.ts';
import { epochToRfc3339, parseSourceDateEpoch } from '../kit/source-date.ts';
import { readLanguageManifest } from '../metadata/record.ts';
import { companionBuildPath, optWasmPath } from '../paths.ts';
import { listRuntimes, loadRuntimeConfig } from '../runtime/config.ts';
import { verifyModule } from '../verify/verify-module.ts';
import type { LanguageInput, ReleaseInput } from './assemble.ts';
import { type CompressedVariants, compressModules } from './compress.ts';
import type { VersionEntry } from './manifest-shapes.ts';

/** Every runtime of the workspace (runtimes/<lang>/runtime.json), sorted: a release describes them all. */
export async function listReleaseLanguages(root: string): Promise<string[]> {
  return listRuntimes(root);
}

/**
 * Re-verifies a module right before release with the verify stage's `verifyModule`: wasm magic + version 1,
 * WebAssembly.validate, WASI preview 1 command shape, and size + SHA-256 against the manifest entry.
 * (The conformance cases ran in the verify stage; they are not re-run here.) Returns the bytes that were
 * checked, so what is released is exactly what was verified.
 */
export async function verifyReleaseModule(path: string, entry: VersionEntry, task: string): Promise<Buffer> {
  await verifyModule(path, {
    expected: { size: entry.size, sha256: entry.sha256 },
    conformance: false,
    displayName: `[${task}] ${path}`,
  });
  const bytes = await readFile(path);
  if (sha256Hex(bytes) !== entry.sha256) {
    throw new PipelineError(
      'ERR_INTEGRITY',
      `[${task}] ${path} changed while it was being verified; run the release again`,
    );
  }
  return bytes;
}

export async function loadLanguageInput(lang: string, root: string): Promise<LanguageInput> {
  // The per-language manifest: the metadata records of every version runtime.json declares, assembled here
  // (never read from a file some earlier run left), so it cannot describe only part of the language.
  const config = await loadRuntimeConfig(lang, root);
  const manifest = await readLanguageManifest(
    lang,
    config.versions.map((v) => v.label),
    root,
  );
  const modules: Record<string, Uint8Array> = {};
  const companions: Record<string, Record<string, Uint8Array>> = {};
  for (const [ver, entry] of Object.entries(manifest.versions)) {
    modules[ver] = await verifyReleaseModule(optWasmPath(lang, ver, root), entry, `${lang}@${ver}`);
    for (const companion of entry.companions ?? []) {
      const path = companionBuildPath(lang, companion.file, root);
      const bytes = await readFile(path).catch((cause: unknown) => {
        throw new PipelineError(
          'ERR_RELEASE',
          `[${lang}@${ver}] companion ${path} is missing (${(cause as Error).message.split('\n')[0]}); run the build stage again`,
          { cause },
        );
      });
      if (bytes.length !== companion.size || sha256Hex(bytes) !== companion.sha256) {
        throw new PipelineError(
          'ERR_INTEGRITY',
          `[${lang}@${ver}] companion ${path} is not the file the manifest describes (${companion.size} bytes, sha256 ${companion.sha256}); run the build and metadata stages again`,
          { context: { file: path } },
        );
      }
      companions[ver] ??= {};
      companions[ver][companion.file] = bytes;
    }
  }
  return {
    language: lang,
    manifest,
    modules,
    ...(Object.keys(companions).length > 0 ? { companions } : {}),
    source: config.source,
    license: config.license,
  };
}

export async function readPackageVersion(root: string): Promise<string> {
  const pkg = (await readJson(`${root}/package.json`, { what: 'root package.json', missingCode: 'ERR_RELEASE' })) as {
    version?: unknown;
  };
  if (typeof pkg.version !== 'string' || pkg.version === '') {
    throw new PipelineError('ERR_RELEASE', `${root}/package.json has no "version"; set one or pass --tag`);
  }
  return pkg.version;
}

/**
 * The release's build_date, deterministic: SOURCE_DATE_EPOCH when set; else the newest `released` of the
 * versions being released (the metadata stage derives those from commit times), so committing the
 * release's own outputs does not move the date; else the HEAD commit time.
 */
export async function resolveBuildDate(
  root: string,
  sourceDateEpoch: string | undefined,
  languages: readonly LanguageInput[] = [],
): Promise<string> {
  const epoch = parseSourceDateEpoch(sourceDateEpoch);
  if (epoch !== undefined) return epochToRfc3339(epoch);
  const released = languages
    .flatMap((lang) => Object.values(lang.manifest.versions).map((entry) => Date.parse(entry.released)))
    .filter((time) => Number.isFinite(time));
  if (released.length > 0) return epochToRfc3339(Math.max(...released) / 1000);
  const git = await execa('git', ['-C', root, 'log', '-1', '--format=%ct'], { reject: false });
  const seconds = git.exitCode === 0 ? git.stdout.trim() : '';
  if (/^\d+$/.test(seconds)) return epochToRfc3339(Number(seconds));
  throw new PipelineError(
    'ERR_RELEASE',
    `cannot date the release: ${root} has no git commit and SOURCE_DATE_EPOCH is unset; set SOURCE_DATE_EPOCH`,
  );
}

export async function loadReleaseInput(
  root: string,
  options: {
    version: string;
    sourceDateEpoch: string | undefined;
    /** Content-addressed cache of compressed variants (none on a dry run: it writes nothing). */
    compressionCache: string | undefined;
  },
): Promise<ReleaseInput> {
  const langs = await listReleaseLanguages(root);
  if (langs.length === 0) {
    throw new PipelineError('ERR_RELEASE', `no runtimes/<lang>/runtime.json under ${root}: nothing to release`);
  }
  const languages: LanguageInput[] = [];
  for (const lang of langs) languages.push(await loadLanguageInput(lang, root));
  // Compress every module and companion file (an interpreter's standard library) up front, in one parallel
  // pass, reusing verified cache entries (brotli q11 is slow); `keep` files each result where it belongs.
  const jobs = languages.flatMap((lang) => [
    ...Object.entries(lang.modules).map(([ver, bytes]) => ({
      bytes,
      keep: (v: CompressedVariants) => {
        lang.variants ??= {};
        lang.variants[ver] = v;
      },
    })),
    ...Object.values(lang.companions ?? {}).flatMap((byFile) =>
      Object.entries(byFile).map(([file, bytes]) => ({
        bytes,
        keep: (v: CompressedVariants) => {
          lang.companionVariants ??= {};
          lang.companionVariants[file] = v;
        },
      })),
    ),
  ]);
  const variants = await compressModules(
    jobs.map((job) => job.bytes),
    options.compressionCache ? { cacheDir: options.compressionCache } : {},
  );
  for (const [i, job] of jobs.entries()) job.keep(variants[i] as CompressedVariants);
  return {
    version: options.version,
    buildDate: await resolveBuildDate(root, options.sourceDateEpoch, languages),
    languages,
  };
}
