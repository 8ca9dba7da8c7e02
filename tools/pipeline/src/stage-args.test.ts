import { describe, expect, it } from 'vitest';
import { PipelineError } from './errors.ts';
import { parseStageArgs } from './stage-args.ts';

describe('parseStageArgs', () => {
  it('reads the language, --ver and the stage options', () => {
    expect(
      parseStageArgs('verify', ['go', '--ver=1.24', '--no-conformance'], { 'no-conformance': { type: 'boolean' } }),
    ).toEqual({
      lang: 'go',
      ver: '1.24',
      values: { ver: '1.24', 'no-conformance': true },
    });
    expect(parseStageArgs('metadata', ['rust']).ver).toBeUndefined();
  });

  it('turns an unknown flag, a missing language or an extra one into one ERR_INVALID_OPTION line', () => {
    for (const argv of [['go', '--bogus'], [], ['go', 'rust']]) {
      let error: unknown;
      try {
        parseStageArgs('build', argv);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(PipelineError);
      expect((error as PipelineError).code).toBe('ERR_INVALID_OPTION');
      expect((error as PipelineError).message).toMatch(/^build: .*usage: pipeline build <lang> \[--ver=<version>\]$/);
      expect((error as PipelineError).message).not.toContain('\n');
    }
  });
});
