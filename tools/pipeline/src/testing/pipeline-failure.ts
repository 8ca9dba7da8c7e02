import { expect } from 'vitest';
import { PipelineError } from '../errors.ts';

/** Awaits a promise that must reject with a PipelineError, and returns that error for further assertions. */
export async function pipelineFailure(promise: Promise<unknown>): Promise<PipelineError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PipelineError);
  return error as PipelineError;
}
