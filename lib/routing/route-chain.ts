/**
 * The ordered list of routes one request may use: the route it names, that
 * route's configured fallbacks (and theirs), then any fallbacks the client gave
 * (`"model": ["a", "b"]` or `x-llmux-fallback: a,b`). Each route appears once.
 */
import { llmuxError } from '../errors.js';
import type { Snapshot } from '../config/snapshot.js';
import type { Route } from './target.js';

/**
 * `implicit` supplies a route for a name the snapshot lacks (the forward proxy sends an
 * unknown model of an intercepted host to that host's provider, model unchanged).
 */
export function resolveRouteChain(snapshot: Snapshot, requested: readonly string[], implicit?: (name: string) => Route | undefined): Route[] {
  // The usual request: one route, no fallbacks.
  const only = requested.length === 1 ? snapshot.routes.get(requested[0] as string) : undefined;
  if (only && only.fallbacks.length === 0) return [only];
  const chain: Route[] = [];
  const seen = new Set<string>();
  const add = (name: string): void => {
    if (seen.has(name)) return;
    const route = snapshot.routes.get(name) ?? implicit?.(name);
    if (!route) throw llmuxError('LLMUX_ERR_UNKNOWN_ROUTE', [name, snapshot.routeNames]);
    seen.add(name);
    chain.push(route);
    for (const fallback of route.fallbacks) add(fallback);
  };
  for (const name of requested) add(name);
  return chain;
}

/** `x-llmux-fallback: a, b` → `['a', 'b']`. */
export function headerFallbacks(value: string | string[] | undefined): string[] {
  if (!value) return [];
  return (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
}
