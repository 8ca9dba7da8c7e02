// Compiles one runtime version in its builder container into build/<lang>/<lang>-<ver>.wasm,
// atomically (temp dir + rename), and records toolchain + builder image in <lang>-<ver>.build.json.
import { chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type Docker from 'dockerode';
import type { BuilderImage } from '../docker/image.ts';
import { containerOutputDir, containerUser, runContainer } from '../docker/run-container.ts';
import { PipelineError } from '../errors.ts';
import { sha256Hex } from '../kit/digest.ts';
import { buildDir, buildRecordPath, rawWasmPath, runtimeDir, wasmFileName } from '../paths.ts';
import type { RuntimeConfig, RuntimeVersion } from '../runtime/config.ts';
import { OUTPUT_MOUNT, recipeFor, SOURCE_MOUNT, TOOLCHAIN_FILE } from './recipes.ts';

/** What build/<lang>/<lang>-<ver>.build.json holds (read by the metadata stage). */
export interface BuildRecord {
  language: string;
  version: string;
  target: 'wasm32-wasip1';
  file: string;
  size: number;
  sha256: string;
  /** e.g. `go1.24.4`, `rustc 1.85.0` */
  toolchain: string;
  /** The toolchain's full version line. */
  toolchainOutput: string;
  builder: { name: string; image: string; id: string };
  wasmOpt: string;
  features: string[];
}

export interface BuildVersionOptions {
  root: string;
  /** Output folder; default build/<lang> under root. */
  outDir?: string;
  sourceDateEpoch: string;
  log?: (line: string, stream: 'stdout' | 'stderr') => void;
}

export async function buildVersion(
  docker: Docker,
  config: RuntimeConfig,
  version: RuntimeVersion,
  image: BuilderImage,
  options: BuildVersionOptions,
): Promise<BuildRecord> {
  const lang = config.language;
  const task = `${lang}@${version.label}`;
  const outDir = options.outDir ?? buildDir(lang, options.root);
  const file = wasmFileName(lang, version.label);
  const target = options.outDir ? join(outDir, file) : rawWasmPath(lang, version.label, options.root);
  const recordFile = options.outDir
    ? join(outDir, `${lang}-${version.label}.build.json`)
    : buildRecordPath(lang, version.label, options.root);
  await mkdir(outDir, { recursive: true });
  const owner = await stat(outDir);
  const tmp = await containerOutputDir(outDir, `.tmp-${lang}-${version.label}-`);
  try {
    const { user } = containerUser();
    const recipe = recipeFor({
      kind: config.kind,
      language: lang,
      version,
      output: file,
      sourceDateEpoch: options.sourceDateEpoch,
    });
    const { exitCode, tail } = await runContainer(docker, {
      image: image.tag,
      cmd: recipe.cmd,
      env: recipe.env,
      user,
      workdir: '/tmp',
      task,
      network: 'none',
      mounts: [
        { host: runtimeDir(lang, options.root), container: SOURCE_MOUNT, readOnly: true },
        { host: tmp, container: OUTPUT_MOUNT, readOnly: false },
      ],
      labels: { 'org.wasmhub.stage': 'build' },
      ...(options.log ? { log: options.log } : {}),
    });
    const failure = recipe.failures?.[exitCode];
    if (failure) {
      // Bad input (a tarball that differs from its pin, a patch that no longer applies): the
      // script's own `wasmhub: ...` line says what, precisely.
      const said = [...tail].reverse().find((line) => line.startsWith('wasmhub: '));
      const reason = said?.slice('wasmhub: '.length) ?? `exited with code ${exitCode}`;
      throw new PipelineError(failure, `${task}: ${reason}`, {
        context: { language: lang, version: version.label, exitCode, image: image.tag, tail },
      });
    }
    if (exitCode !== 0) {
      const last = tail.slice(-8).join(' | ');
      throw new PipelineError(
        'ERR_BUILD_FAILED',
        `${task}: compiling with ${version.toolchain} in ${image.tag} exited with code ${exitCode}; last lines: ${last}`,
        { context: { language: lang, version: version.label, exitCode, image: image.tag, tail } },
      );
    }
    const bytes = await readFile(join(tmp, file));
    const toolchainOutput = (await readFile(join(tmp, TOOLCHAIN_FILE), 'utf8')).trim();
    const record: BuildRecord = {
      language: lang,
      version: version.label,
      target: 'wasm32-wasip1',
      file,
      size: bytes.length,
      sha256: sha256Hex(bytes),
      toolchain: recipe.parseToolchain(toolchainOutput),
      toolchainOutput,
      builder: { name: version.builder, image: image.tag, id: image.id },
      wasmOpt: version.wasmOpt,
      features: version.features,
    };
    const tmpRecord = join(tmp, 'build.json');
    await writeFile(tmpRecord, `${JSON.stringify(record, null, 2)}\n`);
    for (const f of [join(tmp, file), tmpRecord]) {
      if (process.getuid?.() === 0) await chown(f, owner.uid, owner.gid);
    }
    await rename(join(tmp, file), target);
    await rename(tmpRecord, recordFile);
    const shown = relative(options.root, target);
    (options.log ?? ((l: string) => process.stdout.write(`${l}\n`)))(
      `[${task}] wrote ${shown} (${record.size} bytes, ${record.toolchain}, sha256 ${record.sha256.slice(0, 12)})`,
      'stdout',
    );
    return record;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
