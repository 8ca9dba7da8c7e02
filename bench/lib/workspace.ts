// Where the bench works:
//  - the checkout itself, read-only apart from what the pipeline writes anyway: the bench's prepare is
//    `nx run-many -t metadata` there (all cache hits after the README's `nx run-many -t release`), and
//    item 2's "nothing changed" run is timed there;
//  - build/bench/ws: a copy of the checkout's sources (tracked + untracked, not ignored) with its own
//    git repository, Nx cache and build/ outputs (node_modules is a symlink to the real one), for what
//    deletes or rewrites outputs: item 1's uncached builds and item 2's cold runs; the loader is built
//    there too, so a concurrent `npm run build -w @wasmhub/loader` in the checkout cannot interfere;
//  - build/bench/release-ws: a release workspace (package.json, runtimes/runtime.schema.json,
//    runtimes/<lang>/runtime.json, build/<lang>/opt/*.wasm and build/<lang>/*.metadata.json) taken from the
//    checkout's outputs, where the release stage writes.
import { existsSync } from 'node:fs';
import { appendFile, copyFile, cp, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execaSync } from 'execa';
import { readJson } from '../../tools/pipeline/src/kit/files.ts';
import {
  COMPANIONS_DIR,
  metadataRecordPath,
  runtimeConfigPath,
  runtimeSchemaPath,
} from '../../tools/pipeline/src/paths.ts';
import { runProc } from './proc.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const benchDir = join(repoRoot, 'build', 'bench');
export const wsRoot = join(benchDir, 'ws');
export const releaseRoot = join(benchDir, 'release-ws');
export const nxBin = join(repoRoot, 'node_modules', '.bin', 'nx');

/** Never copied from the checkout: the bench's own files (no pipeline stage writes beside the sources). */
const isOutput = (path: string): boolean => path.startsWith('bench/');

/** Copies the checkout's current sources into ws (changed files only matter: Nx hashes contents). */
export async function syncWorkspace(log: (line: string) => void): Promise<void> {
  await mkdir(wsRoot, { recursive: true });
  const listed = execaSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repoRoot })
    .stdout.split('\0')
    .filter((p) => p && !isOutput(p) && existsSync(join(repoRoot, p)));
  for (const path of listed) {
    const from = join(repoRoot, path);
    const to = join(wsRoot, path);
    const [a, b] = await Promise.all([readFile(from), readFile(to).catch(() => undefined)]);
    if (b && a.equals(b)) continue;
    await mkdir(dirname(to), { recursive: true });
    await copyFile(from, to);
  }
  // Files deleted or moved in the checkout go from the copy too (it tracks exactly what was synced).
  if (existsSync(join(wsRoot, '.git'))) {
    const wanted = new Set(listed);
    const tracked = execaSync('git', ['ls-files', '-z'], { cwd: wsRoot }).stdout.split('\0').filter(Boolean);
    for (const path of tracked) if (!wanted.has(path) && !isOutput(path)) await rm(join(wsRoot, path), { force: true });
  }
  if (!existsSync(join(wsRoot, 'node_modules')))
    await symlink(join(repoRoot, 'node_modules'), join(wsRoot, 'node_modules'));
  // Nx's local cache only hits inside a git repository, and the metadata stage dates a release by the
  // last commit touching runtimes/<lang>: the copy is committed (in its own repository) after each sync.
  const git = (...args: string[]) =>
    execaSync('git', ['-c', 'user.name=wasmhub-bench', '-c', 'user.email=bench@localhost', ...args], {
      cwd: wsRoot,
    });
  if (!existsSync(join(wsRoot, '.git'))) {
    git('init', '-q');
    await appendFile(join(wsRoot, '.git', 'info', 'exclude'), 'node_modules\n');
  }
  git('add', '-A');
  if (git('status', '--porcelain').stdout.trim() !== '')
    git('commit', '-q', '-m', 'bench: sync sources from the checkout');
  log(`[bench] workspace ${wsRoot}: ${listed.length} source files in sync with ${repoRoot}`);
}

export const nxEnv = { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', FORCE_COLOR: '0' };

/** Runs nx in ws (default) or in `opts.cwd`, with `opts.env` added to nxEnv. */
export function nx(
  args: string[],
  opts: { echo?: (line: string) => void; cwd?: string; env?: Record<string, string> } = {},
) {
  return runProc(nxBin, args, {
    cwd: opts.cwd ?? wsRoot,
    env: { ...nxEnv, ...opts.env },
    ...(opts.echo ? { echo: opts.echo } : {}),
  });
}

/** "3/8" from Nx's summary of an nx run: tasks read from the cache out of all tasks. */
export function hitsOf(output: string): string {
  const m = /Nx read the output from the cache instead of running the command for (\d+) out of (\d+) tasks/.exec(
    output,
  );
  return m ? `${m[1]}/${m[2]}` : 'none';
}

export interface RuntimeVersionInfo {
  lang: string;
  ver: string;
  raw: string;
  opt: string;
}

/** Every runtime version of `root` (runtimes/<lang>/runtime.json) with its raw and optimized module paths. */
export async function listVersions(root: string): Promise<RuntimeVersionInfo[]> {
  const out: RuntimeVersionInfo[] = [];
  for (const lang of (await readdir(join(root, 'runtimes'), { withFileTypes: true })).filter((d) => d.isDirectory())) {
    const file = join(root, 'runtimes', lang.name, 'runtime.json');
    if (!existsSync(file)) continue;
    const config = await readJson<{ language: string; versions: { label: string }[] }>(file);
    for (const { label } of config.versions) {
      out.push({
        lang: config.language,
        ver: label,
        raw: join(root, 'build', config.language, `${config.language}-${label}.wasm`),
        opt: join(root, 'build', config.language, 'opt', `${config.language}-${label}.wasm`),
      });
    }
  }
  return out;
}

/** Builds the release workspace from the outputs of `root` (metadata records, optimized modules, companion files). */
export async function createReleaseWorkspace(root: string, versions: RuntimeVersionInfo[]): Promise<void> {
  await rm(join(releaseRoot, 'runtimes'), { recursive: true, force: true });
  await rm(join(releaseRoot, 'build', 'release'), { recursive: true, force: true, maxRetries: 2 }).catch(() => {});
  await mkdir(releaseRoot, { recursive: true });
  await copyFile(join(root, 'package.json'), join(releaseRoot, 'package.json'));
  await mkdir(join(releaseRoot, 'runtimes'), { recursive: true });
  await copyFile(runtimeSchemaPath(root), runtimeSchemaPath(releaseRoot));
  for (const lang of new Set(versions.map((v) => v.lang))) {
    await mkdir(join(releaseRoot, 'runtimes', lang), { recursive: true });
    await mkdir(join(releaseRoot, 'build', lang, 'opt'), { recursive: true });
    await copyFile(runtimeConfigPath(lang, root), runtimeConfigPath(lang, releaseRoot));
    const companions = join(root, 'build', lang, COMPANIONS_DIR);
    if (existsSync(companions))
      await cp(companions, join(releaseRoot, 'build', lang, COMPANIONS_DIR), { recursive: true });
  }
  for (const v of versions) {
    await copyFile(v.opt, join(releaseRoot, 'build', v.lang, 'opt', `${v.lang}-${v.ver}.wasm`));
    await copyFile(metadataRecordPath(v.lang, v.ver, root), metadataRecordPath(v.lang, v.ver, releaseRoot));
  }
  await writeFile(join(releaseRoot, 'README.txt'), 'WasmHub bench release workspace (generated, safe to delete)\n');
}

export const sourceDateEpoch = '1767225600';
