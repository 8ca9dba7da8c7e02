import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { validateManifest } from '../manifest/validate.ts';
import { languageManifestPath, optWasmPath, rawWasmPath, runtimeSchemaPath, workspaceRoot } from '../paths.ts';
import { runRelease } from '../release/release.ts';
import { artifactName } from './matrix.ts';
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

/**
 * A workspace declaring go 1.23 and 1.24, and the two artifacts their matrix jobs would upload.
 * Like a real runner, the 1.24 job's manifest also carries a stale 1.23 entry (from the committed file).
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
  const stale = entry('go', '1.23', wasm('old optimized'), wasm('old raw'));
  for (const version of ['1.23', '1.24']) {
    const dir = join(artifacts, artifactName('go', version));
    const optimized = wasm(`go ${version} optimized`);
    const raw = wasm(`go ${version} raw, larger`);
    await put(optWasmPath('go', version, dir), optimized);
    await put(rawWasmPath('go', version, dir), raw);
    await put(join(dir, 'build', 'go', `go-${version}.verify.json`), '{"ok":true}\n');
    const versions: Record<string, unknown> = { [version]: entry('go', version, optimized, raw) };
    if (version === '1.24') versions['1.23'] = stale;
    await put(languageManifestPath('go', dir), JSON.stringify({ language: 'go', latest: version, versions }));
  }
  return { root, artifacts };
}

describe('mergeArtifacts', () => {
  it("copies every version's files and writes one manifest with each entry from its own artifact", async () => {
    const { root, artifacts } = await setup();
    const lines: string[] = [];
    const result = await mergeArtifacts({ artifactsDir: artifacts, root, log: (line) => lines.push(line) });

    expect(result).toEqual([
      { language: 'go', latest: '1.24', versions: ['1.23', '1.24'], manifestPath: languageManifestPath('go', root) },
    ]);
    const manifest = JSON.parse(await readFile(languageManifestPath('go', root), 'utf8'));
    expect(validateManifest(manifest, 'language')).toEqual([]);
    expect(manifest.latest).toBe('1.24');
    expect(Object.keys(manifest.versions)).toEqual(['1.23', '1.24']);
    for (const version of ['1.23', '1.24']) {
      const optimized = await readFile(optWasmPath('go', version, root));
      expect(optimized.toString()).toContain(`go ${version} optimized`);
      expect(manifest.versions[version].sha256).toBe(sha256(optimized));
      await expect(readFile(join(root, 'build', 'go', `go-${version}.verify.json`), 'utf8')).resolves.toBe(
        '{"ok":true}\n',
      );
    }
    expect(lines.filter((line) => line.endsWith('verified'))).toHaveLength(2);
    expect(lines.every((line) => line.startsWith('[go'))).toBe(true);
  });

  it('fails with ERR_INTEGRITY when a module does not match its recorded SHA-256', async () => {
    const { root, artifacts } = await setup();
    await writeFile(optWasmPath('go', '1.24', join(artifacts, artifactName('go', '1.24'))), wasm('tampered'));
    const error = await mergeArtifacts({ artifactsDir: artifacts, root, log: () => {} }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ERR_INTEGRITY' });
    expect((error as Error).message).toMatch(
      /^\[go@1\.24\] build\/go\/opt\/go-1\.24\.wasm has sha256 [0-9a-f]{64} \(62 B\) but its manifest records/,
    );
    expect((error as Error).message).not.toContain('\n');
  });

  it('fails with ERR_INTEGRITY when the unoptimized module differs from its record', async () => {
    const { root, artifacts } = await setup();
    await writeFile(rawWasmPath('go', '1.23', join(artifacts, artifactName('go', '1.23'))), wasm('other raw'));
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

  it('fails when an artifact manifest does not describe its own version', async () => {
    const { root, artifacts } = await setup();
    const file = languageManifestPath('go', join(artifacts, 'runtime-go-1.23'));
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.versions = { '1.22': doc.versions['1.23'] };
    await writeFile(file, JSON.stringify(doc));
    await expect(mergeArtifacts({ artifactsDir: artifacts, root, log: () => {} })).rejects.toMatchObject({
      code: 'ERR_RELEASE',
      message: expect.stringContaining('has no entry for go 1.23'),
    });
  });

  it('runs as a CLI and exits non-zero with one error line', async () => {
    const { root, artifacts } = await setup();
    const { stdout } = await run(tsx, [mergeScript, artifacts, '--root', root]);
    expect(stdout).toContain('[go] runtimes/go/manifest.json: 2 versions (1.23, 1.24), latest 1.24');
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
