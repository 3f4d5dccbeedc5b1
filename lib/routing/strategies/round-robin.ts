/** Each request starts at the next target in turn. */
import { z } from 'zod';
import { defineStrategy } from '../strategy.js';
import { weightedFirst } from './order-helpers.js';

export const roundRobin = defineStrategy({
  name: 'round_robin',
  description: 'each request starts at the next target in turn',
  options: z.strictObject({ type: z.literal('round_robin') }),
  create() {
    let next = 0;
    return {
      order(candidates) {
        const active = weightedFirst(candidates);
        const live = active.filter((t) => t.weight > 0).length;
        if (live <= 1) return active;
        const start = next++ % live;
        next %= live;
        return [...active.slice(start, live), ...active.slice(0, start), ...active.slice(live)];
      },
    };
  },
});
