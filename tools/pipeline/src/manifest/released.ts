// The deterministic release time and source commit of a runtime: never "now".
import { execa } from 'execa';
import { PipelineError } from '../errors.ts';
import { epochToRfc3339, parseSourceDateEpoch } from '../kit/source-date.ts';

export interface SourceStamp {
  /** RFC 3339 UTC without milliseconds, e.g. 2026-11-25T22:33:00Z. */
  released: string;
  /** Last commit touching runtimes/<lang> (absent when SOURCE_DATE_EPOCH decides and git has nothing). */
  sourceCommit?: string;
}

/**
 * SOURCE_DATE_EPOCH when set; otherwise the commit time of the last commit touching runtimes/<lang> (its
 * sources only: no stage writes there, so committing a release's outputs cannot move the date).
 */
export async function resolveSourceStamp(
  language: string,
  { cwd, env = process.env }: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<SourceStamp> {
  const git = await execa('git', ['log', '-1', '--format=%H %ct', '--', `runtimes/${language}`], {
    cwd,
    reject: false,
  });
  const [commit, ct] = git.exitCode === 0 ? git.stdout.trim().split(' ') : [];
  const epoch = parseSourceDateEpoch(env.SOURCE_DATE_EPOCH);
  if (epoch !== undefined) {
    return { released: epochToRfc3339(epoch), ...(commit ? { sourceCommit: commit } : {}) };
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
