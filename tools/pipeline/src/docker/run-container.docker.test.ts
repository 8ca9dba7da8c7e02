import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { workspaceRoot } from '../paths.ts';
import { describeDocker } from '../testing/require-docker.ts';
import { ensureBuilderImage } from './image.ts';
import { runContainer } from './run-container.ts';

await describeDocker('runContainer', (docker) => {
  const containersWith = async (label: string) =>
    docker.listContainers({ all: true, filters: { label: [`org.wasmhub.test=${label}`] } });

  it('streams prefixed lines, runs non-root without network, returns the exit code and removes the container', async () => {
    const { tag } = await ensureBuilderImage(docker, 'go-bookworm');
    const out = await mkdtemp(join(tmpdir(), 'wasmhub-run-'));
    await chmod(out, 0o755); // mkdtemp makes 0700; the container runs as uid 1000
    await writeFile(join(out, 'in.txt'), 'hello\n');
    const id = randomUUID();
    const lines: string[] = [];
    const result = await runContainer(docker, {
      image: tag,
      cmd: [
        'sh',
        '-c',
        'id -u; ls /sys/class/net; cat /in/in.txt; echo oops >&2; touch /in/x 2>/dev/null || echo ro; exit 3',
      ],
      mounts: [{ host: out, container: '/in', readOnly: true }],
      task: 'demo@1',
      labels: { 'org.wasmhub.test': id },
      log: (line) => lines.push(line),
    });
    expect(result.exitCode).toBe(3);
    expect(lines).toEqual(
      expect.arrayContaining(['[demo@1] 1000', '[demo@1] lo', '[demo@1] hello', '[demo@1] oops', '[demo@1] ro']),
    );
    expect(lines).not.toContain('[demo@1] eth0');
    expect(result.tail).toContain('hello');
    expect(await containersWith(id)).toHaveLength(0);
  });

  it('removes its container when the process gets SIGTERM', async () => {
    const { tag } = await ensureBuilderImage(docker, 'go-bookworm');
    const id = randomUUID();
    const dir = await mkdtemp(join(tmpdir(), 'wasmhub-sig-'));
    const script = join(dir, 'child.mts');
    await writeFile(
      script,
      `import { connectDocker } from ${JSON.stringify(join(workspaceRoot, 'tools/pipeline/src/docker/engine.ts'))};
import { runContainer } from ${JSON.stringify(join(workspaceRoot, 'tools/pipeline/src/docker/run-container.ts'))};
const docker = await connectDocker();
await runContainer(docker, { image: ${JSON.stringify(tag)}, cmd: ['sleep', '300'], mounts: [], task: 'sleeper', labels: { 'org.wasmhub.test': ${JSON.stringify(id)} } });
`,
    );
    const child = execa('npx', ['tsx', script], { cwd: workspaceRoot, reject: false });
    for (let i = 0; i < 120 && (await containersWith(id)).filter((c) => c.State === 'running').length === 0; i++) {
      await sleep(500);
    }
    expect((await containersWith(id)).length).toBe(1);
    // npx -> tsx -> node: signal the node process that owns the handler.
    const pids = (await execa('pgrep', ['-f', script], { reject: false })).stdout
      .split('\n')
      .filter(Boolean)
      .map(Number);
    for (const pid of pids) {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmdline.startsWith('node') || cmdline.includes('/node\0')) process.kill(pid, 'SIGTERM');
    }
    await child;
    expect(await containersWith(id)).toHaveLength(0);
  });
});
