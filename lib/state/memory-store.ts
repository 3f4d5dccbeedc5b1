/** The embedded default backend: state lives in this process only. */
import { randomUUID } from 'node:crypto';
import {
  foldEwma,
  QUOTA_BUCKET_MS,
  QUOTA_WINDOW_MS,
  type Admission,
  type AdmissionLimits,
  type Lease,
  type SharedBreaker,
  type StateEvent,
  type StateStore,
  type StoreStatus,
  type WindowCounts,
} from './store.js';
import { BucketWindow } from './bucket-window.js';

export interface MemoryStoreOptions {
  /** Clock in epoch ms; tests pass a fake one. @default Date.now */
  readonly now?: () => number;
}

interface QuotaBucket {
  requests: number;
  tokens: number;
}

export class MemoryStore implements StateStore {
  readonly backend = 'memory';
  readonly #now: () => number;
  readonly #counts = new Map<string, number>();
  readonly #leases = new Map<string, Lease>();
  readonly #latency = new Map<string, number>();
  readonly #cooldowns = new Map<string, number>();
  readonly #quotas = new Map<string, BucketWindow<QuotaBucket>>();
  readonly #outcomes = new Map<string, BucketWindow<{ ok: number; failed: number }>>();
  readonly #breakers = new Map<string, SharedBreaker>();
  readonly #probes = new Map<string, number>();
  readonly #listeners = new Set<(event: StateEvent) => void>();
  /** Budget totals by `budget@windowStart`; windows older than the newest per budget are dropped. */
  readonly #spend = new Map<string, { windowStart: number; usd: number }>();

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  admit(target: string, limits: AdmissionLimits): Promise<Admission> {
    const count = this.#counts.get(target) ?? 0;
    if (count >= limits.maxConnections) return Promise.resolve({ ok: false, reason: 'connections' });
    const now = this.#now();
    const tokens = limits.tokens ?? 0;
    if (limits.rpm !== undefined || limits.tpm !== undefined) {
      const window = this.#quotaWindow(target);
      const used = window.sum(now, (b) => b.requests, (b) => b.tokens);
      if (limits.rpm !== undefined && used[0] + 1 > limits.rpm) {
        return Promise.resolve({ ok: false, reason: 'rpm', retryAt: window.freedAt(now, (b) => b.requests, used[0] + 1 - limits.rpm) });
      }
      if (limits.tpm !== undefined && used[1] + tokens > limits.tpm && used[1] > 0) {
        return Promise.resolve({ ok: false, reason: 'tpm', retryAt: window.freedAt(now, (b) => b.tokens, used[1] + tokens - limits.tpm) });
      }
      const bucket = window.bucket(now, () => ({ requests: 0, tokens: 0 }));
      bucket.requests++;
      bucket.tokens += tokens;
    }
    this.#counts.set(target, count + 1);
    const lease: Lease = { target, id: randomUUID(), at: now, tokens };
    this.#leases.set(lease.id, lease);
    return Promise.resolve({ ok: true, lease });
  }

  release(lease: Lease, actualTokens?: number): Promise<void> {
    if (!this.#leases.delete(lease.id)) return Promise.resolve();
    const count = (this.#counts.get(lease.target) ?? 1) - 1;
    if (count > 0) this.#counts.set(lease.target, count);
    else this.#counts.delete(lease.target);
    if (actualTokens !== undefined && actualTokens !== lease.tokens) {
      const bucket = this.#quotas.get(lease.target)?.existing(lease.at);
      if (bucket) bucket.tokens = Math.max(0, bucket.tokens + actualTokens - lease.tokens);
    }
    return Promise.resolve();
  }

  inFlight(targets: readonly string[]): Promise<number[]> {
    return Promise.resolve(targets.map((t) => this.#counts.get(t) ?? 0));
  }

  recordLatency(target: string, ms: number): Promise<void> {
    this.#latency.set(target, foldEwma(this.#latency.get(target), ms));
    return Promise.resolve();
  }

  latency(targets: readonly string[]): Promise<(number | undefined)[]> {
    return Promise.resolve(targets.map((t) => this.#latency.get(t)));
  }

  setCooldown(target: string, until: number): Promise<void> {
    const existing = this.#cooldowns.get(target);
    if (existing === undefined || existing < until) {
      this.#cooldowns.set(target, until);
      this.#emit({ type: 'cooldown', target, until });
    }
    return Promise.resolve();
  }

  cooldowns(targets: readonly string[]): Promise<(number | undefined)[]> {
    const now = this.#now();
    return Promise.resolve(
      targets.map((t) => {
        const until = this.#cooldowns.get(t);
        return until !== undefined && until > now ? until : undefined;
      }),
    );
  }

  recordOutcome(target: string, ok: boolean, windowMs: number): Promise<WindowCounts> {
    let window = this.#outcomes.get(target);
    if (!window || window.span !== windowMs) {
      window = new BucketWindow(windowMs, Math.max(1, Math.floor(windowMs / 10)));
      this.#outcomes.set(target, window);
    }
    const now = this.#now();
    const bucket = window.bucket(now, () => ({ ok: 0, failed: 0 }));
    if (ok) bucket.ok++;
    else bucket.failed++;
    const [successes, failures] = window.sum(now, (b) => b.ok, (b) => b.failed);
    return Promise.resolve({ successes, failures });
  }

  resetOutcomes(target: string): Promise<void> {
    this.#outcomes.delete(target);
    return Promise.resolve();
  }

  setBreaker(target: string, breaker: SharedBreaker): Promise<void> {
    this.#breakers.set(target, breaker);
    if (breaker.phase !== 'half_open') this.#probes.delete(target);
    this.#emit({ type: 'breaker', target, breaker });
    return Promise.resolve();
  }

  breakers(targets: readonly string[]): Promise<(SharedBreaker | undefined)[]> {
    return Promise.resolve(targets.map((t) => this.#breakers.get(t)));
  }

  claimProbe(target: string, ttlMs: number): Promise<boolean> {
    const now = this.#now();
    const held = this.#probes.get(target);
    if (held !== undefined && held > now) return Promise.resolve(false);
    this.#probes.set(target, now + ttlMs);
    return Promise.resolve(true);
  }

  addSpend(budget: string, windowStart: number, _windowMs: number, usd: number): Promise<number> {
    const current = this.#spend.get(budget);
    const total = (current && current.windowStart === windowStart ? current.usd : 0) + usd;
    if (!current || current.windowStart <= windowStart) this.#spend.set(budget, { windowStart, usd: total });
    return Promise.resolve(total);
  }

  spent(budgets: readonly string[], windowStart: number): Promise<number[]> {
    return Promise.resolve(budgets.map((b) => (this.#spend.get(b)?.windowStart === windowStart ? (this.#spend.get(b)?.usd ?? 0) : 0)));
  }

  subscribe(listener: (event: StateEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  status(): StoreStatus {
    return { healthy: true, detail: 'in-process memory' };
  }

  close(): Promise<void> {
    this.#listeners.clear();
    return Promise.resolve();
  }

  #quotaWindow(target: string): BucketWindow<QuotaBucket> {
    let window = this.#quotas.get(target);
    if (!window) {
      window = new BucketWindow(QUOTA_WINDOW_MS, QUOTA_BUCKET_MS);
      this.#quotas.set(target, window);
    }
    return window;
  }

  #emit(event: StateEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
