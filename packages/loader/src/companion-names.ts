// The checks of a companion's names, without node: imports (manifest validation runs in the browser too).
import type { Companion } from '@wasmhub/contract';
import { LoaderError } from './errors.ts';
import { assertFileName } from './names.ts';

// The same pattern as manifest.schema.json ($defs GuestPath).
const GUEST_PATH = /^(\/(?!\.\.?(\/|$))[A-Za-z0-9._+-]{1,128}){1,16}$/;

/** Check a companion's names (belt and braces beyond the schema): they become paths in the cache. */
export function assertCompanion(companion: Companion, where: string): Companion {
  assertFileName(companion.file, where);
  for (const variant of Object.values(companion.variants ?? {})) {
    if (variant) assertFileName(variant.file, where);
  }
  const guest = companion.guestPath;
  if (typeof guest !== 'string' || !GUEST_PATH.test(guest) || guest.split('/').includes('..')) {
    throw new LoaderError(
      'ERR_MANIFEST_INVALID',
      `manifest names guest path ${JSON.stringify(guest)} for a companion of ${where}: it must be an absolute path without '.' or '..' segments`,
      { context: { guestPath: String(guest) } },
    );
  }
  return companion;
}
