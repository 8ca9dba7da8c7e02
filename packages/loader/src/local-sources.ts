import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { LocalSources } from './sources.ts';

/** Node's folder sources: `file://` URLs and plain paths (relative to `cwd`). */
export function localSources(cwd = process.cwd()): LocalSources {
  return {
    fromFileUrl: (url) => ({ kind: 'file', label: url.href, dir: fileURLToPath(url) }),
    fromPath: (text) => {
      const dir = isAbsolute(text) ? text : resolve(cwd, text);
      return { kind: 'file', label: pathToFileURL(dir).href, dir };
    },
  };
}
