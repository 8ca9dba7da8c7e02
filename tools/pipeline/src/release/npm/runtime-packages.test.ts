import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../../errors.ts';
import { createFixtureWorkspace } from '../../testing/fixture-workspace.ts';
import { runRelease } from '../release.ts';
import { runtimePackages } from './runtime-packages.ts';

const roots: string[] = [];
afterAll(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function stagedRelease(): Promise<string> {
  const root = await createFixtureWorkspace();
  roots.push(root);
  return (await runRelease({ root, env: { SOURCE_DATE_EPOCH: '1767225600' }, log: () => {} })).dir;
}

describe('runtime packages', () => {
  it("one package per language, version = release version, holding that language's release files byte for byte", async () => {
    const dir = await stagedRelease();
    const read = (name: string) => readFile(join(dir, name));
    const packages = await runtimePackages(read, { repositoryUrl: 'https://github.com/o/r' });
    expect(packages.map((p) => `${p.name}@${p.version}`)).toEqual([
      '@wasmhub/runtime-go@1.2.3',
      '@wasmhub/runtime-rust@1.2.3',
    ]);
    const go = packages[0];
    expect([...(go?.files.keys() ?? [])].sort()).toEqual([
      'README.md',
      'SHA256SUMS',
      'go-1.23.wasm',
      'go-1.23.wasm.br',
      'go-1.23.wasm.gz',
      'go-1.24.wasm',
      'go-1.24.wasm.br',
      'go-1.24.wasm.gz',
      'go-manifest.json',
      'manifest.json',
      'package.json',
    ]);
    for (const [name, bytes] of go?.files ?? []) {
      if (!['README.md', 'SHA256SUMS', 'package.json'].includes(name))
        expect(bytes.equals(await read(name))).toBe(true);
    }
    const pkg = JSON.parse(String(go?.files.get('package.json')));
    expect(pkg).toMatchObject({
      name: '@wasmhub/runtime-go',
      version: '1.2.3',
      license: 'MIT',
      repository: { type: 'git', url: 'git+https://github.com/o/r.git' },
      publishConfig: { access: 'public' },
    });
    // The package's SHA256SUMS covers exactly its release files.
    expect(String(go?.files.get('SHA256SUMS')).trim().split('\n')).toHaveLength(8);
    // Same input, same bytes.
    const again = await runtimePackages(read, { repositoryUrl: 'https://github.com/o/r' });
    for (const [name, bytes] of go?.files ?? []) expect(again[0]?.files.get(name)?.equals(bytes)).toBe(true);
  });

  it('refuses a staged file whose sha256 differs from manifest.json', async () => {
    const dir = await stagedRelease();
    const read = async (name: string) => {
      const bytes = await readFile(join(dir, name));
      return name === 'rust-1.85.wasm.br' ? Buffer.concat([bytes, Buffer.from([0])]) : bytes;
    };
    const error = await runtimePackages(read, { repositoryUrl: 'https://github.com/o/r' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as PipelineError).message).toMatch(/rust-1\.85\.wasm\.br: sha256 differs/);
  });
});
