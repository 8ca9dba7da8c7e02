import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatEvent, lineEmitter } from './events.ts';
import { readJson, readJsonIfExists, replaceAtomic, writeJsonAtomic } from './files.ts';
import { epochToRfc3339, parseSourceDateEpoch } from './source-date.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wasmhub-kit-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('SOURCE_DATE_EPOCH', () => {
  it('reads whole seconds, treats unset and empty as absent, rejects anything else in one line', () => {
    expect(parseSourceDateEpoch(' 1700000000 ')).toBe(1700000000);
    expect(parseSourceDateEpoch(undefined)).toBeUndefined();
    expect(parseSourceDateEpoch('')).toBeUndefined();
    expect(() => parseSourceDateEpoch('1.5')).toThrow(/^SOURCE_DATE_EPOCH="1\.5" is not a number of seconds/);
    expect(epochToRfc3339(1767225600)).toBe('2026-01-01T00:00:00Z');
  });
});

describe('JSON files', () => {
  it('writes atomically and leaves no temp file, also when the producer fails', async () => {
    const file = join(dir, 'sub', 'a.json');
    await writeJsonAtomic(file, { a: 1 });
    expect(await readJson(file)).toEqual({ a: 1 });
    await expect(
      replaceAtomic(file, async (tmp) => {
        await writeFile(tmp, 'half');
        throw new Error('producer died');
      }),
    ).rejects.toThrow('producer died');
    expect(await readFile(file, 'utf8')).toBe('{\n  "a": 1\n}\n');
    expect(await readdir(join(dir, 'sub'))).toEqual(['a.json']);
  });

  it('names the file, the role and the remedy when a file is missing or not JSON', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{');
    const role = { what: 'build record', shown: 'bad.json', hint: 'run the build stage' };
    await expect(readJson(bad, role)).rejects.toThrow(/^bad\.json: not valid JSON \(.*\): run the build stage$/);
    await expect(
      readJson(join(dir, 'none.json'), { ...role, shown: 'none.json', missingCode: 'ERR_RELEASE' }),
    ).rejects.toMatchObject({
      code: 'ERR_RELEASE',
      message: expect.stringMatching(/^none\.json: cannot read the build record \(ENOENT.*\): run the build stage$/),
    });
    expect(await readJsonIfExists(join(dir, 'none.json'), role)).toBeUndefined();
  });
});

describe('pipeline events', () => {
  it('formats every event as one line carrying its task, and routes a tool stderr line to stderr', () => {
    const lines: [string, string][] = [];
    const emit = lineEmitter((line, stream) => lines.push([line, stream]));
    emit({ kind: 'output', task: 'go@1.24', stream: 'stderr', line: 'warning: x' });
    emit({ kind: 'wasm-opt.done', task: 'go@1.24', inputSize: 200, outputSize: 150, ms: 1234 });
    expect(lines).toEqual([
      ['[go@1.24] warning: x', 'stderr'],
      ['[go@1.24] optimized 200 -> 150 bytes (-25.0%) with binaryen.js in 1.2 s', 'stdout'],
    ]);
    expect(formatEvent({ kind: 'image.build', task: 'image:trixie', tag: 't:1', dockerfile: 'd' })).toBe(
      '[image:trixie] building t:1 from d',
    );
  });
});
