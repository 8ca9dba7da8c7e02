import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../kit/digest.ts';
import { validateManifest } from '../manifest/validate.ts';
import { optimizeModule } from '../optimize/optimize-module.ts';
import {
  buildRecordPath,
  companionBuildPath,
  languageManifestPath,
  optWasmPath,
  rawWasmPath,
  verifyRecordPath,
} from '../paths.ts';
import type { RuntimeConfig } from '../runtime/config.ts';
import { helloSuite, makeWasiModule } from '../testing/test-modules.ts';
import { verifyVersion } from '../verify/verify-stage.ts';
import { writeMetadata } from './write-metadata.ts';

let root: string;
const versions = ['1.9', '1.10'];
const config: RuntimeConfig = {
  language: 'demo',
  kind: 'go',
  displayName: 'Demo',
  source: 'https://example.org',
  license: 'MIT',
  target: 'wasm32-wasip1',
  wasmOpt: '-Oz',
  features: ['stdio'],
  latest: '1.10',
  versions: versions.map((label) => ({
    label,
    builder: 'trixie',
    toolchain: '/usr/bin/demo',
    wasmOpt: '-Oz',
    features: ['stdio'],
  })),
};
const quiet = () => {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wasmhub-meta-'));
  const git = (args: string[]) =>
    execa('git', args, {
      cwd: root,
      env: {
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@t',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@t',
        GIT_COMMITTER_DATE: '2026-03-04T05:06:07Z',
      },
    });
  await git(['init', '-q']);
  await mkdir(join(root, 'runtimes/demo'), { recursive: true });
  await writeFile(join(root, 'runtimes/demo/main.txt'), 'source\n');
  await git(['add', '.']);
  await git(['commit', '-q', '-m', 'demo source']);
  // The chain on real (small) modules: build output -> optimize (binaryen.js) -> verify -> metadata.
  for (const ver of versions) {
    const raw = rawWasmPath('demo', ver, root);
    await mkdir(join(root, 'build/demo'), { recursive: true });
    const bytes = makeWasiModule({ message: `demo ${ver}\n` });
    await writeFile(raw, bytes);
    await writeFile(
      buildRecordPath('demo', ver, root),
      JSON.stringify({
        sha256: sha256Hex(bytes),
        toolchain: `demo${ver}.0`,
        builder: { name: 'trixie', image: 'wasmhub-builder/trixie:x', id: 'sha256:1234' },
      }),
    );
    await optimizeModule({
      input: raw,
      output: optWasmPath('demo', ver, root),
      level: '-Oz',
      task: `demo@${ver}`,
      engine: 'js',
      log: quiet,
    });
    await verifyVersion({
      language: 'demo',
      version: ver,
      rawPath: raw,
      optPath: optWasmPath('demo', ver, root),
      recordPath: verifyRecordPath('demo', ver, root),
      root,
      conformance: { suite: helloSuite(`demo ${ver}\n`) },
      log: quiet,
    });
  }
}, 120_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('metadata stage', () => {
  it('writes a valid per-language manifest from the verification records, deterministic and byte-identical on re-run', async () => {
    const first = await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
    const text = await readFile(first.path, 'utf8');
    const doc = JSON.parse(text);
    expect(validateManifest(doc, 'language')).toEqual([]);
    expect(doc.latest).toBe('1.10');
    expect(Object.keys(doc.versions)).toEqual(['1.9', '1.10']);
    const record = JSON.parse(await readFile(verifyRecordPath('demo', '1.10', root), 'utf8'));
    expect(doc.versions['1.10']).toMatchObject({
      file: 'demo-1.10.wasm',
      size: record.optimized.size,
      sha256: record.optimized.sha256,
      released: '2026-03-04T05:06:07Z',
      wasi: 'wasip1',
      features: ['stdio'],
      toolchain: 'demo1.10.0',
      builderImage: 'sha256:1234',
      wasmOpt: '-Oz',
      unoptimized: { size: record.unoptimized.size, sha256: record.unoptimized.sha256 },
    });
    expect(doc.versions['1.10'].sourceCommit).toMatch(/^[0-9a-f]{40}$/);
    const second = await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
    expect(second.changed).toBe(false);
    expect(await readFile(first.path, 'utf8')).toBe(text);
  });

  it('describes only the selected version with --ver', async () => {
    const [only] = config.versions;
    const result = await writeMetadata({
      config,
      versions: [only as (typeof config.versions)[number]],
      root,
      env: { SOURCE_DATE_EPOCH: '0' },
      log: quiet,
    });
    expect(Object.keys(result.manifest.versions)).toEqual(['1.9']);
    expect(result.manifest.latest).toBe('1.9');
    expect(result.manifest.versions['1.9']?.released).toBe('1970-01-01T00:00:00Z');
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
      const { manifest } = await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
      expect(manifest.versions['1.9']?.companions).toEqual([companion]);
      expect(manifest.versions['1.9']?.guestEnv).toEqual({ DEMOHOME: '/usr/local' });
      expect(manifest.versions['1.10']?.companions).toBeUndefined();
      const before = await readFile(languageManifestPath('demo', root), 'utf8');
      await writeFile(stdlibPath, 'changed');
      await expect(writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet })).rejects.toThrow(
        /^build\/demo\/companions\/demo-1\.9-stdlib\.zip: companion check "sha256" failed: expected [0-9a-f]{64} \(built\), found [0-9a-f]{64}: run the build stage again$/,
      );
      await rm(stdlibPath);
      await expect(writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet })).rejects.toThrow(
        /^build\/demo\/companions\/demo-1\.9-stdlib\.zip: companion check "sha256" failed: expected [0-9a-f]{64} \(built\), found no file: run the build stage again$/,
      );
      // Refused means nothing written: the manifest is the one of the last good run.
      expect(await readFile(languageManifestPath('demo', root), 'utf8')).toBe(before);
    } finally {
      await writeFile(record, original);
      await writeMetadata({ config, versions: config.versions, root, env: {}, log: quiet });
    }
  });
});
