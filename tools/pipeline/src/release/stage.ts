// Writes the assembled release to disk: the staging folder atomically (temp dir, then rename),
// and copies of its manifest.json and SHA256SUMS at the workspace root (git-ignored; the staged folder is the
// release). It writes nothing into runtimes/ or into another stage's build/<lang> outputs.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { writeFileAtomic } from '../kit/files.ts';
import { type AssembledRelease, toJsonText } from './assemble.ts';

const tempName = (dir: string, prefix: string): string =>
  join(dir, `.${prefix}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/**
 * Writes every asset into `<dir>/.<tag>.*.tmp` and renames it to `dir` only when complete; an existing
 * `dir` is swapped out and removed afterwards, so a failure leaves either the old folder or the new one.
 */
export async function stageRelease(release: AssembledRelease, dir: string): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  const temp = tempName(parent, basename(dir));
  try {
    await mkdir(temp);
    for (const asset of release.assets) await writeFile(join(temp, asset.name), asset.bytes);
    const old = tempName(parent, `${basename(dir)}.old`);
    const hadOld = await rename(dir, old).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return false;
        throw error;
      },
    );
    await rename(temp, dir);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    throw error;
  }
}

/** Writes `path` via a temp file + rename, and only when the content changes (keeps mtimes for caches). */
export async function writeFileIfChanged(path: string, content: string | Buffer): Promise<boolean> {
  const bytes = typeof content === 'string' ? Buffer.from(content) : content;
  const current = await readFile(path).catch(() => undefined);
  if (current?.equals(bytes)) return false;
  await writeFileAtomic(path, bytes);
  return true;
}

/** The root manifest.json and SHA256SUMS of the last release. Returns the paths that changed. */
export async function writeWorkingTree(release: AssembledRelease, root: string): Promise<string[]> {
  const changed: string[] = [];
  const write = async (path: string, content: string): Promise<void> => {
    if (await writeFileIfChanged(path, content)) changed.push(path);
  };
  await write(join(root, 'manifest.json'), toJsonText(release.globalManifest));
  await write(join(root, 'SHA256SUMS'), release.sha256sums);
  return changed;
}
