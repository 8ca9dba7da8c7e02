// 7. Release re-run against the loopback GitHub (tools/pipeline/src/testing/fake-github):
//  - bytes uploaded by an unchanged re-run (goal 0);
//  - wall time of a full release (every asset uploaded to a fresh server) against a release where only
//    the largest asset is missing on the server (so only it is uploaded); same local work in both.
// Break-down: the same release without GitHub (assemble + verify + stage only).
// The client's write pacing (1 s between writes, GitHub's advice) is set to 0 as in the tests: it is a
// policy, not a cost of the code; the table notes what it adds per write.

import { runRelease } from '../tools/pipeline/src/release/release.ts';
import { type FakeGitHub, startFakeGitHub } from '../tools/pipeline/src/testing/fake-github/server.ts';
import { measure, type Sample } from './lib/stats.ts';
import { releaseRoot, sourceDateEpoch } from './lib/workspace.ts';

export interface ReleaseBenchResult {
  tag: string;
  dir: string;
  assets: number;
  assetBytes: number;
  largest: { name: string; bytes: number };
  full: Sample;
  largestOnly: Sample;
  local: Sample;
  unchanged: Sample;
  /** Bytes uploaded by each unchanged re-run (goal 0). */
  rerunBytes: number[];
  /** Phases of the last measured full release and of the last largest-only release. */
  fullPhases?: Phases;
  largestOnlyPhases?: Phases;
  /** Write requests (POST/PATCH/DELETE) of a full release: each costs the write pacing when it is on. */
  writes: number;
}

const uploadedSince = (server: FakeGitHub, from: number): number =>
  server.log
    .slice(from)
    .filter((r) => r.host === 'uploads')
    .reduce((sum, r) => sum + r.bytes, 0);

function env(server?: FakeGitHub): Record<string, string> {
  return {
    SOURCE_DATE_EPOCH: sourceDateEpoch,
    ...(server
      ? {
          GITHUB_TOKEN: server.token,
          GITHUB_REPOSITORY: `${server.owner}/${server.repo}`,
          GITHUB_API_URL: server.apiUrl,
          WASMHUB_RELEASE_RETRY_BASE_MS: '1',
          WASMHUB_RELEASE_WRITE_INTERVAL_MS: '0',
        }
      : {}),
  };
}

/** Where the time of one release went: before the first upload, the upload window, after the last. */
export interface Phases {
  totalMs: number;
  beforeUploadsMs: number;
  uploadWindowMs: number;
  afterUploadsMs: number;
  uploads: number;
  /** Longest single upload (start -> done). */
  longestUploadMs: number;
}

/** Runs the release stage; `phases` receives where the time went when anything was uploaded. */
async function release(server?: FakeGitHub, phases?: (p: Phases) => void) {
  const t0 = performance.now();
  const starts = new Map<string, number>();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let longest = 0;
  let uploads = 0;
  const result = await runRelease({
    root: releaseRoot,
    env: env(server),
    dryRun: false,
    log: () => {},
    onPublishEvent: (event) => {
      const t = performance.now();
      if (event.kind === 'upload.start') {
        starts.set(event.name, t);
        first = Math.min(first, t);
      } else if (event.kind === 'upload.done') {
        uploads++;
        last = Math.max(last, t);
        longest = Math.max(longest, t - (starts.get(event.name) ?? t));
      }
    },
  });
  const end = performance.now();
  if (uploads > 0)
    phases?.({
      totalMs: end - t0,
      beforeUploadsMs: first - t0,
      uploadWindowMs: last - first,
      afterUploadsMs: end - last,
      uploads,
      longestUploadMs: longest,
    });
  return result;
}

/** Stages the release locally (no GitHub) and returns its folder. */
export async function stageLocalRelease(): Promise<string> {
  return (await release()).dir;
}

export async function benchRelease(opts: { runs: number; log: (line: string) => void }): Promise<ReleaseBenchResult> {
  const servers: FakeGitHub[] = [];
  const fresh = async () => {
    const s = await startFakeGitHub();
    servers.push(s);
    return s;
  };
  try {
    const first = await release(); // stages the release and warms the compression cache
    const largest = [...first.assets].sort((a, b) => b.size - a.size)[0];
    if (!largest) throw new Error('the release has no assets');
    let server: FakeGitHub | undefined;
    let writes = 0;
    let fullPhases: Phases | undefined;
    let largestOnlyPhases: Phases | undefined;
    const rerunBytes: number[] = [];
    const samples = await measure(
      [
        { name: 'local', run: async () => void (await release()) },
        {
          name: 'full',
          before: async () => {
            server = await fresh();
          },
          run: async () =>
            void (await release(server, (p) => {
              fullPhases = p;
            })),
          after: async () => {
            writes = (server as FakeGitHub).log.filter((r) => r.method !== 'GET').length;
          },
        },
        {
          name: 'largestOnly',
          before: async () => {
            server = await fresh();
            await release(server);
            const s = server;
            const asset = s.assets.find((a) => a.name === largest.name);
            if (!asset) throw new Error(`${largest.name} is not on the fake GitHub after a full release`);
            s.assets.splice(s.assets.indexOf(asset), 1);
          },
          run: async () =>
            void (await release(server, (p) => {
              largestOnlyPhases = p;
            })),
        },
        {
          name: 'unchanged',
          before: async () => {
            server = await fresh();
            await release(server);
          },
          run: async () => {
            const s = server as FakeGitHub;
            const from = s.log.length;
            await release(s);
            rerunBytes.push(uploadedSince(s, from));
          },
        },
      ],
      {
        runs: opts.runs,
        warmup: 1,
        log: opts.log,
        label: 'release',
      },
    );
    for (const s of servers.splice(0)) await s.close();
    return {
      tag: first.tag,
      dir: first.dir,
      assets: first.assets.length,
      assetBytes: first.assets.reduce((sum, a) => sum + a.size, 0),
      largest: { name: largest.name, bytes: largest.size },
      full: samples.full as Sample,
      largestOnly: samples.largestOnly as Sample,
      local: samples.local as Sample,
      unchanged: samples.unchanged as Sample,
      rerunBytes: rerunBytes.slice(-opts.runs),
      ...(fullPhases ? { fullPhases } : {}),
      ...(largestOnlyPhases ? { largestOnlyPhases } : {}),
      writes,
    };
  } finally {
    for (const s of servers) await s.close();
  }
}
