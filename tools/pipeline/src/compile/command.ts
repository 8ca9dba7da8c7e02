// `pipeline build <lang> [--ver=<label>] [--concurrency=<n>]`: the CLI face of the build stage.
import { connectDocker } from '../docker/engine.ts';
import { lineEmitter } from '../kit/events.ts';
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
  const emit = lineEmitter();
  emit({ kind: 'build.done', task: lang, versions: records.length, ms: Date.now() - started });
  for (const r of records) {
    emit({ kind: 'build.record', task: `${lang}@${r.version}`, file: r.file, size: r.size, toolchain: r.toolchain });
  }
}
