// Release job, step 1: gather the per-version artifacts of the build matrix into one workspace.
//
// Each matrix job uploads `runtime-<lang>-<ver>/` holding that version's build/<lang>/** files and the
// runtimes/<lang>/manifest.json its metadata stage wrote. This module copies every build file into
// build/, re-verifies each optimized module against the SHA-256 and size recorded for it, and writes
// one runtimes/<lang>/manifest.json per language whose entry for every version is taken from that
// version's own artifact (so a stale or partial manifest on one runner cannot leak into the release).
//
// CLI: `npx tsx tools/pipeline/src/ci/merge-artifacts.ts <artifacts-dir> [--root <dir>]`
import { cp, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { LanguageManifest, VersionEntry } from '@wasmhub/contract';
import { formatError, PipelineError } from '../errors.ts';
import { sha256Hex } from '../kit/digest.ts';
import { readJson, writeFileAtomic } from '../kit/files.ts';
import { stringifyManifest } from '../manifest/stable-json.ts';
import { assertLanguageManifest } from '../manifest/validate.ts';
import { languageManifestPath, optWasmPath, rawWasmPath, workspaceRoot } from '../paths.ts';
import { listRuntimes, loadRuntimeConfig } from '../runtime/config.ts';
import { artifactName } from './matrix.ts';

export interface MergeOptions {
  /** Folder holding one sub-folder per artifact (actions/download-artifact without merge-multiple). */
  artifactsDir: string;
  /** Workspace to merge into. */
  root?: string;
  log?: (line: string) => void;
}

export interface MergedLanguage {
  language: string;
  latest: string;
  versions: string[];
  manifestPath: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Throws ERR_INTEGRITY unless the file's size and SHA-256 are the recorded ones. */
async function verifyFile(
  root: string,
  path: string,
  expected: { size: number; sha256: string },
  what: string,
): Promise<void> {
  const shown = relative(root, path);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (cause) {
    throw new PipelineError('ERR_INTEGRITY', `${what} ${shown} is missing from the artifact; re-run its build job`, {
      cause,
      context: { path },
    });
  }
  const sha256 = sha256Hex(bytes);
  if (sha256 !== expected.sha256 || bytes.byteLength !== expected.size) {
    throw new PipelineError(
      'ERR_INTEGRITY',
      `${what} ${shown} has sha256 ${sha256} (${bytes.byteLength} B) but its manifest records ${expected.sha256} (${expected.size} B); the artifact is corrupt or stale, re-run its build job`,
      { context: { path, expected, actual: { sha256, size: bytes.byteLength } } },
    );
  }
}

/** Merges every expected artifact into `root`; returns what each language's manifest now holds. */
export async function mergeArtifacts(options: MergeOptions): Promise<MergedLanguage[]> {
  const root = options.root ?? workspaceRoot;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const merged: MergedLanguage[] = [];

  for (const language of await listRuntimes(root)) {
    const config = await loadRuntimeConfig(language, root);
    const versions: Record<string, VersionEntry> = {};
    let head: Omit<LanguageManifest, 'versions'> | undefined;

    for (const { label } of config.versions) {
      const task = `[${language}@${label}]`;
      const artifact = artifactName(language, label);
      const dir = join(options.artifactsDir, artifact);
      if (!(await exists(dir))) {
        throw new PipelineError(
          'ERR_RELEASE',
          `${task} artifact ${artifact} is missing under ${options.artifactsDir}; its build job did not upload it, re-run the workflow`,
          { context: { language, version: label, dir } },
        );
      }
      const manifestFile = languageManifestPath(language, dir);
      if (!(await exists(manifestFile))) {
        throw new PipelineError(
          'ERR_RELEASE',
          `${task} artifact ${artifact} has no ${relative(dir, manifestFile)}; the metadata stage did not run for it`,
          { context: { language, version: label, manifestFile } },
        );
      }
      const manifest = assertLanguageManifest(
        await readJson(manifestFile, { what: 'manifest', hint: 're-run the build job that uploaded it' }),
        `${artifact}/${relative(dir, manifestFile)}`,
      );
      const entry = manifest.versions[label];
      if (manifest.language !== language || entry === undefined) {
        throw new PipelineError(
          'ERR_RELEASE',
          `${task} ${artifact}/${relative(dir, manifestFile)} has no entry for ${language} ${label}; the metadata stage must describe the version it built`,
          { context: { language, version: label, manifestFile } },
        );
      }

      if (await exists(join(dir, 'build'))) await cp(join(dir, 'build'), join(root, 'build'), { recursive: true });
      await verifyFile(root, optWasmPath(language, label, root), entry, task);
      if (entry.unoptimized !== undefined) {
        await verifyFile(root, rawWasmPath(language, label, root), entry.unoptimized, `${task} (unoptimized)`);
      }
      log(`${task} ${artifact}: ${entry.file} ${entry.size} B sha256 ${entry.sha256.slice(0, 16)}… verified`);

      versions[label] = entry;
      if (head === undefined || label === config.latest) {
        const { versions: _ignored, ...rest } = manifest;
        head = rest;
      }
    }

    const result = assertLanguageManifest(
      { ...head, language, latest: config.latest, versions },
      `merged runtimes/${language}/manifest.json`,
    );
    const manifestPath = languageManifestPath(language, root);
    await writeFileAtomic(manifestPath, stringifyManifest(result));
    const labels = Object.keys(versions);
    log(
      `[${language}] ${relative(root, manifestPath)}: ${labels.length} versions (${labels.join(', ')}), latest ${config.latest}`,
    );
    merged.push({ language, latest: config.latest, versions: labels, manifestPath });
  }
  return merged;
}

async function main(argv: string[]): Promise<void> {
  let root = workspaceRoot;
  let artifactsDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = argv[i + 1];
    if (arg === '--root' && value !== undefined) {
      root = resolve(value);
      i++;
    } else if (!arg.startsWith('-') && artifactsDir === undefined) {
      artifactsDir = resolve(arg);
    } else {
      throw new PipelineError(
        'ERR_INVALID_OPTION',
        `ci/merge-artifacts: unexpected argument ${JSON.stringify(arg)}; usage: <artifacts-dir> [--root <dir>]`,
      );
    }
  }
  if (artifactsDir === undefined) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      'ci/merge-artifacts: missing <artifacts-dir>; usage: <artifacts-dir> [--root <dir>]',
    );
  }
  await mergeArtifacts({ artifactsDir, root });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${formatError(error)}\n`);
    process.exitCode = 1;
  });
}
