// 7. Release against the loopback GitHub the tests use (tools/pipeline/src/release/github-harness.ts's
// environment, tools/pipeline/src/testing/fake-github):
//  - 7a: bytes uploaded by an unchanged re-run (goal 0);
//  - 7b: the uploads of a full release (first upload start to last upload done, every asset sent to a fresh
//    server) against the sum of single-asset uploads (for each asset, the re-run of a release interrupted
//    before publishing with only that asset missing from the draft, so only it is sent). Uploads are serial by policy (GitHub's advice for writes),
//    so the best a full upload can do is the sum of its parts: the ratio is what sending many costs beyond
//    sending each (goal <= 1.1).
// Break-down: the same release without GitHub (assemble + verify + stage only).
// The client's write pacing (1 s between writes, GitHub's advice) is set to 0 as in the tests: it is a
// policy, not a cost of the code; the table notes what it adds per write.

import { runRelease } from '../tools/pipeline/src/release/release.ts';
import { type FakeGitHub, startFakeGitHub } from '../tools/pipeline/src/testing/fake-github/server.ts';
import { githubEnv } from '../tools/pipeline/src/testing/github-harness.ts';
import { measure, type PartOptions, type Sample } from './lib/stats.ts';
import { releaseRoot, sourceDateEpoch } from './lib/workspace.ts';

export interface ReleaseBenchResult {
  tag: string;
  dir: string;
  assets: number;
  assetBytes: number;
  /** Upload phase of a full release (first upload start to last upload done). */
  full: Sample;
  /** Sum over the assets of one single-asset upload each. */
  singles: Sample;
  local: Sample;
  unchanged: Sample;
  /** Bytes uploaded by each unchanged re-run (goal 0). */
  rerunBytes: number[];
  /** Phases of the last measured full release. */
  fullPhases?: Phases;
  /** The slowest single-asset upload of the last singles run. */
  slowestSingle?: { name: string; ms: number };
  /** Write requests (POST/PATCH/DELETE) of a full release: each costs the write pacing when it is on. */
  writes: number;
}

const uploadedSince = (server: FakeGitHub, from: number): number =>
  server.log
    .slice(from)
    .filter((r) => r.host === 'uploads')
    .reduce((sum, r) => sum + r.bytes, 0);

const env = (server?: FakeGitHub): Record<string, string> =>
  server ? githubEnv(server, { SOURCE_DATE_EPOCH: sourceDateEpoch }) : { SOURCE_DATE_EPOCH: sourceDateEpoch };

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

export async function benchRelease(opts: PartOptions): Promise<ReleaseBenchResult> {
  const servers: FakeGitHub[] = [];
  const fresh = async () => {
    const s = await startFakeGitHub();
    servers.push(s);
    return s;
  };
  try {
    const first = await release(); // stages the release and warms the compression cache
    let server: FakeGitHub | undefined;
    let writes = 0;
    let fullPhases: Phases | undefined;
    let slowestSingle: { name: string; ms: number } | undefined;
    const rerunBytes: number[] = [];
    /** A fresh server holding the full, published release. */
    const published = async () => {
      server = await fresh();
      await release(server);
    };
    const samples = await measure(
      [
        { name: 'local', run: async () => void (await release()) },
        {
          name: 'full',
          before: async () => {
            server = await fresh();
          },
          run: async () => {
            let window = Number.NaN;
            await release(server, (p) => {
              fullPhases = p;
              window = p.uploadWindowMs;
            });
            return window;
          },
          after: async () => {
            writes = (server as FakeGitHub).log.filter((r) => r.method !== 'GET').length;
          },
        },
        {
          name: 'singles',
          before: published,
          run: async () => {
            const s = server as FakeGitHub;
            let sum = 0;
            slowestSingle = undefined;
            for (const name of s.assets.map((a) => a.name)) {
              // The draft a release interrupted before publishing leaves: every asset but this one (a
              // published release is never modified, so the re-run resumes a draft).
              const asset = s.assets.find((a) => a.name === name);
              if (asset) s.assets.splice(s.assets.indexOf(asset), 1);
              for (const draft of s.releases) Object.assign(draft, { draft: true, published_at: null });
              let ms = Number.NaN;
              await release(s, (p) => {
                if (p.uploads !== 1) throw new Error(`${name}: ${p.uploads} uploads where one asset was missing`);
                ms = p.uploadWindowMs;
              });
              if (Number.isNaN(ms)) throw new Error(`${name}: not uploaded again after it was removed from the server`);
              sum += ms;
              if (!slowestSingle || ms > slowestSingle.ms) slowestSingle = { name, ms };
            }
            return sum;
          },
        },
        {
          name: 'unchanged',
          before: published,
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
      full: samples.full as Sample,
      singles: samples.singles as Sample,
      local: samples.local as Sample,
      unchanged: samples.unchanged as Sample,
      rerunBytes: rerunBytes.slice(-opts.runs),
      ...(fullPhases ? { fullPhases } : {}),
      ...(slowestSingle ? { slowestSingle } : {}),
      writes,
    };
  } finally {
    for (const s of servers) await s.close();
  }
}
