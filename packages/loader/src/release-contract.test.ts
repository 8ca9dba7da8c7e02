import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runRelease } from '../../../tools/pipeline/src/release/release.ts';
// The producer side: the real release stage of tools/pipeline stages a local release folder from a fixture
// workspace. This test is the contract between the two halves: what the release writes, the loader reads.
import { createFixtureWorkspace } from '../../../tools/pipeline/src/testing/fixture-workspace.ts';
import { RuntimeLoader } from './loader.ts';
import { sha256 } from './testing/fixture.ts';
import { startServer } from './testing/server.ts';

const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

describe('a release staged by tools/pipeline', () => {
  it('is read by the loader from a folder and over http, every version verified', async () => {
    const root = await createFixtureWorkspace();
    roots.push(root);
    const release = await runRelease({ root, env: { SOURCE_DATE_EPOCH: '1767225600' }, log: () => {} });
    const global = JSON.parse(await readFile(join(release.dir, 'manifest.json'), 'utf8'));

    const fromFolder = new RuntimeLoader({ sources: [release.dir], cacheDir: join(root, 'cache-a'), env: {} });
    const available = await fromFolder.listAvailable();
    expect(available.map((l) => l.language)).toEqual(Object.keys(global.languages).sort());
    for (const { language, versions } of available) {
      for (const version of versions) {
        const runtime = await fromFolder.getRuntime(language, version);
        const bytes = await readFile(runtime.path);
        expect(sha256(bytes)).toBe(global.languages[language].files[version].sha256);
        expect(bytes.subarray(0, 4)).toEqual(Buffer.from([0, 97, 115, 109]));
      }
    }

    const files = new Map<string, Buffer>();
    for (const name of [
      'manifest.json',
      ...Object.values(global.languages).flatMap((l) =>
        Object.values((l as { files: Record<string, { file: string }> }).files).flatMap((e) => [
          e.file,
          `${e.file}.br`,
          `${e.file}.gz`,
        ]),
      ),
    ]) {
      files.set(name, await readFile(join(release.dir, name)));
    }
    const server = await startServer(files);
    try {
      const overHttp = new RuntimeLoader({ sources: [server.url], cacheDir: join(root, 'cache-b'), env: {} });
      const [first] = available;
      const runtime = await overHttp.getRuntime(first?.language ?? 'go');
      expect(runtime.version).toBe(first?.latest);
      expect(server.requests.map((r) => r.path)).toEqual([
        '/manifest.json',
        `/${first?.language}-${first?.latest}.wasm.br`,
      ]);
    } finally {
      await server.close();
    }
  });
});
