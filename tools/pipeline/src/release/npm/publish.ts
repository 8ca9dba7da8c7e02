// Publishes packages to an npm registry with the real `npm publish`, one at a time, so a re-run completes
// whatever a failed run left: a version already on the registry with identical contents is skipped; one
// with different contents stops the run naming the package and version (a published version is immutable).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PipelineError } from '../../errors.ts';
import type { NpmClient } from './npm-client.ts';
import { tail } from './npm-client.ts';
import type { PackageSpec } from './runtime-packages.ts';
import { diffContents, readTarball } from './tarball.ts';

export interface PackedPackage {
  name: string;
  version: string;
  /** Path of the .tgz made by `npm pack`. */
  tarball: string;
  /** dist.integrity as npm computes it (sha512). */
  integrity: string;
  size: number;
  unpackedSize: number;
  fileCount: number;
}

export type NpmEvent =
  | { kind: 'npm.pack'; name: string; version: string; size: number; unpackedSize: number; fileCount: number }
  | { kind: 'npm.skip'; name: string; version: string; reason: string }
  | { kind: 'npm.publish'; name: string; version: string; dryRun: boolean }
  | { kind: 'npm.published'; name: string; version: string };

export function formatNpmEvent(event: NpmEvent): string {
  const id = `${event.name}@${event.version}`;
  switch (event.kind) {
    case 'npm.pack':
      return `npm: packed ${id}: ${event.fileCount} files, ${event.size} bytes (${event.unpackedSize} unpacked)`;
    case 'npm.skip':
      return `npm: skip ${id}: ${event.reason}`;
    case 'npm.publish':
      return `npm: ${event.dryRun ? 'would publish' : 'publishing'} ${id}`;
    case 'npm.published':
      return `npm: published ${id}`;
  }
}

interface PackJson {
  name: string;
  version: string;
  filename: string;
  integrity: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
}

function parsePackJson(stdout: string, what: string): PackJson {
  try {
    const parsed = JSON.parse(stdout) as PackJson[];
    const first = parsed[0];
    if (!first?.filename) throw new Error('no filename');
    return first;
  } catch (cause) {
    throw new PipelineError('ERR_NPM', `npm pack ${what}: unexpected output ${stdout.slice(0, 200)}`, { cause });
  }
}

/** `npm pack` of a folder (or a workspace with `--workspace`), into `dest`. */
export async function npmPack(client: NpmClient, args: string[], cwd: string, dest: string): Promise<PackedPackage> {
  await mkdir(dest, { recursive: true });
  const result = await client.run(['pack', ...args, '--json', '--pack-destination', dest], cwd);
  if (result.exitCode !== 0) {
    throw new PipelineError('ERR_NPM', `npm pack ${args.join(' ')} failed: ${tail(result.stderr)}`, {
      context: { cwd, exitCode: result.exitCode },
    });
  }
  // Lifecycle scripts (prepack) may print before the JSON; it is the last top-level array.
  const json = parsePackJson(result.stdout.slice(result.stdout.lastIndexOf('\n[') + 1), args.join(' ') || cwd);
  return {
    name: json.name,
    version: json.version,
    tarball: join(dest, json.filename),
    integrity: json.integrity,
    size: json.size,
    unpackedSize: json.unpackedSize,
    fileCount: json.entryCount,
  };
}

/** Writes a package's files into a folder and packs it. */
export async function packSpec(client: NpmClient, spec: PackageSpec, workDir: string, dest: string) {
  const dir = join(workDir, spec.name.replace('/', '__'));
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of spec.files) await writeFile(join(dir, name), bytes);
  return npmPack(client, [], dir, dest);
}

/** What the registry holds for name@version: undefined when that version is not published. */
async function publishedTarball(client: NpmClient, name: string, version: string): Promise<Buffer | undefined> {
  const view = await client.run(['view', `${name}@${version}`, 'dist.tarball', '--json']);
  if (view.exitCode !== 0) {
    if (/E404|404 Not Found|is not in this registry/i.test(view.stdout + view.stderr)) return undefined;
    throw new PipelineError('ERR_NPM', `npm view ${name}@${version} failed: ${tail(view.stderr || view.stdout)}`, {
      context: { package: name, version, exitCode: view.exitCode },
    });
  }
  if (view.stdout.trim() === '') return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'wasmhub-npm-view-'));
  try {
    const packed = await npmPack(client, [`${name}@${version}`], dir, dir);
    return await readFile(packed.tarball);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export interface PublishOptions {
  client: NpmClient;
  packages: PackedPackage[];
  dryRun?: boolean;
  /** `npm publish --provenance` (GitHub Actions with id-token: write only). */
  provenance?: boolean;
  /** dist-tag (default latest). */
  tag?: string;
  emit?: (event: NpmEvent) => void;
}

export interface NpmPublishOutcome {
  published: string[];
  skipped: string[];
}

export async function publishPackages(options: PublishOptions): Promise<NpmPublishOutcome> {
  const { client } = options;
  const emit = options.emit ?? (() => {});
  const outcome: NpmPublishOutcome = { published: [], skipped: [] };
  for (const pkg of options.packages) {
    const id = `${pkg.name}@${pkg.version}`;
    const existing = await publishedTarball(client, pkg.name, pkg.version);
    if (existing) {
      const differ = diffContents(await readTarball(existing), await readTarball(await readFile(pkg.tarball)));
      if (differ.length > 0) {
        throw new PipelineError(
          'ERR_NPM_CONFLICT',
          `${id} is already on ${client.registry} with different contents (${differ.slice(0, 5).join(', ')}${differ.length > 5 ? ', ...' : ''}); a published version cannot change: release a new version`,
          { context: { package: pkg.name, version: pkg.version, files: differ } },
        );
      }
      outcome.skipped.push(id);
      emit({ kind: 'npm.skip', name: pkg.name, version: pkg.version, reason: 'already published, same contents' });
      continue;
    }
    emit({ kind: 'npm.publish', name: pkg.name, version: pkg.version, dryRun: options.dryRun ?? false });
    if (options.dryRun) continue;
    const args = ['publish', pkg.tarball, '--access', 'public', '--tag', options.tag ?? 'latest'];
    if (options.provenance) args.push('--provenance');
    const result = await client.run(args);
    if (result.exitCode !== 0) {
      throw new PipelineError(
        'ERR_NPM',
        `npm publish ${id} to ${client.registry} failed (exit ${result.exitCode}): ${tail(result.stderr)}; run again to complete the release`,
        { context: { package: pkg.name, version: pkg.version, exitCode: result.exitCode } },
      );
    }
    outcome.published.push(id);
    emit({ kind: 'npm.published', name: pkg.name, version: pkg.version });
  }
  return outcome;
}
