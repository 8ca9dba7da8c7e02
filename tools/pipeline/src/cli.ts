#!/usr/bin/env node
// The pipeline's one entry point: `tsx tools/pipeline/src/cli.ts <stage> [args...]`.
// Each stage lives in its own folder and exports `run(argv)` from `<stage>/command.ts`;
// this file only dispatches and owns the single top-level catch.
import { formatError } from './errors.ts';
import { type Stage, stageFolders, stages } from './stages.ts';

async function main(argv: string[]): Promise<number> {
  const [stage, ...rest] = argv;
  if (!stage || !stages.includes(stage as Stage)) {
    process.stderr.write(`usage: pipeline <${stages.join('|')}> [args...]\n`);
    return 2;
  }
  const mod = (await import(`./${stageFolders[stage as Stage]}/command.ts`)) as { run(argv: string[]): Promise<void> };
  await mod.run(rest);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${formatError(error)}\n`);
    process.exitCode = 1;
  },
);
