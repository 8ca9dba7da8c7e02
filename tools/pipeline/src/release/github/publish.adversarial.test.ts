// The adversarial suite, publisher part (issue #17 items 8-10): the GitHub release against the loopback
// GitHub (tools/pipeline/src/testing/fake-github), with faults injected where a release is most fragile.
// Bounded: every wait of the client is scaled to milliseconds, the servers close after each test.
import { readFile, rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../../errors.ts';
import { type FakeGitHub, startFakeGitHub } from '../../testing/fake-github/server.ts';
import { createFixtureWorkspace } from '../../testing/fixture-workspace.ts';
import { expectCompleteRelease, releaseTo } from '../../testing/github-harness.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(): Promise<{ server: FakeGitHub; root: string }> {
  const server = await startFakeGitHub({ maxPerPage: 4 });
  const root = await createFixtureWorkspace();
  cleanup.push(
    () => server.close(),
    () => rm(root, { recursive: true, force: true }),
  );
  return { server, root };
}

/** A second workspace with the same tag whose go-manifest.json (and so manifest.json, SHA256SUMS) differs. */
async function changedWorkspace(): Promise<string> {
  const other = await createFixtureWorkspace(undefined, '1.2.3');
  cleanup.push(() => rm(other, { recursive: true, force: true }));
  const path = `${other}/build/go/go-1.24.metadata.json`;
  const record = JSON.parse(await readFile(path, 'utf8'));
  record.entry.features.push('threads');
  await writeFile(path, JSON.stringify(record));
  return other;
}

/** Name -> bytes of every asset of the published release of `tag`. */
function snapshot(server: FakeGitHub, tag = 'v1.2.3'): Map<string, string> {
  const release = server.releases.find((item) => item.tag_name === tag && !item.draft);
  if (!release) throw new Error(`no published ${tag}`);
  return new Map(
    server.assetsOf(release.id).map((asset) => [asset.name, `${asset.state}:${asset.bytes.toString('base64')}`]),
  );
}

describe('adversarial: the GitHub publisher', () => {
  it('item 8: updating a published release with a 500 on an upload leaves the complete old set visible', async () => {
    const { server, root } = await setup();
    expect((await releaseTo(server, root)).error).toBeUndefined();
    const before = snapshot(server);
    server.inject({ on: 'upload', fault: { kind: 'status', status: 500 }, times: 100 });
    const run = await releaseTo(server, await changedWorkspace());
    expect(run.error).toBeInstanceOf(PipelineError);
    expect(snapshot(server)).toEqual(before);
    await expectCompleteRelease(server, root);
  });

  it('item 8: a changed set for a published tag is refused before any write, naming the assets and the fix', async () => {
    const { server, root } = await setup();
    expect((await releaseTo(server, root)).error).toBeUndefined();
    const before = snapshot(server);
    const mark = server.log.length;
    const run = await releaseTo(server, await changedWorkspace());
    expect(run.error).toBeInstanceOf(PipelineError);
    const message = (run.error as PipelineError).message;
    expect(message).toMatch(/v1\.2\.3 .*is published.*differ.*manifest\.json.*never modified.*new tag/);
    expect(message).not.toMatch(/\n/);
    expect(server.log.slice(mark).filter((r) => r.method !== 'GET')).toEqual([]);
    expect(snapshot(server)).toEqual(before);
    // The dry run says the same, and writes nothing either.
    const dry = await releaseTo(server, await changedWorkspace(), { dryRun: true });
    expect((dry.error as PipelineError).message).toMatch(/never modified/);
  });

  it('item 9: releasing v1.2.3 after v2.0.0 does not mark it latest', async () => {
    const { server, root } = await setup();
    server.addRelease({ tag_name: 'v2.0.0' });
    server.addRelease({ tag_name: 'v1.0.0' });
    const run = await releaseTo(server, root);
    expect(run.error).toBeUndefined();
    expect(server.releases.find((r) => r.tag_name === 'v1.2.3')?.make_latest).toBe('false');
    expect(run.lines.join('\n')).toMatch(/not marked latest: v2\.0\.0 is higher/);
  });

  it('item 9: the highest version becomes latest (pre-releases and lower tags do not stop it)', async () => {
    const { server, root } = await setup();
    for (const tag of ['v1.2.3-rc1', 'v1.2.3-beta', 'v1.2.2', 'v0.9.0']) server.addRelease({ tag_name: tag });
    server.addRelease({ tag_name: 'v9.9.9', draft: true }); // a draft is no one's latest
    const run = await releaseTo(server, root);
    expect(run.error).toBeUndefined();
    expect(server.releases.find((r) => r.tag_name === 'v1.2.3')?.make_latest).toBe('true');
  });

  it('item 10: an upload that never gets an answer times out, is logged and retried, and the release completes', async () => {
    const { server, root } = await setup();
    server.inject({ on: 'upload', name: 'go-1.24.wasm', fault: { kind: 'hang' } });
    const run = await releaseTo(server, root, { env: { WASMHUB_RELEASE_UPLOAD_TIMEOUT_MS: '1000' } });
    expect(run.error).toBeUndefined();
    await expectCompleteRelease(server, root);
    expect(run.publishEvents).toContainEqual(expect.objectContaining({ kind: 'upload.retry', name: 'go-1.24.wasm' }));
    expect(run.lines.join('\n')).toMatch(/go-1\.24\.wasm: no answer within \d+ ms; retrying \(attempt 2 of 3\)/);
  });

  it('item 10: an upload that never answers on every attempt fails with one line, and the release stays a draft', async () => {
    const { server, root } = await setup();
    server.inject({ on: 'upload', name: 'go-1.24.wasm', fault: { kind: 'hang' }, times: 10 });
    const run = await releaseTo(server, root, { env: { WASMHUB_RELEASE_UPLOAD_TIMEOUT_MS: '500' } });
    expect(run.error).toBeInstanceOf(PipelineError);
    expect((run.error as PipelineError).message).toMatch(
      /upload go-1\.24\.wasm .*no answer within \d+ ms \(3 attempts\).*run the release again/,
    );
    expect(server.releases.find((r) => r.tag_name === 'v1.2.3')?.draft).toBe(true);
  });
});
