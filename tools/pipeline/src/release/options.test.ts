import { describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { normalizeReleaseOptions, parseReleaseArgs } from './options.ts';

describe('release options', () => {
  it('parses the flags and rejects unknown ones with the usage', () => {
    expect(parseReleaseArgs(['--tag', 'v2', '--dry-run', '--out=dist/x'])).toEqual({
      tag: 'v2',
      dryRun: true,
      out: 'dist/x',
    });
    expect(() => parseReleaseArgs(['--force'])).toThrow(/unknown release option "--force"; usage: release/);
    expect(() => parseReleaseArgs(['--tag'])).toThrow(PipelineError);
  });

  it('enables GitHub only with token and repository; defaults the public API', () => {
    expect(normalizeReleaseOptions({ root: '/r', env: {}, log: () => {} }).github).toBeUndefined();
    const github = normalizeReleaseOptions({
      root: '/r',
      env: { GITHUB_TOKEN: 't0k3n-value', GITHUB_REPOSITORY: 'acme/hub' },
      log: () => {},
    }).github;
    expect(github).toMatchObject({ owner: 'acme', repo: 'hub', apiUrl: 'https://api.github.com' });
    expect(() =>
      normalizeReleaseOptions({ env: { GITHUB_TOKEN: 'x', GITHUB_REPOSITORY: 'nope' }, log: () => {} }),
    ).toThrow(/GITHUB_REPOSITORY must be "owner\/name"/);
    expect(() => normalizeReleaseOptions({ tag: '../evil', env: {}, log: () => {} })).toThrow(/not a valid tag/);
  });
});
