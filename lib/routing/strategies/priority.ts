/** First available target in config order; the others are standbys in order. */
import { z } from 'zod';
import { defineStrategy } from '../strategy.js';

export const priority = defineStrategy({
  name: 'priority',
  description: 'first available target in the order listed',
  options: z.strictObject({ type: z.literal('priority') }),
  create: () => ({ order: (candidates) => candidates }),
});
