/**
 * Docker engine gate for `*.docker.test.ts` files.
 *
 * When the engine answers you get a connected dockerode client. When it does not:
 *  - with CI set (anything but '', '0', 'false'), the test file FAILS with a one-line reason;
 *  - otherwise the tests are skipped (with one warning line saying why and how to fix it).
 *
 * Usage (one line, at the top level of a test file; vitest supports top-level await):
 *
 *   import { requireDocker } from '../testing/require-docker.ts';
 *   const docker = await requireDocker();                 // Docker | undefined (undefined = skip)
 *   describe.skipIf(!docker)('my image', () => { ... docker?.getImage(...) ... });
 *
 * or, to receive a non-optional client:
 *
 *   import { describeDocker } from '../testing/require-docker.ts';
 *   await describeDocker('my image', (docker) => {
 *     it('runs', async () => { await docker.ping(); });
 *   });
 */
import type Docker from 'dockerode';
import { describe, it } from 'vitest';
import { connectDocker } from '../docker/engine.ts';
import { formatError, PipelineError } from '../errors.ts';

/** True when process.env.CI is set to something other than '', '0' or 'false'. */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== '0' && value !== 'false';
}

let cached: Promise<Docker | undefined> | undefined;

/**
 * The connected Docker client, or undefined when there is no engine and CI is not set (skip the tests).
 * With CI set and no engine, it rejects with a PipelineError, which fails the test file.
 */
export function requireDocker(): Promise<Docker | undefined> {
  cached ??= connectDocker().then(
    (docker) => docker,
    (error: unknown) => {
      const reason = error instanceof PipelineError ? error.message : formatError(error);
      if (isCi()) {
        throw new PipelineError(
          'ERR_DOCKER_UNAVAILABLE',
          `CI is set, so Docker tests must not skip, but ${reason.replace(/^Docker/, 'the Docker')}`,
          { cause: error },
        );
      }
      console.warn(`[require-docker] skipping Docker tests: ${reason}`);
      return undefined;
    },
  );
  return cached;
}

/** `describe` that hands its body a connected client, or registers a skipped suite when there is no engine. */
export async function describeDocker(name: string, body: (docker: Docker) => void): Promise<void> {
  const docker = await requireDocker();
  if (docker) {
    describe(name, () => body(docker));
    return;
  }
  describe.skip(name, () => {
    it('needs a Docker engine (run `npm run docker:up`)', () => {});
  });
}
