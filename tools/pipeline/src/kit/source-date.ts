// SOURCE_DATE_EPOCH (https://reproducible-builds.org/specs/source-date-epoch/): the one reader of the variable
// and the one clock formatter, so the build, metadata and release stages accept and print it alike.
import { PipelineError } from '../errors.ts';

/**
 * The variable's value as whole seconds since 1970, or undefined when it is unset or empty.
 * Anything else is a one-line ERR_INVALID_OPTION naming the variable and the value.
 */
export function parseSourceDateEpoch(text: string | undefined): number | undefined {
  const trimmed = text?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  if (!/^[0-9]+$/.test(trimmed)) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `SOURCE_DATE_EPOCH=${JSON.stringify(trimmed)} is not a number of seconds since 1970: unset it or set e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`,
    );
  }
  return Number(trimmed);
}

/** RFC 3339 UTC without milliseconds, e.g. 2026-11-25T22:33:00Z. */
export function epochToRfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
