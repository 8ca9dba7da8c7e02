// Normalizes the release command's options once: argv + environment in, a fully defaulted object out.
import { isAbsolute, resolve } from 'node:path';
import { PipelineError } from '../errors.ts';
import { releaseDir, workspaceRoot } from '../paths.ts';

export interface ReleaseOptions {
  tag?: string;
  dryRun?: boolean;
  /** Staging folder (default build/release/<tag>). */
  out?: string;
  root?: string;
  env?: Record<string, string | undefined>;
  log?: (line: string) => void;
}

export interface GitHubSettings {
  token: string;
  owner: string;
  repo: string;
  apiUrl: string;
  targetCommitish?: string;
  retryBaseMs: number;
  writeIntervalMs: number;
  /** An upload attempt with no answer after this long (plus 1 s per 64 KiB of asset) is aborted and retried. */
  uploadTimeoutMs: number;
}

export interface NormalizedReleaseOptions {
  root: string;
  /** Undefined until the package version is read (see resolveTag). */
  tag: string | undefined;
  dryRun: boolean;
  out: string | undefined;
  sourceDateEpoch: string | undefined;
  github: GitHubSettings | undefined;
  log: (line: string) => void;
}

const TAG = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,99}$/;

function intFromEnv(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new PipelineError('ERR_INVALID_OPTION', `${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return Number(raw);
}

export function parseReleaseArgs(argv: readonly string[]): Pick<ReleaseOptions, 'tag' | 'dryRun' | 'out'> {
  const parsed: Pick<ReleaseOptions, 'tag' | 'dryRun' | 'out'> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new PipelineError('ERR_INVALID_OPTION', `${flag} needs a value`);
      return v;
    };
    if (flag === '--tag') parsed.tag = value();
    else if (flag === '--out') parsed.out = value();
    else if (flag === '--dry-run') parsed.dryRun = true;
    else {
      throw new PipelineError(
        'ERR_INVALID_OPTION',
        `unknown release option "${arg}"; usage: release [--tag vX] [--dry-run] [--out DIR]`,
      );
    }
  }
  return parsed;
}

export function normalizeReleaseOptions(options: ReleaseOptions): NormalizedReleaseOptions {
  const env = options.env ?? process.env;
  const root = resolve(options.root ?? workspaceRoot);
  if (options.tag !== undefined && !TAG.test(options.tag)) {
    throw new PipelineError(
      'ERR_INVALID_OPTION',
      `--tag "${options.tag}" is not a valid tag (letters, digits, . _ + -)`,
    );
  }
  let github: GitHubSettings | undefined;
  const token = env.GITHUB_TOKEN;
  const repository = env.GITHUB_REPOSITORY;
  if (token && repository) {
    const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(repository);
    if (!match) {
      throw new PipelineError('ERR_INVALID_OPTION', `GITHUB_REPOSITORY must be "owner/name", got "${repository}"`);
    }
    github = {
      token,
      owner: match[1] as string,
      repo: match[2] as string,
      apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
      ...(env.GITHUB_SHA ? { targetCommitish: env.GITHUB_SHA } : {}),
      retryBaseMs: intFromEnv(env, 'WASMHUB_RELEASE_RETRY_BASE_MS', 1000, 0),
      writeIntervalMs: intFromEnv(env, 'WASMHUB_RELEASE_WRITE_INTERVAL_MS', 1000, 0),
      uploadTimeoutMs: intFromEnv(env, 'WASMHUB_RELEASE_UPLOAD_TIMEOUT_MS', 60_000, 1),
    };
  }
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (token && !repository) log('[release] GITHUB_TOKEN is set but GITHUB_REPOSITORY is not: local release only');
  return {
    root,
    tag: options.tag,
    dryRun: options.dryRun ?? false,
    out: options.out === undefined ? undefined : isAbsolute(options.out) ? options.out : resolve(options.out),
    sourceDateEpoch: env.SOURCE_DATE_EPOCH,
    github,
    log,
  };
}

export const stagingDir = (options: NormalizedReleaseOptions, tag: string): string =>
  options.out ?? releaseDir(tag, options.root);
