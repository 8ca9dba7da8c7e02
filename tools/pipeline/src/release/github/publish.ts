// Puts an assembled release on GitHub Releases without ever exposing a half release, in the steps below:
// 1. find the release of the tag, or create a draft (find-release.ts); 2. plan against its assets and refuse
// to modify a published release; 3. upload what is missing or different, one at a time (upload.ts);
// 4. check the full asset list; 5. only then publish. Re-runs resume; an unchanged re-run uploads nothing.

import { compareVersions } from '@wasmhub/contract';
import type { Octokit } from 'octokit';
import { PipelineError } from '../../errors.ts';
import type { PublishEvent } from '../../kit/release-events.ts';
import type { ReleaseAsset } from '../assemble.ts';
import { createDraft, findRelease } from './find-release.ts';
import { type AssetAction, differenceOf, planAssets } from './plan.ts';
import {
  type GitHubSession,
  type GitHubTarget,
  listAssets,
  listReleases,
  openSession,
  type ReleaseData,
} from './session.ts';
import { uploadChanges } from './upload.ts';

export type { GitHubTarget } from './session.ts';

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

const names = (actions: readonly AssetAction[], kind: AssetAction['kind']): string[] =>
  actions.filter((action) => action.kind === kind).map((action) => action.asset.name);

export async function publishToGitHub(options: PublishOptions): Promise<PublishOutcome> {
  const session = openSession(options.octokit, options.target, options.token, options.emit);
  const { tag, emit } = session;
  const outcome: PublishOutcome = {
    created: false,
    published: false,
    uploaded: [],
    replaced: [],
    skipped: [],
    bytesUploaded: 0,
  };

  // 1. Find the release by tag (drafts included), or create a draft.
  let release = await findRelease(session);
  if (!release) {
    emit({ kind: 'release.create', tag, dryRun: options.dryRun });
    if (options.dryRun) {
      for (const asset of options.assets) {
        emit({ kind: 'asset.plan', action: 'upload', name: asset.name, size: asset.size, dryRun: true });
      }
      outcome.uploaded = options.assets.map((asset) => asset.name);
      return outcome;
    }
    ({ release, created: outcome.created } = await createDraft(session, options.targetCommitish));
  }
  outcome.releaseId = release.id;
  outcome.htmlUrl = release.html_url;

  // 2. Diff against the release's assets; a published release is never modified.
  const actions = await planRelease(session, release, options.assets, options.dryRun);
  const changes = actions.filter((action) => action.kind !== 'skip');
  if (!release.draft) refuseChanges(session, release, changes);
  outcome.skipped = names(actions, 'skip');
  if (options.dryRun) {
    outcome.uploaded = names(actions, 'upload');
    outcome.replaced = names(actions, 'replace');
    emit({ kind: 'dry-run.done', repository: session.repository });
    return outcome;
  }

  // 3. Upload, one at a time.
  const tally = await uploadChanges(session, release, changes, options.uploadTimeoutMs ?? 60_000);
  Object.assign(outcome, tally);

  // 4. Check every asset before anyone can see the release.
  await checkComplete(session, release, options.assets);
  emit({ kind: 'release.checked', count: options.assets.length, changed: changes.length });

  // 5. Publish. Only the highest version becomes latest: the loader's default source is releases/latest.
  if (release.draft) {
    outcome.htmlUrl = await publishDraft(session, release);
    outcome.published = true;
  } else {
    emit({ kind: 'release.unchanged', tag });
  }
  return outcome;
}

/** The plan against the release's current assets, reported one event per asset. */
async function planRelease(
  session: GitHubSession,
  release: ReleaseData,
  assets: readonly ReleaseAsset[],
  dryRun: boolean,
): Promise<AssetAction[]> {
  const plan = planAssets(assets, await listAssets(session, release));
  for (const action of plan.actions) {
    session.emit({
      kind: 'asset.plan',
      action: action.kind,
      name: action.asset.name,
      size: action.asset.size,
      ...(action.kind === 'replace' ? { reason: action.reason } : {}),
      dryRun,
    });
  }
  for (const other of plan.untouched) {
    session.emit({ kind: 'asset.plan', action: 'keep', name: other.name, size: other.size, dryRun });
  }
  return plan.actions;
}

/**
 * A published release is never modified: GitHub cannot swap several assets at once, so any update in place
 * (delete, then upload) shows loaders a mixed or incomplete set while it runs, and leaves one behind when it
 * fails halfway. New content means a new tag (a draft, filled, checked, then published).
 */
function refuseChanges(session: GitHubSession, release: ReleaseData, changes: readonly AssetAction[]): void {
  if (changes.length === 0) return;
  const { tag, repository } = session;
  const shown = changes
    .slice(0, 3)
    .map((action) => action.asset.name)
    .join(', ');
  const more = changes.length > 3 ? `, and ${changes.length - 3} more` : '';
  throw new PipelineError(
    'ERR_RELEASE',
    release.immutable
      ? `release ${tag} of ${repository} is published and immutable, and ${changes.length} asset(s) differ (${shown}${more}); GitHub refuses changes: release under a new tag (--tag or bump package.json version)`
      : `release ${tag} of ${repository} is published and ${changes.length} asset(s) differ (${shown}${more}); a published release is never modified (loaders would see a half-replaced set): release under a new tag (--tag or bump package.json version)`,
    { context: { tag, differing: changes.map((action) => action.asset.name) } },
  );
}

/** Throws unless every asset is on the release (all pages) with the right size and digest. */
async function checkComplete(
  session: GitHubSession,
  release: ReleaseData,
  assets: readonly ReleaseAsset[],
): Promise<void> {
  const final = new Map((await listAssets(session, release)).map((item) => [item.name, item]));
  const wrong = assets.flatMap((asset) => {
    const remote = final.get(asset.name);
    if (!remote) return [`${asset.name} missing`];
    const reason = differenceOf(remote, asset);
    return reason === undefined ? [] : [`${asset.name}: ${reason}`];
  });
  if (wrong.length > 0) {
    throw new PipelineError(
      'ERR_RELEASE',
      `release ${session.tag} is incomplete after upload (${wrong.slice(0, 3).join('; ')}); it stays a draft; run the release again`,
      { context: { tag: session.tag, wrong } },
    );
  }
}

/** Publishes the draft, marked latest unless a higher version is published; returns its page. */
async function publishDraft(session: GitHubSession, release: ReleaseData): Promise<string> {
  const { octokit, owner, repo, tag } = session;
  const higher = higherRelease(tag, await listReleases(session));
  const updated = await session.call(`publish release ${tag}`, () =>
    octokit.rest.repos.updateRelease({
      owner,
      repo,
      release_id: release.id,
      draft: false,
      make_latest: higher === undefined ? 'true' : 'false',
    }),
  );
  const url = (updated.data as unknown as ReleaseData).html_url ?? '';
  session.emit({
    kind: 'release.published',
    tag,
    url,
    latest: higher === undefined,
    ...(higher === undefined ? {} : { higher }),
  });
  return url;
}
