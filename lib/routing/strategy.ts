/**
 * A strategy orders a route's candidate targets for one request: the first is the
 * pick, the rest are the order in which the attempt loop falls over. Strategies
 * may read shared state, which can live in Redis, so ordering may be async.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { StateStore } from '../state/store.js';
import type { Route, Target } from './target.js';

/** What a strategy may know about the request it orders targets for. */
export interface RequestFacts {
  readonly clientIp: string;
  readonly headers: IncomingHttpHeaders;
  /** The body's `user` field, when the client sent one. */
  readonly user?: string | undefined;
  /** Output tokens the client asked for at most (`max_tokens` and friends). */
  readonly maxTokens?: number | undefined;
  /** Estimated prompt tokens; computed once per request on first use. */
  estimatedInputTokens(): number;
}

export interface PickContext {
  readonly request: RequestFacts;
  readonly state: StateStore;
  /** Uniform in [0, 1); injected so tests can be deterministic. */
  readonly random: () => number;
}

export interface Strategy {
  order(candidates: readonly Target[], context: PickContext): readonly Target[] | Promise<readonly Target[]>;
}

export interface StrategyOptions {
  readonly type: string;
}

/** A problem with a route that the options schema alone cannot see. */
export interface RouteProblem {
  /** Path below the route, e.g. `['targets', 1, 'price']`. */
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** A named entry of the strategy registry, with its options type erased. */
export interface StrategyDefinition<S extends z.ZodType<StrategyOptions> = z.ZodType<StrategyOptions>> {
  readonly name: string;
  readonly description: string;
  /** Options schema, `type` literal included; strict. */
  readonly options: S;
  /** Route-level checks the schema cannot express (e.g. `cost` needs a price on every target). */
  validate(route: RouteShape): readonly RouteProblem[];
  /** Builds the per-route instance (which holds e.g. round-robin position). */
  create(options: StrategyOptions): Strategy;
}

interface StrategySpec<S extends z.ZodType<StrategyOptions>, O = z.output<S>> {
  readonly name: string;
  readonly description: string;
  readonly options: S;
  validate?(route: RouteShape): readonly RouteProblem[];
  create(options: O): Strategy;
}

export function defineStrategy<S extends z.ZodType<StrategyOptions>>(spec: StrategySpec<S>): StrategyDefinition<S> {
  return {
    name: spec.name,
    description: spec.description,
    options: spec.options,
    validate: (route) => spec.validate?.(route) ?? [],
    // The registry only hands a strategy options parsed by its own schema.
    create: (options) => spec.create(options as z.output<S>),
  };
}

/** The parts of a route's config a strategy's `validate` may look at. */
export interface RouteShape {
  readonly targets: readonly { readonly price?: unknown; readonly weight: number }[];
}

export type { Route, Target };
