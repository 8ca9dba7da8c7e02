import { accessSync, constants, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { LoaderError } from './errors.ts';

/**
 * A local file-system failure inside the cache as one ERR_CACHE line naming the path and the fix. These are
 * never retried and never blamed on a source. Anything that is not an errno error is returned unchanged.
 */
export function cacheError(error: unknown, path: string): unknown {
  if (error instanceof LoaderError) return error;
  let code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code !== 'string' || !/^E[A-Z]+$/.test(code)) return error;
  let where = (error as NodeJS.ErrnoException).path ?? path;
  if (code === 'ENOENT') {
    // Node's recursive mkdir reports ENOENT on a read-only or unwritable parent: find the real reason.
    let existing = where;
    while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
    try {
      accessSync(existing, constants.W_OK);
    } catch (probe) {
      const probed = (probe as NodeJS.ErrnoException).code;
      if (probed) {
        code = probed;
        where = existing;
      }
    }
  }
  const choose = 'choose another cache folder with --cache-dir or WASMHUB_CACHE_DIR';
  const reason: Record<string, string> = {
    EACCES: `no permission to write ${where}; fix its permissions or ${choose}`,
    EPERM: `no permission to write ${where}; fix its permissions or ${choose}`,
    EROFS: `${where} is on a read-only file system; ${choose}`,
    ENOSPC: `no space left on the device holding ${where}; free some space or ${choose}`,
    EDQUOT: `disk quota exceeded writing ${where}; free some space or ${choose}`,
    ENOTDIR: `a part of ${where} is a file, not a folder (${dirname(where)}); remove it or ${choose}`,
    EEXIST: `${where} exists and is not what the cache expects; remove it or ${choose}`,
    EISDIR: `${where} is a folder where the cache expects a file; remove it or ${choose}`,
    ELOOP: `${where} is a loop of symbolic links; remove it or ${choose}`,
    EMFILE: `too many open files while writing ${where}; raise the limit (ulimit -n)`,
  };
  return new LoaderError('ERR_CACHE', `cache: ${reason[code] ?? `${code} on ${where}; ${choose}`} (${code})`, {
    cause: error,
    context: { path: where },
  });
}
