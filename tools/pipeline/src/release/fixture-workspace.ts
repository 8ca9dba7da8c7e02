// Test helper: a tiny workspace (package.json, runtimes/<lang>/manifest.json, optimized modules) in a
// temp dir, so release tests run without Docker. The modules are valid wasm: header + a custom section.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A valid WebAssembly module (\0asm v1 + one custom section) whose bytes depend on `label` and `size`. */
export function tinyWasm(label: string, size = 200): Buffer {
  const name = Buffer.from('wasmhub');
  const payload = Buffer.alloc(size, `${label};`);
  const content = Buffer.concat([Buffer.from([name.length]), name, payload]);
  const leb: number[] = [];
  let n = content.length;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    leb.push(byte);
  } while (n);
  return Buffer.concat([Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 0]), Buffer.from(leb), content]);
}

export interface FixtureRuntime {
  lang: string;
  versions: Record<string, Buffer>;
}

export async function createFixtureWorkspace(
  runtimes: FixtureRuntime[] = [
    { lang: 'go', versions: { '1.23': tinyWasm('go-1.23', 3000), '1.24': tinyWasm('go-1.24', 5000) } },
    { lang: 'rust', versions: { '1.85': tinyWasm('rust-1.85', 700) } },
  ],
  version = '1.2.3',
): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wasmhub-release-'));
  await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'fixture', version }));
  for (const { lang, versions } of runtimes) {
    await mkdir(join(root, 'runtimes', lang), { recursive: true });
    await mkdir(join(root, 'build', lang, 'opt'), { recursive: true });
    const entries: Record<string, unknown> = {};
    for (const [ver, bytes] of Object.entries(versions)) {
      const file = `${lang}-${ver}.wasm`;
      await writeFile(join(root, 'build', lang, 'opt', file), bytes);
      entries[ver] = {
        file,
        size: bytes.byteLength,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        released: '2026-01-01T00:00:00Z',
        wasi: 'wasip1',
        features: ['wasi-preview1', 'stdio'],
      };
    }
    const latest = Object.keys(versions).sort().at(-1);
    await writeFile(
      join(root, 'runtimes', lang, 'manifest.json'),
      JSON.stringify({ language: lang, latest, versions: entries }, null, 2),
    );
    await writeFile(
      join(root, 'runtimes', lang, 'runtime.json'),
      JSON.stringify({ language: lang, source: `https://example.test/${lang}`, license: 'MIT' }),
    );
  }
  return root;
}
