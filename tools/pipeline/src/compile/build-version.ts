// Compiles one runtime version in its builder container into build/<lang>/<lang>-<ver>.wasm,
// atomically (temp dir + rename), and records toolchain + builder image in <lang>-<ver>.build.json.
// The companion files runtime.json declares (e.g. an interpreter's standard library) are taken from
// the same output folder into build/<lang>/companions/ and recorded (size, sha256, guest path).
import { chown, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type Docker from 'dockerode';
import type { BuilderImage } from '../docker/image.ts';
import { containerOutputDir, containerUser, runContainer } from '../docker/run-container.ts';
import { PipelineError } from '../errors.ts';
import { sha256Hex } from '../kit/digest.ts';
import { lineEmitter } from '../kit/events.ts';
import {
  buildDir,
  buildRecordPath,
  COMPANIONS_DIR,
  companionBuildPath,
  rawWasmPath,
  runtimeDir,
  wasmFileName,
} from '../paths.ts';
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
  /** Files the module needs at run time, in build/<lang>/companions/ (absent when the version has none). */
  companions?: BuiltCompanion[];
  /** Environment the guest needs to find its companions, e.g. PYTHONHOME. */
  guestEnv?: Record<string, string>;
}

/** A companion file as built: build/<lang>/companions/<file>. */
export interface BuiltCompanion {
  file: string;
  size: number;
  sha256: string;
  guestPath: string;
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
    const companions: BuiltCompanion[] = [];
    for (const spec of version.companions ?? []) {
      const written = await readFile(join(tmp, spec.file)).catch(() => undefined);
      if (!written) {
        throw new PipelineError(
          'ERR_BUILD_FAILED',
          `${task}: the build did not write companion ${spec.file} (declared in runtimes/${lang}/runtime.json; a build script writes it to $WASMHUB_OUT/${spec.file})`,
          { context: { language: lang, version: version.label, file: spec.file } },
        );
      }
      companions.push({ file: spec.file, size: written.length, sha256: sha256Hex(written), guestPath: spec.guestPath });
    }
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
      ...(companions.length > 0 ? { companions } : {}),
      ...(version.guestEnv ? { guestEnv: { ...version.guestEnv } } : {}),
    };
    const tmpRecord = join(tmp, 'build.json');
    await writeFile(tmpRecord, `${JSON.stringify(record, null, 2)}\n`);
    const companionTargets = companions.map((c) =>
      options.outDir ? join(outDir, COMPANIONS_DIR, c.file) : companionBuildPath(lang, c.file, options.root),
    );
    for (const f of [join(tmp, file), tmpRecord, ...companions.map((c) => join(tmp, c.file))]) {
      if (process.getuid?.() === 0) await chown(f, owner.uid, owner.gid);
    }
    // Companions and module first, the record last: a record only ever describes files in place.
    if (companions.length > 0) await mkdir(join(outDir, COMPANIONS_DIR), { recursive: true });
    for (const [i, c] of companions.entries()) await rename(join(tmp, c.file), companionTargets[i] as string);
    await rename(join(tmp, file), target);
    await rename(tmpRecord, recordFile);
    const shown = relative(options.root, target);
    lineEmitter(options.log)({
      kind: 'build.wrote',
      task,
      path: shown,
      size: record.size,
      toolchain: record.toolchain,
      sha256: record.sha256,
    });
    return record;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
