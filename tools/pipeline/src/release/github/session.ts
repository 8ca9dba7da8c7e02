// What every step of a GitHub publish shares: the client, the target, one error wrapper, the event sink,
// and the two listings (releases of the repository, assets of a release) the steps read.
import type { Octokit } from 'octokit';
import type { PublishEvent } from '../../kit/release-events.ts';
import { toGitHubError } from './client.ts';
import type { RemoteAsset } from './plan.ts';

export interface GitHubTarget {
  owner: string;
  repo: string;
  tag: string;
}

export interface ReleaseData {
  id: number;
  tag_name: string;
  draft: boolean;
  prerelease?: boolean;
  upload_url: string;
  html_url: string;
  immutable?: boolean;
}

export interface GitHubSession {
  octokit: Octokit;
  owner: string;
  repo: string;
  tag: string;
  /** `owner/repo`, as messages show it. */
  repository: string;
  /** Used only to redact error messages. */
  token: string;
  emit: (event: PublishEvent) => void;
  /** Runs one API call; a failure becomes a PipelineError naming `what` (token redacted). */
  call: <T>(what: string, fn: () => Promise<T>) => Promise<T>;
}

export function openSession(
  octokit: Octokit,
  target: GitHubTarget,
  token: string,
  emit: (event: PublishEvent) => void,
): GitHubSession {
  const repository = `${target.owner}/${target.repo}`;
  return {
    octokit,
    ...target,
    repository,
    token,
    emit,
    call: async (what, fn) => {
      try {
        return await fn();
      } catch (error) {
        throw toGitHubError(error, what, repository, token);
      }
    },
  };
}

/** Every release of the repository, drafts included (all pages). */
export async function listReleases(session: GitHubSession): Promise<ReleaseData[]> {
  const { octokit, owner, repo } = session;
  return (await session.call(`list releases of ${session.repository}`, () =>
    octokit.paginate(octokit.rest.repos.listReleases, { owner, repo, per_page: 100 }),
  )) as unknown as ReleaseData[];
}

/** Every asset of the release (all pages). */
export async function listAssets(session: GitHubSession, release: ReleaseData): Promise<RemoteAsset[]> {
  const { octokit, owner, repo } = session;
  const assets = (await session.call(`list assets of release ${session.tag}`, () =>
    octokit.paginate(octokit.rest.repos.listReleaseAssets, { owner, repo, release_id: release.id, per_page: 100 }),
  )) as unknown as RemoteAsset[];
  return assets.map(({ id, name, size, state, digest }) => ({ id, name, size, state, digest: digest ?? null }));
}
