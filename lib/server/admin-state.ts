/**
 * The JSON behind `/admin/state`: every route and target as the running process
 * sees them (breaker, cooldown, in-flight, latency average, health), plus the
 * config version and the last reload. No keys, no prompts.
 */
import type { Snapshot } from '../config/snapshot.js';
import type { ReloadResult } from '../config/reloader.js';
import type { BreakerBoard } from '../resilience/breakers.js';
import type { HealthBoard } from '../resilience/health-checks.js';
import type { StateStore } from '../state/store.js';
import type { TrafficStats } from '../telemetry/traffic-stats.js';

export interface AdminStateSources {
  readonly snapshot: Snapshot;
  readonly state: StateStore;
  readonly breakers: BreakerBoard;
  readonly health: HealthBoard;
  readonly lastReload: ReloadResult | undefined;
  readonly reloads: { readonly ok: number; readonly failed: number };
  readonly traffic: TrafficStats;
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export async function adminState(sources: AdminStateSources): Promise<Record<string, unknown>> {
  const { snapshot, state, breakers, health } = sources;
  const ids = [...new Set([...snapshot.routes.values()].flatMap((r) => r.targets.map((t) => t.id)))];
  const [inFlight, latency, cooldowns] = await Promise.all([state.inFlight(ids), state.latency(ids), state.cooldowns(ids)]);
  const at = new Map(ids.map((id, i) => [id, i]));
  return {
    version: snapshot.version,
    loaded_at: snapshot.loadedAt.toISOString(),
    config_file: snapshot.file,
    files: snapshot.files,
    last_reload: sources.lastReload ?? null,
    reloads: sources.reloads,
    state_backend: { backend: state.backend, ...state.status() },
    traffic_window_s: sources.traffic.windowMs / 1000,
    virtual_models: [...snapshot.virtualModels.values()].map((v) => ({
      name: v.name,
      description: v.description ?? null,
      rules: v.rules.map((r) => ({ name: r.name, route: r.route })),
      default: v.defaultRoute,
    })),
    routes: [...snapshot.routes.values()].map((route) => {
      const served = route.targets.map((t) => sources.traffic.of(t.id));
      const total = served.reduce((n, t) => n + t.served, 0);
      return {
        name: route.name,
        description: route.description ?? null,
        strategy: route.strategyName,
        fallbacks: route.fallbacks,
        targets: route.targets.map((target, t) => {
          const i = at.get(target.id) ?? 0;
          const breaker = breakers.phase(target.id);
          const traffic = served[t];
          return {
            id: target.id,
            provider: target.provider.name,
            model: target.model,
            weight: target.weight,
            max_connections: Number.isFinite(target.maxConnections) ? target.maxConnections : null,
            in_flight: inFlight[i] ?? 0,
            latency_ewma_ms: latency[i] === undefined ? null : Math.round((latency[i] ?? 0) * 100) / 100,
            breaker: { phase: breaker.phase, until: iso(breaker.until) },
            cooldown_until: iso(cooldowns[i]),
            healthy: health.status(target.provider.name).healthy,
            served: traffic?.served ?? 0,
            failed: traffic?.failed ?? 0,
            share: total > 0 ? Math.round(((traffic?.served ?? 0) / total) * 1000) / 1000 : 0,
            recent_errors: traffic?.recentErrors ?? [],
            price: target.price ?? null,
          };
        }),
      };
    }),
  };
}
