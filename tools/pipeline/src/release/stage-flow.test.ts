// Stages flow one way: each file of the workspace is the output of exactly one stage, no stage writes a
// file another stage owns, and metadata -> release -> metadata -> release changes nothing the second time.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../kit/digest.ts';
import { writeMetadata } from '../metadata/write-metadata.ts';
import { stageOutputs } from '../paths.ts';
import { loadRuntimeConfig, selectVersions } from '../runtime/config.ts';
import { createStagedWorkspace } from '../testing/staged-workspace.ts';
import { runRelease } from './release.ts';

type Owner = 'build' | 'optimize' | 'verify' | 'metadata' | 'release' | 'sources';

/** Workspace-relative globs of what each stage writes (the Nx outputs), and the sources no stage writes. */
const owners: Record<Owner, string[]> = {
  ...stageOutputs('demo'),
  release: ['build/release/**', 'manifest.json', 'SHA256SUMS'],
  sources: ['runtimes/**', 'package.json'],
};

const globRegExp = (glob: string): RegExp =>
  new RegExp(
    `^${glob
      .split(/(\*\*|\*)/)
      .map((part) => (part === '**' ? '.*' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );
const ownersOf = (path: string): Owner[] =>
  (Object.keys(owners) as Owner[]).filter((owner) => owners[owner].some((glob) => globRegExp(glob).test(path)));

/** Every file of the workspace but .git, as path -> sha256. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = relative(root, join(entry.parentPath, entry.name));
    if (path.startsWith('.git/')) continue;
    files.set(path, sha256Hex(await readFile(join(root, path))));
  }
  return files;
}

/** Paths added, changed or removed between two snapshots, sorted. */
function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => before.get(path) !== after.get(path)).sort();
}

let root: string;
const quiet = () => {};
const env = {}; // no SOURCE_DATE_EPOCH: dates come from the commit, as in a real checkout

async function metadata(ver?: string): Promise<void> {
  const config = await loadRuntimeConfig('demo', root);
  await writeMetadata({ config, versions: selectVersions(config, ver), root, env, log: quiet });
}
const release = () => runRelease({ root, env, log: quiet });

beforeAll(async () => {
  root = await createStagedWorkspace({ demo: ['1.9', '1.10'] });
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('stages flow one way', () => {
  it('metadata -> release -> metadata -> release: each writes only its own files, the second round nothing', async () => {
    const staged = await snapshot(root);
    for (const path of staged.keys()) expect([path, ownersOf(path).length]).toEqual([path, 1]);

    await metadata();
    const afterMetadata = await snapshot(root);
    const byMetadata = changes(staged, afterMetadata);
    expect(byMetadata).toEqual(['build/demo/demo-1.10.metadata.json', 'build/demo/demo-1.9.metadata.json']);

    const first = await release();
    const afterRelease = await snapshot(root);
    const byRelease = changes(afterMetadata, afterRelease);
    expect(byRelease).toContain('build/release/v1.2.3/demo-manifest.json');
    for (const path of byRelease) expect([path, ownersOf(path)]).toEqual([path, ['release']]);

    await metadata();
    expect(changes(afterRelease, await snapshot(root))).toEqual([]);
    const second = await release();
    expect(changes(afterRelease, await snapshot(root))).toEqual([]);
    expect(second.assets.map((a) => [a.name, a.sha256])).toEqual(first.assets.map((a) => [a.name, a.sha256]));

    // Every file the flow left has exactly one owner.
    for (const path of (await snapshot(root)).keys()) expect([path, ownersOf(path).length]).toEqual([path, 1]);
  });

  it('a --ver metadata run changes nothing the full run wrote, and the next release describes every version', async () => {
    await metadata();
    const first = await release();
    const before = await snapshot(root);
    await metadata('1.9');
    expect(changes(before, await snapshot(root))).toEqual([]);
    const again = await release();
    expect(again.assets.map((a) => [a.name, a.sha256])).toEqual(first.assets.map((a) => [a.name, a.sha256]));
    const manifest = JSON.parse(await readFile(join(again.dir, 'demo-manifest.json'), 'utf8'));
    expect(Object.keys(manifest.versions)).toEqual(['1.9', '1.10']);
    expect(manifest.latest).toBe('1.10');
  });
});
