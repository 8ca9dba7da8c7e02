import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { readLanguageManifest } from '../metadata/record.ts';
import { metadataRecordPath, optWasmPath, rawWasmPath, runtimeSchemaPath, workspaceRoot } from '../paths.ts';
import { runRelease } from '../release/release.ts';
import { artifactName, artifactRoot } from './matrix.ts';
import { mergeArtifacts } from './merge-artifacts.ts';

const run = promisify(execFile);
const tsx = join(workspaceRoot, 'node_modules', '.bin', 'tsx');
const mergeScript = join(workspaceRoot, 'tools', 'pipeline', 'src', 'ci', 'merge-artifacts.ts');

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/**
 * A valid WASI command module: exports `_start` (an empty function) and `memory`, plus a custom section
 * named "t" holding `text` so that every test module has its own bytes.
 */
const wasm = (text: string) => {
  const name = (n: string) => [n.length, ...Buffer.from(n)];
  const section = (id: number, content: number[]) => [id, content.length, ...content];
  const custom = [...name('t'), ...Buffer.from(text)];
  if (custom.length > 127) throw new Error('keep test modules small');
  return Buffer.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 0, 0]), // type: () -> ()
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0, 1]), // one memory, min 1 page
    ...section(7, [2, ...name('_start'), 0, 0, ...name('memory'), 2, 0]),
    ...section(10, [1, 2, 0, 0x0b]), // body: no locals, end
    ...section(0, custom),
  ]);
};

async function put(path: string, bytes: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, bytes);
}

function entry(language: string, version: string, optimized: Buffer, raw: Buffer) {
  return {
    file: `${language}-${version}.wasm`,
    size: optimized.byteLength,
    sha256: sha256(optimized),
    released: '2026-01-01T00:00:00Z',
    wasi: 'wasip1',
    features: ['args', 'env'],
    unoptimized: { size: raw.byteLength, sha256: sha256(raw) },
  };
}

/** Where `path` (workspace-relative) lies in the artifact of go@`version` under `artifacts`. */
const inArtifact = (artifacts: string, version: string, path: string): string =>
  join(artifacts, artifactName('go', version), relative(artifactRoot('go', version), path));

/**
 * A workspace declaring go 1.23 and 1.24, and the two artifacts their matrix jobs would upload, laid out as
 * actions/upload-artifact roots them (at artifactRoot). The 1.24 job also left a stale 1.23 module and
 * record in its folder (as if restored from an old cache): they must not reach the workspace.
 */
async function setup(): Promise<{ root: string; artifacts: string }> {
  const root = await mkdtemp(join(tmpdir(), 'wasmhub-merge-'));
  temps.push(root);
  await put(runtimeSchemaPath(root), await readFile(runtimeSchemaPath()));
  await put(
    join(root, 'runtimes', 'go', 'runtime.json'),
    JSON.stringify({
      language: 'go',
      kind: 'go',
      source: 'https://go.dev/',
      license: 'BSD-3-Clause',
      versions: ['1.23', '1.24'].map((label) => ({
        label,
        builder: 'trixie',
        toolchain: `/usr/lib/go-${label}/bin/go`,
      })),
    }),
  );
  const artifacts = join(root, 'artifacts');
  const at = (version: string, path: string) => inArtifact(artifacts, version, path);
  for (const version of ['1.23', '1.24']) {
    const optimized = wasm(`go ${version} optimized`);
    const raw = wasm(`go ${version} raw, larger`);
    await put(at(version, relative(root, optWasmPath('go', version, root))), optimized);
    await put(at(version, relative(root, rawWasmPath('go', version, root))), raw);
    await put(at(version, `build/go/go-${version}.verify.json`), '{"ok":true}\n');
    const record = at(version, relative(root, metadataRecordPath('go', version, root)));
    await put(record, JSON.stringify({ language: 'go', version, entry: entry('go', version, optimized, raw) }));
  }
  await put(at('1.24', 'build/go/companions/go-1.24-stdlib.zip'), 'a standard library\n');
  const stale = wasm('old optimized');
  await put(at('1.24', 'build/go/opt/go-1.23.wasm'), stale);
  await put(at('1.24', 'build/go/companions/go-1.23-stdlib.zip'), 'stale\n');
  await put(
    at('1.24', 'build/go/go-1.23.metadata.json'),
    JSON.stringify({ language: 'go', version: '1.23', entry: entry('go', '1.23', stale, wasm('old raw')) }),
  );
  return { root, artifacts };
}

