/** Runtime shapes of routes and targets, built once per config snapshot. */
import type { Agent } from 'node:http';
import type { BoundProvider } from '../providers/types.js';
import type { Strategy } from './strategy.js';
import type { BudgetConfig } from '../config/schema.js';
import type { BreakerConfig, CooldownConfig, HealthCheckConfig, HedgeConfig, RetriesConfig, TimeoutsConfig } from '../config/resilience-schema.js';

/** A configured provider, bound to its kind and holding its keep-alive pool. */
export interface Provider {
  readonly name: string;
  readonly bound: BoundProvider;
  /** Keep-alive pool shared by every target of this provider. */
  readonly agent: Agent;
  /** Fingerprint of the provider's config; a reload keeps the pool when it is unchanged. */
  readonly fingerprint: string;
  /** The provider's base URL (health probes are relative to it). */
  readonly baseUrl: string;
  readonly healthCheck?: HealthCheckConfig | undefined;
}

/** Per-million-token list prices, in US dollars. */
export interface Price {
  readonly input: number;
  readonly output: number;
  /** Prompt tokens read from the provider's cache; `input` when absent. */
  readonly cachedInput?: number | undefined;
}

/** One upstream model behind a route. */
export interface Target {
  /**
   * Identity of the target in shared state (connection counts, latency, breakers).
   * Defaults to `provider/model`, so routes that use the same upstream model share it.
   */
  readonly id: string;
  readonly provider: Provider;
  readonly model: string;
  /** 0 means "fallback only": picked when no weighted target can serve. */
  readonly weight: number;
  /** `Infinity` when uncapped. */
  readonly maxConnections: number;
  readonly price?: Price | undefined;
  /** Context window in tokens, when configured. */
  readonly contextWindow?: number | undefined;
  /** Requests per rolling minute, when capped. */
  readonly rpm?: number | undefined;
  /** Tokens per rolling minute, when capped. */
  readonly tpm?: number | undefined;
  /** Declared capabilities; `undefined` means everything. */
  readonly capabilities?: ReadonlySet<string> | undefined;
}

export interface Route {
  readonly name: string;
  readonly description?: string | undefined;
  readonly targets: readonly Target[];
  /** `targets`' ids in the same order: what state lookups ask for, built once. */
  readonly targetIds: readonly string[];
  readonly strategy: Strategy;
  readonly strategyName: string;
  /** The route's config as JSON; a reload keeps the strategy instance of an unchanged route. */
  readonly fingerprint: string;
  /** Routes tried, in order, when no target of this one can serve. */
  readonly fallbacks: readonly string[];
  readonly retries: RetriesConfig;
  readonly timeouts: TimeoutsConfig;
  readonly breaker: BreakerConfig;
  readonly cooldown: CooldownConfig;
  readonly hedge?: HedgeConfig | undefined;
  readonly budget?: BudgetConfig | undefined;
}
