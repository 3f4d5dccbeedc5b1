/** Builds runtime targets for strategy tests without loading a config. */
import { Agent } from 'node:http';
import { openai } from '../../lib/providers/openai.js';
import type { PickContext, RequestFacts } from '../../lib/routing/strategy.js';
import type { Price, Provider, Target } from '../../lib/routing/target.js';
import { MemoryStore } from '../../lib/state/memory-store.js';
import type { StateStore } from '../../lib/state/store.js';
import { seededRandom } from './seeded-random.js';

const provider: Provider = {
  name: 'p',
  bound: openai.bind({ kind: 'openai', base_url: 'http://127.0.0.1:9', headers: {} }),
  agent: new Agent(),
  fingerprint: 'p',
  baseUrl: 'http://127.0.0.1:9',
};

export function target(id: string, options: { weight?: number; price?: Price; maxConnections?: number } = {}): Target {
  return {
    id,
    provider,
    model: id,
    weight: options.weight ?? 1,
    maxConnections: options.maxConnections ?? Infinity,
    price: options.price,
  };
}

/** A small deterministic PRNG, so statistical tests are repeatable. */
export const seeded = seededRandom;

export function facts(overrides: Partial<Omit<RequestFacts, 'estimatedInputTokens'>> & { inputTokens?: number } = {}): RequestFacts {
  const { inputTokens = 100, ...rest } = overrides;
  return { clientIp: '127.0.0.1', headers: {}, ...rest, estimatedInputTokens: () => inputTokens };
}

export function pickContext(options: { request?: RequestFacts; state?: StateStore; random?: () => number } = {}): PickContext {
  return {
    request: options.request ?? facts(),
    state: options.state ?? new MemoryStore(),
    random: options.random ?? seeded(42),
  };
}
