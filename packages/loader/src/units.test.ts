import { readFileSync } from 'node:fs';
import { compareVersions, manifestValidator } from '@wasmhub/contract';
import { describe, expect, it } from 'vitest';
import { LoaderError } from './errors.ts';
import { parseManifest } from './manifest.ts';
import { assertFileName, assertLanguage, assertVersion } from './names.ts';
import { normalizeOptions } from './options.ts';
import { isTransient, parseRetryAfter, retryDelay } from './retry.ts';
import { schemaPath } from './schema.ts';
import { concreteSources, defaultSourceSpecs, parseSource } from './sources.ts';
import { makeFixture } from './testing/fixture.ts';

const policy = { retries: 3, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 30_000 };

describe('retry timing', () => {
  it('doubles from 500 ms, caps at 30 s, jitters within [d/2, d]', () => {
    expect([1, 2, 3].map((n) => retryDelay(n, policy, 0))).toEqual([250, 500, 1000]);
    expect([1, 2, 3].map((n) => retryDelay(n, policy, 1))).toEqual([500, 1000, 2000]);
    expect(retryDelay(20, policy, 1)).toBe(30_000);
  });
  it('lets Retry-After win over computed backoff, capped', () => {
    expect(retryDelay(1, policy, 0.5, 12_000)).toBe(12_000);
    expect(retryDelay(1, policy, 0.5, 999_000)).toBe(30_000);
    expect(parseRetryAfter('5', 0)).toBe(5000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
  it('retries only transient failures', () => {
    const http = (status: number) => new LoaderError('ERR_HTTP', 'x', { context: { status } });
    expect([408, 429, 500, 503].map((s) => isTransient(http(s)))).toEqual([true, true, true, true]);
    expect([400, 403, 451].map((s) => isTransient(http(s)))).toEqual([false, false, false]);
    expect(isTransient(new LoaderError('ERR_NOT_FOUND', 'x', { context: { status: 404 } }))).toBe(false);
    expect(isTransient(new LoaderError('ERR_INTEGRITY', 'x'))).toBe(false);
    expect(isTransient(new LoaderError('ERR_NETWORK', 'x'))).toBe(true);
    expect(isTransient(new LoaderError('ERR_TIMEOUT', 'x'))).toBe(true);
    expect(isTransient(new Error('boom'))).toBe(false);
  });
});

describe('names', () => {
  it('accepts real names and refuses path tricks', () => {
    expect(assertLanguage('go')).toBe('go');
    expect(assertVersion('1.24')).toBe('1.24');
    expect(assertFileName('go-1.24.wasm.br', 'go@1.24')).toBe('go-1.24.wasm.br');
    for (const bad of ['../evil', 'a/b', 'a\\b', '..', '.', '']) {
      expect(() => assertFileName(bad, 'x')).toThrow(/plain file name/);
    }
    for (const bad of ['Go', '../go', 'go/x', '']) expect(() => assertLanguage(bad)).toThrow(LoaderError);
    for (const bad of ['..', '../1', '1/2', '-1', '']) expect(() => assertVersion(bad)).toThrow(LoaderError);
  });
  it('orders versions numerically', () => {
    expect(['1.9', '1.24', '1.10', '2'].sort(compareVersions)).toEqual(['1.9', '1.10', '1.24', '2']);
  });
});

describe('sources and options', () => {
  it('defaults to GitHub Releases, then jsDelivr and unpkg over the npm packages, overridable', () => {
    expect(defaultSourceSpecs('o/r', 'v1.2.0')).toEqual([
      'https://github.com/o/r/releases/download/v1.2.0',
      'https://cdn.jsdelivr.net/npm/@wasmhub/runtime-{lang}@{release}/{file}',
      'https://unpkg.com/@wasmhub/runtime-{lang}@{release}/{file}',
    ]);
    const defaults = normalizeOptions({ env: {}, cacheDir: '/c' });
    expect(defaults.sources.map((s) => s.label)).toEqual([
      'https://github.com/wasmhub/wasmhub/releases/latest/download',
      'https://cdn.jsdelivr.net/npm/@wasmhub/runtime-{lang}@latest/{file}',
      'https://unpkg.com/@wasmhub/runtime-{lang}@latest/{file}',
    ]);
    const tagged = normalizeOptions({ env: {}, cacheDir: '/c', tag: 'v1.2.0' });
    expect(concreteSources(tagged.sources, 'go', false).map((s) => s.label)).toEqual([
      'https://github.com/wasmhub/wasmhub/releases/download/v1.2.0',
      'https://cdn.jsdelivr.net/npm/@wasmhub/runtime-go@1.2.0',
      'https://unpkg.com/@wasmhub/runtime-go@1.2.0',
    ]);
    // A call without a language (list) leaves the per-language templates out.
    expect(concreteSources(tagged.sources, undefined, false).map((s) => s.label)).toEqual([
      'https://github.com/wasmhub/wasmhub/releases/download/v1.2.0',
    ]);
    for (const bad of [
      'https://x.example/{lang}/{nope}/{file}',
      'https://x.example/{file}/x',
      'http://x.example/{lang}/',
    ]) {
      expect(() => normalizeOptions({ env: {}, cacheDir: '/c', sources: [bad] })).toThrow(/template|plain http/);
    }
    const fromEnv = normalizeOptions({ env: { WASMHUB_SOURCES: 'https://a.example/x, /srv/release' }, cacheDir: '/c' });
    expect(fromEnv.sources.map((s) => s.label)).toEqual(['https://a.example/x', 'file:///srv/release']);
    expect(normalizeOptions({ env: { WASMHUB_CACHE_DIR: '/w' } }).cacheDir).toBe('/w');
    expect(normalizeOptions({ env: { XDG_CACHE_HOME: '/xdg' } }).cacheDir).toBe(
      process.platform === 'linux' ? '/xdg/wasmhub' : expect.any(String),
    );
  });
  it('allows plain http only on loopback unless allowed; rejects unknown options by name', () => {
    expect(parseSource('http://127.0.0.1:8080/r', false).kind).toBe('http');
    expect(parseSource('http://localhost/r', false).kind).toBe('http');
    expect(() => parseSource('http://mirror.example/r', false)).toThrow(/refusing plain http to mirror\.example/);
    expect(parseSource('http://mirror.example/r', true).kind).toBe('http');
    expect(() => parseSource('ftp://x/y', false)).toThrow(/unsupported URL scheme ftp:/);
    expect(() => parseSource('https://user:pw@x.example/', false)).toThrow(/credentials/);
    expect(() => normalizeOptions({ retires: 3 } as never)).toThrow(/unknown option "retires"/);
    expect(() => normalizeOptions({ retries: -1 })).toThrow(/option retries must be an integer/);
  });
});

describe('manifest schema', () => {
  it('errors name the document and the JSON path', () => {
    expect(() =>
      parseManifest('{"version":"1","languages":{"Go":{}}}', manifestValidator(), 'http://127.0.0.1:1/manifest.json'),
    ).toThrow(
      // The message of the run-time ajv validator before precompilation, byte for byte.
      'manifest http://127.0.0.1:1/manifest.json does not match manifest.schema.json: /languages must match pattern "^[a-z][a-z0-9-]{0,31}$"; /languages property name must be valid; /languages/Go must have required property \'latest\'',
    );
  });

  it('validates with the repository root manifest.schema.json (the producer contract)', () => {
    expect(schemaPath()).toBe(new URL('../../../manifest.schema.json', import.meta.url).pathname);
    const validator = manifestValidator();
    const fixture = makeFixture();
    const index = parseManifest(JSON.stringify(fixture.globalManifest), validator, 'manifest.json');
    expect(index.languages.demo?.entries['1.0']).toEqual(fixture.entry);
    expect(() => parseManifest('{"version":"1","languages":{"Go":{}}}', validator, 'm.json')).toThrow(
      /does not match manifest.schema.json/,
    );
    expect(() => parseManifest('nope', validator, 'm.json')).toThrow(/is not JSON/);
  });
  it('the packaged copy (written by npm run build) equals the root schema when present', () => {
    const root = readFileSync(new URL('../../../manifest.schema.json', import.meta.url), 'utf8');
    let copy: string | undefined;
    try {
      copy = readFileSync(new URL('../manifest.schema.json', import.meta.url), 'utf8');
    } catch {
      copy = undefined;
    }
    if (copy !== undefined) expect(copy).toBe(root);
  });
});
