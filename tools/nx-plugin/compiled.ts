// Nx loads the plugin named in nx.json on every nx command. A TypeScript plugin makes Nx register a
// transpiler (@swc-node/register) first, ~0.23 s of every command (measured: a cached
// `nx run go:build --ver=1.24` 1.19 s with index.ts, 0.95 s with plain JS). So nx.json names
// index.cjs, generated from index.ts by TypeScript's transpileModule and committed;
// index.test.ts fails when it is out of date. Regenerate: npm run generate
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const here = dirname(fileURLToPath(import.meta.url));
export const pluginSourcePath = join(here, 'index.ts');
export const compiledPluginPath = join(here, 'index.cjs');

export function compilePlugin(): string {
  const { outputText } = ts.transpileModule(readFileSync(pluginSourcePath, 'utf8'), {
    fileName: 'index.ts',
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      removeComments: false,
      newLine: ts.NewLineKind.LineFeed,
    },
  });
  return `// GENERATED from index.ts by npm run generate (see compiled.ts); do not edit.\n${outputText}`;
}
