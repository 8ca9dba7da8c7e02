import type Docker from 'dockerode';
import { PipelineError } from '../errors.ts';

export interface ConnectDockerOptions {
  /** How long the ping may take before the engine counts as unavailable (default 5000 ms). */
  pingTimeoutMs?: number;
}

const DEFAULT_PING_TIMEOUT_MS = 5_000;

/**
 * Connects to the Docker engine and checks it answers.
 *
 * Honours DOCKER_HOST (unix://, tcp://, DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, as the docker CLI does);
 * without it uses dockerode's default socket (/var/run/docker.sock, or ~/.docker/run/docker.sock when present).
 * Throws PipelineError('ERR_DOCKER_UNAVAILABLE') with one line naming the endpoint and what to do.
 */
export async function connectDocker(options: ConnectDockerOptions = {}): Promise<Docker> {
  const timeoutMs = options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
  const dockerHost = process.env.DOCKER_HOST;

  // Loaded here, not at the top: dockerode (with ssh2 and its crypto) is most of a stage's module loading,
  // and only the stages that reach the engine pay for it.
  const { default: DockerClient } = await import('dockerode');
  let docker: Docker;
  try {
    docker = new DockerClient();
  } catch (cause) {
    throw new PipelineError(
      'ERR_DOCKER_UNAVAILABLE',
      `DOCKER_HOST=${dockerHost} is not a usable engine address (${oneLine(cause)}): fix or unset DOCKER_HOST, then run \`npm run docker:up\``,
      { cause, context: { dockerHost } },
    );
  }

  const endpoint = await describeEndpoint(docker);
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  try {
    await pingWithSignal(docker, abort.signal);
  } catch (cause) {
    const reason = abort.signal.aborted ? `no answer within ${timeoutMs} ms` : oneLine(cause);
    const fix = dockerHost
      ? 'start that engine or unset DOCKER_HOST, then run `npm run docker:up`'
      : 'run `npm run docker:up` to install/start one (or set DOCKER_HOST)';
    throw new PipelineError(
      'ERR_DOCKER_UNAVAILABLE',
      `Docker engine at ${endpoint} does not answer (${reason}): ${fix}`,
      {
        cause,
        context: { endpoint, timeoutMs },
      },
    );
  } finally {
    clearTimeout(timer);
  }
  return docker;
}

/** `DOCKER_HOST=<value>` when set, else `socket <path>`. */
export async function describeEndpoint(docker: Docker): Promise<string> {
  if (process.env.DOCKER_HOST) return `DOCKER_HOST=${process.env.DOCKER_HOST}`;
  // docker-modem keeps its resolved options on the modem; the default socket path may be a Promise.
  const modem = docker.modem as unknown as { socketPath?: unknown; host?: string; port?: string | number };
  const socketPath = await Promise.resolve(modem.socketPath);
  return typeof socketPath === 'string' ? `socket ${socketPath}` : `${modem.host}:${modem.port}`;
}

// dockerode's ping accepts { abortSignal } but its type definitions do not say so.
function pingWithSignal(docker: Docker, abortSignal: AbortSignal): Promise<unknown> {
  const ping = docker.ping as unknown as (this: Docker, opts: { abortSignal: AbortSignal }) => Promise<unknown>;
  return ping.call(docker, { abortSignal });
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? (error as NodeJS.ErrnoException).code || error.message : String(error);
  return (text.split('\n')[0] ?? '').trim() || 'unknown error';
}
