// The runtime contract as data (runtimes/conformance.json): load it, run its cases against a
// module under node:wasi, and compare the results with the expected outcome and with another
// module's results (unoptimized vs optimized, Go vs Rust). The one verify layer: its CaseResult is
// the only result type and every message about a case has one shape,
// `<file>: conformance case "<name>" <what>: expected …, found …`.
import { access, mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ErrorObject } from 'ajv';
import { PipelineError } from '../errors.ts';
import { conformancePath, runtimeDir } from '../paths.ts';
import { compareLabels } from '../runtime/config.ts';
import validateConformanceJson from './conformance-validator.generated.ts';
import { runWasiMany, type WasiOutcome } from './run-wasi.ts';

/** UTF-8 text, or `repeat` repeated `count` times. */
export type Text = string | { repeat: string; count: number };

export interface ConformanceCase {
  name: string;
  description?: string;
  args: string[];
  env?: Record<string, string>;
  /** What the module reads on stdin. Default: nothing. */
  stdin?: Text;
  /** Guest directory -> directory in the scratch folder; replaces the default preopen of the scratch folder as "/". */
  preopens?: Record<string, string>;
  /** Lowest version label the case applies to (inclusive). */
  minVersion?: string;
  /** Highest version label the case applies to (inclusive). */
  maxVersion?: string;
  dirs?: string[];
  /** Files to create before the run; `{ size }` makes a sparse file of zero bytes. */
  files?: Record<string, Text | { size: number }>;
  /** Exact expected stdout (absent on per-language cases). */
  stdout?: Text;
  /** Per-language case: regular expression (unicode) the whole stdout must match, by language. */
  stdoutMatches?: Record<string, string>;
  stderr: string;
  exitCode: number;
  /** File contents expected after the run; null: must not exist. */
  expectFiles?: Record<string, string | null>;
}

export interface ConformanceSuite {
  /** Where the suite was loaded from. */
  file: string;
  description?: string;
  usage?: string;
  /** argv[0] every case runs with. Default: `wasmhub`. */
  argv0?: string;
  cases: ConformanceCase[];
}

/** What one run of a case produced. */
export interface CaseOutcome {
  stdout: string;
  stderr: string;
  /** The module's exit code; -1 when it did not exit (see `error`). */
  exitCode: number;
  /** Contents after the run of the case's `expectFiles` paths (null: missing). */
  files: Record<string, string | null>;
  /** Set when the module could not run to its end, saying why: `trapped: …`, `did not finish within …`. */
  error?: string;
}

export interface CaseResult {
  name: string;
  args: string[];
  /** The case expects a language-specific stdout (e.g. `version`). */
  perLanguage: boolean;
  /** True when `actual` matches every expectation of the case. */
  ok: boolean;
  actual: CaseOutcome;
  /** One precise message per mismatch (empty when ok). */
  mismatches: string[];
}

export interface RunConformanceOptions {
  /** Default: loadConformanceFor(language): runtimes/<lang>/conformance.json, else runtimes/conformance.json. */
  suite?: ConformanceSuite;
  /** The module's version label: cases with minVersion/maxVersion outside it are left out. */
  version?: string;
  /** Only the cases with these names. */
  only?: string[];
  /** Child processes running cases at the same time (the cases are shared out between them). Default: 2. */
  concurrency?: number;
  /** Per-case timeout. Default: 60 000 ms. */
  timeoutMs?: number;
  /** The module's name in messages. Default: `wasmPath`. */
  name?: string;
  /** Added to every case's environment (a case's own `env` wins on the same name), e.g. a companion's PYTHONHOME. */
  env?: Record<string, string>;
  /**
   * Guest directory -> host directory, preopened for every case beside its scratch directory (which stays
   * "/" or the case's own `preopens`), e.g. a companion's standard library. Read-write: the guest can
   * change these files, so pass a copy when that matters.
   */
  preopens?: Record<string, string>;
}

type AjvValidate = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * ajv's standalone code for runtimes/conformance.schema.json (./conformance-validator.generated.ts, from
 * tools/pipeline/scripts/schema-validators-source.ts; a test fails when it drifts from the schema).
 */
const validateConformance = validateConformanceJson as unknown as AjvValidate;

function fail(file: string, message: string, context: Record<string, unknown> = {}): never {
  throw new PipelineError('ERR_CONFORMANCE', `${file}: ${message}`, { context: { file, ...context } });
}

