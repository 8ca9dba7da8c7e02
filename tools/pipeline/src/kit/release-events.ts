// What the release's GitHub publisher and GitHub client report, as data, and how a publisher event reads.
// Kept in the kit (not under release/) so that kit/events.ts, which every stage imports, does not pull the
// release's code into the inputs of the build, optimize and verify stages.

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

/** What the GitHub client reports (rate limits it waits out, Octokit's warnings and errors). */
export type GitHubEvent =
  | {
      kind: 'rate-limit';
      secondary: boolean;
      retryAfterSeconds: number;
      method: string;
      url: string;
      retryCount: number;
    }
  | { kind: 'log'; level: 'warn' | 'error'; message: string };

export type PublishEvent =
  | { kind: 'release.duplicates'; tag: string; count: number; id: number }
  | { kind: 'release.create'; tag: string; dryRun: boolean }
  | { kind: 'release.found'; tag: string; id: number; draft: boolean }
  | {
      kind: 'asset.plan';
      action: 'skip' | 'upload' | 'replace' | 'keep';
      name: string;
      size: number;
      reason?: string;
      dryRun: boolean;
    }
  | { kind: 'dry-run.done'; repository: string }
  | { kind: 'upload.start'; name: string; size: number }
  | { kind: 'upload.done'; name: string; size: number }
  | { kind: 'upload.retry'; name: string; attempt: number; attempts: number; reason: string }
  | { kind: 'upload.conflict'; name: string; state: string; resolution: 'keep' | 'replace' }
  | { kind: 'release.checked'; count: number; changed: number }
  | { kind: 'release.published'; tag: string; url: string; latest: boolean; higher?: string }
  | { kind: 'release.unchanged'; tag: string };

export function formatPublishEvent(event: PublishEvent): string {
  switch (event.kind) {
    case 'release.duplicates':
      return `${event.count} releases carry tag ${event.tag}; using release ${event.id} and leaving the others alone`;
    case 'release.create':
      return `create draft release ${event.tag}${event.dryRun ? ' (dry run: not created)' : ''}`;
    case 'release.found':
      return `found ${event.draft ? 'draft' : 'published'} release ${event.tag} (id ${event.id})`;
    case 'asset.plan': {
      const suffix = event.dryRun ? ' (dry run)' : '';
      if (event.action === 'skip') return `skip ${event.name} (same name, size and digest)${suffix}`;
      if (event.action === 'upload') return `upload ${event.name} (${formatSize(event.size)})${suffix}`;
      if (event.action === 'replace') return `replace ${event.name} (${event.reason})${suffix}`;
      return `keep ${event.name} (not part of this release)`;
    }
    case 'dry-run.done':
      return `dry run: nothing was written to ${event.repository}`;
    case 'upload.start':
      return `uploading ${event.name} (${formatSize(event.size)})`;
    case 'upload.done':
      return `uploaded ${event.name}`;
    case 'upload.retry':
      return `upload of ${event.name}: ${event.reason}; retrying (attempt ${event.attempt + 1} of ${event.attempts})`;
    case 'upload.conflict':
      return event.resolution === 'keep'
        ? `${event.name} appeared meanwhile with the same content; keeping it`
        : `${event.name} already exists (${event.state}); deleting it and uploading again`;
    case 'release.checked':
      return `all ${event.count} assets present with the right size${event.changed ? '' : ' (nothing to upload)'}`;
    case 'release.published':
      return `published ${event.tag}: ${event.url}${event.latest ? ' (marked latest)' : ` (not marked latest: ${event.higher} is higher)`}`;
    case 'release.unchanged':
      return `release ${event.tag} was already published`;
  }
}
