// The fake GitHub answers the way GitHub documents (and @octokit/fixtures recorded).
import { afterEach, expect, it } from 'vitest';
import { type FakeGitHub, startFakeGitHub } from './server.ts';
import { loadTemplates } from './shapes.ts';

let server: FakeGitHub | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const call = async (s: FakeGitHub, method: string, url: string, body?: Buffer | string) => {
  const res = await fetch(url, {
    method,
    headers: { authorization: `token ${s.token}`, accept: 'application/vnd.github+json' },
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
};

it('hides drafts from GET /releases/tags/:tag but lists them, paginated with a Link header', async () => {
  server = await startFakeGitHub();
  const base = `${server.apiUrl}/repos/${server.owner}/${server.repo}`;
  for (let i = 0; i < 5; i++) server.addRelease({ tag_name: `v0.${i}` });
  server.addRelease({ tag_name: 'v1.0.0', draft: true });
  expect((await call(server, 'GET', `${base}/releases/tags/v1.0.0`)).status).toBe(404);
  expect((await call(server, 'GET', `${base}/releases/tags/v0.1`)).body.tag_name).toBe('v0.1');
  const page1 = await call(server, 'GET', `${base}/releases?per_page=4`);
  expect(page1.body).toHaveLength(4);
  expect(page1.body[0].tag_name).toBe('v1.0.0'); // newest first, drafts included
  expect(page1.headers.get('link')).toContain('page=2>; rel="next"');
  const page2 = await call(server, 'GET', `${base}/releases?per_page=4&page=2`);
  expect(page2.body).toHaveLength(2);
  expect(page2.headers.get('link')).not.toContain('rel="next"');
});

it('uploads on the second host; a duplicate name is the recorded 422 already_exists; digests are sha256', async () => {
  server = await startFakeGitHub();
  const release = server.addRelease({ tag_name: 'v1', draft: true });
  const upload = `${server.uploadsUrl}/repos/${server.owner}/${server.repo}/releases/${release.id}/assets?name=a.txt`;
  const created = await call(server, 'POST', upload, 'Hello, world!\n');
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ name: 'a.txt', size: 14, state: 'uploaded' });
  expect(created.body.digest).toBe('sha256:d9014c4624844aa5bac314773d6b689ad467fa4e1d1a50a1b8a99d5a95f72ff5');
  const dup = await call(server, 'POST', upload, 'again');
  expect(dup.status).toBe(422);
  expect(dup.body.errors).toEqual(loadTemplates().alreadyExists.errors);
  expect(server.log.at(-1)).toMatchObject({ host: 'uploads', method: 'POST', status: 422, bytes: 5, name: 'a.txt' });
  const wrong = await fetch(`${server.apiUrl}/repos/${server.owner}/${server.repo}/releases`, {
    headers: { authorization: 'token nope' },
  });
  expect(wrong.status).toBe(401);
});
