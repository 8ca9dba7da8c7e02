import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect } from 'vitest';
import { LoaderError } from '../errors.ts';
import { RuntimeLoader } from '../loader.ts';
import type { LoaderEvent, RuntimeLoaderOptions } from '../options.ts';
import { type Fixture, sha256 } from './fixture.ts';
import { startServer, type TestServer } from './server.ts';

/** Test helpers over real loopback servers and temp folders, all removed after each test. Call at module level. */
export function useHarness() {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'wasmhub-loader-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async function serve(
    files: Map<string, Buffer>,
    options: Parameters<typeof startServer>[1] = {},
  ): Promise<TestServer> {
    const server = await startServer(files, options);
    cleanups.push(() => server.close());
    return server;
  }

  /** A loader whose sleeps are captured (and skipped) and whose jitter is fixed at the middle. */
  async function loaderFor(sources: string[], options: RuntimeLoaderOptions = {}) {
    const delays: number[] = [];
    const events: LoaderEvent[] = [];
    const cacheDir = options.cacheDir ?? (await tempDir());
    const loader = new RuntimeLoader({
      sources,
      cacheDir,
      env: {},
      clock: { sleep: async (ms) => void delays.push(ms), random: () => 0.5 },
      onEvent: (e) => events.push(e),
      ...options,
    });
    return { loader, delays, events, cacheDir };
  }

  return { tempDir, serve, loaderFor, defer: (cleanup: () => Promise<void>) => cleanups.push(cleanup) };
}

/** Temp files left in the cache's .tmp folder (none may remain after any call, successful or not). */
export async function leftovers(cacheDir: string): Promise<string[]> {
  return readdir(join(cacheDir, '.tmp')).catch(() => []);
}

export async function expectCached(cacheDir: string, fixture: Fixture): Promise<string> {
  const path = join(cacheDir, fixture.language, fixture.version, `${fixture.language}-${fixture.version}.wasm`);
  expect(await readFile(path)).toEqual(fixture.wasm);
  const entry = JSON.parse(await readFile(join(cacheDir, fixture.language, fixture.version, 'manifest.json'), 'utf8'));
  expect(entry.sha256).toBe(sha256(fixture.wasm));
  expect(await leftovers(cacheDir)).toEqual([]);
  return path;
}

export async function expectNotCached(cacheDir: string, fixture: Fixture): Promise<void> {
  expect(
    existsSync(join(cacheDir, fixture.language, fixture.version, `${fixture.language}-${fixture.version}.wasm`)),
  ).toBe(false);
  expect(await leftovers(cacheDir)).toEqual([]);
}

export async function failure(promise: Promise<unknown>): Promise<LoaderError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoaderError);
  return error as LoaderError;
}

/** Poll `check` every 20 ms until it holds or `limitMs` passed (a bound, not a timing assertion). */
export async function eventually(check: () => boolean, limitMs = 5000): Promise<boolean> {
  for (let waited = 0; waited < limitMs; waited += 20) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}
