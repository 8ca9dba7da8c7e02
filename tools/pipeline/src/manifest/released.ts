// The deterministic release time and source commit of a runtime: never "now".
import { execa } from 'execa';
import { PipelineError } from '../errors.ts';

export interface SourceStamp {
  /** RFC 3339 UTC without milliseconds, e.g. 2026-11-25T22:33:00Z. */
  released: string;
  /** Last commit touching runtimes/<lang> (absent when SOURCE_DATE_EPOCH decides and git has nothing). */
  sourceCommit?: string;
}

export function epochToRfc3339(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * SOURCE_DATE_EPOCH when set; otherwise the commit time of the last commit touching runtimes/<lang>,
 * ignoring runtimes/<lang>/manifest.json itself (the release commits that file, and must not move the date).
 */
export async function resolveSourceStamp(
  language: string,
  { cwd, env = process.env }: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<SourceStamp> {
  const pathspec = [`runtimes/${language}`, `:(exclude)runtimes/${language}/manifest.json`];
  const git = await execa('git', ['log', '-1', '--format=%H %ct', '--', ...pathspec], { cwd, reject: false });
  const [commit, ct] = git.exitCode === 0 ? git.stdout.trim().split(' ') : [];
  const epochText = env.SOURCE_DATE_EPOCH?.trim();
  if (epochText) {
    if (!/^[0-9]+$/.test(epochText)) {
      throw new PipelineError(
        'ERR_INVALID_OPTION',
        `SOURCE_DATE_EPOCH=${JSON.stringify(epochText)} is not a number of seconds: unset it or set e.g. SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`,
      );
    }
    return { released: epochToRfc3339(Number(epochText)), ...(commit ? { sourceCommit: commit } : {}) };
  }
  if (!commit || !ct) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `runtimes/${language}: no git commit touches it, so the release time is unknown: commit it or set SOURCE_DATE_EPOCH`,
      { context: { cwd, gitExitCode: git.exitCode, gitStderr: git.stderr } },
    );
  }
  return { released: epochToRfc3339(Number(ct)), sourceCommit: commit };
}
