// `pipeline build <lang> [--ver=<label>] [--concurrency=<n>]`: the CLI face of the build stage.
import { connectDocker } from '../docker/engine.ts';
import { parseStageArgs } from '../stage-args.ts';
import { buildRuntime } from './build-runtime.ts';

export async function run(argv: string[]): Promise<void> {
  const { lang, ver, values } = parseStageArgs('build', argv, { concurrency: { type: 'string' } });
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  const started = Date.now();
  const docker = await connectDocker();
  const records = await buildRuntime(docker, {
    lang,
    ...(ver ? { ver } : {}),
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  process.stdout.write(`[${lang}] built ${records.length} version(s) in ${seconds} s\n`);
  for (const r of records) process.stdout.write(`[${lang}@${r.version}] ${r.file} ${r.size} bytes ${r.toolchain}\n`);
}
