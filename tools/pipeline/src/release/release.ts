// The release stage: assemble every runtime into one flat set of assets, stage it locally, and
// (with GITHUB_TOKEN + GITHUB_REPOSITORY) put it on GitHub Releases.
import { join } from 'node:path';
import { lineEmitter } from '../kit/events.ts';
import type { GitHubEvent, PublishEvent } from '../kit/release-events.ts';
import { assertGlobalManifest, assertLanguageManifest } from '../manifest/validate.ts';
import { assembleRelease, type ReleaseAsset } from './assemble.ts';
import { createGitHubClient } from './github/client.ts';
import { type PublishOutcome, publishToGitHub } from './github/publish.ts';
import { redact } from './github/redact.ts';
import { loadReleaseInput, readPackageVersion } from './inputs.ts';
import { normalizeReleaseOptions, type ReleaseOptions, stagingDir } from './options.ts';
import { stageRelease, writeWorkingTree } from './stage.ts';
import { formatSummaryTable } from './summary.ts';

export interface ReleaseResult {
  tag: string;
  /** Staging folder (not written on a dry run). */
  dir: string;
  assets: ReleaseAsset[];
  github?: PublishOutcome;
}

export interface RunReleaseOptions extends ReleaseOptions {
  /** Structured events of the GitHub client (rate limits, warnings); tests capture them. */
  onGitHubEvent?: (event: GitHubEvent) => void;
  /** Plan and progress of the GitHub publisher, as data. */
  onPublishEvent?: (event: PublishEvent) => void;
}

export async function runRelease(input: RunReleaseOptions = {}): Promise<ReleaseResult> {
  const options = normalizeReleaseOptions(input);
  const secrets = options.github ? [options.github.token] : [];
  const version = await readPackageVersion(options.root);
  const tag = options.tag ?? `v${version}`;
  const task = `release ${tag}`;
  const emit = lineEmitter((line) => options.log(redact(line, secrets)));

  const release = assembleRelease(
    await loadReleaseInput(options.root, {
      version,
      sourceDateEpoch: options.sourceDateEpoch,
      compressionCache: options.dryRun ? undefined : join(options.root, 'build', 'release', '.cache'),
    }),
  );
  assertGlobalManifest(release.globalManifest, `release ${tag} manifest.json`);
  for (const [lang, manifest] of Object.entries(release.languageManifests)) {
    assertLanguageManifest(manifest, `release ${tag} ${lang}-manifest.json`);
  }

  const dir = stagingDir(options, tag);
  const staged = { kind: 'release.staged', task, assets: release.assets.length, dir, dryRun: options.dryRun } as const;
  if (options.dryRun) {
    emit({ ...staged, changed: 0 });
  } else {
    await stageRelease(release, dir);
    const changed = await writeWorkingTree(release, options.root);
    emit({ ...staged, changed: changed.length });
  }

  let github: PublishOutcome | undefined;
  if (options.github) {
    const settings = options.github;
    const octokit = createGitHubClient({
      token: settings.token,
      apiUrl: settings.apiUrl,
      retryBaseMs: settings.retryBaseMs,
      writeIntervalMs: settings.writeIntervalMs,
      maxRateLimitRetries: 3,
      maxRetryAfterSeconds: 900,
      onEvent: (event) => {
        input.onGitHubEvent?.(event);
        emit({ kind: 'release.github', task, event });
      },
    });
    github = await publishToGitHub({
      octokit,
      target: { owner: settings.owner, repo: settings.repo, tag },
      assets: release.assets,
      dryRun: options.dryRun,
      uploadTimeoutMs: settings.uploadTimeoutMs,
      token: settings.token,
      ...(settings.targetCommitish ? { targetCommitish: settings.targetCommitish } : {}),
      emit: (event) => {
        input.onPublishEvent?.(event);
        emit({ kind: 'release.publish', task, event });
      },
    });
    emit({
      kind: 'release.github-done',
      task,
      uploaded: github.uploaded.length,
      replaced: github.replaced.length,
      skipped: github.skipped.length,
      bytes: github.bytesUploaded,
    });
  } else {
    emit({ kind: 'release.local-only', task });
  }
  options.log(formatSummaryTable(release.assets));
  return { tag, dir, assets: release.assets, ...(github ? { github } : {}) };
}
