import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { runtimeSchemaPath, workspaceRoot } from '../paths.ts';
import { listRuntimes, loadRuntimeConfig } from '../runtime/config.ts';
import {
  artifactName,
  artifactPaths,
  artifactRoot,
  computeMatrix,
  type MatrixEntry,
  PIPELINE_TARGET,
  pipelineCommand,
} from './matrix.ts';

const run = promisify(execFile);
const tsx = join(workspaceRoot, 'node_modules', '.bin', 'tsx');
const matrixScript = join(workspaceRoot, 'tools', 'pipeline', 'src', 'ci', 'matrix.ts');

const temps: string[] = [];
afterEach(async () => {
  await Promise.all(temps.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempWorkspace(runtimes: Record<string, string[]>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wasmhub-matrix-'));
  temps.push(root);
  await mkdir(join(root, 'runtimes'), { recursive: true });
  await copyFile(runtimeSchemaPath(), runtimeSchemaPath(root));
  for (const [language, labels] of Object.entries(runtimes)) {
    await mkdir(join(root, 'runtimes', language));
    const config = {
      language,
      kind: 'go',
      source: 'https://go.dev/',
      license: 'BSD-3-Clause',
      versions: labels.map((label) => ({ label, builder: 'trixie', toolchain: `/usr/lib/go-${label}/bin/go` })),
    };
    await writeFile(join(root, 'runtimes', language, 'runtime.json'), JSON.stringify(config));
  }
  return root;
}

describe('pipelineCommand', () => {
  it('runs the last Nx target of the chain for exactly one version', () => {
    expect(PIPELINE_TARGET).toBe('metadata');
    expect(pipelineCommand('go', '1.24')).toBe('npx nx run go:metadata --ver=1.24');
    expect(pipelineCommand('rust', '1.85')).toBe('npx nx run rust:metadata --ver=1.85');
  });

  it('refuses names that are not safe on a shell command line', () => {
    for (const [language, version] of [
      ['go; rm -rf /', '1.24'],
      ['go', '1.24 && curl x'],
      ['go', '$(id)'],
      ['Go', '1.24'],
      ['go', ''],
    ] as const) {
      expect(() => pipelineCommand(language, version)).toThrow(PipelineError);
    }
  });
});

describe('artifactPaths', () => {
  it("lists one version's outputs of every stage (its metadata record included), nothing of other versions", () => {
    const paths = artifactPaths('go', '1.24');
    expect(paths).toContain('build/go/go-1.24.wasm');
    expect(paths).toContain('build/go/opt/go-1.24.wasm');
    expect(paths).toContain('build/go/go-1.24.verify.json');
    expect(paths).toContain('build/go/go-1.24.metadata.json');
    // Companion files (e.g. an interpreter's standard library) are named <lang>-<ver>-<name>.
    expect(paths).toContain('build/go/companions/go-1.24-*');
    for (const path of paths.filter((p) => !p.startsWith('build/go/companions/'))) {
      expect(path).not.toContain('*');
    }
    for (const path of paths) {
      expect(path.startsWith('build/go/')).toBe(true);
    }
    expect(artifactName('go', '1.24')).toBe('runtime-go-1.24');
  });

  it('roots the artifact where actions/upload-artifact does: the common folder of its paths', () => {
    expect(artifactRoot('go', '1.24')).toBe('build/go');
  });
});

describe('computeMatrix', () => {
  it('has one entry per version of every runtimes/*/runtime.json of this repository', async () => {
    const matrix = await computeMatrix();
    const expected: Pick<MatrixEntry, 'language' | 'version' | 'command'>[] = [];
    for (const language of await listRuntimes()) {
      for (const { label } of (await loadRuntimeConfig(language)).versions) {
        expected.push({ language, version: label, command: pipelineCommand(language, label) });
      }
    }
    expect(expected.length).toBeGreaterThan(0);
    expect(matrix.include.map(({ language, version, command }) => ({ language, version, command }))).toEqual(expected);
    for (const entry of matrix.include) {
      expect(entry.artifact).toBe(artifactName(entry.language, entry.version));
      expect(entry.paths.split('\n')).toEqual(artifactPaths(entry.language, entry.version));
      expect(entry.builder).toMatch(/^[a-z0-9-]+$/);
    }
  });

  it('follows runtime.json: a new version or language appears without touching any list', async () => {
    const root = await tempWorkspace({ zig: ['0.13'], go: ['1.24', '1.9', '1.10'] });
    const matrix = await computeMatrix(root);
    expect(matrix.include.map((e) => e.command)).toEqual([
      'npx nx run go:metadata --ver=1.9',
      'npx nx run go:metadata --ver=1.10',
      'npx nx run go:metadata --ver=1.24',
      'npx nx run zig:metadata --ver=0.13',
    ]);
  });

  it('refuses an empty matrix', async () => {
    const root = await tempWorkspace({});
    await expect(computeMatrix(root)).rejects.toMatchObject({ code: 'ERR_RUNTIME_CONFIG' });
  });
});

describe('matrix CLI', () => {
  it('prints one matrix=<json> line for $GITHUB_OUTPUT', async () => {
    const { stdout } = await run(tsx, [matrixScript]);
    const lines = stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^matrix=\{/);
    expect(JSON.parse((lines[0] as string).slice('matrix='.length))).toEqual(await computeMatrix());
  });

  it('exits non-zero with one error line on an unknown argument', async () => {
    const failure = await run(tsx, [matrixScript, '--bogus']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr.trim()).toMatch(/^error ERR_INVALID_OPTION: ci\/matrix: unknown argument "--bogus"/);
  });
});

describe('the Nx targets behind the command', () => {
  it('exist for every matrix entry and forward --ver through metadata -> verify -> optimize -> build', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasmhub-nx-graph-'));
    temps.push(dir);
    const file = join(dir, 'graph.json');
    await run(join(workspaceRoot, 'node_modules', '.bin', 'nx'), ['graph', `--file=${file}`], {
      cwd: workspaceRoot,
      env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
    });
    interface Target {
      executor: string;
      options: { command: string; forwardAllArgs?: boolean };
      dependsOn?: (string | { target: string; params?: string; projects?: string[] })[];
    }
    const graph = JSON.parse(await readFile(file, 'utf8')) as {
      graph: { nodes: Record<string, { data: { targets: Record<string, Target> } }> };
    };
    for (const entry of (await computeMatrix()).include) {
      const [, project, target, ver] = /^npx nx run ([^:]+):(\S+) --ver=(\S+)$/.exec(entry.command) ?? [];
      expect([project, target, ver]).toEqual([entry.language, PIPELINE_TARGET, entry.version]);
      const targets = graph.graph.nodes[entry.language]?.data.targets ?? {};
      const chain: string[] = [];
      let name: string | undefined = PIPELINE_TARGET;
      while (name !== undefined) {
        const t: Target | undefined = targets[name];
        expect(t, `${entry.language}:${name}`).toBeDefined();
        expect(t?.options.command).toBe(`node tools/pipeline/dist/cli.js ${name} ${entry.language}`);
        expect(t?.options.forwardAllArgs).toBe(true);
        chain.push(name);
        // Every stage also depends on the compiled pipeline (@wasmhub/pipeline:build); the rest is the chain.
        const all: NonNullable<Target['dependsOn']> = t?.dependsOn ?? [];
        expect(all).toContainEqual({ projects: ['@wasmhub/pipeline'], target: 'build' });
        const next = all.filter((d) => typeof d === 'string' || d.projects === undefined);
        expect(next.length).toBeLessThanOrEqual(1);
        const dep: (typeof next)[number] | undefined = next[0];
        if (dep !== undefined) expect(dep).toEqual({ target: expect.any(String), params: 'forward' });
        name = typeof dep === 'object' ? dep.target : dep;
      }
      expect(chain).toEqual(['metadata', 'verify', 'optimize', 'build']);
    }
  }, 180_000);
});
