// A loopback GitHub REST server for the release tests: the release endpoints on one host, uploads on a
// second host (as api.github.com / uploads.github.com), with state, a request log and fault injection.
// Behaviour follows GitHub's documentation: GET /releases/tags/:tag does not see drafts, lists are
// paginated with a Link header, a duplicate asset name is 422 already_exists, an interrupted upload
// leaves an asset in state "starter".
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  badCredentials,
  immutableRefusal,
  loadTemplates,
  notAccessible,
  notFound,
  secondaryRateLimit,
  tagExists,
} from './shapes.ts';

export interface FakeAsset {
  id: number;
  releaseId: number;
  name: string;
  label: string | null;
  contentType: string;
  state: 'uploaded' | 'starter';
  bytes: Buffer;
  size: number;
  digest: string | null;
}

export interface FakeRelease {
  id: number;
  tag_name: string;
  name: string | null;
  draft: boolean;
  immutable: boolean;
  target_commitish: string;
  created_at: string;
  published_at: string | null;
  make_latest?: string;
}

export interface RequestRecord {
  host: 'api' | 'uploads';
  method: string;
  path: string;
  status: number;
  /** Body bytes received (uploads: the asset bytes that arrived). */
  bytes: number;
  /** Asset name of an upload. */
  name?: string;
}

export type Fault =
  /** Answer with this status (e.g. 502) instead of handling the request. */
  | { kind: 'status'; status: number }
  /** GitHub's secondary rate limit: 403 (or 429) with retry-after. */
  | { kind: 'secondary-rate-limit'; status?: 403 | 429; retryAfter: number }
  /** Receive the upload, then never answer (the asset stays "starter") — for killing the client mid-upload. */
  | { kind: 'hang' }
  /** Destroy the connection after the first chunk of the upload body (asset stays "starter"). */
  | { kind: 'abort' }
  /** Another client uploads the same name first: the request gets 422 already_exists. */
  | { kind: 'concurrent-duplicate' };

export interface FaultRule {
  /** Which requests: uploads (optionally the nth upload seen from now, 1-based, or by asset name) or API calls. */
  on: 'upload' | { method: string; path: RegExp };
  nth?: number;
  name?: string;
  fault: Fault;
  /** How many matching requests fail (default 1). */
  times?: number;
}

export interface FakeGitHubOptions {
  owner?: string;
  repo?: string;
  token?: string;
  /** The token may read but not write (GitHub Actions without `contents: write`). */
  readOnly?: boolean;
  /** Releases become immutable when published (the repository setting). */
  immutableOnPublish?: boolean;
  /** Report asset digests (current api.github.com); false = older GHES without `digest`. */
  digests?: boolean;
  /** Largest page size served (GitHub: 100); lower it to force pagination with few items. */
  maxPerPage?: number;
}

export interface FakeGitHub {
  apiUrl: string;
  uploadsUrl: string;
  owner: string;
  repo: string;
  token: string;
  releases: FakeRelease[];
  assets: FakeAsset[];
  log: RequestRecord[];
  inject(rule: FaultRule): void;
  addRelease(fields: Partial<FakeRelease> & { tag_name: string }): FakeRelease;
  addAsset(releaseId: number, name: string, bytes: Buffer, fields?: Partial<FakeAsset>): FakeAsset;
  assetsOf(releaseId: number): FakeAsset[];
  /** Resolves once `count` upload requests have been received in full (or have hung). */
  waitForUploads(count: number): Promise<void>;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
    'x-github-request-id': '0000:00000:0000000:0000000:00000000',
    ...headers,
  });
  res.end(text);
};

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const now = (): string => new Date(Date.UTC(2026, 0, 1)).toISOString().replace('.000Z', 'Z');