/** Loads and validates runtimes/conformance.json (or `file`); errors name the JSON pointer of the problem. */
export async function loadConformance(file: string = conformancePath()): Promise<ConformanceSuite> {
  let doc: unknown;
  try {
    doc = JSON.parse(await readFile(file, 'utf8'));
  } catch (cause) {
    throw new PipelineError('ERR_CONFORMANCE', `${file}: cannot read the conformance cases (${String(cause)})`, {
      cause,
      context: { file },
    });
  }
  if (!validateConformance(doc)) {
    const errors = validateConformance.errors ?? [];
    // With oneOf, the most specific error is usually the deepest one.
    const first = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length)[0];
    fail(file, `invalid at ${first?.instancePath || '/'}: ${first?.message ?? 'does not match the schema'}`, {
      errors,
    });
  }
  const suite = doc as Omit<ConformanceSuite, 'file'>;
  const seen = new Set<string>();
  suite.cases.forEach((c, i) => {
    if (seen.has(c.name)) fail(file, `invalid at /cases/${i}/name: duplicate case name "${c.name}"`);
    seen.add(c.name);
    if (c.minVersion !== undefined && c.maxVersion !== undefined && compareLabels(c.minVersion, c.maxVersion) > 0) {
      fail(file, `invalid at /cases/${i}: minVersion ${c.minVersion} is above maxVersion ${c.maxVersion}`);
    }
    for (const [language, pattern] of Object.entries(c.stdoutMatches ?? {})) {
      try {
        new RegExp(pattern, 'u');
      } catch (cause) {
        fail(file, `invalid at /cases/${i}/stdoutMatches/${language}: not a unicode regular expression (${cause})`);
      }
    }
  });
  return { file, ...suite };
}

/** The suite a language is held to: its own runtimes/<lang>/conformance.json, else the shared contract. */
export async function loadConformanceFor(language: string, root?: string): Promise<ConformanceSuite> {
  const own = join(runtimeDir(language, root), 'conformance.json');
  try {
    await access(own);
  } catch {
    return loadConformance(conformancePath(root));
  }
  return loadConformance(own);
}

/** Whether a case applies to `version` (every case applies when no version is given). */
export function appliesTo(testCase: ConformanceCase, version: string | undefined): boolean {
  if (version === undefined) return true;
  if (testCase.minVersion !== undefined && compareLabels(version, testCase.minVersion) < 0) return false;
  if (testCase.maxVersion !== undefined && compareLabels(version, testCase.maxVersion) > 0) return false;
  return true;
}

/** Expands a Text value. */
export function textOf(text: Text): string {
  return typeof text === 'string' ? text : text.repeat.repeat(text.count);
}

/** Creates the case's directories and files in `dir`. */
async function prepareScratch(dir: string, testCase: ConformanceCase): Promise<void> {
  for (const d of testCase.dirs ?? []) await mkdir(join(dir, d), { recursive: true });
  for (const d of Object.values(testCase.preopens ?? {})) await mkdir(join(dir, d), { recursive: true });
  for (const [path, content] of Object.entries(testCase.files ?? {})) {
    const target = join(dir, path);
    await mkdir(dirname(target), { recursive: true });
    if (typeof content === 'object' && 'size' in content) {
      const handle = await open(target, 'w');
      try {
        await handle.truncate(content.size);
      } finally {
        await handle.close();
      }
    } else {
      await writeFile(target, textOf(content));
    }
  }
}

async function readExpectedFiles(dir: string, testCase: ConformanceCase): Promise<Record<string, string | null>> {
  const files: Record<string, string | null> = {};
  for (const path of Object.keys(testCase.expectFiles ?? {})) {
    try {
      files[path] = await readFile(join(dir, path), 'utf8');
    } catch {
      files[path] = null;
    }
  }
  return files;
}

const MAX_SHOWN = 120;

/** JSON-quoted, shortened around `at` when long. */
function show(text: string, at = 0): string {
  if (text.length <= MAX_SHOWN) return JSON.stringify(text);
  const start = Math.max(0, Math.min(at - 20, text.length - MAX_SHOWN));
  const slice = text.slice(start, start + MAX_SHOWN);
  return `${start > 0 ? '…' : ''}${JSON.stringify(slice)}${start + MAX_SHOWN < text.length ? '…' : ''} (${text.length} chars)`;
}

