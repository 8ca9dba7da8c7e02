// File helpers of the pipeline: one atomic write (temp file in the same folder + rename, so a reader never
// sees half a file and a crash leaves the old one), and one JSON reader that names the file on failure.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { PipelineError, type PipelineErrorCode } from '../errors.ts';

/**
 * Has `produce` write a temp file beside `path` (same folder, so the rename is atomic), then renames it into
 * place; the temp file is gone afterwards whatever happens. Creates the folder. Resolves with what `produce` did.
 */
export async function replaceAtomic<T>(path: string, produce: (tmp: string) => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const result = await produce(tmp);
    await rename(tmp, path);
    return result;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** Writes `path` through a temp file beside it and a rename; creates the folder. */
export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  await replaceAtomic(path, (tmp) => writeFile(tmp, content));
}

/** `value` as 2-space JSON with a trailing newline, written atomically. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** How a JSON file's failures read: `<shown>: cannot read the <what> (<reason>): <hint>` or `<shown>: not valid JSON (<reason>): <hint>`. */
export interface JsonFileRole {
  /** What the file holds, e.g. "verification record". */
  what: string;
  /** What the user should do about a failure. */
  hint?: string;
  /** The path as the message shows it (e.g. relative to the workspace); `path` when absent. */
  shown?: string;
  /** Error code of both failures; ERR_MANIFEST_INVALID when absent. */
  code?: PipelineErrorCode;
  /** Error code when the file cannot be read; `code` when absent. */
  missingCode?: PipelineErrorCode;
}

/** Reads and parses a JSON file; a failure is one PipelineError line naming the file and the problem. */
export async function readJson<T = unknown>(path: string, role: JsonFileRole = { what: 'file' }): Promise<T> {
  const result = await readJsonOrMissing<T>(path, role, false);
  return result as T;
}

/** As readJson, but a file that does not exist gives undefined. */
export async function readJsonIfExists<T = unknown>(path: string, role: JsonFileRole): Promise<T | undefined> {
  return readJsonOrMissing<T>(path, role, true);
}

async function readJsonOrMissing<T>(path: string, role: JsonFileRole, optional: boolean): Promise<T | undefined> {
  const shown = role.shown ?? path;
  const hint = role.hint ? `: ${role.hint}` : '';
  const code = role.code ?? 'ERR_MANIFEST_INVALID';
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if (optional && (cause as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new PipelineError(
      role.missingCode ?? code,
      `${shown}: cannot read the ${role.what} (${firstLine(cause)})${hint}`,
      { cause, context: { file: path } },
    );
  }
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new PipelineError(code, `${shown}: not valid JSON (${firstLine(cause)})${hint}`, {
      cause,
      context: { file: path },
    });
  }
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0] as string;
}