export async function startFakeGitHub(options: FakeGitHubOptions = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'wasmhub';
  const repo = options.repo ?? 'wasmhub';
  const token = options.token ?? 'ghs_fakeTokenForTests0123456789abcdef';
  const digests = options.digests ?? true;
  const templates = loadTemplates();
  const rules: (FaultRule & { seen: number; fired: number })[] = [];
  let nextId = 1000;
  let uploadsSeen = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const prefix = `/repos/${owner}/${repo}`;

  const state: FakeGitHub = {
    apiUrl: '',
    uploadsUrl: '',
    owner,
    repo,
    token,
    releases: [],
    assets: [],
    log: [],
    inject(rule) {
      rules.push({ ...rule, seen: 0, fired: 0 });
    },
    addRelease(fields) {
      const release: FakeRelease = {
        id: nextId++,
        name: fields.tag_name,
        draft: false,
        immutable: false,
        target_commitish: 'main',
        created_at: now(),
        published_at: fields.draft ? null : now(),
        ...fields,
      };
      state.releases.push(release);
      return release;
    },
    addAsset(releaseId, name, bytes, fields = {}) {
      const asset: FakeAsset = {
        id: nextId++,
        releaseId,
        name,
        label: null,
        contentType: 'application/octet-stream',
        state: 'uploaded',
        bytes,
        size: bytes.byteLength,
        digest: digests ? `sha256:${createHash('sha256').update(bytes).digest('hex')}` : null,
        ...fields,
      };
      state.assets.push(asset);
      return asset;
    },
    assetsOf(releaseId) {
      return state.assets.filter((asset) => asset.releaseId === releaseId).sort((a, b) => a.id - b.id);
    },
    waitForUploads(count) {
      if (uploadsSeen >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      for (const server of [api, uploads]) server.closeAllConnections();
      await Promise.all([api, uploads].map((server) => new Promise((resolve) => server.close(resolve))));
    },
  };

  const noteUpload = (): void => {
    uploadsSeen++;
    for (const waiter of waiters.splice(0)) {
      if (uploadsSeen >= waiter.count) waiter.resolve();
      else waiters.push(waiter);
    }
  };

  const takeFault = (req: IncomingMessage, path: string, uploadName?: string): Fault | undefined => {
    for (const rule of rules) {
      const times = rule.times ?? 1;
      if (rule.fired >= times) continue;
      if (rule.on === 'upload') {
        if (uploadName === undefined) continue;
        if (rule.name !== undefined && rule.name !== uploadName) continue;
        rule.seen++;
        if (rule.nth !== undefined && rule.seen !== rule.nth) continue;
      } else if (uploadName !== undefined || rule.on.method !== req.method || !rule.on.path.test(path)) {
        continue;
      }
      rule.fired++;
      return rule.fault;
    }
    return undefined;
  };

  const releaseJson = (release: FakeRelease): Record<string, unknown> => ({
    ...templates.release,
    url: `${state.apiUrl}${prefix}/releases/${release.id}`,
    assets_url: `${state.apiUrl}${prefix}/releases/${release.id}/assets`,
    upload_url: `${state.uploadsUrl}${prefix}/releases/${release.id}/assets{?name,label}`,
    html_url: `https://github.test/${owner}/${repo}/releases/${release.draft ? `untagged-${release.id}` : `tag/${release.tag_name}`}`,
    id: release.id,
    node_id: Buffer.from(`Release${release.id}`).toString('base64'),
    tag_name: release.tag_name,
    target_commitish: release.target_commitish,
    name: release.name,
    draft: release.draft,
    prerelease: false,
    immutable: release.immutable,
    created_at: release.created_at,
    published_at: release.published_at,
    assets: state.assetsOf(release.id).map(assetJson),
    tarball_url: `${state.apiUrl}${prefix}/tarball/${release.tag_name}`,
    zipball_url: `${state.apiUrl}${prefix}/zipball/${release.tag_name}`,
    body: null,
  });

  const assetJson = (asset: FakeAsset): Record<string, unknown> => {
    const release = state.releases.find((item) => item.id === asset.releaseId);
    return {
      ...templates.asset,
      url: `${state.apiUrl}${prefix}/releases/assets/${asset.id}`,
      id: asset.id,
      node_id: Buffer.from(`ReleaseAsset${asset.id}`).toString('base64'),
      name: asset.name,
      label: asset.label,
      content_type: asset.contentType,
      state: asset.state,
      size: asset.size,
      digest: asset.digest,
      download_count: 0,
      created_at: now(),
      updated_at: now(),
      browser_download_url: `https://github.test/${owner}/${repo}/releases/download/${release?.tag_name}/${asset.name}`,
    };
  };

  const paginate = (req: IncomingMessage, res: ServerResponse, url: URL, items: unknown[]): void => {
    const perPage = Math.min(options.maxPerPage ?? 100, Math.max(1, Number(url.searchParams.get('per_page')) || 30));
    const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const link = (p: number, rel: string): string =>
      `<${state.apiUrl}${url.pathname}?per_page=${perPage}&page=${p}>; rel="${rel}"`;
    const links: string[] = [];
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'), link(page - 1, 'prev'));
    json(res, 200, items.slice((page - 1) * perPage, page * perPage), links.length ? { link: links.join(', ') } : {});
    void req;
  };

  const authorized = (req: IncomingMessage, res: ServerResponse): boolean => {
    const header = req.headers.authorization ?? '';
    const given = header.replace(/^(token|bearer)\s+/i, '');
    if (given !== token) {
      json(res, 401, badCredentials);
      return false;
    }
    if (options.readOnly && req.method !== 'GET') {
      json(res, 403, notAccessible);
      return false;
    }
    return true;
  };

  const answerFault = (res: ServerResponse, fault: Fault): boolean => {
    if (fault.kind === 'status') {
      json(res, fault.status, { message: fault.status >= 500 ? 'Server Error' : 'Fault injected' });
      return true;
    }
    if (fault.kind === 'secondary-rate-limit') {
      json(res, fault.status ?? 403, secondaryRateLimit, { 'retry-after': String(fault.retryAfter) });
      return true;
    }
    return false;
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://api.test');
    const path = url.pathname;
    const body = await readBody(req);
    record.bytes = body.byteLength;
    if (!authorized(req, res)) return;
    const fault = takeFault(req, path);
    if (fault && answerFault(res, fault)) return;
    if (!path.startsWith(`${prefix}/releases`)) return json(res, 404, notFound);
    const rest = path.slice(prefix.length);
    const input = body.byteLength ? (JSON.parse(body.toString('utf8')) as Record<string, unknown>) : {};
    const tagMatch = /^\/releases\/tags\/([^/]+)$/.exec(rest);
    const assetMatch = /^\/releases\/assets\/(\d+)$/.exec(rest);
    const releaseMatch = /^\/releases\/(\d+)(\/assets)?$/.exec(rest);
    if (req.method === 'GET' && rest === '/releases') {
      const list = [...state.releases].sort((a, b) => b.id - a.id).map(releaseJson);
      return paginate(req, res, url, list);
    }
    if (req.method === 'POST' && rest === '/releases') {
      const tag = input.tag_name;
      if (typeof tag !== 'string' || tag === '') return json(res, 422, { message: 'Validation Failed' });
      if (state.releases.some((r) => r.tag_name === tag && !r.draft)) return json(res, 422, tagExists);
      const release = state.addRelease({
        tag_name: tag,
        name: typeof input.name === 'string' ? input.name : tag,
        draft: input.draft === true,
        target_commitish: typeof input.target_commitish === 'string' ? input.target_commitish : 'main',
      });
      if (!release.draft) release.immutable = options.immutableOnPublish ?? false;
      return json(res, 201, releaseJson(release));
    }
    if (req.method === 'GET' && tagMatch) {
      const tag = decodeURIComponent(tagMatch[1] as string);
      const release = state.releases.find((r) => r.tag_name === tag && !r.draft);
      return release ? json(res, 200, releaseJson(release)) : json(res, 404, notFound);
    }
    if (assetMatch) {
      const id = Number(assetMatch[1]);
      const asset = state.assets.find((a) => a.id === id);
      if (!asset) return json(res, 404, notFound);
      if (req.method === 'GET') return json(res, 200, assetJson(asset));
      if (req.method === 'DELETE') {
        const release = state.releases.find((r) => r.id === asset.releaseId);
        if (release?.immutable && !release.draft) return json(res, 422, immutableRefusal);
        state.assets.splice(state.assets.indexOf(asset), 1);
        res.writeHead(204).end();
        return;
      }
    }
    if (releaseMatch) {
      const m = releaseMatch;
      const release = state.releases.find((r) => r.id === Number(m[1]));
      if (!release) return json(res, 404, notFound);
      if (m[2] && req.method === 'GET') return paginate(req, res, url, state.assetsOf(release.id).map(assetJson));
      if (!m[2] && req.method === 'GET') return json(res, 200, releaseJson(release));
      if (!m[2] && req.method === 'DELETE') {
        state.releases.splice(state.releases.indexOf(release), 1);
        for (const asset of state.assetsOf(release.id)) state.assets.splice(state.assets.indexOf(asset), 1);
        res.writeHead(204).end();
        return;
      }
      if (!m[2] && req.method === 'PATCH') {
        if (typeof input.name === 'string') release.name = input.name;
        if (typeof input.make_latest === 'string') release.make_latest = input.make_latest;
        if (input.draft === false && release.draft) {
          if (state.releases.some((r) => r.tag_name === release.tag_name && !r.draft)) return json(res, 422, tagExists);
          release.draft = false;
          release.published_at = now();
          release.immutable = options.immutableOnPublish ?? false;
        }
        return json(res, 200, releaseJson(release));
      }
    }
    return json(res, 404, notFound);
  };

  const handleUpload = async (req: IncomingMessage, res: ServerResponse, record: RequestRecord): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://uploads.test');
    const m = new RegExp(`^${prefix}/releases/(\\d+)/assets$`).exec(url.pathname);
    const name = url.searchParams.get('name') ?? '';
    record.name = name;
    const drain = async (): Promise<void> => {
      record.bytes = (await readBody(req)).byteLength;
      noteUpload();
    };
    if (req.method !== 'POST' || !m) {
      await drain();
      return json(res, 404, notFound);
    }
    if (!authorized(req, res)) return drain();
    const release = state.releases.find((r) => r.id === Number(m[1]));
    if (!release) {
      await drain();
      return json(res, 404, notFound);
    }
    const fault = takeFault(req, url.pathname, name);
    if (fault && (fault.kind === 'status' || fault.kind === 'secondary-rate-limit')) {
      await drain();
      answerFault(res, fault);
      return;
    }
    if (release.immutable && !release.draft) {
      await drain();
      return json(res, 422, immutableRefusal);
    }
    if (fault?.kind === 'concurrent-duplicate')
      state.addAsset(release.id, name, Buffer.from('partial upload by someone else'), {
        state: 'starter',
        size: 0,
        digest: null,
      });
    if (!name || state.assets.some((a) => a.releaseId === release.id && a.name === name)) {
      await drain();
      return json(res, 422, { ...templates.alreadyExists });
    }
    // The asset exists from the first byte on, as "starter", like on GitHub; it becomes "uploaded" when complete.
    const asset = state.addAsset(release.id, name, Buffer.alloc(0), {
      state: 'starter',
      size: 0,
      digest: null,
      label: url.searchParams.get('label'),
      contentType: req.headers['content-type'] ?? 'application/octet-stream',
    });
    const chunks: Buffer[] = [];
    let received = 0;
    const complete = await new Promise<boolean>((resolve) => {
      req.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.byteLength;
        record.bytes = received;
        if (fault?.kind === 'abort') {
          noteUpload();
          req.socket.destroy();
          resolve(false);
        }
      });
      req.on('end', () => resolve(true));
      req.on('aborted', () => resolve(false));
      req.on('close', () => resolve(false));
    });
    if (!complete) return;
    if (fault?.kind === 'hang') {
      noteUpload();
      return; // never answer; the asset stays "starter"
    }
    const bytes = Buffer.concat(chunks);
    asset.bytes = bytes;
    asset.size = bytes.byteLength;
    asset.state = 'uploaded';
    asset.digest = digests ? `sha256:${createHash('sha256').update(bytes).digest('hex')}` : null;
    noteUpload();
    json(res, 201, assetJson(asset));
  };

  const listen = (host: 'api' | 'uploads', handler: typeof handleApi): Server =>
    createServer((req, res) => {
      const record: RequestRecord = { host, method: req.method ?? 'GET', path: req.url ?? '/', status: 0, bytes: 0 };
      state.log.push(record);
      res.on('finish', () => {
        record.status = res.statusCode;
      });
      handler(req, res, record).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, { message: String(error) });
      });
    });
  const api = listen('api', handleApi);
  const uploads = listen('uploads', handleUpload);
  await Promise.all(
    [api, uploads].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))),
  );
  state.apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  state.uploadsUrl = `http://127.0.0.1:${(uploads.address() as AddressInfo).port}`;
  return state;
}
