/**
 * Lowest moving average of time to first byte. Targets without samples go first
 * (so every target gets measured), and with probability `exploration` a random
 * other target is tried first, so a target that was slow and has recovered is
 * sampled again instead of being starved by its stale average.
 */
import { z } from 'zod';
import { defineStrategy } from '../strategy.js';
import { mapMaybe } from '../../state/store.js';
import type { Target } from '../target.js';
import { sortByScore } from './order-helpers.js';

export const latency = defineStrategy({
  name: 'latency',
  description: 'lowest moving average of time to first byte, with exploration',
  options: z.strictObject({
    type: z.literal('latency'),
    /** Share of requests that try a target other than the fastest. */
    exploration: z.number().min(0).max(1).default(0.1),
  }),
  create({ exploration }) {
    return {
      order(candidates, { state, random }) {
        const byLatency = (averages: readonly (number | undefined)[]): Target[] => {
          const scores = candidates.map((t, i) => (t.weight > 0 ? (averages[i] ?? 0) : Infinity));
          const ordered = sortByScore(candidates, scores, random);
          const explorable = ordered.filter((t) => t.weight > 0).length;
          if (explorable > 1 && random() < exploration) {
            const pick = 1 + Math.floor(random() * (explorable - 1));
            const [explored] = ordered.splice(pick, 1);
            if (explored) ordered.unshift(explored);
          }
          return ordered;
        };
        // The store usually answers from memory or its cache: no promise then.
        return mapMaybe(state.latency(candidates.map((t) => t.id)), byLatency);
      },
    };
  },
});
