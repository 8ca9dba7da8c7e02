// Response shapes of the fake GitHub, taken from the responses @octokit/fixtures recorded from the real
// API (scenario release-assets-conflict), with the fields newer GitHub adds (asset `digest`, release `immutable`).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

interface RecordedCall {
  method: string;
  path: string;
  status: number;
  response: unknown;
}

export interface Templates {
  release: Record<string, unknown>;
  asset: Record<string, unknown>;
  alreadyExists: Record<string, unknown>;
}

export function loadTemplates(): Templates {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('@octokit/fixtures/package.json'));
  const calls = JSON.parse(
    readFileSync(join(root, 'scenarios/api.github.com/release-assets-conflict/normalized-fixture.json'), 'utf8'),
  ) as RecordedCall[];
  const find = (method: string, status: number, path: RegExp): unknown => {
    const call = calls.find((c) => c.method === method && c.status === status && path.test(c.path));
    if (!call) throw new Error(`@octokit/fixtures: no recorded ${method} ${status} ${path}`);
    return call.response;
  };
  return {
    release: find('get', 200, /\/releases\/tags\//) as Record<string, unknown>,
    asset: (find('get', 200, /\/releases\/\d+\/assets$/) as Record<string, unknown>[])[0] as Record<string, unknown>,
    alreadyExists: find('post', 422, /\/assets\?/) as Record<string, unknown>,
  };
}

export const notFound = { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };
export const badCredentials = {
  message: 'Bad credentials',
  documentation_url: 'https://docs.github.com/rest',
  status: '401',
};
export const notAccessible = {
  message: 'Resource not accessible by integration',
  documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
  status: '403',
};
export const secondaryRateLimit = {
  message:
    'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000.',
  documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
};
export const immutableRefusal = {
  message: 'Validation Failed',
  errors: [{ resource: 'Release', code: 'custom', field: 'immutable', message: 'Cannot modify an immutable release.' }],
  documentation_url: 'https://docs.github.com/rest/releases/assets',
  status: '422',
};
export const tagExists = {
  message: 'Validation Failed',
  errors: [{ resource: 'Release', code: 'already_exists', field: 'tag_name' }],
  documentation_url: 'https://docs.github.com/rest/releases/releases#create-a-release',
  status: '422',
};
