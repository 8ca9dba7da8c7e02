import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { beforeAll, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { buildRecordPath, rawWasmPath, workspaceRoot } from '../paths.ts';
import { describeDocker } from '../testing/require-docker.ts';
import { buildRuntime } from './build-runtime.ts';
import type { BuildRecord } from './build-version.ts';

type Result = { name?: string; args?: string[]; ok?: boolean; stdout?: string; exitCode?: number } & Record<
  string,
  unknown
>;
type Conformance = { runConformance(wasmPath: string, language: string): Promise<Result[]> };

const sha256 = async (file: string) =>
  createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
const quiet = () => {};

/** Normalizes a conformance result to { name, ok, outcome } whatever the exact field names. */
function summarize(r: Result, i: number) {
  const c = (r.case ?? r) as Result;
  const actual = (r.actual ?? r.result ?? r.outcome ?? r) as Result;
  const args = (c.args ?? []) as string[];
  return {
    name: String(c.name ?? c.id ?? args.join(' ') ?? i),
    args,
    ok: (r.ok ?? r.pass ?? r.passed) as boolean | undefined,
    outcome: { stdout: actual.stdout, stderr: actual.stderr, exitCode: actual.exitCode ?? actual.exit ?? actual.code },
  };
}

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
    // Imported by a variable specifier: conformance.ts is the runtimes engineer's module.
    const specifier = '../verify/conformance.ts';
    const { runConformance } = (await import(specifier)) as Conformance;
    const runs: Record<string, ReturnType<typeof summarize>[]> = {};
    for (const [key, record] of Object.entries(a)) {
      const lang = key.split('@')[0] as string;
      runs[key] = (await runConformance(join(dirA, lang, record.file), lang)).map(summarize);
      const failed = runs[key].filter((r) => r.ok === false).map((r) => r.name);
      expect(failed, `${key} failed conformance cases`).toEqual([]);
    }
    const go = runs['go@1.24'] ?? [];
    const rust = runs['rust@1.85'] ?? [];
    expect(go.length).toBeGreaterThan(5);
    expect(rust.map((r) => r.name)).toEqual(go.map((r) => r.name));
    go.forEach((g, i) => {
      if (g.args[0] === 'version') return; // names the language and toolchain: differs by design
      expect(rust[i]?.outcome, `case ${g.name}`).toEqual(g.outcome);
    });
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
