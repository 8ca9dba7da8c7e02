// The npm channel of a release: pack one package per language from a staged release folder (plus, on
// request, the loader workspace), then publish them with the real npm CLI. Runtime packages go first, so
// by the time the loader is on the registry the packages its default CDN sources point at are too.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { workspaceRoot } from '../../paths.ts';
import { redact } from '../github/redact.ts';
import { createNpmClient } from './npm-client.ts';
import {
  formatNpmEvent,
  type NpmEvent,
  type NpmPublishOutcome,
  npmPack,
  type PackedPackage,
  packSpec,
  publishPackages,
} from './publish.ts';
import { runtimePackages } from './runtime-packages.ts';

export const DEFAULT_REGISTRY = 'https://registry.npmjs.org/';
export const REPOSITORY_URL = 'https://github.com/wasmhub/wasmhub';

export interface NpmReleaseOptions {
  /** Staged release folder (build/release/<tag>). */
  releaseDir: string;
  /** Where the .tgz files go (default <releaseDir>/../npm-<tag folder name>). */
  outDir?: string;
  /** Also pack (and publish) these workspaces, e.g. ['packages/loader']. */
  workspaces?: string[];
  /** Pack workspaces without their prepack script (already built; tests share one built dist/). */
  ignoreScripts?: boolean;
  publish?: boolean;
  dryRun?: boolean;
  provenance?: boolean;
  registry?: string;
  token?: string;
  /** npm config as environment for the npm child processes (tests: fetch retries). */
  npmEnv?: Record<string, string>;
  root?: string;
  log?: (line: string) => void;
  onEvent?: (event: NpmEvent) => void;
}

export interface NpmReleaseResult {
  packages: PackedPackage[];
  publish?: NpmPublishOutcome;
}

export async function runNpmRelease(options: NpmReleaseOptions): Promise<NpmReleaseResult> {
  const root = options.root ?? workspaceRoot;
  const secrets = options.token ? [options.token] : [];
  const log = (line: string) => (options.log ?? ((l) => process.stdout.write(`${l}\n`)))(redact(line, secrets));
  const emit = (event: NpmEvent) => {
    options.onEvent?.(event);
    log(formatNpmEvent(event));
  };
  const outDir = options.outDir ?? `${options.releaseDir.replace(/\/+$/, '')}-npm`;
  const client = await createNpmClient({
    registry: options.registry ?? DEFAULT_REGISTRY,
    ...(options.token ? { token: options.token } : {}),
    ...(options.npmEnv ? { env: options.npmEnv } : {}),
  });
  try {
    await rm(outDir, { recursive: true, force: true });
    const specs = await runtimePackages((name) => readFile(join(options.releaseDir, name)), {
      repositoryUrl: REPOSITORY_URL,
    });
    const packages: PackedPackage[] = [];
    for (const spec of specs) packages.push(await packSpec(client, spec, join(outDir, '.work'), outDir));
    for (const workspace of options.workspaces ?? []) {
      packages.push(
        await npmPack(
          client,
          ['--workspace', workspace, ...(options.ignoreScripts ? ['--ignore-scripts'] : [])],
          root,
          outDir,
        ),
      );
    }
    await rm(join(outDir, '.work'), { recursive: true, force: true });
    for (const p of packages) {
      emit({
        kind: 'npm.pack',
        name: p.name,
        version: p.version,
        size: p.size,
        unpackedSize: p.unpackedSize,
        fileCount: p.fileCount,
      });
    }
    if (!options.publish && !options.dryRun) return { packages };
    const publish = await publishPackages({
      client,
      packages,
      dryRun: options.dryRun ?? false,
      provenance: options.provenance ?? false,
      emit,
    });
    log(`npm: ${publish.published.length} published, ${publish.skipped.length} already there (${client.registry})`);
    return { packages, publish };
  } finally {
    await client.close();
  }
}
