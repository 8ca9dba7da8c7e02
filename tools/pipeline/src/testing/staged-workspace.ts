// Test helper: a committed workspace (git, package.json, runtimes/<lang>/runtime.json) whose versions went
// through the real build-record -> optimize (binaryen.js) -> verify chain on tiny WASI modules, so the
// metadata and release stages run on exactly what the earlier stages leave, without Docker.
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { sha256Hex } from '../kit/digest.ts';
import { optimizeModule } from '../optimize/optimize-module.ts';
import {
  buildRecordPath,
  optWasmPath,
  rawWasmPath,
  runtimeConfigPath,
  runtimeDir,
  runtimeSchemaPath,
  verifyRecordPath,
} from '../paths.ts';
import { verifyVersion } from '../verify/verify-stage.ts';
import { helloSuite, makeWasiModule } from './test-modules.ts';

/** The commit every staged workspace is dated by (the metadata stage's `released` without SOURCE_DATE_EPOCH). */
export const STAGED_COMMIT_DATE = '2026-03-04T05:06:07Z';

const quiet = () => {};

/** Runs the build record -> optimize -> verify chain of `lang`@`version`; the module prints `message`. */
export async function stageVersion(root: string, lang: string, version: string, message: string): Promise<void> {
  const raw = rawWasmPath(lang, version, root);
  await mkdir(join(root, 'build', lang), { recursive: true });
  const bytes = makeWasiModule({ message });
  await writeFile(raw, bytes);
  await writeFile(
    buildRecordPath(lang, version, root),
    JSON.stringify({
      sha256: sha256Hex(bytes),
      toolchain: `${lang}${version}.0`,
      builder: { name: 'trixie', image: 'wasmhub-builder/trixie:x', id: 'sha256:1234' },
    }),
  );
  await optimizeModule({
    input: raw,
    output: optWasmPath(lang, version, root),
    level: '-Oz',
    task: `${lang}@${version}`,
    engine: 'js',
    log: quiet,
  });
  await verifyVersion({
    language: lang,
    version,
    rawPath: raw,
    optPath: optWasmPath(lang, version, root),
    recordPath: verifyRecordPath(lang, version, root),
    root,
    conformance: { suite: helloSuite(message) },
    log: quiet,
  });
}

/**
 * A temp workspace declaring `runtimes` (language -> version labels), committed at STAGED_COMMIT_DATE, every
 * version built, optimized and verified (its module prints `<lang> <version>\n`). Returns the root.
 */
export async function createStagedWorkspace(
  runtimes: Record<string, string[]> = { demo: ['1.9', '1.10'] },
): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wasmhub-staged-'));
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'staged', version: '1.2.3' }));
  await mkdir(join(root, 'runtimes'), { recursive: true });
  await copyFile(runtimeSchemaPath(), runtimeSchemaPath(root));
  for (const [lang, versions] of Object.entries(runtimes)) {
    await mkdir(runtimeDir(lang, root), { recursive: true });
    await writeFile(join(runtimeDir(lang, root), 'main.txt'), 'source\n');
    await writeFile(
      runtimeConfigPath(lang, root),
      JSON.stringify({
        language: lang,
        kind: 'go',
        displayName: 'Demo',
        source: 'https://example.org',
        license: 'MIT',
        wasmOpt: '-Oz',
        features: ['stdio'],
        versions: versions.map((label) => ({ label, builder: 'trixie', toolchain: '/usr/bin/demo' })),
      }),
    );
  }
  const env = {
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@t',
    GIT_AUTHOR_DATE: STAGED_COMMIT_DATE,
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@t',
    GIT_COMMITTER_DATE: STAGED_COMMIT_DATE,
  };
  await execa('git', ['init', '-q'], { cwd: root, env });
  await execa('git', ['add', '.'], { cwd: root, env });
  await execa('git', ['commit', '-q', '-m', 'sources'], { cwd: root, env });
  for (const [lang, versions] of Object.entries(runtimes)) {
    for (const version of versions) await stageVersion(root, lang, version, `${lang} ${version}\n`);
  }
  return root;
}
