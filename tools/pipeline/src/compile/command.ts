// `pipeline build <lang> [--ver=<label>] [--concurrency=<n>]`: the CLI face of the build stage.
import { parseArgs } from 'node:util';
import { connectDocker } from '../docker/engine.ts';
import { PipelineError } from '../errors.ts';
import { buildRuntime } from './build-runtime.ts';

export async function run(argv: string[]): Promise<void> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (cause) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `build: ${(cause as Error).message}; usage: build <lang> [--ver=<version>]`,
      {
        cause,
        context: { argv },
      },
    );
  }
  const [lang, ...extra] = parsed.positionals;
  if (!lang || extra.length > 0) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `build: expected one language, got ${JSON.stringify(parsed.positionals)}; usage: build <lang> [--ver=<version>]`,
    );
  }
  const concurrency = parsed.values.concurrency === undefined ? undefined : Number(parsed.values.concurrency);
  const started = Date.now();
  const docker = await connectDocker();
  const records = await buildRuntime(docker, {
    lang,
    ...(parsed.values.ver ? { ver: parsed.values.ver } : {}),
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`[${lang}] built ${records.length} version(s) in ${seconds} s\n`);
  for (const r of records) process.stdout.write(`[${lang}@${r.version}] ${r.file} ${r.size} bytes ${r.toolchain}\n`);
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { ver: { type: 'string' }, concurrency: { type: 'string' } },
  });
}
