/**
 * Fewest in-flight requests relative to weight, counted across replicas when the
 * state backend is shared. Ties are broken randomly so a burst of simultaneous
 * requests spreads instead of piling onto the first target.
 */
import { z } from 'zod';
import { defineStrategy } from '../strategy.js';
import { mapMaybe } from '../../state/store.js';
import type { Target } from '../target.js';
import { sortByScore } from './order-helpers.js';

export const leastConnections = defineStrategy({
  name: 'least_connections',
  description: 'fewest in-flight requests per unit of weight; ties broken randomly',
  options: z.strictObject({ type: z.literal('least_connections') }),
  create() {
    return {
      order(candidates, { state, random }) {
        const byCounts = (counts: readonly number[]): Target[] =>
          sortByScore(
            candidates,
            candidates.map((t, i) => (t.weight > 0 ? (counts[i] ?? 0) / t.weight : Infinity)),
            random,
          );
        // The store usually answers from memory or its cache: no promise then.
        return mapMaybe(state.inFlight(candidates.map((t) => t.id)), byCounts);
      },
    };
  },
});
