// The build stage for one language: make sure the builder images exist, then compile the
// selected versions in parallel (bounded by the CPU count).
import { availableParallelism } from 'node:os';
import type Docker from 'dockerode';
import { type BuilderImage, ensureBuilderImage } from '../docker/image.ts';
import { PipelineError } from '../errors.ts';
import { mapBounded } from '../kit/map-bounded.ts';
import { parseSourceDateEpoch } from '../kit/source-date.ts';
import { workspaceRoot } from '../paths.ts';
import { loadRuntimeConfig, selectVersions } from '../runtime/config.ts';
import { type BuildRecord, buildVersion } from './build-version.ts';

export interface BuildRuntimeOptions {
  lang: string;
  /** One version label; all versions when absent. */
  ver?: string;
  root?: string;
  /** Output folder instead of build/<lang> (tests). */
  outDir?: string;
  concurrency?: number;
  sourceDateEpoch?: string;
  log?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export interface NormalizedBuildRuntimeOptions extends Required<Omit<BuildRuntimeOptions, 'ver' | 'outDir' | 'log'>> {
  ver: string | undefined;
  outDir: string | undefined;
  log: ((line: string, stream: 'stdout' | 'stderr') => void) | undefined;
}

export function normalizeBuildOptions(options: BuildRuntimeOptions): NormalizedBuildRuntimeOptions {
  const concurrency = options.concurrency ?? availableParallelism();
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new PipelineError('ERR_INVALID_OPTION', `concurrency must be a positive integer, found ${concurrency}`);
  }
  const sourceDateEpoch = String(parseSourceDateEpoch(options.sourceDateEpoch ?? process.env.SOURCE_DATE_EPOCH) ?? 0);
  return {
    lang: options.lang,
    ver: options.ver,
    root: options.root ?? workspaceRoot,
    outDir: options.outDir,
    concurrency,
    sourceDateEpoch,
    log: options.log,
  };
}

/** Builds the selected versions of one runtime and returns their build records. */
export async function buildRuntime(docker: Docker, options: BuildRuntimeOptions): Promise<BuildRecord[]> {
  const opts = normalizeBuildOptions(options);
  const config = await loadRuntimeConfig(opts.lang, opts.root);
  const versions = selectVersions(config, opts.ver);
  // One image per builder, built one after the other before any compile starts.
  const images = new Map<string, BuilderImage>();
  for (const name of new Set(versions.map((v) => v.builder))) {
    images.set(
      name,
      await ensureBuilderImage(docker, name, {
        root: opts.root,
        ...(opts.log ? { log: (l) => opts.log?.(l, 'stdout') } : {}),
      }),
    );
  }
  return mapBounded(versions, opts.concurrency, (version) =>
    buildVersion(docker, config, version, images.get(version.builder) as BuilderImage, {
      root: opts.root,
      sourceDateEpoch: opts.sourceDateEpoch,
      ...(opts.outDir ? { outDir: opts.outDir } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    }),
  );
}
