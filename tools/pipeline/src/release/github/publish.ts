// Puts an assembled release on GitHub Releases without ever exposing a half release:
// find-or-create a draft, upload what is missing or different (one at a time), check the full
// asset list, and only then publish. Re-runs resume; an unchanged re-run uploads nothing.

import { compareVersions } from '@wasmhub/contract';
import type { Octokit } from 'octokit';
import { PipelineError } from '../../errors.ts';
import type { ReleaseAsset } from '../assemble.ts';
import { isAlreadyExists, statusOf, toGitHubError } from './client.ts';
import type { PublishEvent } from './events.ts';
import { differenceOf, planAssets, type RemoteAsset } from './plan.ts';

export interface GitHubTarget {
  owner: string;
  repo: string;
  tag: string;
}

export interface PublishOptions {
  octokit: Octokit;
  target: GitHubTarget;
  assets: readonly ReleaseAsset[];
  dryRun: boolean;
  /**
   * An upload attempt that gets no answer within this many ms (plus 1 s per 64 KiB of the asset) is aborted,
   * logged and retried (3 attempts in all). Node's fetch alone would wait 300 s in silence.
   */
  uploadTimeoutMs?: number;
  /** Used only to redact; never sent anywhere but the Authorization header. */
  token: string;
  /** Commit the tag is created at when the tag does not exist yet (GITHUB_SHA). */
  targetCommitish?: string;
  /** Progress and plan, as data (see formatPublishEvent). */
  emit: (event: PublishEvent) => void;
}

export interface PublishOutcome {
  releaseId?: number;
  htmlUrl?: string;
  created: boolean;
  published: boolean;
  uploaded: string[];
  replaced: string[];
  skipped: string[];
  bytesUploaded: number;
}

interface ReleaseData {
  id: number;
  tag_name: string;
  draft: boolean;
  prerelease?: boolean;
  upload_url: string;
  html_url: string;
  immutable?: boolean;
}

/** `v1.2.3` -> `1.2.3`: tags compare by the one version order (compareVersions). */
const versionOfTag = (tag: string): string => tag.replace(/^v(?=\d)/, '');

/** The published, non-pre-release tag higher than `tag`, if any: then `tag` must not become latest. */
export function higherRelease(tag: string, releases: readonly ReleaseData[]): string | undefined {
  const others = releases
    .filter((release) => !release.draft && !release.prerelease && release.tag_name !== tag)
    .map((release) => release.tag_name)
    .sort((a, b) => compareVersions(versionOfTag(a), versionOfTag(b)));
  const highest = others.at(-1);
  return highest !== undefined && compareVersions(versionOfTag(highest), versionOfTag(tag)) > 0 ? highest : undefined;
}

function toRemote(asset: {
  id: number;
  name: string;
  size: number;
  state: string;
  digest?: string | null;
}): RemoteAsset {
  return { id: asset.id, name: asset.name, size: asset.size, state: asset.state, digest: asset.digest ?? null };
}