function firstDifference(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function describeText(prefix: string, expected: string, found: string, suffix = ''): string {
  const at = firstDifference(expected, found);
  return `${prefix}: expected ${show(expected, at)}${suffix}, found ${show(found, at)} (first difference at character ${at})`;
}

/** `<file>: conformance case "<name>"`: how every message about a case starts. */
const caseIn = (file: string, name: string): string => `${file}: conformance case "${name}"`;

/** Checks one outcome against a case's expectations; returns one message per mismatch, naming `file`. */
export function checkCase(file: string, language: string, testCase: ConformanceCase, actual: CaseOutcome): string[] {
  const where = caseIn(file, testCase.name);
  if (actual.error) return [`${where}: did not run to its end: ${actual.error}`];
  const problems: string[] = [];
  if (testCase.stdout !== undefined) {
    const expected = textOf(testCase.stdout);
    if (actual.stdout !== expected) problems.push(describeText(`${where} stdout`, expected, actual.stdout));
  } else {
    const pattern = testCase.stdoutMatches?.[language];
    if (pattern === undefined) {
      problems.push(
        `${where} stdout: the case has no expectation for language "${language}" (add stdoutMatches.${language})`,
      );
    } else if (!new RegExp(pattern, 'u').test(actual.stdout)) {
      problems.push(`${where} stdout: expected a match of /${pattern}/u, found ${show(actual.stdout)}`);
    }
  }
  if (actual.stderr !== testCase.stderr) problems.push(describeText(`${where} stderr`, testCase.stderr, actual.stderr));
  if (actual.exitCode !== testCase.exitCode) {
    problems.push(`${where} exit code: expected ${testCase.exitCode}, found ${actual.exitCode}`);
  }
  for (const [path, expected] of Object.entries(testCase.expectFiles ?? {})) {
    const found = actual.files[path] ?? null;
    if (found === expected) continue;
    if (expected === null) problems.push(`${where} file ${path}: expected no file, found ${show(found ?? '')}`);
    else if (found === null) problems.push(`${where} file ${path}: expected ${show(expected)}, found no file`);
    else problems.push(describeText(`${where} file ${path}`, expected, found));
  }
  return problems;
}

/** `items` cut into at most `parts` contiguous runs of nearly equal length. */
function split<T>(items: T[], parts: number): T[][] {
  const size = Math.ceil(items.length / Math.max(1, parts));
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Runs every case of the suite (runtimes/conformance.json by default) against `wasmPath`, each in a
 * fresh WASI instance and its own scratch directory (runWasiMany: the module is compiled once per
 * child process), and checks it against the expected outcome for `language`. Resolves with one
 * result per case, in suite order; never throws for a mismatch or a module's misbehaviour.
 */
export async function runConformance(
  wasmPath: string,
  language: string,
  options: RunConformanceOptions = {},
): Promise<CaseResult[]> {
  const suite = options.suite ?? (await loadConformanceFor(language));
  const cases = suite.cases.filter(
    (c) => (!options.only || options.only.includes(c.name)) && appliesTo(c, options.version),
  );
  const concurrency = options.concurrency ?? 2;
  const name = options.name ?? wasmPath;
  const shared = Object.entries(options.preopens ?? {});
  const dirs: string[] = [];
  try {
    for (const testCase of cases) {
      const dir = await mkdtemp(join(tmpdir(), 'wasmhub-case-'));
      dirs.push(dir);
      await prepareScratch(dir, testCase);
    }
    const jobs = cases.map((testCase, i) => {
      const dir = dirs[i] as string;
      const own = testCase.preopens
        ? Object.entries(testCase.preopens).map(([guest, rel]) => [guest, join(dir, rel)])
        : shared.length > 0
          ? [['/', dir]]
          : [];
      const preopens = [...own, ...shared];
      return {
        index: i,
        args: testCase.args,
        env: { ...options.env, ...testCase.env },
        dir,
        ...(suite.argv0 === undefined ? {} : { argv0: suite.argv0 }),
        ...(testCase.stdin === undefined ? {} : { stdin: textOf(testCase.stdin) }),
        ...(preopens.length > 0 ? { preopens: Object.fromEntries(preopens) } : {}),
      };
    });
    const outcomes = new Array<WasiOutcome>(cases.length);
    await Promise.all(
      split(jobs, concurrency).map(async (group) => {
        const done = await runWasiMany(
          wasmPath,
          group.map(({ index: _index, ...job }) => job),
          options.timeoutMs ? { timeoutMs: options.timeoutMs } : {},
        );
        group.forEach((job, k) => {
          outcomes[job.index] = done[k] as WasiOutcome;
        });
      }),
    );
    const results: CaseResult[] = [];
    for (const [i, testCase] of cases.entries()) {
      const outcome = outcomes[i] as WasiOutcome;
      const files = await readExpectedFiles(dirs[i] as string, testCase);
      const actual: CaseOutcome = outcome.ok
        ? { ...outcome.result, files }
        : { stdout: '', stderr: '', exitCode: -1, files, error: outcome.reason };
      const mismatches = checkCase(name, language, testCase, actual);
      results.push({
        name: testCase.name,
        args: testCase.args,
        perLanguage: testCase.stdout === undefined,
        ok: mismatches.length === 0,
        actual,
        mismatches,
      });
    }
    return results;
  } finally {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }
}

export interface ResultsOf {
  /** The module the results come from (named in messages). */
  file: string;
  results: CaseResult[];
}

/**
 * Compares `candidate`'s results with `reference`'s, case by case and byte for byte (stdout,
 * stderr, exit code, files written). Per-language cases are skipped when `skipPerLanguage` is set
 * (Go vs Rust); unoptimized vs optimized compares everything. Returns one message per difference.
 */
export function compareResults(
  reference: ResultsOf,
  candidate: ResultsOf,
  options: { skipPerLanguage?: boolean } = {},
): string[] {
  const problems: string[] = [];
  const byName = new Map(candidate.results.map((r) => [r.name, r]));
  const from = ` (from ${reference.file})`;
  for (const ref of reference.results) {
    if (options.skipPerLanguage && ref.perLanguage) continue;
    const where = caseIn(candidate.file, ref.name);
    const other = byName.get(ref.name);
    if (!other) {
      problems.push(`${where}: no result, but ${reference.file} has one`);
      continue;
    }
    const a = ref.actual;
    const b = other.actual;
    if ((a.error ?? '') !== (b.error ?? '')) {
      problems.push(
        `${where} differs from ${reference.file}: run error ${show(b.error ?? 'none')}, expected ${show(a.error ?? 'none')}`,
      );
      continue;
    }
    if (a.stdout !== b.stdout) problems.push(describeText(`${where} stdout`, a.stdout, b.stdout, from));
    if (a.stderr !== b.stderr) problems.push(describeText(`${where} stderr`, a.stderr, b.stderr, from));
    if (a.exitCode !== b.exitCode)
      problems.push(`${where} exit code: expected ${a.exitCode}${from}, found ${b.exitCode}`);
    for (const path of new Set([...Object.keys(a.files), ...Object.keys(b.files)])) {
      const x = a.files[path] ?? null;
      const y = b.files[path] ?? null;
      if (x !== y) problems.push(describeText(`${where} file ${path}`, x ?? '<no file>', y ?? '<no file>', from));
    }
  }
  for (const other of candidate.results) {
    if (!reference.results.some((r) => r.name === other.name)) {
      problems.push(`${caseIn(candidate.file, other.name)}: has a result, but ${reference.file} has none`);
    }
  }
  return problems;
}

function throwIfAny(problems: string[], context: Record<string, unknown>, hint?: string): void {
  if (problems.length === 0) return;
  const more =
    problems.length > 1 ? ` (and ${problems.length - 1} more mismatch${problems.length > 2 ? 'es' : ''})` : '';
  throw new PipelineError('ERR_CONFORMANCE', `${problems[0]}${more}${hint ? ` — ${hint}` : ''}`, {
    context: { ...context, problems },
  });
}

/** Throws ERR_CONFORMANCE (first mismatch in the message, all in `context.problems`) unless every case passed. */
export function assertConformance(file: string, results: CaseResult[]): void {
  throwIfAny(
    results.flatMap((r) => r.mismatches),
    { file },
  );
}

/**
 * Throws ERR_CONFORMANCE unless `candidate` behaves exactly like `reference` (see compareResults);
 * `hint` ends the message (what the difference means, e.g. `wasm-opt changed the program`).
 */
export function assertSameResults(
  reference: ResultsOf,
  candidate: ResultsOf,
  options: { skipPerLanguage?: boolean; hint?: string } = {},
): void {
  throwIfAny(
    compareResults(reference, candidate, options),
    { reference: reference.file, candidate: candidate.file },
    options.hint,
  );
}
