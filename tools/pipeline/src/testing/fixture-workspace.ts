// Test helper: a tiny workspace (package.json, runtimes/<lang>/runtime.json, optimized modules and their
// metadata records, as the earlier stages leave them) in a temp dir, so release tests run without Docker.
// The modules are valid wasm: header + a custom section.
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256Hex } from '../kit/digest.ts';
import { writeMetadataRecord } from '../metadata/record.ts';
import { runtimeConfigPath, runtimeSchemaPath } from '../paths.ts';

function leb128(value: number): number[] {
  const out: number[] = [];
  let n = value;
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
}

const section = (id: number, content: number[] | Buffer): Buffer =>
  Buffer.concat([Buffer.from([id, ...leb128(content.length)]), Buffer.from(content)]);

/**
 * A valid WASI preview 1 command module (exports `memory` and an empty `_start`, no imports), plus a
 * custom section whose bytes depend on `label` and `size`, so every fixture version is distinct.
 */
export function tinyWasm(label: string, size = 200): Buffer {
  const name = (text: string): number[] => [text.length, ...Buffer.from(text)];
  const custom = Buffer.concat([Buffer.from(name('wasmhub')), Buffer.alloc(size, `${label};`)]);
  return Buffer.concat([
    Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]),
    section(1, [1, 0x60, 0, 0]), // type: () -> ()
    section(3, [1, 0]), // function 0 has type 0
    section(5, [1, 0, 1]), // one memory, min 1 page
    section(7, [2, ...name('memory'), 2, 0, ...name('_start'), 0, 0]), // exports
    section(10, [1, 2, 0, 0x0b]), // code: empty body
    section(0, custom),
  ]);
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
  await mkdir(join(root, 'runtimes'), { recursive: true });
  await copyFile(runtimeSchemaPath(), runtimeSchemaPath(root));
  for (const { lang, versions } of runtimes) {
    await mkdir(join(root, 'build', lang, 'opt'), { recursive: true });
    for (const [ver, bytes] of Object.entries(versions)) {
      const file = `${lang}-${ver}.wasm`;
      await writeFile(join(root, 'build', lang, 'opt', file), bytes);
      const entry = {
        file,
        size: bytes.byteLength,
        sha256: sha256Hex(bytes),
        released: '2026-01-01T00:00:00Z',
        wasi: 'wasip1',
        features: ['wasi-preview1', 'stdio'],
      };
      await writeMetadataRecord({ language: lang, version: ver, entry }, root);
    }
    await mkdir(join(root, 'runtimes', lang), { recursive: true });
    await writeFile(
      runtimeConfigPath(lang, root),
      JSON.stringify({
        language: lang,
        kind: 'go',
        source: `https://example.test/${lang}`,
        license: 'MIT',
        versions: Object.keys(versions).map((label) => ({ label, builder: 'trixie', toolchain: '/usr/bin/true' })),
      }),
    );
  }
  return root;
}
