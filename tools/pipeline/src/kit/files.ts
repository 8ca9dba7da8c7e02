// File helpers of the pipeline: one atomic write (temp file in the same folder + rename, so a reader never
// sees half a file and a crash leaves the old one), and one JSON reader that names the file on failure.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Writes `path` through a temp file beside it and a rename; creates the folder. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } finally {
    await rm(tmp, { force: true });
  }
}

/** `value` as 2-space JSON with a trailing newline, written atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads and parses a JSON file; a parse error names the file. */
export async function readJson<T = unknown>(path: string): Promise<T> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new SyntaxError(`${path}: not JSON: ${(cause as Error).message}`, { cause });
  }
}
