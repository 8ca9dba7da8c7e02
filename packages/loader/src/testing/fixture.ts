import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { VersionEntry } from '../manifest.ts';

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** A small valid wasm module: the 8-byte header plus a custom section "pad" holding `padding` bytes. */
export function makeWasm(padding = 4096, seed = 1): Buffer {
  const name = Buffer.from('pad');
  const payload = Buffer.alloc(padding);
  let x = seed;
  for (let i = 0; i < padding; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    payload[i] = i % 4 === 0 ? x & 0xff : 0x61; // partly compressible
  }
  const body = Buffer.concat([leb(name.length), name, payload]);
  return Buffer.concat([Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]), Buffer.from([0]), leb(body.length), body]);
}

function leb(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return Buffer.from(out);
}

export interface Fixture {
  language: string;
  version: string;
  wasm: Buffer;
  entry: VersionEntry;
  /** Every release file by name: manifest.json, <lang>-manifest.json, .wasm, .wasm.br, .wasm.gz. */
  files: Map<string, Buffer>;
  globalManifest: Record<string, unknown>;
}

export interface FixtureOptions {
  language?: string;
  version?: string;
  padding?: number;
  variants?: boolean;
  /** Put the entries in the global manifest (`files`); otherwise the loader must read <lang>-manifest.json. */
  globalFiles?: boolean;
  /** Override the `.br` bytes (its variant size/sha256 follow the bytes given). */
  brBytes?: Buffer;
  /** The module's bytes (default: a synthetic valid module with a padding section). */
  wasm?: Buffer;
  /** Override the entry's file name (hardening tests). */
  fileName?: string;
}

export function makeFixture(options: FixtureOptions = {}): Fixture {
  const language = options.language ?? 'demo';
  const version = options.version ?? '1.0';
  const wasm = options.wasm ?? makeWasm(options.padding ?? 4096);
  const file = options.fileName ?? `${language}-${version}.wasm`;
  const br = options.brBytes ?? brotliCompressSync(wasm);
  const gz = gzipSync(wasm, { level: 9 });
  const entry: VersionEntry = {
    file,
    size: wasm.length,
    sha256: sha256(wasm),
    released: '2026-01-01T00:00:00Z',
    wasi: 'wasip1',
    features: ['bulk-memory'],
    ...(options.variants === false
      ? {}
      : {
          variants: {
            br: { file: `${file}.br`, size: br.length, sha256: sha256(br) },
            gz: { file: `${file}.gz`, size: gz.length, sha256: sha256(gz) },
          },
        }),
  };
  const globalManifest = {
    version: '0.1.0',
    build_date: '2026-01-01T00:00:00Z',
    languages: {
      [language]: {
        latest: version,
        versions: [version],
        source: 'https://example.org/demo',
        license: 'MIT',
        ...(options.globalFiles === false ? {} : { files: { [version]: entry } }),
      },
    },
  };
  const languageManifest = { language, latest: version, versions: { [version]: entry } };
  const files = new Map<string, Buffer>([
    ['manifest.json', Buffer.from(JSON.stringify(globalManifest))],
    [`${language}-manifest.json`, Buffer.from(JSON.stringify(languageManifest))],
    [file, wasm],
  ]);
  if (options.variants !== false) {
    files.set(`${file}.br`, br);
    files.set(`${file}.gz`, gz);
  }
  return { language, version, wasm, entry, files, globalManifest };
}

/** Write the fixture's files flat into `dir` (a local release folder). */
export async function writeFixture(fixture: Fixture, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of fixture.files) await writeFile(join(dir, name), bytes);
}

/** The companion of `fixtureWithCompanion` (a stand-in for an interpreter's standard library). */
export const COMPANION_BYTES = Buffer.from('PK-not-really-a-zip '.repeat(5000));
export const COMPANION_GUEST_PATH = '/usr/local/lib/demo10.zip';

export interface CompanionOptions {
  guestPath?: string;
  /** Bytes served as the .br variant (their size and sha256 are what the manifest states). */
  brBytes?: Buffer;
}

/** The demo fixture plus one companion file (with br and gz variants) and a guest environment. */
export function fixtureWithCompanion(options: CompanionOptions = {}): Fixture {
  const fixture = makeFixture();
  const br = options.brBytes ?? brotliCompressSync(COMPANION_BYTES);
  const gz = gzipSync(COMPANION_BYTES, { level: 9 });
  const file = 'demo-1.0-stdlib.zip';
  const entry: VersionEntry = {
    ...fixture.entry,
    companions: [
      {
        file,
        size: COMPANION_BYTES.length,
        sha256: sha256(COMPANION_BYTES),
        variants: {
          br: { file: `${file}.br`, size: br.length, sha256: sha256(br) },
          gz: { file: `${file}.gz`, size: gz.length, sha256: sha256(gz) },
        },
        guestPath: options.guestPath ?? COMPANION_GUEST_PATH,
      },
    ],
    guestEnv: { DEMOHOME: '/usr/local' },
  };
  const global = fixture.globalManifest as { languages: Record<string, { files: Record<string, VersionEntry> }> };
  (global.languages.demo as { files: Record<string, VersionEntry> }).files['1.0'] = entry;
  fixture.files.set('manifest.json', Buffer.from(JSON.stringify(global)));
  fixture.files.set(
    'demo-manifest.json',
    Buffer.from(JSON.stringify({ language: 'demo', latest: '1.0', versions: { '1.0': entry } })),
  );
  fixture.files.set(file, COMPANION_BYTES);
  fixture.files.set(`${file}.br`, br);
  fixture.files.set(`${file}.gz`, gz);
  return { ...fixture, entry };
}
