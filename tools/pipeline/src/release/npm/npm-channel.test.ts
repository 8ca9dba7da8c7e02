// The npm channel end to end against a real registry: release -> verdaccio (runtime packages + loader, with
// the real `npm publish`) -> a fresh project installs @wasmhub/loader -> its `wasmhub` bin fetches go@1.24
// while the GitHub-shaped source fails, through a jsDelivr-shaped source that reads the registry's tarballs.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineError } from '../../errors.ts';
import { workspaceRoot } from '../../paths.ts';
import { createFixtureWorkspace } from '../../testing/fixture-workspace.ts';
import { runRelease } from '../release.ts';
import { createNpmClient } from './npm-client.ts';
import { runNpmRelease } from './npm-release.ts';
import { npmPack, publishPackages } from './publish.ts';
import { listen, type Registry, startFaultyProxy, startNpmCdn, startVerdaccio } from './testing/verdaccio.ts';

const cleanups: (() => Promise<void>)[] = [];
let registry: Registry;
let releaseDir: string;

beforeAll(async () => {
  // The loader is packed as `npm test` built it (its prepack would rebuild dist/ under other running tests).
  for (const built of ['packages/contract/dist/index.js', 'packages/loader/dist/cli.js']) {
    await readFile(join(workspaceRoot, built)).catch(() => {
      throw new Error(
        `${built} is missing: run \`npm run build -w @wasmhub/contract -w @wasmhub/loader\` (npm test does)`,
      );
    });
  }
  registry = await startVerdaccio();
  cleanups.push(() => registry.stop());
  const root = await createFixtureWorkspace(undefined, '0.1.0');
  cleanups.push(() => rm(root, { recursive: true, force: true }));
  releaseDir = (await runRelease({ root, env: { SOURCE_DATE_EPOCH: '1767225600' }, log: () => {} })).dir;
}, 120_000);
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const npmEnv = { npm_config_fetch_retries: '0' };

describe('npm channel against verdaccio', () => {
  it('publishes runtime packages + contract + loader; a 500 on the third package leaves a state a re-run completes; identical versions are skipped; tokens never printed', async () => {
    const proxy = await startFaultyProxy(registry.url, new Set(['@wasmhub/contract']));
    cleanups.push(() => proxy.close());
    const lines: string[] = [];
    const options = {
      releaseDir,
      outDir: `${releaseDir}-npm`,
      workspaces: ['packages/contract', 'packages/loader'],
      ignoreScripts: true,
      root: workspaceRoot,
      publish: true,
      registry: `${proxy.url}/`,
      token: registry.token,
      npmEnv,
      log: (line: string) => {
        lines.push(line);
        if (process.env.WASMHUB_TEST_VERBOSE) process.stderr.write(`${line}\n`);
      },
    };
    const failed = await runNpmRelease(options).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(PipelineError);
    expect((failed as PipelineError).message).toMatch(/npm publish @wasmhub\/contract@0\.1\.0 .* failed/);
    expect(lines).toContain('npm: published @wasmhub/runtime-go@0.1.0');
    expect(lines).toContain('npm: published @wasmhub/runtime-rust@0.1.0');

    // The registry is healthy again: the re-run skips what is there and publishes the rest.
    proxy.requests.length = 0;
    const second = await runNpmRelease({ ...options, registry: registry.url });
    expect(second.publish).toEqual({
      published: ['@wasmhub/contract@0.1.0', '@wasmhub/loader@0.1.0'],
      skipped: ['@wasmhub/runtime-go@0.1.0', '@wasmhub/runtime-rust@0.1.0'],
    });
    const third = await runNpmRelease({ ...options, registry: registry.url });
    expect(third.publish?.published).toEqual([]);
    expect(third.publish?.skipped).toHaveLength(4);

    const all = [...lines, (failed as Error).message, JSON.stringify((failed as PipelineError).context)].join('\n');
    expect(all).not.toContain(registry.token);
    for (const p of second.packages) expect(p.tarball.endsWith('.tgz')).toBe(true);
  }, 600_000);

  it('a published version with different contents fails naming the package and version', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wasmhub-npm-conflict-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: '@wasmhub/runtime-go', version: '0.1.0' }));
    await writeFile(join(dir, 'go-1.24.wasm'), 'not the released bytes');
    const client = await createNpmClient({ registry: registry.url, token: registry.token, env: npmEnv });
    try {
      const packed = await npmPack(client, [], dir, join(dir, 'out'));
      const error = await publishPackages({ client, packages: [packed] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as PipelineError).code).toBe('ERR_NPM_CONFLICT');
      expect((error as PipelineError).message).toMatch(
        /^@wasmhub\/runtime-go@0\.1\.0 is already on .* with different contents/,
      );
    } finally {
      await client.close();
    }
  }, 120_000);

  it('a fresh project installs @wasmhub/loader; `wasmhub get go@1.24` falls back from a failing GitHub source to the jsDelivr-shaped one, bytes verified', async () => {
    const project = await mkdtemp(join(tmpdir(), 'wasmhub-consumer-'));
    cleanups.push(() => rm(project, { recursive: true, force: true }));
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    // Only @wasmhub comes from the test registry; the loader's own dependencies from the usual one (npm cache).
    await writeFile(join(project, '.npmrc'), `@wasmhub:registry=${registry.url}\n`);
    await execa('npm', ['install', '@wasmhub/loader', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: project,
      env: { npm_config_userconfig: join(project, '.npmrc') },
    });
    const installed = JSON.parse(await readFile(join(project, 'node_modules/@wasmhub/loader/package.json'), 'utf8'));
    expect(installed.version).toBe('0.1.0');
    await readFile(join(project, 'node_modules/@wasmhub/loader/dist/index.d.ts'));
    await readFile(join(project, 'node_modules/@wasmhub/loader/LICENSE'));

    const githubRequests: string[] = [];
    const github = await listen(
      createServer((req, res) => {
        githubRequests.push(`${req.method} ${req.url}`);
        res.writeHead(503, { 'retry-after': '0' });
        res.end('unavailable');
      }),
      githubRequests,
    );
    cleanups.push(() => github.close());
    const cdn = await startNpmCdn(registry.url);
    cleanups.push(() => cdn.close());

    const cache = join(project, 'cache');
    await mkdir(cache);
    const result = await execa(join(project, 'node_modules/.bin/wasmhub'), ['get', 'go@1.24', '--json', '--quiet'], {
      cwd: project,
      reject: false,
      env: {
        WASMHUB_CACHE_DIR: cache,
        WASMHUB_SOURCES: `${github.url}/releases/download/v0.1.0,${cdn.url}/npm/@wasmhub/runtime-{lang}@{release}/{file}`,
      },
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const runtime = JSON.parse(result.stdout.trim().split('\n').at(-1) as string) as { path: string; sha256: string };
    const released = await readFile(join(releaseDir, 'go-1.24.wasm'));
    const cached = await readFile(runtime.path);
    expect(cached.equals(released)).toBe(true);
    const manifest = JSON.parse(await readFile(join(releaseDir, 'manifest.json'), 'utf8'));
    expect(createHash('sha256').update(cached).digest('hex')).toBe(manifest.languages.go.files['1.24'].sha256);
    expect(runtime.sha256).toBe(manifest.languages.go.files['1.24'].sha256);
    expect(githubRequests.length).toBeGreaterThan(0);
    expect(cdn.requests).toContain('GET /npm/@wasmhub/runtime-go@latest/manifest.json');
    expect(cdn.requests.some((r) => r.startsWith('GET /npm/@wasmhub/runtime-go@latest/go-1.24.wasm'))).toBe(true);
  }, 300_000);
});
