/**
 * Weighted random without replacement (Efraimidis–Spirakis: key = u^(1/w), highest
 * first), so the first pick follows the weights and fallbacks stay weight-ordered.
 */
import { z } from 'zod';
import { defineStrategy } from '../strategy.js';
import { weightedFirst } from './order-helpers.js';

export const random = defineStrategy({
  name: 'random',
  description: 'weighted random pick',
  options: z.strictObject({ type: z.literal('random') }),
  create() {
    return {
      order(candidates, { random: rand }) {
        const keyed = candidates.map((target) => ({
          target,
          key: target.weight > 0 ? Math.pow(rand(), 1 / target.weight) : -1,
        }));
        keyed.sort((a, b) => b.key - a.key);
        return weightedFirst(keyed.map((k) => k.target));
      },
    };
  },
});
