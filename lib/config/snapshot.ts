/**
 * Turns a validated config into the runtime snapshot the server reads: providers
 * bound to their kinds with keep-alive pools, routes with strategy instances.
 * A snapshot is immutable; a reload builds a new one and swaps it in whole.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { getProviderKind } from '../providers/registry.js';
import { getStrategy } from '../routing/registry.js';
import type { Provider, Route, Target } from '../routing/target.js';
import { deepFreeze } from './deep-freeze.js';
import type { LoadedConfig } from './load.js';
import type { ProxyConfig } from './schema.js';
import { builtinPrice } from '../routing/price-table.js';
import { compileVirtualModel, type VirtualModel } from '../routing/rules.js';
import { ClientAuth } from '../server/client-auth.js';

export interface Snapshot {
  /** Increases by one with every successful load. */
  readonly version: number;
  readonly loadedAt: Date;
  /** Absolute path of proxy.yaml. */
  readonly file: string;
  /** Every file the snapshot was built from. */
  readonly files: readonly string[];
  readonly proxy: ProxyConfig;
  readonly providers: ReadonlyMap<string, Provider>;
  readonly routes: ReadonlyMap<string, Route>;
  /** Virtual models (rule sets) by name. */
  readonly virtualModels: ReadonlyMap<string, VirtualModel>;
  /** Route and virtual model names, sorted: what clients may ask for. */
  readonly routeNames: readonly string[];
  readonly auth: ClientAuth;
}

export function buildSnapshot(loaded: LoadedConfig, previous?: Snapshot): Snapshot {
  const proxy = deepFreeze(loaded.proxy);
  const providers = new Map<string, Provider>();
  for (const [name, config] of Object.entries(proxy.providers)) {
    const fingerprint = JSON.stringify(config);
    const old = previous?.providers.get(name);
    // An unchanged provider keeps its pool, so a reload does not drop warm connections.
    providers.set(name, old?.fingerprint === fingerprint ? old : createProvider(name, config, fingerprint));
  }

  const routes = new Map<string, Route>();
  for (const { name, config: raw } of loaded.routes) {
    const config = deepFreeze(raw);
    const fingerprint = JSON.stringify(config);
    const old = previous?.routes.get(name);
    const targets: Target[] = config.targets.map((t) => {
      const provider = providers.get(t.provider);
      if (!provider) throw new Error(`route ${name}: provider ${t.provider} vanished after validation`);
      return Object.freeze({
        id: t.id ?? `${t.provider}/${t.model}`,
        provider,
        model: t.model,
        weight: t.weight,
        maxConnections: t.max_connections ?? Infinity,
        price: t.price ? { input: t.price.input, output: t.price.output, cachedInput: t.price.cached_input } : builtinPrice(t.model),
        contextWindow: t.context_window,
        rpm: t.rpm,
        tpm: t.tpm,
        capabilities: t.capabilities ? new Set(t.capabilities) : undefined,
      });
    });
    routes.set(
      name,
      Object.freeze({
        name,
        description: config.description,
        targets: Object.freeze(targets),
        targetIds: Object.freeze(targets.map((t) => t.id)),
        // An unchanged route keeps its strategy instance, so e.g. weighted round robin continues its sequence.
        strategy: old?.fingerprint === fingerprint ? old.strategy : getStrategy(config.strategy.type).create(config.strategy),
        fingerprint,
        strategyName: config.strategy.type,
        fallbacks: Object.freeze([...config.fallbacks]),
        retries: config.retries,
        timeouts: config.timeouts,
        breaker: config.breaker,
        cooldown: config.cooldown,
        hedge: config.hedge,
        budget: config.budget,
      }),
    );
  }

  const virtualModels = new Map(loaded.virtualModels.map(({ name, config }) => [name, Object.freeze(compileVirtualModel(name, deepFreeze(config)))]));

  return Object.freeze({
    version: (previous?.version ?? 0) + 1,
    loadedAt: new Date(),
    file: loaded.file,
    files: Object.freeze([...loaded.files]),
    proxy,
    providers,
    routes,
    virtualModels,
    routeNames: Object.freeze([...routes.keys(), ...virtualModels.keys()].sort()),
    auth: new ClientAuth(proxy.auth),
  });
}

function createProvider(name: string, config: ProxyConfig['providers'][string], fingerprint: string): Provider {
  const bound = getProviderKind(config.kind).bind(config);
  const options = { keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' as const };
  const agent = config.base_url.startsWith('https:') ? new HttpsAgent(options) : new HttpAgent(options);
  return Object.freeze({ name, bound, agent, fingerprint, baseUrl: config.base_url, healthCheck: config.health_check });
}

/**
 * Winds down the keep-alive pools `next` no longer uses without cutting requests
 * still running on them: idle sockets close now, busy ones close when released.
 */
export function retireProviders(previous: Snapshot, next?: Snapshot): void {
  for (const [name, provider] of previous.providers) {
    if (next?.providers.get(name) === provider) continue;
    const { agent } = provider;
    agent.on('free', (socket) => socket.destroy());
    for (const sockets of Object.values(agent.freeSockets)) for (const socket of sockets ?? []) socket.destroy();
  }
}

