import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveSourceStamp } from './released.ts';

let repo: string;
const git = (args: string[], env: Record<string, string> = {}) =>
  execa('git', args, {
    cwd: repo,
    env: { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', ...env },
  });

beforeAll(async () => {
  repo = await mkdtemp(join(tmpdir(), 'wasmhub-git-'));
  await git(['init', '-q']);
  await mkdir(join(repo, 'runtimes/go'), { recursive: true });
  await writeFile(join(repo, 'runtimes/go/main.go'), 'package main\n');
  await git(['add', '.']);
  await git(['commit', '-q', '-m', 'source'], { GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' });
  // A later commit outside runtimes/go (another runtime, the release's tooling) must not move the date.
  await writeFile(join(repo, 'README.md'), 'notes\n');
  await git(['add', '.']);
  await git(['commit', '-q', '-m', 'docs'], { GIT_COMMITTER_DATE: '2026-06-01T00:00:00Z' });
});
afterAll(async () => {
  await rm(repo, { recursive: true, force: true });
});

describe('resolveSourceStamp', () => {
  it('uses the last commit touching runtimes/<lang>, not a later one elsewhere', async () => {
    const stamp = await resolveSourceStamp('go', { cwd: repo, env: {} });
    expect(stamp.released).toBe('2026-01-02T03:04:05Z');
    const { stdout } = await git(['rev-list', '--max-count=1', 'HEAD~1']);
    expect(stamp.sourceCommit).toBe(stdout.trim());
  });

  it('prefers SOURCE_DATE_EPOCH', async () => {
    const stamp = await resolveSourceStamp('go', { cwd: repo, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(stamp.released).toBe('2023-11-14T22:13:20Z');
  });

  it('fails clearly when nothing is committed and no SOURCE_DATE_EPOCH is set', async () => {
    await expect(resolveSourceStamp('rust', { cwd: repo, env: {} })).rejects.toThrow(
      'runtimes/rust: no git commit touches it, so the release time is unknown: commit it or set SOURCE_DATE_EPOCH',
    );
    await expect(resolveSourceStamp('go', { cwd: repo, env: { SOURCE_DATE_EPOCH: 'soon' } })).rejects.toThrow(
      /SOURCE_DATE_EPOCH="soon" is not a number/,
    );
  });
});
