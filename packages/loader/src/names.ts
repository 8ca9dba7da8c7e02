import {
  FILE_NAME_PATTERN as FILE_NAME,
  LANGUAGE_PATTERN as LANGUAGE,
  VERSION_PATTERN as VERSION,
} from '@wasmhub/contract';
import { LoaderError } from './errors.ts';

// The patterns of manifest.schema.json ($defs Language, Version, FileName): names become path segments.

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
