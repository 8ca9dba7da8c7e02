import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metadataRecordPath } from '../paths.ts';
import { type MetadataRecord, readMetadataRecord, writeMetadataRecord } from './record.ts';

const record: MetadataRecord = {
  language: 'go',
  version: '1.24',
  entry: {
    file: 'go-1.24.wasm',
    size: 300,
    sha256: '3'.repeat(64),
    released: '2026-11-25T22:33:00Z',
    wasi: 'wasip1',
    features: ['args'],
  },
};

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'wasmhub-record-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('metadata record', () => {
  it('writes byte-identical output for an unchanged record and reports no change', async () => {
    const first = await writeMetadataRecord(record, root);
    expect(first).toEqual({ path: metadataRecordPath('go', '1.24', root), changed: true });
    const bytes = await readFile(first.path);
    expect(await writeMetadataRecord(structuredClone(record), root)).toMatchObject({ changed: false });
    expect(await readFile(first.path)).toEqual(bytes);
    expect(await readMetadataRecord('go', '1.24', root)).toEqual(record.entry);
  });

  it('refuses to write an invalid entry, naming the file and the JSON path', async () => {
    const bad = { ...record, version: '1.25', entry: { ...record.entry, size: 0 } };
    await expect(writeMetadataRecord(bad, root)).rejects.toThrow(
      'build/go/go-1.25.metadata.json: not a valid language manifest (manifest.schema.json): $.versions["1.25"].size must be >= 1',
    );
    await expect(readFile(metadataRecordPath('go', '1.25', root))).rejects.toThrow(/ENOENT/);
  });

  it('refuses a record that describes another version than its file name says', async () => {
    await writeFile(metadataRecordPath('go', '1.23', root), JSON.stringify(record));
    await expect(readMetadataRecord('go', '1.23', root)).rejects.toThrow(
      'build/go/go-1.23.metadata.json: describes go@1.24, expected go@1.23: run the metadata stage again',
    );
  });
});
