import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { type FakeGitHub, startFakeGitHub } from '../testing/fake-github/server.ts';
import { createFixtureWorkspace } from '../testing/fixture-workspace.ts';
import { expectCompleteRelease, releaseTo, uploadCounts, uploadedBytes } from '../testing/github-harness.ts';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(
  options: Parameters<typeof startFakeGitHub>[0] = {},
): Promise<{ server: FakeGitHub; root: string }> {
  // maxPerPage 4 forces every list (releases, assets) over several pages.
  const server = await startFakeGitHub({ maxPerPage: 4, ...options });
  const root = await createFixtureWorkspace();
  cleanup.push(
    () => server.close(),
    () => rm(root, { recursive: true, force: true }),
  );
  return { server, root };
}

const ASSETS = 13;
const once = (names: string[]): Record<string, number> => Object.fromEntries(names.map((name) => [name, 1]));

function expectNoToken(server: FakeGitHub, ...texts: unknown[]): void {
  for (const text of texts) {
    const flat = typeof text === 'string' ? text : JSON.stringify(text, Object.getOwnPropertyNames(text ?? {}));
    expect(flat).not.toContain(server.token);
  }
}

describe('GitHub release against the loopback GitHub', () => {
  it('fresh publish: creates one draft, uploads every asset once, then publishes it as latest', async () => {
    const { server, root } = await setup();
    for (let i = 0; i < 6; i++) server.addRelease({ tag_name: `v0.0.${i}` }); // more than one page of releases
    const run = await releaseTo(server, root);
    expect(run.error).toBeUndefined();
    const names = await expectCompleteRelease(server, root);
    expect(names).toHaveLength(ASSETS);
    expect(uploadCounts(server)).toEqual(once(names));
    expect(server.log.filter((r) => r.method === 'POST' && r.host === 'api')).toHaveLength(1);
    const patches = server.log.filter((r) => r.method === 'PATCH');
    expect(patches).toHaveLength(1);
    expect(server.releases.find((r) => r.tag_name === 'v1.2.3')?.make_latest).toBe('true');
    // Uploads went to the upload host named in upload_url, never to the API host.
    expect(
      server.log.filter((r) => r.host === 'api' && r.method === 'POST' && r.path.includes('/assets')),
    ).toHaveLength(0);
    expect(run.result?.github?.bytesUploaded).toBe(uploadedBytes(server));
    expect(run.lines.some((line) => /uploaded go-1\.24\.wasm$/.test(line))).toBe(true);
    expectNoToken(server, run.lines.join('\n'));
  });

  it('an upload failing with 502 once is retried and the release completes', async () => {
    const { server, root } = await setup();
    server.inject({ on: 'upload', nth: 2, fault: { kind: 'status', status: 502 } });
    const run = await releaseTo(server, root);
    expect(run.error).toBeUndefined();
    const names = await expectCompleteRelease(server, root);
    expect(uploadCounts(server)).toEqual(once(names));
    expect(server.log.filter((r) => r.host === 'uploads' && r.status === 502)).toHaveLength(1);
  });

  it('in a draft, an asset with the same name but different bytes is replaced; matching and foreign assets are kept', async () => {
    const { server, root } = await setup();
    const first = await releaseTo(server, root);
    expect(first.error).toBeUndefined();
    const release = server.releases.find((r) => r.tag_name === 'v1.2.3');
    if (!release) throw new Error('no release');
    // A draft left by an earlier run (a published release is never modified: publish.adversarial.test.ts).
    Object.assign(release, { draft: true, published_at: null });
    // Same size, different bytes (only the digest tells) and different size; plus a file of someone else's.
    const wasm = server.assetsOf(release.id).find((a) => a.name === 'go-1.24.wasm');
    const gz = server.assetsOf(release.id).find((a) => a.name === 'rust-1.85.wasm.gz');
    if (!wasm || !gz) throw new Error('assets missing');
    const flipped = Buffer.from(wasm.bytes);
    flipped.writeUInt8((flipped.at(-1) ?? 0) ^ 0xff, flipped.length - 1);
    server.assets.splice(server.assets.indexOf(wasm), 1);
    server.addAsset(release.id, 'go-1.24.wasm', flipped);
    server.assets.splice(server.assets.indexOf(gz), 1);
    server.addAsset(release.id, 'rust-1.85.wasm.gz', Buffer.from('not gzip'));
    server.addAsset(release.id, 'NOTES.txt', Buffer.from('hand-written notes'));
    const mark = server.log.length;

    const second = await releaseTo(server, root);
    expect(second.error).toBeUndefined();
    const names = await expectCompleteRelease(server, root);
    expect(names).toContain('NOTES.txt');
    const uploadsNow = server.log
      .slice(mark)
      .filter((r) => r.host === 'uploads')
      .map((r) => r.name);
    expect(uploadsNow.sort()).toEqual(['go-1.24.wasm', 'rust-1.85.wasm.gz']);
    expect(server.log.slice(mark).filter((r) => r.method === 'DELETE')).toHaveLength(2);
    expect(second.result?.github?.replaced.sort()).toEqual(['go-1.24.wasm', 'rust-1.85.wasm.gz']);
  });

  it('a stray draft for the tag is reused (and its half upload finished), not duplicated', async () => {
    const { server, root } = await setup();
    server.addRelease({ tag_name: 'v1.1.0' });
    const draft = server.addRelease({ tag_name: 'v1.2.3', draft: true });
    server.addAsset(draft.id, 'go-1.23.wasm', Buffer.from('half'), { state: 'starter', size: 4, digest: null });
    const run = await releaseTo(server, root);
    expect(run.error).toBeUndefined();
    await expectCompleteRelease(server, root);
    expect(server.releases.filter((r) => r.tag_name === 'v1.2.3')).toHaveLength(1);
    expect(server.releases.find((r) => r.tag_name === 'v1.2.3')?.id).toBe(draft.id);
    expect(server.log.filter((r) => r.method === 'POST' && r.host === 'api')).toHaveLength(0);
    expect(run.lines.some((line) => /replace go-1\.23\.wasm \(state starter/.test(line))).toBe(true);
  });

  it('a secondary rate limit with retry-after is waited out (delay captured) and the release completes', async () => {
    const { server, root } = await setup();
    server.inject({ on: 'upload', nth: 3, fault: { kind: 'secondary-rate-limit', status: 403, retryAfter: 7 } });
    server.inject({
      on: { method: 'GET', path: /\/releases\/\d+\/assets$/ },
      fault: { kind: 'secondary-rate-limit', status: 429, retryAfter: 2 },
    });
    const run = await releaseTo(server, root);
    expect(run.error).toBeUndefined();
    const names = await expectCompleteRelease(server, root);
    expect(uploadCounts(server)).toEqual(once(names));
    const waits = run.events.flatMap((e) => (e.kind === 'rate-limit' && e.secondary ? [e.retryAfterSeconds] : []));
    expect(waits.sort()).toEqual([2, 7]);
  });

  it('an unchanged re-run uploads zero bytes and changes nothing', async () => {
    const { server, root } = await setup();
    expect((await releaseTo(server, root)).error).toBeUndefined();
    const mark = server.log.length;
    const rerun = await releaseTo(server, root);
    expect(rerun.error).toBeUndefined();
    const after = server.log.slice(mark);
    expect(after.filter((r) => r.host === 'uploads')).toHaveLength(0);
    expect(uploadedBytes(server, mark)).toBe(0);
    expect(after.filter((r) => r.method !== 'GET')).toHaveLength(0);
    expect(rerun.result?.github?.skipped).toHaveLength(ASSETS);
    await expectCompleteRelease(server, root);
  });

  it('dry run prints the plan and writes nothing remote', async () => {
    const { server, root } = await setup();
    const draft = server.addRelease({ tag_name: 'v1.2.3', draft: true });
    server.addAsset(draft.id, 'go-1.23.wasm', Buffer.from('stale'));
    const run = await releaseTo(server, root, { dryRun: true });
    expect(run.error).toBeUndefined();
    expect(server.log.every((r) => r.method === 'GET' && r.host === 'api')).toBe(true);
    expect(server.assetsOf(draft.id)).toHaveLength(1);
    expect(draft.draft).toBe(true);
    const text = run.lines.join('\n');
    expect(text).toMatch(/replace go-1\.23\.wasm .*\(dry run\)/);
    expect(text).toMatch(/upload go-1\.24\.wasm .*\(dry run\)/);
    expect(run.result?.github?.uploaded).toHaveLength(ASSETS - 1);
    const planned = run.publishEvents.flatMap((e) => (e.kind === 'asset.plan' ? [`${e.action} ${e.name}`] : []));
    expect(planned).toHaveLength(ASSETS);
    expect(planned).toContain('replace go-1.23.wasm');
    expect(run.publishEvents.some((e) => e.kind === 'upload.start')).toBe(false);

    const fresh = await setup();
    const none = await releaseTo(fresh.server, fresh.root, { dryRun: true });
    expect(none.lines.join('\n')).toMatch(/create draft release v1\.2\.3 \(dry run: not created\)/);
    expect(fresh.server.releases).toHaveLength(0);
  });

  it('422 already_exists from a concurrent upload and a connection cut mid-upload are both recovered', async () => {
    const { server, root } = await setup();
    server.inject({ on: 'upload', name: 'go-1.24.wasm', fault: { kind: 'concurrent-duplicate' } });
    server.inject({ on: 'upload', name: 'rust-1.85.wasm', fault: { kind: 'abort' } });
    const run = await releaseTo(server, root);
    expect(run.error).toBeUndefined();
    const names = await expectCompleteRelease(server, root);
    expect(uploadCounts(server)).toEqual(once(names));
    expect(server.log.some((r) => r.host === 'uploads' && r.status === 422)).toBe(true);
    expect(run.lines.some((line) => /go-1\.24\.wasm already exists \(starter\); deleting it/.test(line))).toBe(true);
  });

  it('older GHES without asset digests: equal size counts as the same asset, a size change is replaced (in a draft)', async () => {
    const { server, root } = await setup({ digests: false });
    expect((await releaseTo(server, root)).error).toBeUndefined();
    const mark = server.log.length;
    expect((await releaseTo(server, root)).error).toBeUndefined();
    expect(uploadedBytes(server, mark)).toBe(0);
    const release = server.releases[0];
    const gz = release && server.assetsOf(release.id).find((a) => a.name === 'rust-1.85.wasm.gz');
    if (!release || !gz) throw new Error('asset missing');
    server.assets.splice(server.assets.indexOf(gz), 1);
    server.addAsset(release.id, 'rust-1.85.wasm.gz', Buffer.from('different size'));
    Object.assign(release, { draft: true, published_at: null }); // replaced only in a draft
    const mark2 = server.log.length;
    expect((await releaseTo(server, root)).error).toBeUndefined();
    expect(server.log.slice(mark2).flatMap((r) => (r.host === 'uploads' ? [r.name] : []))).toEqual([
      'rust-1.85.wasm.gz',
    ]);
    await expectCompleteRelease(server, root);
  });

  it('an immutable published release: unchanged is a no-op, a change fails fast before any write', async () => {
    const { server, root } = await setup({ immutableOnPublish: true });
    expect((await releaseTo(server, root)).error).toBeUndefined();
    expect(server.releases[0]?.immutable).toBe(true);
    const mark = server.log.length;
    expect((await releaseTo(server, root)).error).toBeUndefined();

    const other = await createFixtureWorkspace(undefined, '1.2.3'); // same tag, same names...
    cleanup.push(() => rm(other, { recursive: true, force: true }));
    const { writeFile, readFile } = await import('node:fs/promises');
    const recordPath = `${other}/build/go/go-1.24.metadata.json`;
    const record = JSON.parse(await readFile(recordPath, 'utf8'));
    record.entry.features.push('threads'); // ...but a different go-manifest.json
    await writeFile(recordPath, JSON.stringify(record));
    const changed = await releaseTo(server, other);
    expect(changed.error).toBeInstanceOf(PipelineError);
    expect((changed.error as PipelineError).message).toMatch(/published and immutable.*differ.*new tag/);
    expect(server.log.slice(mark).filter((r) => r.method !== 'GET')).toHaveLength(0);
  });

  it('the token never appears; 401 and 403 name the missing permission', async () => {
    const { server, root } = await setup({ readOnly: true });
    const forbidden = await releaseTo(server, root);
    expect(forbidden.error).toBeInstanceOf(PipelineError);
    const message403 = (forbidden.error as PipelineError).message;
    expect(message403).toMatch(/403 .*contents: write/);
    expectNoToken(server, message403, (forbidden.error as PipelineError).context, forbidden.lines.join('\n'));

    const badToken = await releaseTo(server, root, { env: { GITHUB_TOKEN: 'ghp_wrongTokenValue000000000000000' } });
    const message401 = (badToken.error as PipelineError).message;
    expect(message401).toMatch(/401 .*Bad credentials.*contents: write/);
    expect(message401).not.toContain('ghp_wrongTokenValue');
    expect(JSON.stringify((badToken.error as PipelineError).context)).not.toContain('ghp_wrongTokenValue');
  });

  it('two release processes at once converge on one release, published once and complete', async () => {
    // Two workspaces with the same content, as two CI jobs would have.
    const { server, root } = await setup();
    const other = await createFixtureWorkspace();
    cleanup.push(() => rm(other, { recursive: true, force: true }));
    const [a, b] = await Promise.all([releaseTo(server, root), releaseTo(server, other)]);
    // Either both succeed, or the loser of an upload race fails with a clear, retryable message.
    const failures = [a, b].filter((run) => run.error !== undefined);
    expect(failures.length).toBeLessThanOrEqual(1);
    for (const failed of failures) expect((failed.error as PipelineError).message).toMatch(/run the release again/);
    if (failures.length) expect((await releaseTo(server, root)).error).toBeUndefined();
    await expectCompleteRelease(server, root);
    expect(server.releases.filter((r) => r.tag_name === 'v1.2.3')).toHaveLength(1);
    expect(server.log.filter((r) => r.method === 'PATCH' && r.status === 200).length).toBeGreaterThanOrEqual(1);
  });
});
