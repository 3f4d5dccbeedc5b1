/**
 * Models that are not a configured route, asked for through the forward proxy, go
 * to the provider of the host the client meant to reach, with the model unchanged:
 * an app that sets `HTTPS_PROXY` keeps working for every model it already uses.
 * The route is built on first use and kept with the snapshot, so a reload (which
 * may change the providers or the intercept list) starts over.
 */
import { routeSchema } from '../../config/schema.js';
import type { Snapshot } from '../../config/snapshot.js';
import { getStrategy } from '../../routing/registry.js';
import type { Provider, Route, Target } from '../../routing/target.js';
import type { RequestContext } from '../request-context.js';
import { hostMatches } from './host-pattern.js';
import { forwardTagOf } from './request-tag.js';

/** Clients choose the model names: past this many per snapshot, routes are built per request and not kept. */
const MAX_CACHED = 1000;

const cache = new WeakMap<Snapshot, Map<string, Route>>();

/** The route lookup for names the snapshot lacks, for a request that came through the forward proxy. */
export function implicitRoutes(ctx: RequestContext): ((name: string) => Route | undefined) | undefined {
  const tag = forwardTagOf(ctx.req);
  if (!tag) return undefined;
  const provider = providerForHost(ctx.snapshot, tag.host);
  if (!provider) return undefined;
  return (model) => implicitRoute(ctx.snapshot, provider, model);
}

/**
 * The provider an intercepted host belongs to: the entry's `provider`, or else the
 * one provider whose `base_url` is on that host (none or several: no provider).
 */
export function providerForHost(snapshot: Snapshot, host: string): Provider | undefined {
  const entry = snapshot.proxy.forward_proxy.intercept.find((e) => hostMatches(e.host, host));
  if (!entry) return undefined;
  if (entry.provider) return snapshot.providers.get(entry.provider);
  const onHost = [...snapshot.providers.values()].filter((p) => hostOf(p.baseUrl) === host);
  return onHost.length === 1 ? onHost[0] : undefined;
}

function implicitRoute(snapshot: Snapshot, provider: Provider, model: string): Route {
  let routes = cache.get(snapshot);
  if (!routes) cache.set(snapshot, (routes = new Map()));
  const key = `${provider.name}\u0000${model}`;
  const cached = routes.get(key);
  if (cached) return cached;
  const route = buildRoute(snapshot, provider, model);
  if (routes.size < MAX_CACHED) routes.set(key, route);
  return route;
}

function buildRoute(snapshot: Snapshot, provider: Provider, model: string): Route {
  const config = routeSchema.parse({ targets: [{ provider: provider.name, model }] });
  const target = configuredTarget(snapshot, provider, model) ?? Object.freeze<Target>({ id: `${provider.name}/${model}`, provider, model, weight: 1, maxConnections: Infinity });
  return Object.freeze<Route>({
    name: model,
    description: `implicit: model ${model} on provider ${provider.name} (forward proxy)`,
    targets: Object.freeze([target]),
    targetIds: Object.freeze([target.id]),
    strategy: getStrategy(config.strategy.type).create(config.strategy),
    strategyName: config.strategy.type,
    fingerprint: JSON.stringify(config),
    fallbacks: Object.freeze([]),
    retries: config.retries,
    timeouts: config.timeouts,
    breaker: config.breaker,
    cooldown: config.cooldown,
  });
}

/** A route that already uses this provider and model lends its target: caps, quotas and prices apply too. */
function configuredTarget(snapshot: Snapshot, provider: Provider, model: string): Target | undefined {
  for (const route of snapshot.routes.values()) {
    const found = route.targets.find((t) => t.provider === provider && t.model === model);
    if (found) return found;
  }
  return undefined;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}
