import { describe, expect, it } from 'vitest';
import {
  formatModuleResult,
  modulePassed,
  PYTHON_TEST_MODULES,
  type PythonModuleResult,
  parseRegrtestSummary,
} from './python-upstream.ts';

// The closing lines of `python -m test -q <module>` as CPython 3.13's regrtest prints them
// (Lib/test/libregrtest/results.py display_summary, main.py).
const success = `
== Tests result: SUCCESS ==

1 test OK.

Total duration: 41.2 sec
Total tests: run=184 skipped=18
Total test files: run=1/1
Result: SUCCESS
`;

describe('parseRegrtestSummary', () => {
  it('reads run and skipped of a passing module; failures absent means 0', () => {
    expect(parseRegrtestSummary(success)).toEqual({ run: 184, failures: 0, skipped: 18, result: 'SUCCESS' });
  });

  it('reads counts grouped by thousands and a filtered run (--ignore)', () => {
    const out = 'Total tests: run=1,036 (filtered) skipped=76\nTotal test files: run=1/1 (filtered)\nResult: SUCCESS\n';
    expect(parseRegrtestSummary(out)).toEqual({ run: 1036, failures: 0, skipped: 76, result: 'SUCCESS' });
  });

  it('reads failures and a FAILURE result', () => {
    const out = [
      'test_re failed (2 failures)',
      '== Tests result: FAILURE ==',
      '1 test failed:',
      '    test_re',
      'Total duration: 12.0 sec',
      'Total tests: run=165 failures=2 skipped=5',
      'Total test files: run=1/1 failed=1',
      'Result: FAILURE',
      '',
    ].join('\n');
    expect(parseRegrtestSummary(out)).toEqual({ run: 165, failures: 2, skipped: 5, result: 'FAILURE' });
  });

  it('keeps a result of several words and a module with no tests skipped or run', () => {
    expect(
      parseRegrtestSummary('Total tests: run=0\nTotal test files: run=1/1 run_no_tests=1\nResult: NO TESTS RAN\n'),
    ).toEqual({ run: 0, failures: 0, skipped: 0, result: 'NO TESTS RAN' });
  });

  it('does not take "Total test files" for "Total tests", nor a test named like a field', () => {
    const out = 'Total test files: run=1/1\ntest_run=9 ok\nTotal tests: run=3\nResult: SUCCESS\n';
    expect(parseRegrtestSummary(out)).toEqual({ run: 3, failures: 0, skipped: 0, result: 'SUCCESS' });
  });

  it('is undefined when the run stopped before the summary (crash, trap, timeout)', () => {
    expect(parseRegrtestSummary('0:00:01 Run 1 test sequentially\n0:00:01 [1/1] test_json\n')).toBeUndefined();
    expect(parseRegrtestSummary('Total tests: run=12\n')).toBeUndefined();
    expect(parseRegrtestSummary('')).toBeUndefined();
  });
});

describe('module results', () => {
  const base: PythonModuleResult = {
    module: 'test_itertools',
    run: 144,
    failures: 0,
    skipped: 9,
    result: 'SUCCESS',
    exitCode: 0,
    ignored: ['test_tee_del_backward'],
    tail: [],
  };

  it('passes only on SUCCESS, no failures, some tests run and exit 0', () => {
    expect(modulePassed(base)).toBe(true);
    expect(modulePassed({ ...base, result: 'FAILURE', failures: 1, exitCode: 2 })).toBe(false);
    expect(modulePassed({ ...base, run: 0 })).toBe(false);
    expect(modulePassed({ ...base, exitCode: undefined, result: 'trapped: unreachable' })).toBe(false);
  });

  it('prints one line with the counts and what was ignored', () => {
    expect(formatModuleResult(base)).toBe(
      'test_itertools run=144 failures=0 skipped=9 SUCCESS (ignored: test_tee_del_backward)',
    );
  });

  it('names a reason for every ignored test and runs each module once', () => {
    const names = PYTHON_TEST_MODULES.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of PYTHON_TEST_MODULES)
      for (const [pattern, reason] of Object.entries(m.ignore ?? {})) {
        expect(pattern).toMatch(/^test_\w+$/);
        expect(reason.length).toBeGreaterThan(20);
      }
  });
});
