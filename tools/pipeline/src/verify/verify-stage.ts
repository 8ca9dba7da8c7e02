// The verify stage for one runtime version: both modules, behaviour compared, record written.
import { relative } from 'node:path';
import { lineEmitter } from '../kit/events.ts';
import { writeJsonAtomic } from '../kit/files.ts';
import { workspaceRoot } from '../paths.ts';
import { assertSameResults } from './conformance.ts';
import { type ConformanceOptions, type ModuleVerification, verifyModule } from './verify-module.ts';

export interface VerifyVersionInput {
  language: string;
  version: string;
  rawPath: string;
  optPath: string;
  recordPath: string;
  /** How to run the conformance cases on both modules (see ConformanceOptions); `false` skips them. */
  conformance?: ConformanceOptions | false;
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
  const common = {
    language: input.language,
    version: input.version,
    ...(input.conformance === undefined ? {} : { conformance: input.conformance }),
  };
  const raw = await verifyModule(input.rawPath, { ...common, displayName: relative(root, input.rawPath) });
  verified(raw);
  const opt = await verifyModule(input.optPath, { ...common, displayName: relative(root, input.optPath) });
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
