import { getHeapStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { tuneHeapForSidecar } from '../../../lib/server/heap-tuning.js';

describe('tuneHeapForSidecar', () => {
  it('leaves a growing factor the operator chose on the command line alone', () => {
    expect(tuneHeapForSidecar(['--heap-growing-percent=80'])).toBe(false);
    expect(tuneHeapForSidecar(['--heap_growing_percent=80'])).toBe(false);
  });

  it('applies the sidecar factor otherwise, without disturbing the running heap', () => {
    const before = getHeapStatistics().heap_size_limit;
    expect(tuneHeapForSidecar(['--max-semi-space-size=4'])).toBe(true);
    expect(getHeapStatistics().heap_size_limit).toBe(before);
  });
});
