/**
 * Cheapest target for this request: estimated prompt tokens × input price plus
 * expected output tokens × output price. Equal costs go to the faster target.
 */
import { z } from 'zod';
import { defineStrategy } from '../strategy.js';
import type { Target } from '../target.js';

/** Estimated cost in US dollars of one request on `target`. */
export function estimateCost(target: Target, inputTokens: number, outputTokens: number): number {
  if (!target.price) return Infinity;
  return (inputTokens * target.price.input + outputTokens * target.price.output) / 1_000_000;
}

export const cost = defineStrategy({
  name: 'cost',
  description: 'cheapest target for the request\'s estimated tokens and each target\'s price',
  options: z.strictObject({
    type: z.literal('cost'),
    /** Output tokens assumed when the request does not set a maximum. */
    expected_output_tokens: z.number().int().positive().default(256),
  }),
  validate: (route) =>
    route.targets.flatMap((t, i) =>
      t.price === undefined
        ? [{ path: ['targets', i], message: 'the cost strategy needs a price for every target: set `price: { input, output }` (this model has no built-in list price)' }]
        : [],
    ),
  create({ expected_output_tokens }) {
    return {
      async order(candidates, { request, state, random }) {
        const input = request.estimatedInputTokens();
        const output = request.maxTokens ?? expected_output_tokens;
        const averages = await state.latency(candidates.map((t) => t.id));
        const keyed = candidates.map((target, i) => ({
          target,
          cost: target.weight > 0 ? estimateCost(target, input, output) : Infinity,
          latency: averages[i] ?? 0,
          tie: random(),
        }));
        keyed.sort((a, b) => a.cost - b.cost || a.latency - b.latency || a.tie - b.tie);
        return keyed.map((k) => k.target);
      },
    };
  },
});
