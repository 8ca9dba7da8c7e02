// `npm run generate`: rewrites every generated file (see generated-files.ts); `--check` only compares
// and exits 1 naming the stale files.
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { generatedFiles } from './generated-files.ts';

const check = process.argv.includes('--check');
const root = new URL('..', import.meta.url).pathname;
let stale = 0;
for (const file of generatedFiles) {
  const content = await file.generate();
  const current = await readFile(file.path, 'utf8').catch(() => '');
  const name = relative(root, file.path);
  if (current === content) {
    process.stdout.write(`${name} is up to date\n`);
  } else if (check) {
    process.stderr.write(`${name} is out of date with ${file.source}: run npm run generate\n`);
    stale++;
  } else {
    await writeFile(file.path, content);
    process.stdout.write(`wrote ${name}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
