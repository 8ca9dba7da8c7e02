import { PipelineError } from '../errors.ts';

/**
 * Runs `fn` over `items` with at most `limit` in flight and resolves with the results in item order.
 * Every item runs even when one fails (a build reports every broken version). Then rejects with the first
 * failure; when that is a PipelineError and others failed too, its message counts them and its context
 * lists them.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  const failures: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  const [first] = failures;
  if (failures.length === 0) return results;
  if (failures.length > 1 && first instanceof PipelineError) {
    throw new PipelineError(first.code, `${first.message} (and ${failures.length - 1} more failed)`, {
      cause: first,
      context: { ...first.context, failures: failures.map((f) => String((f as Error).message)) },
    });
  }
  throw first;
}