export async function publishToGitHub(options: PublishOptions): Promise<PublishOutcome> {
  const { octokit, target, emit } = options;
  const { owner, repo, tag } = target;
  const repository = `${owner}/${repo}`;
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      throw toGitHubError(error, what, repository, options.token);
    }
  };
  const outcome: PublishOutcome = {
    created: false,
    published: false,
    uploaded: [],
    replaced: [],
    skipped: [],
    bytesUploaded: 0,
  };

  // 1. Find the release by tag, drafts included: GET /releases/tags/:tag does not see drafts, the list does.
  const allReleases = async (): Promise<ReleaseData[]> =>
    (await call(`list releases of ${repository}`, () =>
      octokit.paginate(octokit.rest.repos.listReleases, { owner, repo, per_page: 100 }),
    )) as unknown as ReleaseData[];
  const releasesOfTag = async (): Promise<ReleaseData[]> =>
    (await allReleases()).filter((release) => release.tag_name === tag).sort((a, b) => a.id - b.id);
  // The published one if any, else the oldest draft: every process that looks picks the same one.
  const choose = (list: ReleaseData[]): ReleaseData | undefined => list.find((item) => !item.draft) ?? list[0];
  const matching = await releasesOfTag();
  let release = choose(matching);
  if (matching.length > 1) {
    emit({ kind: 'release.duplicates', tag, count: matching.length, id: release?.id ?? 0 });
  }

  if (!release) {
    emit({ kind: 'release.create', tag, dryRun: options.dryRun });
    if (options.dryRun) {
      for (const asset of options.assets) {
        emit({ kind: 'asset.plan', action: 'upload', name: asset.name, size: asset.size, dryRun: true });
      }
      outcome.uploaded = options.assets.map((asset) => asset.name);
      return outcome;
    }
    const created = await call(`create draft release ${tag}`, () =>
      octokit.rest.repos.createRelease({
        owner,
        repo,
        tag_name: tag,
        name: tag,
        draft: true,
        ...(options.targetCommitish ? { target_commitish: options.targetCommitish } : {}),
      }),
    );
    const mine = created.data as unknown as ReleaseData;
    // Another release process may have created one at the same moment: converge on the same choice
    // (published, else oldest draft) and delete our own draft if it lost.
    const winner = choose(await releasesOfTag()) ?? mine;
    if (winner.id !== mine.id) {
      emit({ kind: 'release.duplicates', tag, count: 2, id: winner.id });
      await call(`delete duplicate draft of ${tag}`, () =>
        octokit.rest.repos.deleteRelease({ owner, repo, release_id: mine.id }),
      );
    }
    release = winner;
    outcome.created = winner.id === mine.id;
  } else {
    emit({ kind: 'release.found', tag, id: release.id, draft: release.draft });
  }
  const current: ReleaseData = release;
  outcome.releaseId = current.id;
  outcome.htmlUrl = current.html_url;

  // 2. Diff against the release's assets (all pages).
  const listAssets = async (): Promise<RemoteAsset[]> =>
    (
      (await call(`list assets of release ${tag}`, () =>
        octokit.paginate(octokit.rest.repos.listReleaseAssets, { owner, repo, release_id: current.id, per_page: 100 }),
      )) as unknown as Parameters<typeof toRemote>[0][]
    ).map(toRemote);
  const plan = planAssets(options.assets, await listAssets());
  const changes = plan.actions.filter((action) => action.kind !== 'skip');
  for (const action of plan.actions) {
    emit({
      kind: 'asset.plan',
      action: action.kind,
      name: action.asset.name,
      size: action.asset.size,
      ...(action.kind === 'replace' ? { reason: action.reason } : {}),
      dryRun: options.dryRun,
    });
  }
  for (const other of plan.untouched) {
    emit({ kind: 'asset.plan', action: 'keep', name: other.name, size: other.size, dryRun: options.dryRun });
  }

  if (!current.draft && changes.length > 0) {
    // A published release is never modified: GitHub cannot swap several assets at once, so any update in
    // place (delete, then upload) shows loaders a mixed or incomplete set while it runs, and leaves one
    // behind when it fails halfway. New content means a new tag (a draft, filled, checked, then published).
    const names = changes
      .slice(0, 3)
      .map((action) => action.asset.name)
      .join(', ');
    const more = changes.length > 3 ? `, and ${changes.length - 3} more` : '';
    throw new PipelineError(
      'ERR_RELEASE',
      current.immutable
        ? `release ${tag} of ${repository} is published and immutable, and ${changes.length} asset(s) differ (${names}${more}); GitHub refuses changes: release under a new tag (--tag or bump package.json version)`
        : `release ${tag} of ${repository} is published and ${changes.length} asset(s) differ (${names}${more}); a published release is never modified (loaders would see a half-replaced set): release under a new tag (--tag or bump package.json version)`,
      { context: { tag, differing: changes.map((action) => action.asset.name) } },
    );
  }
  if (options.dryRun) {
    outcome.skipped = plan.actions.filter((a) => a.kind === 'skip').map((a) => a.asset.name);
    outcome.uploaded = plan.actions.filter((a) => a.kind === 'upload').map((a) => a.asset.name);
    outcome.replaced = plan.actions.filter((a) => a.kind === 'replace').map((a) => a.asset.name);
    emit({ kind: 'dry-run.done', repository });
    return outcome;
  }

  // 3. Upload, several at a time.
  const immutableRefusal = (error: unknown, asset: ReleaseAsset): PipelineError | undefined => {
    if (statusOf(error) !== 422 || current.draft || isAlreadyExists(error)) return undefined;
    return new PipelineError(
      'ERR_RELEASE',
      `release ${tag} of ${repository} is published and GitHub refused to change ${asset.name} (immutable release); release under a new tag`,
      { context: { tag, asset: asset.name } },
    );
  };
  const deleteAsset = (remote: RemoteAsset): Promise<unknown> =>
    call(`delete asset ${remote.name} of ${tag}`, () =>
      octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: remote.id }),
    );
  const attempts = 3;
  const upload = async (asset: ReleaseAsset): Promise<void> => {
    emit({ kind: 'upload.start', name: asset.name, size: asset.size });
    const timeoutMs = (options.uploadTimeoutMs ?? 60_000) + Math.ceil(asset.size / 65_536) * 1000;
    for (let attempt = 1; ; attempt++) {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await octokit.request({
          method: 'POST',
          url: current.upload_url,
          name: asset.name,
          data: asset.bytes,
          headers: { 'content-type': asset.contentType, 'content-length': asset.size },
          request: { signal },
        } as unknown as Parameters<Octokit['request']>[0]);
        outcome.bytesUploaded += asset.size;
        emit({ kind: 'upload.done', name: asset.name, size: asset.size });
        return;
      } catch (error) {
        if (signal.aborted) {
          // No answer: the half-received asset ("starter") holds the name; the next attempt replaces it.
          const reason = `no answer within ${timeoutMs} ms`;
          if (attempt >= attempts) {
            throw new PipelineError(
              'ERR_UPLOAD_HTTP',
              `upload ${asset.name} to release ${tag}: ${reason} (${attempts} attempts); GitHub or the network is stalling; run the release again (it resumes)`,
              { context: { what: `upload ${asset.name}`, timeoutMs, attempts } },
            );
          }
          emit({ kind: 'upload.retry', name: asset.name, attempt, attempts, reason });
          continue;
        }
        const refusal = immutableRefusal(error, asset);
        if (refusal) throw refusal;
        if (!isAlreadyExists(error) || attempt >= attempts) {
          throw toGitHubError(error, `upload ${asset.name} to release ${tag}`, repository, options.token);
        }
        // A concurrent or half-finished upload holds the name: look again, then replace it.
        const holder = (await listAssets()).find((item) => item.name === asset.name);
        if (holder && differenceOf(holder, asset) === undefined) {
          emit({ kind: 'upload.conflict', name: asset.name, state: holder.state, resolution: 'keep' });
          return;
        }
        if (holder) {
          emit({ kind: 'upload.conflict', name: asset.name, state: holder.state, resolution: 'replace' });
          await deleteAsset(holder);
        }
      }
    }
  };
  // One at a time: GitHub asks for content-creating requests in series (the throttling plugin's write
  // group would serialise parallel uploads anyway).
  for (const action of changes) {
    if (action.kind === 'replace') {
      try {
        await octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: action.remote.id });
      } catch (error) {
        const refusal = immutableRefusal(error, action.asset);
        if (refusal) throw refusal;
        if (statusOf(error) !== 404)
          throw toGitHubError(error, `delete asset ${action.asset.name}`, repository, options.token);
      }
      await upload(action.asset);
      outcome.replaced.push(action.asset.name);
    } else if (action.kind === 'upload') {
      await upload(action.asset);
      outcome.uploaded.push(action.asset.name);
    }
  }
  outcome.skipped = plan.actions.filter((a) => a.kind === 'skip').map((a) => a.asset.name);

  // 4. Check every asset (all pages) before anyone can see the release.
  const final = new Map((await listAssets()).map((item) => [item.name, item]));
  const wrong = options.assets.flatMap((asset) => {
    const remote = final.get(asset.name);
    if (!remote) return [`${asset.name} missing`];
    const reason = differenceOf(remote, asset);
    return reason === undefined ? [] : [`${asset.name}: ${reason}`];
  });
  if (wrong.length > 0) {
    throw new PipelineError(
      'ERR_RELEASE',
      `release ${tag} is incomplete after upload (${wrong.slice(0, 3).join('; ')}); it stays a draft; run the release again`,
      { context: { tag, wrong } },
    );
  }
  emit({ kind: 'release.checked', count: options.assets.length, changed: changes.length });

  // 5. Publish. Only the highest version becomes latest: the loader's default source is releases/latest.
  if (current.draft) {
    const higher = higherRelease(tag, await allReleases());
    const updated = await call(`publish release ${tag}`, () =>
      octokit.rest.repos.updateRelease({
        owner,
        repo,
        release_id: current.id,
        draft: false,
        make_latest: higher === undefined ? 'true' : 'false',
      }),
    );
    outcome.published = true;
    outcome.htmlUrl = (updated.data as unknown as ReleaseData).html_url;
    emit({
      kind: 'release.published',
      tag,
      url: outcome.htmlUrl ?? '',
      latest: higher === undefined,
      ...(higher === undefined ? {} : { higher }),
    });
  } else {
    emit({ kind: 'release.unchanged', tag });
  }
  return outcome;
}
