import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { connectDocker } from './engine.ts';

const savedHost = process.env.DOCKER_HOST;
afterEach(() => {
  if (savedHost === undefined) delete process.env.DOCKER_HOST;
  else process.env.DOCKER_HOST = savedHost;
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function expectUnavailable(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  const pipelineError = error as PipelineError;
  expect(pipelineError.code).toBe('ERR_DOCKER_UNAVAILABLE');
  expect(pipelineError.message).not.toContain('\n');
  expect(pipelineError.message).toContain('npm run docker:up');
  return pipelineError;
}

describe('connectDocker', () => {
  it('names a unix socket in DOCKER_HOST that does not exist', async () => {
    process.env.DOCKER_HOST = 'unix:///nonexistent/wasmhub/docker.sock';
    const error = await expectUnavailable(connectDocker());
    expect(error.message).toContain('DOCKER_HOST=unix:///nonexistent/wasmhub/docker.sock');
    expect(error.message).toContain('ENOENT');
  });

  it('names a tcp DOCKER_HOST that refuses connections', async () => {
    const server = createServer();
    const host = await listen(server);
    await new Promise((resolve) => server.close(resolve));
    process.env.DOCKER_HOST = host;
    const error = await expectUnavailable(connectDocker());
    expect(error.message).toContain(`DOCKER_HOST=${host}`);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('gives up on an endpoint that never answers after the ping timeout', async () => {
    const server = createServer(() => {}); // accepts, never responds
    process.env.DOCKER_HOST = await listen(server);
    try {
      const error = await expectUnavailable(connectDocker({ pingTimeoutMs: 200 }));
      expect(error.message).toContain('no answer within 200 ms');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('rejects a DOCKER_HOST that is not an address', async () => {
    process.env.DOCKER_HOST = 'tcp://[not a host';
    const error = await expectUnavailable(connectDocker());
    expect(error.message).toContain('DOCKER_HOST=tcp://[not a host');
  });

  it('returns a client when the endpoint answers the Engine API ping', async () => {
    const seen: string[] = [];
    const server = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'text/plain', 'api-version': '1.41' }).end('OK');
    });
    process.env.DOCKER_HOST = await listen(server);
    try {
      const docker = await connectDocker();
      expect(typeof docker.listContainers).toBe('function');
      expect(seen).toEqual(['GET /_ping']);
    } finally {
      server.close();
    }
  });
});
