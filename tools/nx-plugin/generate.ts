// Writes tools/nx-plugin/index.cjs (the plugin nx.json loads) from index.ts; --check only compares.
// Usage: node --import tsx tools/nx-plugin/generate.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { compiledPluginPath, compilePlugin } from './compiled.ts';

const compiled = compilePlugin();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(compiledPluginPath, 'utf8');
  } catch {}
  if (current !== compiled) {
    process.stderr.write(`${compiledPluginPath} is out of date: run node --import tsx tools/nx-plugin/generate.ts\n`);
    process.exit(1);
  }
  process.stdout.write(`${compiledPluginPath} is up to date\n`);
} else {
  writeFileSync(compiledPluginPath, compiled);
  process.stdout.write(`wrote ${compiledPluginPath}\n`);
}
