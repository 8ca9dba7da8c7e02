// The verify stage for one runtime version: both modules, behaviour compared, record written.
// A version with companion files (an interpreter's standard library) runs its conformance cases
// with them mounted where the guest expects them and its guest environment set, as a host would.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, posix, relative } from 'node:path';
import { PipelineError } from '../errors.ts';
import { sha256Hex } from '../kit/digest.ts';
import { lineEmitter } from '../kit/events.ts';
import { writeJsonAtomic } from '../kit/files.ts';
import { workspaceRoot } from '../paths.ts';
import { assertSameResults } from './conformance.ts';
import { type ConformanceOptions, type ModuleVerification, verifyModule } from './verify-module.ts';

/** A companion file as the build recorded it: where it is on the host and where the guest expects it. */
export interface CompanionMount {
  path: string;
  size: number;
  sha256: string;
  guestPath: string;
}

export interface VerifyVersionInput {
  language: string;
  version: string;
  rawPath: string;
  optPath: string;
  recordPath: string;
  /** How to run the conformance cases on both modules (see ConformanceOptions); `false` skips them. */
  conformance?: ConformanceOptions | false;
  /** Companion files mounted (a fresh copy for each module) at their guest paths for every case. */
  companions?: CompanionMount[];
  /** Environment every case gets (a case's own env wins), e.g. PYTHONHOME. */
  guestEnv?: Record<string, string>;
  root?: string;
  log?: (line: string) => void;
}

interface RecordModule {
  file: string;
  size: number;
  sha256: string;
  imports: string[];
  exports: string[];
}

/** The verification record: deterministic (no timestamps), so an unchanged input rewrites identical bytes. */
export interface VerificationRecord {
  language: string;
  version: string;
  checks: string[];
  unoptimized: RecordModule;
  optimized: RecordModule;
  conformance: { cases: string[]; identical: boolean } | null;
}

const toRecord = (m: ModuleVerification): RecordModule => ({
  file: m.file,
  size: m.size,
  sha256: m.sha256,
  imports: m.imports,
  exports: m.exports,
});

export async function verifyVersion(input: VerifyVersionInput): Promise<VerificationRecord> {
  const root = input.root ?? workspaceRoot;
  const emit = lineEmitter(input.log);
  const task = `${input.language}@${input.version}`;
  const verified = (m: ModuleVerification) =>
    emit({
      kind: 'verify.module',
      task,
      file: m.file,
      size: m.size,
      sha256: m.sha256,
      ...(m.cases ? { cases: m.cases.length } : {}),
    });
  const companions = await readCompanions(input.companions ?? [], root);
  const verify = (path: string) =>
    withCompanions(companions, async (mounts) => {
      const conformance =
        input.conformance === false
          ? false
          : {
              ...input.conformance,
              env: { ...input.guestEnv, ...input.conformance?.env },
              preopens: { ...mounts, ...input.conformance?.preopens },
            };
      return verifyModule(path, {
        language: input.language,
        version: input.version,
        conformance,
        displayName: relative(root, path),
      });
    });
  const raw = await verify(input.rawPath);
  verified(raw);
  const opt = await verify(input.optPath);
  verified(opt);
  if (raw.cases && opt.cases) {
    // Both passed their expectations; a per-language case (matched by a pattern) or a file nobody
    // expects can still differ byte for byte, and must not.
    assertSameResults(
      { file: raw.file, results: raw.cases },
      { file: opt.file, results: opt.cases },
      { hint: 'wasm-opt changed the program' },
    );
  }
  const checks = ['magic', 'version', 'validate', 'wasi-imports', 'wasi-exports', 'sha256'];
  if (raw.cases) checks.push('conformance-expected', 'conformance-identical');
  const record: VerificationRecord = {
    language: input.language,
    version: input.version,
    checks,
    unoptimized: toRecord(raw),
    optimized: toRecord(opt),
    conformance: raw.cases ? { cases: raw.cases.map((c) => c.name), identical: true } : null,
  };
  await writeJsonAtomic(input.recordPath, record);
  emit({ kind: 'verify.record', task, path: relative(root, input.recordPath) });
  return record;
}

/** Reads each companion and checks it is the file the build recorded (one line naming it otherwise). */
async function readCompanions(companions: CompanionMount[], root: string): Promise<[CompanionMount, Buffer][]> {
  const read: [CompanionMount, Buffer][] = [];
  for (const companion of companions) {
    const shown = relative(root, companion.path);
    const bytes = await readFile(companion.path).catch(() => undefined);
    const found = bytes ? `${bytes.length} bytes, sha256 ${sha256Hex(bytes)}` : 'no file';
    if (!bytes || bytes.length !== companion.size || sha256Hex(bytes) !== companion.sha256) {
      throw new PipelineError(
        'ERR_WASM_INVALID',
        `${shown}: companion check "sha256" failed: expected ${companion.size} bytes, sha256 ${companion.sha256} (built), found ${found}: run the build stage again`,
        { context: { file: companion.path, check: 'sha256', expected: companion.sha256, found } },
      );
    }
    read.push([companion, bytes]);
  }
  return read;
}

/**
 * Runs `use` with a fresh copy of the companions laid out as the guest sees them: one host folder per
 * guest folder (guest folder -> host folder, to preopen), removed afterwards. A copy, because a guest
 * can write to what it is given and the next module must see the files as built.
 */
async function withCompanions<T>(
  companions: [CompanionMount, Buffer][],
  use: (preopens: Record<string, string>) => Promise<T>,
): Promise<T> {
  if (companions.length === 0) return use({});
  const dir = await mkdtemp(join(tmpdir(), 'wasmhub-companions-'));
  try {
    const preopens: Record<string, string> = {};
    for (const [companion, bytes] of companions) {
      const guestDir = posix.dirname(companion.guestPath);
      preopens[guestDir] ??= join(dir, String(Object.keys(preopens).length));
      await mkdir(preopens[guestDir], { recursive: true });
      await writeFile(join(preopens[guestDir], basename(companion.guestPath)), bytes);
    }
    return await use(preopens);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
