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
});
