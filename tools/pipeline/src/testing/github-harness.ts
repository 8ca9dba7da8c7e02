// Test helper for the GitHub release tests: runs a release against the fake GitHub and checks the result.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GitHubEvent, PublishEvent } from '../kit/release-events.ts';
import { type ReleaseResult, runRelease } from '../release/release.ts';
import type { FakeGitHub } from './fake-github/server.ts';

export interface RunOutcome {
  result?: ReleaseResult;
  error?: unknown;
  lines: string[];
  events: GitHubEvent[];
  publishEvents: PublishEvent[];
}

export function githubEnv(server: FakeGitHub, extra: Record<string, string> = {}): Record<string, string> {
  return {
    SOURCE_DATE_EPOCH: '1767225600',
    GITHUB_TOKEN: server.token,
    GITHUB_REPOSITORY: `${server.owner}/${server.repo}`,
    GITHUB_API_URL: server.apiUrl,
    // Waits are scaled to milliseconds so retries and rate limits cost nothing in tests; the delays
    // themselves are captured from the client's events.
    WASMHUB_RELEASE_RETRY_BASE_MS: '1',
    WASMHUB_RELEASE_WRITE_INTERVAL_MS: '0',
    ...extra,
  };
}

export async function releaseTo(
  server: FakeGitHub,
  root: string,
  options: { dryRun?: boolean; env?: Record<string, string> } = {},
): Promise<RunOutcome> {
  const lines: string[] = [];
  const events: GitHubEvent[] = [];
  const publishEvents: PublishEvent[] = [];
  try {
    const result = await runRelease({
      root,
      env: githubEnv(server, options.env),
      dryRun: options.dryRun ?? false,
      log: (line) => lines.push(line),
      onGitHubEvent: (event) => events.push(event),
      onPublishEvent: (event) => publishEvents.push(event),
    });
    return { result, lines, events, publishEvents };
  } catch (error) {
    return { error, lines, events, publishEvents };
  }
}

/** Successful (201) uploads per asset name, over the whole server log. */
export function uploadCounts(server: FakeGitHub): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const record of server.log) {
    if (record.host === 'uploads' && record.status === 201 && record.name) {
      counts[record.name] = (counts[record.name] ?? 0) + 1;
    }
  }
  return counts;
}

export function uploadedBytes(server: FakeGitHub, fromIndex = 0): number {
  return server.log
    .slice(fromIndex)
    .filter((record) => record.host === 'uploads')
    .reduce((sum, record) => sum + record.bytes, 0);
}

/**
 * Exactly one published release for the tag, holding every staged asset, every asset "uploaded", and
 * its bytes matching the staged SHA256SUMS. Returns the release's assets by name.
 */
export async function expectCompleteRelease(server: FakeGitHub, root: string, tag = 'v1.2.3'): Promise<string[]> {
  const releases = server.releases.filter((release) => release.tag_name === tag);
  const published = releases.filter((release) => !release.draft);
  if (published.length !== 1) throw new Error(`expected one published ${tag}, found ${published.length}`);
  const release = published[0] as (typeof published)[number];
  const staged = join(root, 'build', 'release', tag);
  const sums = await readFile(join(staged, 'SHA256SUMS'), 'utf8');
  const expected = new Map(
    sums
      .trimEnd()
      .split('\n')
      .map((line) => {
        const [hex, name] = line.split('  ');
        return [name as string, hex as string];
      }),
  );
  expected.set('SHA256SUMS', createHash('sha256').update(sums).digest('hex'));
  const assets = server.assetsOf(release.id);
  for (const [name, hex] of expected) {
    const asset = assets.find((item) => item.name === name);
    if (!asset) throw new Error(`${tag}: asset ${name} missing`);
    if (asset.state !== 'uploaded') throw new Error(`${tag}: asset ${name} is ${asset.state}`);
    const actual = createHash('sha256').update(asset.bytes).digest('hex');
    if (actual !== hex) throw new Error(`${tag}: asset ${name} bytes ${actual} do not match SHA256SUMS ${hex}`);
  }
  return assets.map((asset) => asset.name).sort();
}
