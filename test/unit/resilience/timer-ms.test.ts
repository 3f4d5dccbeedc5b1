import { describe, expect, it } from 'vitest';
import { timerMs } from '../../../lib/resilience/timer-ms.js';
import { seededRandom } from '../../helpers/seeded-random.js';

describe('timerMs', () => {
  it('never shortens a duration, and lengthens it by at most 1 ms below a second and 1% (≤ 100 ms) above', () => {
    const random = seededRandom(7);
    for (let i = 0; i < 10_000; i++) {
      const ms = random() * 10 ** (random() * 6);
      const rounded = timerMs(ms);
      expect(rounded).toBeGreaterThanOrEqual(ms);
      const slack = ms < 1000 ? 1 : Math.min(100, ms / 100);
      expect(rounded - ms).toBeLessThanOrEqual(slack + 1e-9);
    }
  });

  it('gives requests whose deadlines differ by fractions of a millisecond the same duration', () => {
    const durations = new Set(Array.from({ length: 500 }, (_, i) => timerMs(59_999.999 - i * 0.173)));
    expect([...durations]).toEqual([60_000]);
  });

  it('keeps short durations exact to the millisecond and turns nonsense into 1 ms', () => {
    expect(timerMs(250)).toBe(250);
    expect(timerMs(250.2)).toBe(251);
    expect(timerMs(0)).toBe(1);
    expect(timerMs(-5)).toBe(1);
    expect(timerMs(Number.NaN)).toBe(1);
  });
});
