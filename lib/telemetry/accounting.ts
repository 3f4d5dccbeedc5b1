/**
 * What a request cost: tokens from the upstream's own usage fields when it sent
 * them, else llmux's estimate (marked as such), priced with the target's price.
 */
import type { Usage } from '../formats/canonical.js';
import type { Price } from '../routing/target.js';

export interface CostReport {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number;
  /** US dollars; `undefined` when the target has no price. */
  readonly usd: number | undefined;
  /** True when the upstream reported no usage and the figures are llmux's estimate. */
  readonly estimated: boolean;
}

export function costUsd(price: Price, usage: Usage): number {
  const cached = Math.min(usage.cachedInputTokens ?? 0, usage.inputTokens);
  const fresh = usage.inputTokens - cached;
  return (fresh * price.input + cached * (price.cachedInput ?? price.input) + usage.outputTokens * price.output) / 1_000_000;
}

export function costReport(price: Price | undefined, usage: Usage, estimated: boolean): CostReport {
  return {
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    cachedInputTokens: usage.cachedInputTokens ?? 0,
    usd: price ? costUsd(price, usage) : undefined,
    estimated,
  };
}

/** `x-llmux-cost-usd`: enough digits for a single cheap request. */
export function formatUsd(usd: number): string {
  return usd.toFixed(8).replace(/0+$/, '').replace(/\.$/, '.0');
}
