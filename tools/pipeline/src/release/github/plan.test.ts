import { describe, expect, it } from 'vitest';
import { makeAsset } from '../assemble.ts';
import { planAssets, type RemoteAsset } from './plan.ts';
import { redact } from './redact.ts';

const local = [
  makeAsset('a.wasm', Buffer.from('aaaa')),
  makeAsset('b.wasm', Buffer.from('bbbb')),
  makeAsset('c.wasm', Buffer.from('cc')),
];
const remote = (name: string, bytes: string, fields: Partial<RemoteAsset> = {}): RemoteAsset => {
  const asset = makeAsset(name, Buffer.from(bytes));
  return {
    id: name.charCodeAt(0),
    name,
    size: asset.size,
    state: 'uploaded',
    digest: `sha256:${asset.sha256}`,
    ...fields,
  };
};

describe('planAssets', () => {
  it('skips equal assets, replaces differing or unfinished ones, uploads missing ones, keeps foreign ones', () => {
    const plan = planAssets(local, [remote('a.wasm', 'aaaa'), remote('b.wasm', 'bbbx'), remote('x.txt', 'notes')]);
    expect(plan.actions.map((a) => `${a.kind} ${a.asset.name}`)).toEqual([
      'skip a.wasm',
      'replace b.wasm',
      'upload c.wasm',
    ]);
    expect(plan.untouched.map((a) => a.name)).toEqual(['x.txt']);
  });

  it('without a digest compares size only; a starter asset is always replaced', () => {
    const plan = planAssets(local, [
      remote('a.wasm', 'zzzz', { digest: null }),
      remote('b.wasm', 'bbbb', { state: 'starter' }),
      remote('c.wasm', 'ccc', { digest: null }),
    ]);
    expect(plan.actions.map((a) => a.kind)).toEqual(['skip', 'replace', 'replace']);
  });
});

describe('redact', () => {
  it('removes the token and any token/bearer header value', () => {
    expect(redact('auth ghs_secretsecret failed', ['ghs_secretsecret'])).toBe('auth *** failed');
    expect(redact('authorization: token abcdefgh12345678', [])).toBe('authorization: token ***');
  });
});
