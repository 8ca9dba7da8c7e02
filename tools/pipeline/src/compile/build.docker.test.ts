import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { buildRecordPath, rawWasmPath, workspaceRoot } from '../paths.ts';
import { describeDocker } from '../testing/require-docker.ts';
import { assertConformance, assertSameResults, type ResultsOf, runConformance } from '../verify/conformance.ts';
import { buildRuntime } from './build-runtime.ts';
import type { BuildRecord } from './build-version.ts';

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
const quiet = () => {};

await describeDocker('build stage (real engine)', (docker) => {
  const a: Record<string, BuildRecord> = {};
  let dirA = '';

  beforeAll(async () => {
    dirA = await mkdtemp(join(tmpdir(), 'wasmhub-build-a-'));
    for (const [lang, ver] of [
      ['go', '1.21'],
      ['go', '1.24'],
      ['rust', '1.85'],
    ] as const) {
      const [record] = await buildRuntime(docker, { lang, ver, outDir: join(dirA, lang), log: quiet });
      a[`${lang}@${ver}`] = record as BuildRecord;
    }
  });

  it('builds go 1.21, go 1.24 and rust 1.85 with their own toolchains and records them', async () => {
    expect(a['go@1.21']?.toolchain).toMatch(/^go1\.21\./);
    expect(a['go@1.24']?.toolchain).toMatch(/^go1\.24\./);
    expect(a['rust@1.85']?.toolchain).toMatch(/^rustc 1\.85\./);
    for (const [key, record] of Object.entries(a)) {
      const lang = key.split('@')[0] as string;
      const file = join(dirA, lang, record.file);
      expect((await stat(file)).size).toBe(record.size);
      expect(await sha256(file)).toBe(record.sha256);
      expect(record.builder.image).toMatch(/^wasmhub-builder\/[a-z-]+:[0-9a-f]{16}$/);
      expect(JSON.parse(await readFile(join(dirA, lang, `${lang}-${record.version}.build.json`), 'utf8'))).toEqual(
        record,
      );
    }
  });

  it('passes runtimes/conformance.json under node:wasi, and go and rust agree', async () => {
    const results: Record<string, ResultsOf> = {};
    for (const [key, record] of Object.entries(a)) {
      const lang = key.split('@')[0] as string;
      const file = join(dirA, lang, record.file);
      const run = await runConformance(file, lang);
      expect(run.length).toBeGreaterThan(5);
      assertConformance(file, run);
      results[key] = { file, results: run };
    }
    const go = results['go@1.24'] as ResultsOf;
    assertSameResults(go, results['rust@1.85'] as ResultsOf, { skipPerLanguage: true });
    assertSameResults(go, results['go@1.21'] as ResultsOf, { skipPerLanguage: true });
  });

  it('is reproducible: the same source built again from scratch is byte-identical', async () => {
    const dirB = await mkdtemp(join(tmpdir(), 'wasmhub-build-b-'));
    for (const [lang, ver] of [
      ['go', '1.24'],
      ['rust', '1.85'],
    ] as const) {
      const [record] = await buildRuntime(docker, { lang, ver, outDir: join(dirB, lang), log: quiet });
      expect(record?.sha256, `${lang}@${ver}`).toBe(a[`${lang}@${ver}`]?.sha256);
      expect(await sha256(join(dirB, lang, `${lang}-${ver}.wasm`))).toBe(a[`${lang}@${ver}`]?.sha256);
    }
  });

  it('fails a broken compile with ERR_BUILD_FAILED naming the version, exit code and last lines; no .wasm left', async () => {
    const root = await mkdtemp(join(tmpdir(), 'wasmhub-broken-'));
    await mkdir(join(root, 'runtimes', 'go'), { recursive: true });
    await mkdir(join(root, 'docker'));
    await copyFile(join(workspaceRoot, 'runtimes/runtime.schema.json'), join(root, 'runtimes/runtime.schema.json'));
    await copyFile(join(workspaceRoot, 'runtimes/go/runtime.json'), join(root, 'runtimes/go/runtime.json'));
    await copyFile(join(workspaceRoot, 'docker/go-bookworm.Dockerfile'), join(root, 'docker/go-bookworm.Dockerfile'));
    await writeFile(join(root, 'runtimes/go/go.mod'), 'module broken\n\ngo 1.21\n');
    await writeFile(join(root, 'runtimes/go/main.go'), 'package main\n\nfunc main() { undefinedThing() }\n');
    const error = await buildRuntime(docker, { lang: 'go', ver: '1.21', root, log: quiet }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PipelineError);
    const e = error as PipelineError;
    expect(e.code).toBe('ERR_BUILD_FAILED');
    expect(e.message).toMatch(
      /^go@1\.21: compiling with \/usr\/lib\/go-1\.21\/bin\/go in wasmhub-builder\/go-bookworm:[0-9a-f]{16} exited with code 1; last lines: .*undefined: undefinedThing/,
    );
    expect(e.context).toMatchObject({ version: '1.21', exitCode: 1 });
    await expect(stat(rawWasmPath('go', '1.21', root))).rejects.toThrow();
    const leftovers = (await execa('find', [join(root, 'build'), '-name', '*.wasm'])).stdout;
    expect(leftovers).toBe('');
  });

  it('names a missing base image and what to run', async () => {
    const root = await mkdtemp(join(tmpdir(), 'wasmhub-nobase-'));
    await mkdir(join(root, 'docker'));
    await writeFile(join(root, 'docker/ghost.Dockerfile'), 'FROM debian:no-such-suite-slim\nRUN true\n');
    const { ensureBuilderImage } = await import('../docker/image.ts');
    await expect(ensureBuilderImage(docker, 'ghost', { root, log: quiet })).rejects.toThrow(
      'docker/ghost.Dockerfile: base image debian:no-such-suite-slim is missing from the engine; run `npm run docker:up`',
    );
  });

  it('nx run go:build --ver=X twice: the second is a cache hit that restores deleted outputs without a container', async () => {
    const ver = '1.21';
    const nx = (args: string[]) =>
      execa('npx', ['nx', ...args], { cwd: workspaceRoot, env: { NX_DAEMON: 'false', NX_TUI: 'false' }, all: true });
    await nx(['run', 'go:build', `--ver=${ver}`]);
    const expected = await sha256(rawWasmPath('go', ver));
    await rm(rawWasmPath('go', ver));
    await rm(buildRecordPath('go', ver));
    const since = Math.floor(Date.now() / 1000) - 1;
    const second = await nx(['run', 'go:build', `--ver=${ver}`]);
    const until = Math.floor(Date.now() / 1000) + 1;
    expect(second.all).toMatch(/local cache|read the output from the cache/);
    expect(await sha256(rawWasmPath('go', ver))).toBe(expected);
    expect(JSON.parse(await readFile(buildRecordPath('go', ver), 'utf8'))).toMatchObject({
      version: ver,
      sha256: expected,
    });
    const events = await docker.getEvents({
      since,
      until,
      filters: { type: ['container'], event: ['create'], label: [`org.wasmhub.task=go@${ver}`] },
    });
    const text = await new Promise<string>((resolve) => {
      let body = '';
      events.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      events.on('end', () => resolve(body));
    });
    expect(text.trim()).toBe('');
  });
});
