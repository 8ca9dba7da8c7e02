// What a consumer gets from `npm install @wasmhub/loader`: the loader and contract packages are packed as
// npm publishes them, installed into an empty project (their dependencies from the npm cache), and the
// installed tree is measured as `du` does (allocated blocks). The closure stays under 1 MB, holds no ajv,
// and the installed packages still validate manifests and run the CLI.
import { execFile } from 'node:child_process';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const MAX_CLOSURE_BYTES = 1_000_000;

let dir: string;
let project: string;

/** Bytes on disk (st_blocks, as du counts) and apparent bytes of every file and directory under `path`. */
async function diskUsage(path: string): Promise<{ disk: number; apparent: number }> {
  const stat = await lstat(path);
  let disk = stat.blocks * 512;
  let apparent = stat.size;
  if (stat.isDirectory()) {
    for (const entry of await readdir(path)) {
      const inner = await diskUsage(join(path, entry));
      disk += inner.disk;
      apparent += inner.apparent;
    }
  }
  return { disk, apparent };
}

beforeAll(async () => {
  // Packed as `npm test` built them: their prepack would rebuild dist/ under other running tests.
  for (const built of ['packages/contract/dist/index.js', 'packages/loader/dist/cli.js']) {
    await readFile(join(repoRoot, built)).catch(() => {
      throw new Error(
        `${built} is missing: run \`npm run build -w @wasmhub/contract -w @wasmhub/loader\` (npm test does)`,
      );
    });
  }
  dir = await mkdtemp(join(tmpdir(), 'wasmhub-closure-'));
  const tarballs: string[] = [];
  for (const pkg of ['packages/contract', 'packages/loader']) {
    const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: join(repoRoot, pkg),
    });
    tarballs.push(join(dir, (JSON.parse(stdout) as { filename: string }[])[0]?.filename ?? ''));
  }
  project = join(dir, 'consumer');
  await mkdir(project);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...tarballs], {
    cwd: project,
  });
}, 180_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('install closure of @wasmhub/loader', () => {
  it('is at most 1 MB on disk and holds no ajv', async () => {
    const { stdout } = await run('npm', ['ls', '--all', '--parseable'], { cwd: project });
    const packages = stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((path) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const { disk, apparent } = await diskUsage(join(project, 'node_modules'));
    const summary = `${packages.length} packages, ${Math.round(disk / 1024)} KB on disk (${Math.round(apparent / 1024)} KB apparent): ${packages.join(', ')}`;
    if (process.env.WASMHUB_TEST_VERBOSE) process.stderr.write(`closure: ${summary}\n`);
    expect(packages).toContain('@wasmhub/loader');
    expect(packages).toContain('@wasmhub/contract');
    expect(
      packages.filter((p) => p.startsWith('ajv')),
      summary,
    ).toEqual([]);
    expect(disk, summary).toBeLessThanOrEqual(MAX_CLOSURE_BYTES);
  });

  it('the installed contract still validates manifests (no ajv needed at run time)', async () => {
    // released is checked by ajv-formats' date-time and sizes by ajv's ucs2length: both bundled in.
    const script = `
      import { manifestValidator } from '@wasmhub/contract';
      const entry = { file: 'go-1.24.wasm', size: 1, sha256: '${'ab'.repeat(32)}', released: '2026-01-01T00:00:00Z', wasi: 'wasip1', features: [] };
      const doc = (e) => ({ language: 'go', latest: '1.24', versions: { '1.24': { ...entry, ...e } } });
      const check = (e) => manifestValidator().validate(doc(e)) ?? null;
      console.log(JSON.stringify([check({}), check({ file: '../x' }), check({ released: '2026-13-01T00:00:00Z' })]));
    `;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
    const [ok, path, date] = JSON.parse(stdout) as [string | null, string, string];
    expect(ok).toBeNull();
    expect(path).toMatch(/\/versions\/1\.24\/file must match pattern/);
    expect(date).toBe('/versions/1.24/released must match format "date-time"');
  });

  it('the installed bin answers --version', async () => {
    const { stdout } = await run(join(project, 'node_modules/.bin/wasmhub'), ['--version'], { cwd: project });
    expect(stdout.trim()).toMatch(/^wasmhub \d+\.\d+\.\d+$/);
  });
});
