// The real npm CLI, run as a child process with argv arrays. Authentication never reaches argv or a file
// as plain text: a temporary userconfig holds `//<registry>/:_authToken=${NODE_AUTH_TOKEN}` (npm expands
// the variable itself) and the token travels in the child's environment only. Output is redacted.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { PipelineError } from '../../errors.ts';
import { redact } from '../github/redact.ts';

export interface NpmClientOptions {
  /** Registry URL, e.g. https://registry.npmjs.org/ */
  registry: string;
  /** Publish token; omit for anonymous reads or for npm's trusted publishing (OIDC) in GitHub Actions. */
  token?: string;
  /** Extra npm config as environment (npm_config_*), e.g. { npm_config_fetch_retries: '0' } in tests. */
  env?: Record<string, string>;
  /** npm executable (default: `npm` on PATH). */
  npm?: string;
}

export interface NpmResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface NpmClient {
  readonly registry: string;
  run(args: string[], cwd?: string): Promise<NpmResult>;
  /** Redacts the token from any text. */
  redact(text: string): string;
  close(): Promise<void>;
}

/** `//host/path/:` as npm keys per-registry settings. */
export function registryKey(registry: string): string {
  const url = new URL(registry);
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`;
  return `//${url.host}${path}:`;
}

export async function createNpmClient(options: NpmClientOptions): Promise<NpmClient> {
  let registry: string;
  try {
    const url = new URL(options.registry);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(url.protocol);
    registry = url.href.endsWith('/') ? url.href : `${url.href}/`;
  } catch (cause) {
    throw new PipelineError('ERR_INVALID_OPTION', `npm registry must be an http(s) URL, got "${options.registry}"`, {
      cause,
    });
  }
  const dir = await mkdtemp(join(tmpdir(), 'wasmhub-npm-'));
  const userconfig = join(dir, '.npmrc');
  const lines = [`registry=${registry}`];
  // npm expands ${NODE_AUTH_TOKEN} in its config itself: the token never lands in the file.
  if (options.token) lines.push(`${registryKey(registry)}_authToken=\${NODE_AUTH_TOKEN}`);
  await writeFile(userconfig, `${lines.join('\n')}\n`, { mode: 0o600 });
  const secrets = options.token ? [options.token] : [];
  const clean = (text: string) => redact(text, secrets);
  return {
    registry,
    redact: clean,
    async run(args, cwd = dir) {
      const result = await execa(options.npm ?? 'npm', args, {
        cwd,
        reject: false,
        stdin: 'ignore',
        env: {
          ...options.env,
          npm_config_userconfig: userconfig,
          npm_config_registry: registry,
          npm_config_update_notifier: 'false',
          npm_config_fund: 'false',
          npm_config_audit: 'false',
          ...(options.token ? { NODE_AUTH_TOKEN: options.token } : {}),
        },
      });
      return {
        exitCode: result.exitCode ?? 1,
        stdout: clean(String(result.stdout ?? '')),
        stderr: clean(String(result.stderr ?? '')),
      };
    },
    async close() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The last lines of npm's stderr, for an error message. */
export const tail = (text: string, lines = 8): string => text.trim().split('\n').slice(-lines).join(' | ');
