// The release process is killed (SIGKILL) in the middle of its uploads, then run again: the second run
// finishes the job, re-uploading only what the first did not complete.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { startFakeGitHub } from '../testing/fake-github/server.ts';
import { createFixtureWorkspace } from '../testing/fixture-workspace.ts';
import { expectCompleteRelease, githubEnv, uploadCounts } from '../testing/github-harness.ts';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'cli.ts');
const tsxLoader = import.meta.resolve('tsx');
// tsx reads tsconfig.json from the cwd; this one runs in a fixture workspace, so point it at the
// repository's (its `paths` resolve @wasmhub/contract to the package's source).
const tsconfig = fileURLToPath(new URL('../../../../tsconfig.json', import.meta.url));
const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function startRelease(root: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', tsxLoader, cli, 'release'], {
    cwd: root,
    env: { ...process.env, ...env, WASMHUB_ROOT: root, TSX_TSCONFIG_PATH: tsconfig },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => output };
}

it('killed mid-upload, then re-run: completes, and only the interrupted asset is uploaded again', async () => {
  const server = await startFakeGitHub({ maxPerPage: 5 });
  const root = await createFixtureWorkspace();
  cleanup.push(
    () => server.close(),
    () => rm(root, { recursive: true, force: true }),
  );
  const env = githubEnv(server);
  // The 4th upload is received but never answered; the process is killed while waiting on it.
  server.inject({ on: 'upload', nth: 4, fault: { kind: 'hang' } });
  const first = startRelease(root, env);
  cleanup.push(async () => first.child.kill('SIGKILL'));
  await server.waitForUploads(4);
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  expect(killed.signal).toBe('SIGKILL');

  const release = server.releases.find((r) => r.tag_name === 'v1.2.3');
  expect(release?.draft).toBe(true); // consumers never saw a half release
  const hung = server.assets.find((a) => a.state === 'starter');
  expect(hung).toBeDefined();
  const completedBefore = uploadCounts(server);

  const second = startRelease(root, env);
  const done = await second.exited;
  expect(done, second.output()).toEqual({ code: 0, signal: null });
  const names = await expectCompleteRelease(server, root);
  const counts = uploadCounts(server);
  for (const name of names) {
    // Each asset was completed exactly once overall: either before the kill or by the re-run.
    expect(counts[name], name).toBe(1);
  }
  // With 3 uploads in flight, at least the one whose slot the hung upload took had completed.
  expect(Object.keys(completedBefore).length).toBeGreaterThanOrEqual(1);
  expect(second.output()).toMatch(new RegExp(`replace ${hung?.name.replace(/\./g, '\\.')} \\(state starter`));
  expect(second.output()).toMatch(/published v1\.2\.3/);
  expect(`${first.output()}${second.output()}`).not.toContain(server.token);
});
