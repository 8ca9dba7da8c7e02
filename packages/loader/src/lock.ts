import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheError } from './cache-errors.ts';
import { LoaderError } from './errors.ts';

export interface LockOptions {
  /** A lock whose holder stopped refreshing it for this long is stale and taken over (default 10 s). */
  staleMs: number;
  /** Give up waiting at this absolute time (Date.now clock). */
  deadline: number;
  onWait?: () => void;
}

/**
 * Cross-process lock for one runtime version (`<cacheDir>/<lang>/.<version>.lock`, a directory that
 * proper-lockfile creates atomically and refreshes while held; a holder that died leaves a lock that turns
 * stale and is taken over). Returns the release function.
 */
export async function acquireLock(
  cacheDir: string,
  language: string,
  version: string,
  options: LockOptions,
): Promise<() => Promise<void>> {
  const dir = join(cacheDir, language);
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw cacheError(error, dir);
  });
  const target = join(dir, version);
  const lockfilePath = join(dir, `.${version}.lock`);
  // Imported here, not at the top: only a download takes the lock (proper-lockfile loads graceful-fs and more).
  const { default: lockfile } = await import('proper-lockfile');
  let compromised: Error | undefined;
  let waited = false;
  for (;;) {
    try {
      const release = await lockfile.lock(target, {
        realpath: false,
        lockfilePath,
        stale: options.staleMs,
        update: Math.max(1000, Math.floor(options.staleMs / 4)),
        retries: 0,
        onCompromised: (error) => {
          compromised = error;
        },
      });
      return async () => {
        await release().catch(() => undefined);
        if (compromised) {
          throw new LoaderError('ERR_LOCK', `lock ${lockfilePath} was lost while held: ${compromised.message}`, {
            cause: compromised,
          });
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') {
        const local = cacheError(error, lockfilePath);
        if (local instanceof LoaderError) throw local;
        throw new LoaderError('ERR_LOCK', `cannot lock ${lockfilePath}: ${(error as Error).message}`, { cause: error });
      }
      if (Date.now() > options.deadline) {
        throw new LoaderError('ERR_DEADLINE', `gave up waiting for ${lockfilePath} held by another process`, {
          cause: error,
          context: { path: lockfilePath },
        });
      }
      if (!waited) options.onWait?.();
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.floor(Math.random() * 100)));
    }
  }
}
