/**
 * Optional active health checks: a cheap GET (e.g. `/models`, never a paid call)
 * per provider at an interval. Consecutive failures take the provider's targets
 * out of rotation; consecutive passes put them back. Passive detection (breakers,
 * cooldowns) works without any of this.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HealthCheckConfig } from '../config/resilience-schema.js';
import type { Provider } from '../routing/target.js';
import type { Logger } from '../telemetry/logger.js';

export interface HealthStatus {
  readonly healthy: boolean;
  /** Epoch ms of the last transition. */
  readonly since?: number | undefined;
}

interface Check {
  provider: Provider;
  config: HealthCheckConfig;
  timer: NodeJS.Timeout;
  healthy: boolean;
  since: number | undefined;
  passes: number;
  failures: number;
  running: boolean;
}

/** The status of a provider without active health checks. */
const UNCHECKED: HealthStatus = Object.freeze({ healthy: true });

export class HealthBoard {
  readonly #checks = new Map<string, Check>();
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  status(provider: string): HealthStatus {
    const check = this.#checks.get(provider);
    return check ? { healthy: check.healthy, since: check.since } : UNCHECKED;
  }

  /** Starts, keeps or stops checks so they match the providers given (kept checks keep their state). */
  sync(providers: Iterable<Provider>): void {
    const wanted = new Map<string, Provider>();
    for (const provider of providers) if (provider.healthCheck) wanted.set(provider.name, provider);
    for (const [name, check] of this.#checks) {
      const next = wanted.get(name);
      if (next && next.fingerprint === check.provider.fingerprint) continue;
      clearInterval(check.timer);
      this.#checks.delete(name);
    }
    for (const [name, provider] of wanted) {
      if (this.#checks.has(name) || !provider.healthCheck) continue;
      const config = provider.healthCheck;
      const check: Check = { provider, config, healthy: true, since: undefined, passes: 0, failures: 0, running: false, timer: setInterval(() => void this.#probe(check), config.interval_ms) };
      check.timer.unref();
      this.#checks.set(name, check);
      void this.#probe(check);
    }
  }

  close(): void {
    for (const check of this.#checks.values()) clearInterval(check.timer);
    this.#checks.clear();
  }

  async #probe(check: Check): Promise<void> {
    if (check.running) return;
    check.running = true;
    const ok = await probe(check.provider, check.config);
    check.running = false;
    if (this.#checks.get(check.provider.name) !== check) return;
    if (ok) {
      check.failures = 0;
      check.passes++;
      if (!check.healthy && check.passes >= check.config.healthy_threshold) this.#flip(check, true);
    } else {
      check.passes = 0;
      check.failures++;
      if (check.healthy && check.failures >= check.config.unhealthy_threshold) this.#flip(check, false);
    }
  }

  #flip(check: Check, healthy: boolean): void {
    check.healthy = healthy;
    check.since = Date.now();
    const log = { provider: check.provider.name, healthy };
    if (healthy) this.#logger.info(log, 'health check passing again; provider back in rotation');
    else this.#logger.warn(log, 'health check failing; provider taken out of rotation');
  }
}

/** One probe: any 2xx within the timeout passes. */
function probe(provider: Provider, config: HealthCheckConfig): Promise<boolean> {
  const url = new URL(provider.baseUrl + config.path);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const req = send(url, { method: 'GET', headers: { ...provider.bound.headers }, agent: provider.agent, timeout: config.timeout_ms }, (res) => {
      res.resume();
      res.once('end', () => resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300));
      res.once('error', () => resolve(false));
    });
    req.once('timeout', () => req.destroy(new Error('health check timed out')));
    req.once('error', () => resolve(false));
    req.end();
  });
}
