/**
 * Smooth weighted round robin, as nginx does it: every pick adds each target's
 * weight to its running score, picks the highest, and subtracts the total from
 * the winner. Weights 5,1,1 give a a b a c a a — interleaved, not bursty.
 */
import { z } from 'zod';
import { defineStrategy } from '../strategy.js';
import type { Target } from '../target.js';

export const weighted = defineStrategy({
  name: 'weighted',
  description: 'smooth weighted round robin over the targets\' `weight` (nginx\'s algorithm)',
  options: z.strictObject({ type: z.literal('weighted') }),
  create() {
    const current = new Map<string, number>();
    return {
      order(candidates) {
        let total = 0;
        let best: Target | undefined;
        let bestScore = -Infinity;
        for (const target of candidates) {
          if (target.weight <= 0) continue;
          const score = (current.get(target.id) ?? 0) + target.weight;
          current.set(target.id, score);
          total += target.weight;
          if (score > bestScore) {
            bestScore = score;
            best = target;
          }
        }
        if (!best) return candidates;
        current.set(best.id, bestScore - total);
        const rest = candidates
          .filter((t) => t !== best)
          .sort((a, b) => (current.get(b.id) ?? 0) + b.weight - ((current.get(a.id) ?? 0) + a.weight));
        return [best, ...rest];
      },
    };
  },
});
