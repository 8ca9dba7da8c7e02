import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../kit/digest.ts';
import { buildRecordPath, companionBuildPath, metadataRecordPath, optWasmPath, verifyRecordPath } from '../paths.ts';
import { loadRuntimeConfig, type RuntimeConfig } from '../runtime/config.ts';
import { createStagedWorkspace, STAGED_COMMIT_DATE } from '../testing/staged-workspace.ts';
import { makeWasiModule } from '../testing/test-modules.ts';
import { readLanguageManifest } from './record.ts';
import { writeMetadata } from './write-metadata.ts';

let root: string;
let config: RuntimeConfig;
const quiet = () => {};
const labels = () => config.versions.map((v) => v.label);

beforeAll(async () => {
  // The chain on real (small) modules: build output -> optimize (binaryen.js) -> verify, then metadata.
  root = await createStagedWorkspace({ demo: ['1.9', '1.10'] });
  config = await loadRuntimeConfig('demo', root);
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('metadata stage', () => {
  it('writes one valid metadata record per version, deterministic and byte-identical on re-run', async () => {
    const first = await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
    expect(first.map((w) => w.path)).toEqual([
      metadataRecordPath('demo', '1.9', root),
      metadataRecordPath('demo', '1.10', root),
    ]);
    const texts = await Promise.all(first.map((w) => readFile(w.path, 'utf8')));
    const manifest = await readLanguageManifest('demo', labels(), root);
    expect(manifest.latest).toBe('1.10');
    expect(Object.keys(manifest.versions)).toEqual(['1.9', '1.10']);
    const record = JSON.parse(await readFile(verifyRecordPath('demo', '1.10', root), 'utf8'));
    expect(JSON.parse(texts[1] as string)).toMatchObject({ language: 'demo', version: '1.10' });
    expect(manifest.versions['1.10']).toMatchObject({
      file: 'demo-1.10.wasm',
      size: record.optimized.size,
      sha256: record.optimized.sha256,
      released: STAGED_COMMIT_DATE,
      wasi: 'wasip1',
      features: ['stdio'],
      toolchain: 'demo1.10.0',
      builderImage: 'sha256:1234',
      wasmOpt: '-Oz',
      unoptimized: { size: record.unoptimized.size, sha256: record.unoptimized.sha256 },
    });
    expect(manifest.versions['1.10']?.sourceCommit).toMatch(/^[0-9a-f]{40}$/);
    const second = await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
    expect(second.map((w) => w.changed)).toEqual([false, false]);
    expect(await Promise.all(first.map((w) => readFile(w.path, 'utf8')))).toEqual(texts);
  });

  it('a --ver run rewrites only its own record, and the language manifest still describes every version', async () => {
    await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
    const before = await readLanguageManifest('demo', labels(), root);
    const other = metadataRecordPath('demo', '1.10', root);
    const otherBytes = await readFile(other);
    const otherMtime = (await stat(other)).mtimeMs;
    // `pipeline metadata demo --ver 1.9`, with a release date of its own so that the record changes.
    const [only] = config.versions;
    const written = await writeMetadata({
      config,
      versions: [only as (typeof config.versions)[number]],
      root,
      env: { SOURCE_DATE_EPOCH: '0' },
      log: quiet,
    });
    expect(written.map((w) => [w.record.version, w.changed])).toEqual([['1.9', true]]);
    expect(await readFile(other)).toEqual(otherBytes);
    expect((await stat(other)).mtimeMs).toBe(otherMtime);
    const after = await readLanguageManifest('demo', labels(), root);
    expect(Object.keys(after.versions)).toEqual(['1.9', '1.10']);
    expect(after.latest).toBe('1.10');
    expect(after.versions['1.9']?.released).toBe('1970-01-01T00:00:00Z');
    expect(after.versions['1.10']).toEqual(before.versions['1.10']);
    // Back to the full run: the records, and so the manifest, are what they were.
    await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
    expect(await readLanguageManifest('demo', labels(), root)).toEqual(before);
  });

  it('a language manifest needs the record of every declared version, never a shorter list', async () => {
    await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
    await expect(readLanguageManifest('demo', [...labels(), '2.0'], root)).rejects.toThrow(
      /^build\/demo\/demo-2\.0\.metadata\.json: cannot read the metadata record \(ENOENT.*\): run `nx run demo:metadata --ver=2\.0` \(or `nx run-many -t metadata`\) first$/,
    );
  });

  it('refuses an optimized module that changed after verification', async () => {
    const opt = optWasmPath('demo', '1.9', root);
    const original = await readFile(opt);
    await writeFile(opt, makeWasiModule({ message: 'tampered\n' }));
    try {
      await expect(writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet })).rejects.toThrow(
        /^build\/demo\/opt\/demo-1\.9\.wasm: check "sha256" failed: expected [0-9a-f]{64} \(verified\), found [0-9a-f]{64}: run the verify stage again$/,
      );
    } finally {
      await writeFile(opt, original);
    }
  });

  it('names the missing verification record', async () => {
    const missing = {
      ...config,
      versions: [{ ...(config.versions[0] as (typeof config.versions)[number]), label: '2.0' }],
    };
    await expect(
      writeMetadata({ config: missing, versions: missing.versions, root, env: {}, log: quiet }),
    ).rejects.toThrow(
      /^build\/demo\/demo-2\.0\.verify\.json: cannot read the verification record \(ENOENT.*\): run the earlier stages first$/,
    );
  });

  it('carries the companion files the build recorded (and refuses one changed or missing since the build)', async () => {
    const record = buildRecordPath('demo', '1.9', root);
    const original = await readFile(record, 'utf8');
    const stdlib = Buffer.from('a standard library\n');
    const stdlibPath = companionBuildPath('demo', 'demo-1.9-stdlib.zip', root);
    await mkdir(dirname(stdlibPath), { recursive: true });
    await writeFile(stdlibPath, stdlib);
    const companion = {
      file: 'demo-1.9-stdlib.zip',
      size: stdlib.length,
      sha256: sha256Hex(stdlib),
      guestPath: '/usr/local/lib/demo19.zip',
    };
    await writeFile(
      record,
      JSON.stringify({ ...JSON.parse(original), companions: [companion], guestEnv: { DEMOHOME: '/usr/local' } }),
    );
    try {
      await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
      const manifest = await readLanguageManifest('demo', labels(), root);
      expect(manifest.versions['1.9']?.companions).toEqual([companion]);
      expect(manifest.versions['1.9']?.guestEnv).toEqual({ DEMOHOME: '/usr/local' });
      expect(manifest.versions['1.10']?.companions).toBeUndefined();
      const records = () => Promise.all(labels().map((v) => readFile(metadataRecordPath('demo', v, root), 'utf8')));
      const before = await records();
      await writeFile(stdlibPath, 'changed');
      await expect(writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet })).rejects.toThrow(
        /^build\/demo\/companions\/demo-1\.9-stdlib\.zip: companion check "sha256" failed: expected [0-9a-f]{64} \(built\), found [0-9a-f]{64}: run the build stage again$/,
      );
      await rm(stdlibPath);
      await expect(writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet })).rejects.toThrow(
        /^build\/demo\/companions\/demo-1\.9-stdlib\.zip: companion check "sha256" failed: expected [0-9a-f]{64} \(built\), found no file: run the build stage again$/,
      );
      // Refused means nothing written: the records are the ones of the last good run.
      expect(await records()).toEqual(before);
    } finally {
      await writeFile(record, original);
      await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
    }
  });
});
