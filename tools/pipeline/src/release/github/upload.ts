// Step 3 of a GitHub publish: upload what is missing or different, one at a time (GitHub asks for
// content-creating requests in series; the throttling plugin's write group would serialise them anyway).
// An upload without an answer is aborted and retried; a name held by a concurrent or half-finished upload
// is looked at again and kept (same content) or replaced.
import type { Octokit } from 'octokit';
import { PipelineError } from '../../errors.ts';
import type { ReleaseAsset } from '../assemble.ts';
import { isAlreadyExists, statusOf, toGitHubError } from './client.ts';
import { type AssetAction, differenceOf } from './plan.ts';
import { type GitHubSession, listAssets, type ReleaseData } from './session.ts';

const ATTEMPTS = 3;

export interface UploadTally {
  uploaded: string[];
  replaced: string[];
  bytesUploaded: number;
}

/** A 422 from a published release that is not "already exists" means GitHub refuses changes (immutable). */
function immutableRefusal(
  session: GitHubSession,
  release: ReleaseData,
  error: unknown,
  asset: ReleaseAsset,
): PipelineError | undefined {
  if (statusOf(error) !== 422 || release.draft || isAlreadyExists(error)) return undefined;
  return new PipelineError(
    'ERR_RELEASE',
    `release ${session.tag} of ${session.repository} is published and GitHub refused to change ${asset.name} (immutable release); release under a new tag`,
    { context: { tag: session.tag, asset: asset.name } },
  );
}

/** Uploads (or replaces) each changed asset in turn. */
export async function uploadChanges(
  session: GitHubSession,
  release: ReleaseData,
  changes: readonly AssetAction[],
  uploadTimeoutMs: number,
): Promise<UploadTally> {
  const tally: UploadTally = { uploaded: [], replaced: [], bytesUploaded: 0 };
  for (const action of changes) {
    if (action.kind === 'skip') continue;
    if (action.kind === 'replace') await deleteOld(session, release, action);
    await uploadAsset(session, release, action.asset, uploadTimeoutMs, tally);
    (action.kind === 'replace' ? tally.replaced : tally.uploaded).push(action.asset.name);
  }
  return tally;
}

async function deleteOld(
  session: GitHubSession,
  release: ReleaseData,
  action: Extract<AssetAction, { kind: 'replace' }>,
): Promise<void> {
  const { octokit, owner, repo } = session;
  try {
    await octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: action.remote.id });
  } catch (error) {
    const refusal = immutableRefusal(session, release, error, action.asset);
    if (refusal) throw refusal;
    if (statusOf(error) !== 404) {
      throw toGitHubError(error, `delete asset ${action.asset.name}`, session.repository, session.token);
    }
  }
}

/** One asset, up to 3 attempts; each attempt waits `uploadTimeoutMs` plus 1 s per 64 KiB for an answer. */
async function uploadAsset(
  session: GitHubSession,
  release: ReleaseData,
  asset: ReleaseAsset,
  uploadTimeoutMs: number,
  tally: UploadTally,
): Promise<void> {
  const { octokit, owner, repo, tag } = session;
  session.emit({ kind: 'upload.start', name: asset.name, size: asset.size });
  const timeoutMs = uploadTimeoutMs + Math.ceil(asset.size / 65_536) * 1000;
  for (let attempt = 1; ; attempt++) {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      await octokit.request({
        method: 'POST',
        url: release.upload_url,
        name: asset.name,
        data: asset.bytes,
        headers: { 'content-type': asset.contentType, 'content-length': asset.size },
        request: { signal },
      } as unknown as Parameters<Octokit['request']>[0]);
      tally.bytesUploaded += asset.size;
      session.emit({ kind: 'upload.done', name: asset.name, size: asset.size });
      return;
    } catch (error) {
      if (signal.aborted) {
        // No answer: the half-received asset ("starter") holds the name; the next attempt replaces it.
        const reason = `no answer within ${timeoutMs} ms`;
        if (attempt >= ATTEMPTS) {
          throw new PipelineError(
            'ERR_UPLOAD_HTTP',
            `upload ${asset.name} to release ${tag}: ${reason} (${ATTEMPTS} attempts); GitHub or the network is stalling; run the release again (it resumes)`,
            { context: { what: `upload ${asset.name}`, timeoutMs, attempts: ATTEMPTS } },
          );
        }
        session.emit({ kind: 'upload.retry', name: asset.name, attempt, attempts: ATTEMPTS, reason });
        continue;
      }
      const refusal = immutableRefusal(session, release, error, asset);
      if (refusal) throw refusal;
      if (!isAlreadyExists(error) || attempt >= ATTEMPTS) {
        throw toGitHubError(error, `upload ${asset.name} to release ${tag}`, session.repository, session.token);
      }
      // A concurrent or half-finished upload holds the name: look again, then keep or replace it.
      const holder = (await listAssets(session, release)).find((item) => item.name === asset.name);
      if (holder && differenceOf(holder, asset) === undefined) {
        session.emit({ kind: 'upload.conflict', name: asset.name, state: holder.state, resolution: 'keep' });
        return;
      }
      if (holder) {
        session.emit({ kind: 'upload.conflict', name: asset.name, state: holder.state, resolution: 'replace' });
        await session.call(`delete asset ${holder.name} of ${tag}`, () =>
          octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: holder.id }),
        );
      }
    }
  }
}
