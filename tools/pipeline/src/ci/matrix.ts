// The release workflow's build matrix, computed from runtimes/*/runtime.json (nothing hand-kept).
// CLI: `npx tsx tools/pipeline/src/ci/matrix.ts [--root <dir>]` prints `matrix=<json>` for $GITHUB_OUTPUT.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatError, PipelineError } from '../errors.ts';
import { stageOutputs, workspaceRoot } from '../paths.ts';
import { listRuntimes, loadRuntimeConfig } from '../runtime/config.ts';

/** The last Nx target of the per-version chain (build -> optimize -> verify -> metadata). */
export const PIPELINE_TARGET = 'metadata';

/** Same patterns as manifest.schema.json; they also keep every value safe inside a shell command line. */
const LANGUAGE_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
const VERSION_PATTERN = /^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$/;

export interface MatrixEntry {
  language: string;
  version: string;
  /** The exact command a runner executes for this version: pipelineCommand(language, version). */
  command: string;
  /** Workflow artifact carrying this version's outputs: artifactName(language, version). */
  artifact: string;
  /** Files of this version to upload, one per line (workspace-relative): artifactPaths(language, version). */
  paths: string;
  /** Builder image (docker/<builder>.Dockerfile); versions sharing one share the image-layer cache. */
  builder: string;
}

export interface Matrix {
  include: MatrixEntry[];
}

function checkNames(language: string, version: string): void {
  if (!LANGUAGE_PATTERN.test(language)) {
    throw new PipelineError(
      'ERR_RUNTIME_CONFIG',
      `runtimes/${language}: language name must match ${LANGUAGE_PATTERN}; rename the folder`,
      { context: { language } },
    );
  }
  if (!VERSION_PATTERN.test(version)) {
    throw new PipelineError(
      'ERR_RUNTIME_CONFIG',
      `runtimes/${language}/runtime.json: version ${JSON.stringify(version)} must match ${VERSION_PATTERN}; fix the label`,
      { context: { language, version } },
    );
  }
}

/**
 * The one command that builds, optimizes, verifies and describes a single runtime version.
 * The workflow matrix and everything else that runs one version use it, so they cannot drift.
 */
export function pipelineCommand(language: string, version: string): string {
  checkNames(language, version);
  return `npx nx run ${language}:${PIPELINE_TARGET} --ver=${version}`;
}

/** Name of the workflow artifact carrying one version's outputs. */
export function artifactName(language: string, version: string): string {
  checkNames(language, version);
  return `runtime-${language}-${version}`;
}

/**
 * Workspace-relative files one version produces: the Nx outputs of every stage (paths.ts stageOutputs)
 * narrowed from `<lang>-*` to `<lang>-<ver>` (its metadata record included).
 */
export function artifactPaths(language: string, version: string): string[] {
  checkNames(language, version);
  const outputs = Object.values(stageOutputs(language)).flat();
  // `<lang>-*.wasm` names one file per version; a bare `<lang>-*` (companions) many: `<lang>-<ver>-*`.
  const ofVersion = (glob: string) =>
    glob.endsWith(`${language}-*`)
      ? `${glob.slice(0, -1)}${version}-*`
      : glob.replaceAll(`${language}-*`, `${language}-${version}`);
  return [...new Set(outputs.map(ofVersion))];
}

/**
 * Where actions/upload-artifact roots the artifact of these paths: their least common ancestor folder
 * (e.g. `build/go`), so the file `build/go/opt/go-1.24.wasm` is `opt/go-1.24.wasm` inside the artifact.
 */
export function artifactRoot(language: string, version: string): string {
  const dirs = artifactPaths(language, version).map((path) => path.split('/').slice(0, -1));
  const first = dirs[0] ?? [];
  let depth = 0;
  while (depth < first.length && dirs.every((dir) => dir[depth] === first[depth])) depth++;
  return first.slice(0, depth).join('/');
}

/** Matrix over every version declared in runtimes/*\/runtime.json, languages by name, versions ascending. */
export async function computeMatrix(root: string = workspaceRoot): Promise<Matrix> {
  const include: MatrixEntry[] = [];
  for (const language of await listRuntimes(root)) {
    const config = await loadRuntimeConfig(language, root);
    for (const { label, builder } of config.versions) {
      include.push({
        language,
        version: label,
        command: pipelineCommand(language, label),
        artifact: artifactName(language, label),
        paths: artifactPaths(language, label).join('\n'),
        builder,
      });
    }
  }
  if (include.length === 0) {
    throw new PipelineError(
      'ERR_RUNTIME_CONFIG',
      `${root}/runtimes: no runtimes/<lang>/runtime.json found; a workflow matrix cannot be empty`,
      { context: { root } },
    );
  }
  return { include };
}

async function main(argv: string[]): Promise<void> {
  let root = workspaceRoot;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--root' && value !== undefined) {
      root = resolve(value);
      i++;
    } else {
      throw new PipelineError(
        'ERR_INVALID_OPTION',
        `ci/matrix: unknown argument ${JSON.stringify(arg)}; usage: [--root <dir>]`,
      );
    }
  }
  process.stdout.write(`matrix=${JSON.stringify(await computeMatrix(root))}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${formatError(error)}\n`);
    process.exitCode = 1;
  });
}
