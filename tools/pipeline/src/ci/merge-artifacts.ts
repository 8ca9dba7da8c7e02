// Release job, step 1: gather the per-version artifacts of the build matrix into one workspace.
//
// Each matrix job uploads `runtime-<lang>-<ver>/` holding that version's files of every stage
// (matrix.ts artifactPaths, rooted at artifactRoot), its metadata record among them. This module copies
// exactly those files of each version from that version's own artifact (so a stray file of another
// version on one runner cannot leak into the release) and re-verifies each module against the SHA-256 and
// size its metadata record holds. It writes no manifest: the release assembles each language's manifest
// from the records of every declared version.
//
// CLI: `npx tsx tools/pipeline/src/ci/merge-artifacts.ts <artifacts-dir> [--root <dir>]`
import { cp, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatError, PipelineError } from '../errors.ts';
import { sha256Hex } from '../kit/digest.ts';
import { readMetadataRecord } from '../metadata/record.ts';
import { metadataRecordPath, optWasmPath, rawWasmPath, workspaceRoot } from '../paths.ts';
import { listRuntimes, loadRuntimeConfig } from '../runtime/config.ts';
import { artifactName, artifactPaths, artifactRoot } from './matrix.ts';

export interface MergeOptions {
  /** Folder holding one sub-folder per artifact (actions/download-artifact without merge-multiple). */
  artifactsDir: string;
  /** Workspace to merge into. */
  root?: string;
  log?: (line: string) => void;
}

export interface MergedLanguage {
  language: string;
  versions: string[];
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
      `${what} ${shown} has sha256 ${sha256} (${bytes.byteLength} B) but its metadata record holds ${expected.sha256} (${expected.size} B); the artifact is corrupt or stale, re-run its build job`,
      { context: { path, expected, actual: { sha256, size: bytes.byteLength } } },
    );
  }
}

/**
 * The workspace-relative files of `pattern` (a path, or a glob with `*` in its last segment, such as
 * `build/go/companions/go-1.24-*`) present in the artifact `dir` rooted at `base`.
 */
async function filesIn(dir: string, base: string, pattern: string): Promise<string[]> {
  const inArtifact = join(dir, relative(base, pattern));
  if (!pattern.includes('*')) return (await exists(inArtifact)) ? [pattern] : [];
  const name = new RegExp(
    `^${basename(pattern)
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[^/]*')}$`,
  );
  const names = await readdir(dirname(inArtifact)).catch(() => [] as string[]);
  return names
    .filter((entry) => name.test(entry))
    .sort()
    .map((entry) => `${dirname(pattern)}/${entry}`);
}

/** Merges every expected artifact into `root`; returns the versions merged per language. */
export async function mergeArtifacts(options: MergeOptions): Promise<MergedLanguage[]> {
  const root = options.root ?? workspaceRoot;
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const merged: MergedLanguage[] = [];

  for (const language of await listRuntimes(root)) {
    const config = await loadRuntimeConfig(language, root);
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
      const base = artifactRoot(language, label);
      const inArtifact = (path: string): string => join(dir, relative(base, path));
      const record = relative(root, metadataRecordPath(language, label, root));
      if (!(await exists(inArtifact(record)))) {
        throw new PipelineError(
          'ERR_RELEASE',
          `${task} artifact ${artifact} has no ${record}; the metadata stage did not run for it`,
          { context: { language, version: label, dir } },
        );
      }
      for (const pattern of artifactPaths(language, label)) {
        for (const path of await filesIn(dir, base, pattern)) await cp(inArtifact(path), join(root, path));
      }
      const entry = await readMetadataRecord(language, label, root);
      await verifyFile(root, optWasmPath(language, label, root), entry, task);
      if (entry.unoptimized !== undefined) {
        await verifyFile(root, rawWasmPath(language, label, root), entry.unoptimized, `${task} (unoptimized)`);
      }
      log(`${task} ${artifact}: ${entry.file} ${entry.size} B sha256 ${entry.sha256.slice(0, 16)}… verified`);
    }
    const labels = config.versions.map((v) => v.label);
    log(`[${language}] ${labels.length} versions merged (${labels.join(', ')})`);
    merged.push({ language, versions: labels });
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
