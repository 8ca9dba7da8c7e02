import { LoaderError } from './errors.ts';

// The same patterns as manifest.schema.json ($defs Language, Version, FileName): names become path segments.
const LANGUAGE = /^[a-z][a-z0-9-]{0,31}$/;
const VERSION = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;
const FILE_NAME = /^(?!\.\.?$)[A-Za-z0-9._+-]{1,128}$/;

export function assertLanguage(language: string): string {
  if (typeof language !== 'string' || !LANGUAGE.test(language)) {
    throw new LoaderError(
      'ERR_INVALID_NAME',
      `invalid language name ${JSON.stringify(language)}: use lowercase letters, digits and '-' (e.g. go, rust)`,
      { context: { language: String(language) } },
    );
  }
  return language;
}

export function assertVersion(version: string): string {
  if (typeof version !== 'string' || !VERSION.test(version) || version.includes('..')) {
    throw new LoaderError(
      'ERR_INVALID_NAME',
      `invalid version ${JSON.stringify(version)}: use letters, digits, '.', '_', '+' and '-' (e.g. 1.24)`,
      { context: { version: String(version) } },
    );
  }
  return version;
}

/** A manifest `file` must be a plain file name: no '/', no '\\', not '.' or '..'. */
export function assertFileName(file: string, where: string): string {
  if (typeof file !== 'string' || !FILE_NAME.test(file) || file.includes('..')) {
    throw new LoaderError(
      'ERR_MANIFEST_INVALID',
      `manifest names file ${JSON.stringify(file)} for ${where}: a file must be a plain file name (no '/', '\\' or '..')`,
      { context: { file: String(file) } },
    );
  }
  return file;
}

/** Compare version labels segment by segment, numerically where both segments are numbers. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.+_-]/);
  const pb = b.split(/[.+_-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d+$/.test(x) ? Number(x) : Number.NaN;
    const ny = /^\d+$/.test(y) ? Number(y) : Number.NaN;
    const c = Number.isNaN(nx) || Number.isNaN(ny) ? x.localeCompare(y) : nx - ny;
    if (c !== 0) return c < 0 ? -1 : 1;
  }
  return 0;
}
