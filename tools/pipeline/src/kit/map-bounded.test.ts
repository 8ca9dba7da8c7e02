import { describe, expect, it } from 'vitest';
import { PipelineError } from '../errors.ts';
import { mapBounded } from './map-bounded.ts';

describe('mapBounded', () => {
  it('never runs more than the limit at once and keeps result order', async () => {
    let running = 0;
    let peak = 0;
    const out = await mapBounded([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return n * 2;
    });
    expect(out).toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(peak).toBe(3);
  });

  it('runs every item when some fail, then rejects with the first failure counting the others', async () => {
    const ran: number[] = [];
    const failing = mapBounded([1, 2, 3, 4], 2, async (n) => {
      ran.push(n);
      if (n % 2 === 0) throw new PipelineError('ERR_BUILD_FAILED', `build ${n} failed`);
      return n;
    });
    await expect(failing).rejects.toThrow('build 2 failed (and 1 more failed)');
    expect(ran.sort()).toEqual([1, 2, 3, 4]);
  });
});
