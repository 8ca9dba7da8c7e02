import { PassThrough, type Readable } from 'node:stream';
import { expect, it } from 'vitest';
import { BASE_SUITES, baseImageTag } from '../../../../docker/base-images.ts';
import { describeDocker } from '../testing/require-docker.ts';

await describeDocker('seeded Debian base images', (docker) => {
  it.each(BASE_SUITES)('debian:%s-slim runs a container that reports its codename', async (suite) => {
    const tag = baseImageTag(suite);
    const image = await docker.getImage(tag).inspect();
    expect(image.RepoTags).toContain(tag);

    const container = await docker.createContainer({
      Image: tag,
      Cmd: ['cat', '/etc/os-release', '/etc/apt/sources.list'],
      NetworkDisabled: true,
      HostConfig: { AutoRemove: false },
    });
    try {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      const chunks: Buffer[] = [];
      stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
      const stream = (await container.attach({ stream: true, stdout: true, stderr: true })) as unknown as Readable;
      docker.modem.demuxStream(stream, stdout, stderr);
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      // attach may still be flushing after the exit; the stream ends when the container is gone from it.
      await new Promise<void>((resolve) => {
        if (stream.readableEnded) resolve();
        else stream.once('end', () => resolve());
      });
      const output = Buffer.concat(chunks).toString();
      expect(StatusCode).toBe(0);
      expect(output).toMatch(new RegExp(`^VERSION_CODENAME=${suite}$`, 'm'));
      // The main suite from the host's mirror, so builder Dockerfiles can add <suite>-backports next to it.
      expect(output).toMatch(new RegExp(`^deb \\S+ ${suite} main$`, 'm'));
    } finally {
      await container.remove({ force: true });
    }
  });
});
