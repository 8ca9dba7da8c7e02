#!/usr/bin/env node
// The `wasmhub` command. It exists before anything is built, so npm always links it (a bin pointing into
// dist/ is not linked by `npm ci`, which runs before dist/ exists). The published package runs the compiled
// CLI (dist/cli.js). In a checkout of the repository it runs dist/ when that build is newer than every
// source file, else the source itself through tsx (a dev dependency of the repository): never a stale build.
import { readdirSync, statSync } from 'node:fs';
import module from 'node:module';

// Node >= 22.1 keeps V8's compiled code of the CLI's modules in a disk cache (under the temp folder; Node's
// NODE_DISABLE_COMPILE_CACHE turns it off), so later starts skip compiling them. Node 20 has no such cache.
module.enableCompileCache?.();

const dist = new URL('../dist/cli.js', import.meta.url);
const src = new URL('../src/', import.meta.url);

function mtime(url) {
  try {
    return statSync(url).mtimeMs;
  } catch {
    return undefined;
  }
}

function newestSource() {
  let newest = 0;
  try {
    for (const name of readdirSync(src)) {
      if (name.endsWith('.ts')) newest = Math.max(newest, mtime(new URL(name, src)) ?? 0);
    }
  } catch {
    return undefined; // no src/: the published package
  }
  return newest;
}

const built = mtime(dist);
const source = newestSource();
if (built !== undefined && (source === undefined || built >= source)) {
  await import(dist.href);
} else if (source !== undefined) {
  let tsImport;
  try {
    ({ tsImport } = await import('tsx/esm/api'));
  } catch {
    process.stderr.write(
      'wasmhub: ERR_USAGE: dist/ is not built and tsx is not installed: run `npm run build -w @wasmhub/loader`\n',
    );
    process.exit(2);
  }
  await tsImport('../src/cli.ts', import.meta.url);
} else {
  process.stderr.write('wasmhub: ERR_USAGE: the package is incomplete (no dist/cli.js)\n');
  process.exit(2);
}
