/** The embedded default backend: state lives in this process only. */
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
import { LiveSet } from './live-set.js';

export interface MemoryStoreOptions {
  /** Clock in epoch ms; tests pass a fake one. @default Date.now */
  readonly now?: () => number;
}

/** Counters of a quota window and of an outcome window. */
const REQUESTS = 0;
const TOKENS = 1;
const OK = 0;
const FAILED = 1;

export class MemoryStore implements StateStore {
  readonly backend = 'memory';
  readonly #now: () => number;
  readonly #counts = new Map<string, number>();
  /** Leases not yet released (a LiveSet: one is added and removed per request). */
  readonly #leases = new LiveSet<Lease>();
  readonly #latency = new Map<string, number>();
  readonly #cooldowns = new Map<string, number>();
  readonly #quotas = new Map<string, BucketWindow>();
  readonly #outcomes = new Map<string, BucketWindow>();
  readonly #breakers = new Map<string, SharedBreaker>();
  readonly #probes = new Map<string, number>();
  readonly #listeners = new Set<(event: StateEvent) => void>();
  /** Budget totals by `budget@windowStart`; windows older than the newest per budget are dropped. */
  readonly #spend = new Map<string, { windowStart: number; usd: number }>();
  /** Lease ids only need to be unique within this store. */
  #leaseSeq = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
  }

  admit(target: string, limits: AdmissionLimits): Admission {
    const count = this.#counts.get(target) ?? 0;
    if (count >= limits.maxConnections) return { ok: false, reason: 'connections' };
    const now = this.#now();
    const tokens = limits.tokens ?? 0;
    if (limits.rpm !== undefined || limits.tpm !== undefined) {
      const window = this.#quotaWindow(target);
      const requests = window.total(now, REQUESTS);
      if (limits.rpm !== undefined && requests + 1 > limits.rpm) {
        return { ok: false, reason: 'rpm', retryAt: window.freedAt(now, REQUESTS, requests + 1 - limits.rpm) };
      }
      const used = window.total(now, TOKENS);
      // One request larger than the whole budget still passes when the window is empty.
      if (limits.tpm !== undefined && used + tokens > limits.tpm && used > 0) {
        return { ok: false, reason: 'tpm', retryAt: window.freedAt(now, TOKENS, used + tokens - limits.tpm) };
      }
      window.add(now, REQUESTS, 1);
      window.add(now, TOKENS, tokens);
    }
    this.#counts.set(target, count + 1);
    const lease: Lease = { target, id: (++this.#leaseSeq).toString(36), at: now, tokens };
    this.#leases.add(lease);
    return { ok: true, lease };
  }

  release(lease: Lease, actualTokens?: number): void {
    if (!this.#leases.delete(lease)) return;
    const count = (this.#counts.get(lease.target) ?? 1) - 1;
    if (count > 0) this.#counts.set(lease.target, count);
    else this.#counts.delete(lease.target);
    if (actualTokens !== undefined && actualTokens !== lease.tokens) {
      this.#quotas.get(lease.target)?.adjust(lease.at, TOKENS, actualTokens - lease.tokens);
    }
  }

  inFlight(targets: readonly string[]): number[] {
    return targets.map((t) => this.#counts.get(t) ?? 0);
  }

  recordLatency(target: string, ms: number): void {
    this.#latency.set(target, foldEwma(this.#latency.get(target), ms));
  }

  latency(targets: readonly string[]): (number | undefined)[] {
    return targets.map((t) => this.#latency.get(t));
  }

  setCooldown(target: string, until: number): Promise<void> {
    const existing = this.#cooldowns.get(target);
    if (existing === undefined || existing < until) {
      this.#cooldowns.set(target, until);
      this.#emit({ type: 'cooldown', target, until });
    }
    return Promise.resolve();
  }

  cooldowns(targets: readonly string[]): (number | undefined)[] {
    const now = this.#now();
    const out = new Array<number | undefined>(targets.length);
    for (let i = 0; i < targets.length; i++) {
      const until = this.#cooldowns.size === 0 ? undefined : this.#cooldowns.get(targets[i] as string);
      out[i] = until !== undefined && until > now ? until : undefined;
    }
    return out;
  }

  recordOutcome(target: string, ok: boolean, windowMs: number): WindowCounts {
    let window = this.#outcomes.get(target);
    if (!window || window.span !== windowMs) {
      window = new BucketWindow(windowMs, Math.max(1, Math.floor(windowMs / 10)), 2);
      this.#outcomes.set(target, window);
    }
    const now = this.#now();
    window.add(now, ok ? OK : FAILED, 1);
    return { successes: window.total(now, OK), failures: window.total(now, FAILED) };
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

  #quotaWindow(target: string): BucketWindow {
    let window = this.#quotas.get(target);
    if (!window) {
      window = new BucketWindow(QUOTA_WINDOW_MS, QUOTA_BUCKET_MS, 2);
      this.#quotas.set(target, window);
    }
    return window;
  }

  #emit(event: StateEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
