import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CreateNodesContextV2, CreateNodesResult } from '@nx/devkit';
import { describe, expect, it } from 'vitest';
import { stageOutputs as pipelineOutputs, workspaceRoot } from '../pipeline/src/paths.ts';
import { compiledPluginPath, compilePlugin } from './compiled.ts';
import { createNodesV2, stageOutputs } from './index.ts';

const [pattern, createNodes] = createNodesV2;
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
      command: 'node --import tsx tools/pipeline/src/cli.ts build go',
      forwardAllArgs: true,
    });
    expect(targets.build?.dependsOn).toBeUndefined();
    expect(targets.optimize?.dependsOn).toEqual([{ target: 'build', params: 'forward' }]);
    expect(targets.metadata?.dependsOn).toEqual([{ target: 'verify', params: 'forward' }]);
    expect(targets.build?.inputs).toEqual(
      expect.arrayContaining([
        '{projectRoot}/**/*',
        '!{projectRoot}/manifest.json',
        '{workspaceRoot}/docker/go-bookworm.Dockerfile',
        '{workspaceRoot}/docker/trixie.Dockerfile',
      ]),
    );
    expect(targets.optimize?.inputs).toContain('pipeline');
    for (const t of Object.values(targets)) expect(t.cache).toBe(true);
  });

  it('gives every stage distinct outputs, the same ones the pipeline writes', () => {
    const nx = stageOutputs('go');
    const all = Object.values(nx).flat();
    expect(new Set(all).size).toBe(all.length);
    const fromPipeline = pipelineOutputs('go');
    for (const stage of ['build', 'optimize', 'verify'] as const) {
      expect(nx[stage]).toEqual(fromPipeline[stage].map((p) => `{workspaceRoot}/${p}`));
    }
    expect(nx.metadata).toEqual(['{projectRoot}/manifest.json']);
  });

  it('puts one release target on the pipeline project, after every runtime metadata', async () => {
    const project = (await nodesFor('tools/pipeline/package.json'))['tools/pipeline'];
    expect(project?.targets?.release).toMatchObject({
      cache: false,
      dependsOn: [{ projects: ['tag:runtime'], target: 'metadata' }],
    });
  });

  it('nx resolves release to one task after go:metadata and rust:metadata', async () => {
    const run = promisify(execFile);
    const graphFile = `/tmp/wasmhub-release-graph-${process.pid}.json`;
    await run('npx', ['nx', 'run-many', '-t', 'release', `--graph=${graphFile}`], {
      cwd: workspaceRoot,
      env: { ...process.env, NX_DAEMON: 'false' },
    });
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
    expect(deps['go:build']).toEqual([]);
  });
});
