/**
 * The closed registry of balancing strategies. An unknown name in a policy file
 * fails `llmux validate`, never a live request.
 */
import { z } from 'zod';
import type { StrategyDefinition } from './strategy.js';
import { roundRobin } from './strategies/round-robin.js';
import { weighted } from './strategies/weighted.js';
import { random } from './strategies/random.js';
import { leastConnections } from './strategies/least-connections.js';
import { latency } from './strategies/latency.js';
import { cost } from './strategies/cost.js';
import { hash } from './strategies/hash.js';
import { priority } from './strategies/priority.js';

const definitions = [roundRobin, weighted, random, leastConnections, latency, cost, hash, priority] as const;

export const strategyNames: readonly string[] = definitions.map((d) => d.name);

const byName: ReadonlyMap<string, StrategyDefinition> = new Map(definitions.map((d) => [d.name, d]));

export function getStrategy(name: string): StrategyDefinition {
  const definition = byName.get(name);
  if (!definition) throw new Error(`unknown strategy ${name}`);
  return definition;
}

/** `strategy: weighted` or `strategy: { type: latency, exploration: 0.2 }`. */
export const strategySchema = z.preprocess(
  (value) => (typeof value === 'string' ? { type: value } : value),
  z.discriminatedUnion(
    'type',
    [
      roundRobin.options,
      weighted.options,
      random.options,
      leastConnections.options,
      latency.options,
      cost.options,
      hash.options,
      priority.options,
    ],
    {
      error: (issue) =>
        issue.code === 'invalid_union' ? `unknown strategy; use one of: ${strategyNames.join(', ')}` : undefined,
    },
  ),
);
