import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CreateNodesContextV2, type CreateNodesResult, getOutputsForTargetAndConfiguration } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { artifactPaths } from '../pipeline/src/ci/matrix.ts';
import { stageOutputs as pipelineOutputs, workspaceRoot } from '../pipeline/src/paths.ts';
import { stageFolders } from '../pipeline/src/stages.ts';
import { compiledPluginPath, compilePlugin } from './compiled.ts';
import { createNodesV2, importClosure, pipelineSrc, stageEntries, stageOutputs } from './index.ts';

const [pattern, createNodes] = createNodesV2;
const run = promisify(execFile);
const nxEnv = { ...process.env, NX_DAEMON: 'false' };

/** `nx <args> --json`-style output of the real Nx on this workspace, parsed. */
async function nxJson<T>(args: string[]): Promise<T> {
  const { stdout } = await run('npx', ['nx', ...args], { cwd: workspaceRoot, env: nxEnv, maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as T;
}
const context = { workspaceRoot, nxJsonConfiguration: {} } as unknown as CreateNodesContextV2;

async function nodesFor(file: string) {
  const [[, result]] = (await createNodes([file], undefined, context)) as [string, CreateNodesResult][] as [
    [string, CreateNodesResult],
  ];
  return result.projects ?? {};
}

describe('nx plugin', () => {
  it('is loaded by Nx as index.cjs, generated from index.ts and up to date', async () => {
    const nxJson = JSON.parse(await readFile(join(workspaceRoot, 'nx.json'), 'utf8')) as { plugins: string[] };
    expect(nxJson.plugins).toEqual(['./tools/nx-plugin/index.cjs']);
    const committed = await readFile(compiledPluginPath, 'utf8');
    // On failure: npm run generate
    expect(committed === compilePlugin(), `${compiledPluginPath} is out of date with index.ts`).toBe(true);
    // The compiled plugin infers exactly what the source does.
    const compiled = createRequire(import.meta.url)(compiledPluginPath) as { createNodesV2: typeof createNodesV2 };
    const files = ['runtimes/go/runtime.json', 'runtimes/rust/runtime.json', 'tools/pipeline/package.json'];
    expect(await compiled.createNodesV2[1](files, undefined, context)).toEqual(
      await createNodes(files, undefined, context),
    );
  });

  it('matches runtime.json files and the pipeline package', () => {
    expect(pattern).toBe('{runtimes/*/runtime.json,tools/pipeline/package.json}');
  });

  it('infers a tagged runtime project with the stage chain, forwarding --ver', async () => {
    const project = (await nodesFor('runtimes/go/runtime.json'))['runtimes/go'];
    expect(project).toMatchObject({ name: 'go', root: 'runtimes/go', tags: ['runtime', 'lang:go'] });
    const targets = project?.targets ?? {};
    expect(Object.keys(targets)).toEqual(['build', 'optimize', 'verify', 'metadata']);
    expect(targets.build?.options).toMatchObject({
      command: 'node tools/pipeline/dist/cli.js build go',
      forwardAllArgs: true,
    });
    const compiled = { projects: ['@wasmhub/pipeline'], target: 'build' };
    expect(targets.build?.dependsOn).toEqual([compiled]);
    expect(targets.optimize?.dependsOn).toEqual([compiled, { target: 'build', params: 'forward' }]);
    expect(targets.metadata?.dependsOn).toEqual([compiled, { target: 'verify', params: 'forward' }]);
    expect(targets.build?.inputs).toEqual(
      expect.arrayContaining([
        '{projectRoot}/**/*',
        '{workspaceRoot}/docker/go-bookworm.Dockerfile',
        '{workspaceRoot}/docker/trixie.Dockerfile',
      ]),
    );
    expect(targets.optimize?.inputs).toContain('{workspaceRoot}/tools/pipeline/src/optimize/command.ts');
    expect(targets.build?.inputs).not.toContain('{workspaceRoot}/tools/pipeline/src/optimize/command.ts');
    expect(project?.implicitDependencies).toEqual(['@wasmhub/pipeline']);
    for (const t of Object.values(targets)) expect(t.cache).toBe(true);
  });

  it("gives every stage distinct outputs, the pipeline's, narrowed to one version under --ver", async () => {
    const nx = stageOutputs('go');
    const all = Object.values(nx).flat();
    expect(new Set(all).size).toBe(all.length);
    // No stage writes into the runtime folder: it is sources only.
    expect(all.some((glob) => glob.includes('{projectRoot}'))).toBe(false);
    // As Nx resolves them for a task: without --ver the pipeline's globs (companions: <lang>-<ver>-<name>),
    // with --ver=1.24 exactly the files of 1.24 that a CI artifact carries.
    const project = (await nodesFor('runtimes/go/runtime.json'))['runtimes/go'];
    const node = { name: 'go', type: 'app' as const, data: { ...project, root: 'runtimes/go' } };
    const fromPipeline = pipelineOutputs('go');
    const perVersion: string[] = [];
    for (const stage of ['build', 'optimize', 'verify', 'metadata'] as const) {
      const resolve = (overrides: Record<string, string>) =>
        getOutputsForTargetAndConfiguration({ project: 'go', target: stage }, overrides, node);
      expect(resolve({})).toEqual(fromPipeline[stage].map((p) => (p.endsWith('/go-*') ? `${p}-*` : p)));
      perVersion.push(...resolve({ ver: '1.24' }));
    }
    expect(perVersion.sort()).toEqual(artifactPaths('go', '1.24').sort());
  });

  it('puts one release target on the pipeline project, after every runtime metadata', async () => {
    const project = (await nodesFor('tools/pipeline/package.json'))['tools/pipeline'];
    expect(project?.targets?.release).toMatchObject({
      cache: false,
      dependsOn: [
        { projects: ['@wasmhub/pipeline'], target: 'build' },
        { projects: ['tag:runtime'], target: 'metadata' },
      ],
    });
  });

  it('runs each stage through the command.ts that cli.ts dispatches it to', () => {
    for (const [stage, entry] of Object.entries(stageEntries)) {
      expect(entry).toBe(`${stageFolders[stage as keyof typeof stageFolders]}/command.ts`);
    }
    expect(Object.keys(stageEntries).sort()).toEqual(Object.keys(stageFolders).sort());
  });

  it('follows relative, type-only, dynamic and workspace-package imports, and nothing a file does not import', () => {
    const verify = importClosure(workspaceRoot, [`${pipelineSrc}/verify/command.ts`]);
    // run-wasi.ts starts wasi-child.ts by path and imports only its types.
    expect(verify).toContain(`${pipelineSrc}/verify/wasi-child.ts`);
    expect(verify).toContain(`${pipelineSrc}/stage-args.ts`);
    const metadata = importClosure(workspaceRoot, [`${pipelineSrc}/metadata/command.ts`]);
    // @wasmhub/contract is followed to its source, and on to the generated validator.
    expect(metadata).toContain('packages/contract/src/index.ts');
    expect(metadata).toContain('packages/contract/src/manifest-validator.generated.ts');
    for (const file of [...verify, ...metadata]) {
      expect(file).not.toMatch(/\.test\.ts$|\/testing\//);
    }
  });

  // What Nx itself resolves as the inputs of go:build: the hash that decides a cache hit.
  it('invalidates the build cache on a change to code the build runs, not on tests or test support', async () => {
    const { files } = await nxJson<{ files: string[] }>(['show', 'target', 'inputs', 'go:build', '--json']);
    expect(files).toEqual(
      expect.arrayContaining([
        `${pipelineSrc}/stage-args.ts`,
        `${pipelineSrc}/compile/command.ts`,
        `${pipelineSrc}/docker/engine.ts`,
        `${pipelineSrc}/kit/files.ts`,
        'runtimes/go/main.go',
      ]),
    );
    expect(files).not.toContain(`${pipelineSrc}/testing/fake-github/server.ts`);
    expect(files).not.toContain(`${pipelineSrc}/testing/fixture-workspace.ts`);
    expect(files).not.toContain(`${pipelineSrc}/stage-args.test.ts`);
    // Later stages' code does not invalidate the compile either.
    expect(files).not.toContain(`${pipelineSrc}/optimize/command.ts`);
    expect(files).not.toContain(`${pipelineSrc}/release/assemble.ts`);
  });

  it('nx affected -t test on a manifest.schema.json change selects the loader, the contract and the pipeline', async () => {
    const explained = await nxJson<{ affected: Record<string, unknown> }>([
      'affected',
      '-t',
      'test',
      '--files=manifest.schema.json',
      '--explain=stdout',
    ]);
    expect(Object.keys(explained.affected)).toEqual(
      expect.arrayContaining(['@wasmhub/loader:test', '@wasmhub/contract:test', '@wasmhub/pipeline:test']),
    );
  });

  it('nx resolves release to one task after go:metadata and rust:metadata', async () => {
    const graphFile = `/tmp/wasmhub-release-graph-${process.pid}.json`;
    await run('npx', ['nx', 'run-many', '-t', 'release', `--graph=${graphFile}`], { cwd: workspaceRoot, env: nxEnv });
    const { readFile } = await import('node:fs/promises');
    const graph = JSON.parse(await readFile(graphFile, 'utf8')) as {
      tasks: { dependencies: Record<string, (string | { id: string })[]> };
    };
    const deps = Object.fromEntries(
      Object.entries(graph.tasks.dependencies).map(([id, list]) => [
        id,
        list.map((d) => (typeof d === 'string' ? d : d.id)),
      ]),
    );
    const releases = Object.keys(deps).filter((id) => id.endsWith(':release'));
    expect(releases).toEqual(['@wasmhub/pipeline:release']);
    expect(deps['@wasmhub/pipeline:release']).toEqual(expect.arrayContaining(['go:metadata', 'rust:metadata']));
    expect(deps['go:build']).toEqual(['@wasmhub/pipeline:build']);
    expect(deps['@wasmhub/pipeline:build']).toEqual(['@wasmhub/contract:build']);
  });
});
