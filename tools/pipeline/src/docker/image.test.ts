import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { createBuildContext, hashContext, packContext, parseBaseImages } from './image.ts';

async function tarBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

async function workspaceWith(dockerfile: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'wasmhub-image-'));
  await mkdir(join(root, 'docker'));
  await writeFile(join(root, 'docker', 'demo.Dockerfile'), dockerfile);
  return root;
}

describe('builder image context', () => {
  it('tags by a 16-hex content hash that changes exactly when the Dockerfile does', async () => {
    const a = await createBuildContext('demo', await workspaceWith('FROM debian:trixie-slim\nRUN true\n'));
    const same = await createBuildContext('demo', await workspaceWith('FROM debian:trixie-slim\nRUN true\n'));
    const changed = await createBuildContext('demo', await workspaceWith('FROM debian:trixie-slim\nRUN false\n'));
    expect(a.hash).toMatch(/^[0-9a-f]{16}$/);
    expect(a.tag).toBe(`wasmhub-builder/demo:${a.hash}`);
    expect(same.hash).toBe(a.hash);
    expect(changed.hash).not.toBe(a.hash);
    expect(a.baseImages).toEqual(['debian:trixie-slim']);
  });

  it('hashes names and bytes without ambiguity, independent of order', () => {
    const f = (name: string, text: string) => ({ name, content: Buffer.from(text) });
    expect(hashContext([f('a', 'bc')])).not.toBe(hashContext([f('ab', 'c')]));
    expect(hashContext([f('x', '1'), f('y', '2')])).toBe(hashContext([f('y', '2'), f('x', '1')]));
  });

  it('packs a byte-identical tar holding the Dockerfile', async () => {
    const files = [{ name: 'Dockerfile', content: Buffer.from('FROM debian:bookworm-slim\n') }];
    const one = await tarBytes(packContext(files));
    const two = await tarBytes(packContext(files));
    expect(createHash('sha256').update(one).digest('hex')).toBe(createHash('sha256').update(two).digest('hex'));
    const extract = tar.extract();
    const seen: string[] = [];
    extract.on('entry', (header, stream, next) => {
      seen.push(header.name);
      stream.resume();
      stream.on('end', next);
    });
    const done = new Promise<void>((resolve) => extract.on('finish', () => resolve()));
    extract.end(one);
    await done;
    expect(seen).toEqual(['Dockerfile']);
  });

  it('finds base images, skipping references to earlier stages', () => {
    const text = 'FROM debian:bookworm-slim AS base\nFROM base\nFROM --platform=linux/amd64 debian:trixie-slim\n';
    expect(parseBaseImages(text)).toEqual(['debian:bookworm-slim', 'debian:trixie-slim']);
  });

  it('names the Dockerfile it cannot read', async () => {
    const root = await workspaceWith('FROM x\n');
    await expect(createBuildContext('nope', root)).rejects.toThrow('docker/nope.Dockerfile: cannot read');
    await expect(createBuildContext('../etc', root)).rejects.toThrow('not a plain Dockerfile name');
  });
});
