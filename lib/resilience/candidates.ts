/**
 * Which of a route's targets may serve this request right now. Each excluded
 * target keeps its reason, so a 503 can say per target why nothing could serve.
 * Breakers never take the last target out: when every target that is not in a
 * Retry-After cooldown has an ejected breaker, the one that opened first stays in
 * rotation (as Envoy's max ejection percent does), so a burst cannot darken a route.
 */
import type { Operation } from '../providers/types.js';
import type { Route, Target } from '../routing/target.js';
import { mapMaybe, type MaybePromise, type StateStore } from '../state/store.js';
import type { BreakerBoard } from './breakers.js';
import type { HealthBoard } from './health-checks.js';
import type { RequestView } from '../server/request-view.js';

/** Why a target could not take a request; decides the status of a final error. */
export type ExclusionKind = 'unsupported' | 'context' | 'health' | 'cooldown' | 'breaker' | 'capacity' | 'quota' | 'rejected';

export interface Exclusion {
  readonly target: string;
  readonly kind: ExclusionKind;
  readonly reason: string;
  /** For cooldowns, quotas and open breakers: epoch ms when it ends (or, for a breaker, half-opens). */
  readonly until?: number | undefined;
}

export interface CandidateSet {
  readonly eligible: readonly Target[];
  readonly excluded: readonly Exclusion[];
  /** A breaker-ejected target kept in rotation because nothing else could serve. */
  readonly forced?: Target | undefined;
}

export interface CandidateFilters {
  readonly operation: Operation;
  readonly state: StateStore;
  readonly breakers: BreakerBoard;
  readonly health: HealthBoard;
  readonly now: number;
  /** Only targets with a configured context window above this (after a context-length error). */
  readonly minContextWindow?: number | undefined;
  /** The request, for capability and context-window checks (skipped without it). */
  readonly request?: RequestView | undefined;
}

const at = (epochMs: number | undefined): string => (epochMs === undefined ? 'unknown' : new Date(epochMs).toISOString());

/** Synchronous while the store answers from memory or its cache (the usual case). */
export function candidatesFor(route: Route, filters: CandidateFilters): MaybePromise<CandidateSet> {
  return mapMaybe(filters.state.cooldowns(route.targetIds), (cooldowns) => sortOut(route, filters, cooldowns));
}

function sortOut(route: Route, filters: CandidateFilters, cooldowns: readonly (number | undefined)[]): CandidateSet {
  const eligible: Target[] = [];
  const excluded: Exclusion[] = [];
  const ejected: { target: Target; until: number }[] = [];
  for (let i = 0; i < route.targets.length; i++) {
    const target = route.targets[i] as Target;
    const exclusion = exclusionOf(target, filters, cooldowns[i]);
    if (!exclusion) eligible.push(target);
    else {
      excluded.push(exclusion);
      if (exclusion.kind === 'breaker') ejected.push({ target, until: exclusion.until ?? filters.now });
    }
  }

  if (eligible.length === 0 && ejected.length > 0) {
    ejected.sort((a, b) => a.until - b.until);
    const forced = ejected[0]?.target;
    return { eligible: forced ? [forced] : [], excluded: excluded.filter((e) => e.target !== forced?.id), forced };
  }
  return { eligible, excluded };
}

const exclude = (target: Target, kind: ExclusionKind, reason: string, until?: number): Exclusion => ({ target: target.id, kind, reason, until });

/** Why `target` cannot take this request, or `undefined` when it can. */
function exclusionOf(target: Target, filters: CandidateFilters, cooldown: number | undefined): Exclusion | undefined {
  if (!target.provider.bound.operations.includes(filters.operation)) {
    return exclude(target, 'unsupported', `provider ${target.provider.name} does not serve ${filters.operation}`);
  }
  if (filters.minContextWindow !== undefined && (target.contextWindow ?? 0) <= filters.minContextWindow) {
    return exclude(target, 'context', `context window ${target.contextWindow ?? 'unknown'} is not larger than ${filters.minContextWindow}`);
  }
  const request = filters.request;
  if (request && target.capabilities) {
    const needs = request.needs();
    const missing = (['tools', 'vision', 'json', 'streaming'] as const).filter((c) => needs[c] && !target.capabilities?.has(c));
    if (missing.length > 0) return exclude(target, 'unsupported', `lacks ${missing.join(', ')} (capabilities: ${[...target.capabilities].join(', ') || 'none'})`);
  }
  if (request && target.contextWindow !== undefined) {
    const needed = request.tokens().input + (request.info.maxTokens ?? 0);
    if (needed > target.contextWindow) return exclude(target, 'context', `about ${needed} tokens (prompt + max_tokens) do not fit its ${target.contextWindow}-token context window`);
  }
  const health = filters.health.status(target.provider.name);
  if (!health.healthy) return exclude(target, 'health', `failing active health checks since ${at(health.since)}`);
  if (cooldown !== undefined) return exclude(target, 'cooldown', `in cooldown until ${at(cooldown)} (the upstream asked to retry later)`, cooldown);
  // The breaker's exclusion carries when it half-opens, which orders the ejected targets.
  if (filters.breakers.isOpen(target.id)) {
    const until = filters.breakers.phase(target.id).until;
    return exclude(target, 'breaker', `circuit breaker open until ${at(until)}`, until);
  }
  return undefined;
}
