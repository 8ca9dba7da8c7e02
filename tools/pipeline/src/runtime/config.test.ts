import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { runtimeSchemaPath } from '../paths.ts';
import { compareLabels, listRuntimes, loadRuntimeConfig, parseRuntimeConfig, selectVersions } from './config.ts';

const valid = () => ({
  language: 'go',
  kind: 'go',
  source: 'https://go.dev/',
  license: 'BSD-3-Clause',
  versions: [
    { label: '1.21', builder: 'go-bookworm', toolchain: '/usr/lib/go-1.21/bin/go' },
    { label: '1.9', builder: 'go-bookworm', toolchain: '/usr/lib/go-1.9/bin/go', wasmOpt: '-O3' },
  ],
});

async function errorOf(p: Promise<unknown>): Promise<PipelineError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}

describe('runtime config', () => {
  it('loads the real go and rust runtime.json', async () => {
    const go = await loadRuntimeConfig('go');
    expect(go.versions.map((v) => v.label)).toEqual(['1.21', '1.22', '1.23', '1.24', '1.25', '1.26', '1.27']);
    expect(go.latest).toBe('1.27');
    expect(go.versions.every((v) => v.toolchain === `/usr/lib/go-${v.label}/bin/go`)).toBe(true);
    expect(go.license).toBe('BSD-3-Clause');
    const rust = await loadRuntimeConfig('rust');
    expect(rust).toMatchObject({ latest: '1.85', source: 'https://www.rust-lang.org/', license: 'MIT OR Apache-2.0' });
    expect(await listRuntimes()).toEqual(expect.arrayContaining(['go', 'rust']));
  });

  it('applies defaults, sorts versions numerically and picks the highest as latest', async () => {
    const config = await parseRuntimeConfig(valid(), 'x.json');
    expect(config.versions.map((v) => [v.label, v.wasmOpt])).toEqual([
      ['1.9', '-O3'],
      ['1.21', '-Oz'],
    ]);
    expect(config.latest).toBe('1.21');
    expect(config.target).toBe('wasm32-wasip1');
    expect(compareLabels('1.10', '1.9')).toBeGreaterThan(0);
  });

  it('names the JSON path of a wrong type', async () => {
    const data = valid() as Record<string, unknown>;
    (data.versions as Record<string, unknown>[])[1] = { label: '1.9', builder: 'go-bookworm', toolchain: 42 };
    const error = await errorOf(parseRuntimeConfig(data, 'runtimes/go/runtime.json'));
    expect(error.code).toBe('ERR_RUNTIME_CONFIG');
    expect(error.message).toContain('runtimes/go/runtime.json: /versions/1/toolchain must be string');
  });

  it('names unknown properties, bad enums and missing fields', async () => {
    const data = { ...valid(), wasmOpt: '-O9', colour: 'red' } as Record<string, unknown>;
    delete data.license;
    const error = await errorOf(parseRuntimeConfig(data, 'r.json'));
    expect(error.message).toContain("/ must have required property 'license'");
    expect(error.message).toContain('/ must not have property "colour"');
    expect(error.message).toContain('/wasmOpt must be one of');
  });

  it('rejects duplicate labels, a foreign language and an unknown latest', async () => {
    const dup = valid();
    dup.versions.push({ label: '1.21', builder: 'b', toolchain: '/go' });
    expect((await errorOf(parseRuntimeConfig(dup, 'r.json'))).message).toBe(
      'r.json: /versions/2/label duplicates /versions/0/label "1.21"',
    );
    expect((await errorOf(parseRuntimeConfig(valid(), 'r.json', { lang: 'rust' }))).message).toContain(
      '/language must be "rust"',
    );
    expect((await errorOf(parseRuntimeConfig({ ...valid(), latest: '2.0' }, 'r.json'))).message).toContain('/latest');
  });

  it('reports unreadable and non-JSON files with their path', async () => {
    const root = await mkdtemp(join(tmpdir(), 'wasmhub-config-'));
    await mkdir(join(root, 'runtimes', 'bad'), { recursive: true });
    await writeFile(join(root, 'runtimes', 'runtime.schema.json'), await readFile(runtimeSchemaPath()));
    await writeFile(join(root, 'runtimes', 'bad', 'runtime.json'), '{ nope');
    expect((await errorOf(loadRuntimeConfig('bad', root))).message).toMatch(
      /^runtimes\/bad\/runtime\.json: not valid JSON/,
    );
    expect((await errorOf(loadRuntimeConfig('missing', root))).message).toMatch(
      /^runtimes\/missing\/runtime\.json: cannot read/,
    );
  });

  it('selects one version or all, naming the known ones on a miss', async () => {
    const config = await parseRuntimeConfig(valid(), 'r.json');
    expect(selectVersions(config, undefined)).toHaveLength(2);
    expect(selectVersions(config, '1.21').map((v) => v.label)).toEqual(['1.21']);
    expect(() => selectVersions(config, '3.0')).toThrow('--ver=3.0: go has no version "3.0"; known: 1.9, 1.21');
  });

  it('takes extra sources, companions and guest env of a c-debian-source version, and refuses their mistakes', async () => {
    const pin = (name: string) => ({ package: name, tarball: `${name}_1.0.orig.tar.gz`, sha256: 'a'.repeat(64) });
    const source = (version: Record<string, unknown>) => ({
      language: 'demo',
      kind: 'c-debian-source',
      source: 'https://example.org/',
      license: 'MIT',
      versions: [
        { label: '1.0', builder: 'wasi-c', toolchain: '/usr/bin/clang-19', debianSource: pin('demo'), ...version },
      ],
    });
    const companion = { file: 'demo-1.0-stdlib.zip', guestPath: '/usr/local/lib/demo.zip' };
    const config = await parseRuntimeConfig(
      source({ extraSources: [pin('zlib')], companions: [companion], guestEnv: { DEMOHOME: '/usr/local' } }),
      'r.json',
    );
    expect(config.versions[0]).toMatchObject({
      extraSources: [pin('zlib')],
      companions: [companion],
      guestEnv: { DEMOHOME: '/usr/local' },
    });
    const message = async (version: Record<string, unknown>) =>
      (await errorOf(parseRuntimeConfig(source(version), 'r.json'))).message;
    expect(await message({ extraSources: [pin('zlib'), pin('zlib')] })).toBe(
      'r.json: /versions/0/extraSources/1/package "zlib" is already a source of this version',
    );
    expect(await message({ extraSources: [pin('demo')] })).toBe(
      'r.json: /versions/0/extraSources/0/package "demo" is already a source of this version',
    );
    expect(await message({ extraSources: [{ ...pin('zlib'), sha256: 'nope' }] })).toContain(
      '/versions/0/extraSources/0/sha256 must match pattern',
    );
    expect(await message({ companions: [{ ...companion, file: 'other-1.0-stdlib.zip' }] })).toBe(
      'r.json: /versions/0/companions/0/file must start with "demo-1.0-", found "other-1.0-stdlib.zip"',
    );
    expect(await message({ companions: [{ ...companion, guestPath: '/usr/../etc/passwd' }] })).toContain(
      '/versions/0/companions/0/guestPath must match pattern',
    );
    expect(await message({ companions: [companion, { ...companion, file: 'demo-1.0-more.zip' }] })).toBe(
      'r.json: /versions/0/companions/1/guestPath "/usr/local/lib/demo.zip" is listed twice',
    );
    expect(await message({ guestEnv: { DEMOHOME: '/usr/local' } })).toBe(
      'r.json: /versions/0/guestEnv is only for a version with "companions"',
    );
    const go = valid() as { versions: Record<string, unknown>[] };
    (go.versions[0] as Record<string, unknown>).extraSources = [pin('zlib')];
    expect((await errorOf(parseRuntimeConfig(go, 'r.json'))).message).toBe(
      'r.json: /versions/0/extraSources is only for kind c-debian-source, not go',
    );
  });
});
