// One parser for every per-language stage command: `pipeline <stage> <lang> [--ver v] [stage options]`.
// Unknown flags and a missing or extra language become one-line ERR_INVALID_OPTION errors.
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { PipelineError } from './errors.ts';

export interface StageArgs {
  lang: string;
  ver: string | undefined;
  /** The stage's own options, as parsed (strings and booleans). */
  values: Record<string, string | boolean | undefined>;
}

export function parseStageArgs(
  stage: string,
  argv: string[],
  options: NonNullable<ParseArgsConfig['options']> = {},
): StageArgs {
  const usage = `usage: pipeline ${stage} <lang> [--ver=<version>]`;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, ver: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (cause) {
    throw new PipelineError('ERR_INVALID_OPTION', `${stage}: ${(cause as Error).message}; ${usage}`, {
      cause,
      context: { argv },
    });
  }
  const [lang, ...extra] = parsed.positionals;
  if (!lang || extra.length > 0) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `${stage}: expected one language, got ${JSON.stringify(parsed.positionals)}; ${usage}`,
      { context: { argv } },
    );
  }
  const ver = parsed.values.ver;
  return {
    lang,
    ver: typeof ver === 'string' ? ver : undefined,
    values: parsed.values as StageArgs['values'],
  };
}
