// Step 1 of a GitHub publish: find the release of the tag (drafts included), or create a draft.
import type { GitHubSession, ReleaseData } from './session.ts';
import { listReleases } from './session.ts';

/** The releases carrying the session's tag, oldest first. GET /releases/tags/:tag does not see drafts. */
async function releasesOfTag(session: GitHubSession): Promise<ReleaseData[]> {
  return (await listReleases(session))
    .filter((release) => release.tag_name === session.tag)
    .sort((a, b) => a.id - b.id);
}

/** The published one if any, else the oldest draft: every process that looks picks the same one. */
const choose = (list: readonly ReleaseData[]): ReleaseData | undefined => list.find((item) => !item.draft) ?? list[0];

/** The release of the tag, or undefined when there is none yet. */
export async function findRelease(session: GitHubSession): Promise<ReleaseData | undefined> {
  const matching = await releasesOfTag(session);
  const release = choose(matching);
  if (matching.length > 1) {
    session.emit({ kind: 'release.duplicates', tag: session.tag, count: matching.length, id: release?.id ?? 0 });
  }
  if (release) session.emit({ kind: 'release.found', tag: session.tag, id: release.id, draft: release.draft });
  return release;
}

/**
 * Creates a draft release for the tag. Another release process may have created one at the same moment:
 * both converge on the same choice (published, else oldest draft) and the loser deletes its own draft.
 */
export async function createDraft(
  session: GitHubSession,
  targetCommitish: string | undefined,
): Promise<{ release: ReleaseData; created: boolean }> {
  const { octokit, owner, repo, tag } = session;
  const created = await session.call(`create draft release ${tag}`, () =>
    octokit.rest.repos.createRelease({
      owner,
      repo,
      tag_name: tag,
      name: tag,
      draft: true,
      ...(targetCommitish ? { target_commitish: targetCommitish } : {}),
    }),
  );
  const mine = created.data as unknown as ReleaseData;
  const winner = choose(await releasesOfTag(session)) ?? mine;
  if (winner.id !== mine.id) {
    session.emit({ kind: 'release.duplicates', tag, count: 2, id: winner.id });
    await session.call(`delete duplicate draft of ${tag}`, () =>
      octokit.rest.repos.deleteRelease({ owner, repo, release_id: mine.id }),
    );
  }
  return { release: winner, created: winner.id === mine.id };
}