describe('mergeArtifacts', () => {
  it("copies each version's files, and only those, from its own artifact; writes no manifest", async () => {
    const { root, artifacts } = await setup();
    const lines: string[] = [];
    const result = await mergeArtifacts({ artifactsDir: artifacts, root, log: (line) => lines.push(line) });

    expect(result).toEqual([{ language: 'go', versions: ['1.23', '1.24'] }]);
    // The release's view: every declared version, each from its own artifact.
    const manifest = await readLanguageManifest('go', ['1.23', '1.24'], root);
    expect(manifest.latest).toBe('1.24');
    expect(Object.keys(manifest.versions)).toEqual(['1.23', '1.24']);
    for (const version of ['1.23', '1.24']) {
      const optimized = await readFile(optWasmPath('go', version, root));
      expect(optimized.toString()).toContain(`go ${version} optimized`);
      expect(manifest.versions[version]?.sha256).toBe(sha256(optimized));
      await expect(readFile(join(root, 'build', 'go', `go-${version}.verify.json`), 'utf8')).resolves.toBe(
        '{"ok":true}\n',
      );
    }
    await expect(readFile(join(root, 'build/go/companions/go-1.24-stdlib.zip'), 'utf8')).resolves.toBe(
      'a standard library\n',
    );
    await expect(readFile(join(root, 'build/go/companions/go-1.23-stdlib.zip'))).rejects.toThrow(/ENOENT/);
    await expect(readFile(join(root, 'runtimes', 'go', 'manifest.json'))).rejects.toThrow(/ENOENT/);
    expect(lines.filter((line) => line.endsWith('verified'))).toHaveLength(2);
    expect(lines.every((line) => line.startsWith('[go'))).toBe(true);
  });

  it('fails with ERR_INTEGRITY when a module does not match its recorded SHA-256', async () => {
    const { root, artifacts } = await setup();
    await writeFile(inArtifact(artifacts, '1.24', 'build/go/opt/go-1.24.wasm'), wasm('tampered'));
    const error = await mergeArtifacts({ artifactsDir: artifacts, root, log: () => {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_INTEGRITY' });
    expect((error as Error).message).toMatch(
      /^\[go@1\.24\] build\/go\/opt\/go-1\.24\.wasm has sha256 [0-9a-f]{64} \(62 B\) but its metadata record holds/,
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it('fails with ERR_INTEGRITY when the unoptimized module differs from its record', async () => {
    const { root, artifacts } = await setup();
    await writeFile(inArtifact(artifacts, '1.23', 'build/go/go-1.23.wasm'), wasm('other raw'));
    await expect(mergeArtifacts({ artifactsDir: artifacts, root, log: () => {} })).rejects.toMatchObject({
      code: 'ERR_INTEGRITY',
      message: expect.stringContaining('(unoptimized)'),
    });
  });

  it('fails naming the artifact when a version was not uploaded (never a half release)', async () => {
    const { root, artifacts } = await setup();
    await rm(join(artifacts, 'runtime-go-1.23'), { recursive: true });
    await expect(mergeArtifacts({ artifactsDir: artifacts, root, log: () => {} })).rejects.toMatchObject({
      code: 'ERR_RELEASE',
      message: expect.stringContaining('artifact runtime-go-1.23 is missing'),
    });
  });

  it('fails when an artifact has no metadata record of its own version', async () => {
    const { root, artifacts } = await setup();
    await rm(inArtifact(artifacts, '1.23', 'build/go/go-1.23.metadata.json'));
    await expect(mergeArtifacts({ artifactsDir: artifacts, root, log: () => {} })).rejects.toMatchObject({
      code: 'ERR_RELEASE',
      message:
        '[go@1.23] artifact runtime-go-1.23 has no build/go/go-1.23.metadata.json; the metadata stage did not run for it',
    });
  });

  it('fails when a metadata record describes another version', async () => {
    const { root, artifacts } = await setup();
    const file = inArtifact(artifacts, '1.23', 'build/go/go-1.23.metadata.json');
    await writeFile(file, JSON.stringify({ ...JSON.parse(await readFile(file, 'utf8')), version: '1.22' }));
    await expect(mergeArtifacts({ artifactsDir: artifacts, root, log: () => {} })).rejects.toMatchObject({
      code: 'ERR_MANIFEST_INVALID',
      message: expect.stringContaining('describes go@1.22, expected go@1.23'),
    });
  });

  it('runs as a CLI and exits non-zero with one error line', async () => {
    const { root, artifacts } = await setup();
    const { stdout } = await run(tsx, [mergeScript, artifacts, '--root', root]);
    expect(stdout).toContain('[go] 2 versions merged (1.23, 1.24)');
    await rm(join(artifacts, 'runtime-go-1.24'), { recursive: true });
    const failure = await run(tsx, [mergeScript, artifacts, '--root', root]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim().split('\n')).toHaveLength(1);
    expect(failure?.stderr).toMatch(/^error ERR_RELEASE: \[go@1\.24\] artifact runtime-go-1\.24 is missing/);
  });

  it('hands the release stage a workspace it can release: staged folder passes sha256sum -c', async () => {
    const { root, artifacts } = await setup();
    await put(join(root, 'package.json'), JSON.stringify({ name: 'fixture', version: '9.9.9' }));
    await mergeArtifacts({ artifactsDir: artifacts, root, log: () => {} });
    const result = await runRelease({ root, tag: 'v9.9.9', env: { SOURCE_DATE_EPOCH: '1700000000' }, log: () => {} });
    expect(result.dir).toBe(join(root, 'build', 'release', 'v9.9.9'));
    expect(result.assets.map((a) => a.name)).toEqual(
      expect.arrayContaining(['go-1.23.wasm', 'go-1.24.wasm.br', 'go-manifest.json', 'manifest.json', 'SHA256SUMS']),
    );
    const { stdout } = await run('sha256sum', ['--check', '--strict', 'SHA256SUMS'], { cwd: result.dir });
    expect(stdout).toContain('go-1.24.wasm: OK');
    const global = JSON.parse(await readFile(join(root, 'manifest.json'), 'utf8'));
    expect(global.languages.go).toMatchObject({ latest: '1.24', versions: ['1.23', '1.24'] });
  });
});
