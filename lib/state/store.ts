/**
 * The one interface for state that llmux replicas share: connection slots and
 * rpm/tpm quotas (admission), latency averages, Retry-After cooldowns, breaker
 * outcome windows and breaker transitions. Every call is async, because the Redis
 * backend answers over the network; the memory backend resolves at once. One
 * contract suite (test/contract/state-store.contract.ts) runs against every backend.
 *
 * Times are epoch milliseconds (`Date.now()`), so replicas on different hosts
 * agree on when a cooldown or an open breaker ends.
 */

/** What admission checks for one attempt on a target. */
export interface AdmissionLimits {
  /** Most concurrent slots on the target; `Infinity` for no cap. */
  readonly maxConnections: number;
  /** Most requests admitted in any rolling 60 s window. */
  readonly rpm?: number | undefined;
  /** Most tokens (estimate at admission, corrected at release) in any rolling 60 s window. */
  readonly tpm?: number | undefined;
  /** This request's estimated tokens, reserved against `tpm`. */
  readonly tokens?: number | undefined;
}

/** A held connection slot (and quota reservation) on a target. Released exactly once. */
export interface Lease {
  readonly target: string;
  readonly id: string;
  /** Epoch ms when the slot was taken: the rpm/tpm bucket it counts in. */
  readonly at: number;
  /** Tokens reserved against tpm at admission. */
  readonly tokens: number;
}

export type Admission =
  | { readonly ok: true; readonly lease: Lease }
  | {
      readonly ok: false;
      /** Which limit refused: the connection cap, or the rpm / tpm quota. */
      readonly reason: 'connections' | 'rpm' | 'tpm';
      /** For quotas: epoch ms when enough of the window will have expired to admit. */
      readonly retryAt?: number | undefined;
    };

export interface WindowCounts {
  readonly successes: number;
  readonly failures: number;
}

export type BreakerPhase = 'closed' | 'open' | 'half_open';

/** A breaker state as every replica should see it. */
export interface SharedBreaker {
  readonly phase: BreakerPhase;
  /** For `open`: epoch ms when the breaker may move to half-open. */
  readonly until?: number | undefined;
}

/** Changes made by any replica (this one included), delivered to subscribers. */
export type StateEvent =
  | { readonly type: 'breaker'; readonly target: string; readonly breaker: SharedBreaker }
  | { readonly type: 'cooldown'; readonly target: string; readonly until: number }
  | { readonly type: 'backend'; readonly healthy: boolean; readonly detail: string };

export interface StoreStatus {
  /** False while a shared backend is unreachable and llmux serves on local state. */
  readonly healthy: boolean;
  readonly detail: string;
}

/**
 * A value now or later. The calls on every request's path may answer synchronously
 * (the memory backend always does; the Redis backend does from its cache): an
 * `await` on a plain value still costs a turn of the microtask queue, so callers
 * on the hot path check with `instanceof Promise` and only wait for a real one.
 */
export type MaybePromise<T> = T | Promise<T>;

/** `fn` applied to a value now, or once it arrives: a promise only when `value` is one. */
export function mapMaybe<T, R>(value: MaybePromise<T>, fn: (settled: T) => R): MaybePromise<R> {
  return value instanceof Promise ? value.then(fn) : fn(value);
}

export interface StateStore {
  /** `memory` or `redis`. */
  readonly backend: string;

  /**
   * Atomically checks the connection cap and the rpm/tpm quotas of `target` and,
   * when all allow it, takes a slot and reserves the tokens. Slots are leases: a
   * backend shared by replicas expires the slots of a replica that died.
   */
  admit(target: string, limits: AdmissionLimits): MaybePromise<Admission>;
  /**
   * Gives the slot back and, when `actualTokens` is known, corrects the tpm
   * reservation to it. Releasing the same lease twice is a no-op.
   */
  release(lease: Lease, actualTokens?: number): MaybePromise<void>;
  /** Current in-flight counts, one per target, in the order asked (may be a few ms old). */
  inFlight(targets: readonly string[]): MaybePromise<number[]>;

  /** Folds one time-to-first-byte sample (ms) into the target's moving average. */
  recordLatency(target: string, ms: number): MaybePromise<void>;
  /** Moving averages of time to first byte (ms), `undefined` where no sample exists yet. */
  latency(targets: readonly string[]): MaybePromise<(number | undefined)[]>;

  /** Puts `target` in cooldown until `until`; an existing later cooldown is kept. */
  setCooldown(target: string, until: number): Promise<void>;
  /** Cooldown ends (epoch ms), `undefined` where none is active now. */
  cooldowns(targets: readonly string[]): MaybePromise<(number | undefined)[]>;

  /**
   * Adds one outcome to the target's rolling window of `windowMs` and returns the
   * window's counts after it, summed over every replica.
   */
  recordOutcome(target: string, ok: boolean, windowMs: number): MaybePromise<WindowCounts>;
  /** Empties the target's outcome window (when its breaker closes or opens). */
  resetOutcomes(target: string): Promise<void>;
  /** Records a breaker transition and tells every replica (subscribers included). */
  setBreaker(target: string, breaker: SharedBreaker): Promise<void>;
  /** Last known breaker state per target, `undefined` where none was ever set. */
  breakers(targets: readonly string[]): Promise<(SharedBreaker | undefined)[]>;
  /** Claims the one half-open probe of `target`: resolves `true` for exactly one caller per `ttlMs`. */
  claimProbe(target: string, ttlMs: number): Promise<boolean>;

  /**
   * Adds `usd` to a budget's counter for the window that starts at `windowStart`
   * (epoch ms, `windowMs` long) and resolves the window's total after it.
   */
  addSpend(budget: string, windowStart: number, windowMs: number, usd: number): Promise<number>;
  /** Each budget's total in the window that starts at `windowStart`. */
  spent(budgets: readonly string[], windowStart: number): Promise<number[]>;

  /** Listens for breaker, cooldown and backend-health changes; returns the unsubscribe function. */
  subscribe(listener: (event: StateEvent) => void): () => void;
  status(): StoreStatus;
  close(): Promise<void>;
}

/**
 * Weight of the newest sample in the latency average. 0.3 follows a change within
 * a handful of requests while smoothing out single outliers.
 */
export const EWMA_ALPHA = 0.3;

export function foldEwma(previous: number | undefined, sample: number, alpha = EWMA_ALPHA): number {
  return previous === undefined ? sample : previous + alpha * (sample - previous);
}

/** rpm/tpm windows are 60 s, counted in 1 s buckets. */
export const QUOTA_WINDOW_MS = 60_000;
export const QUOTA_BUCKET_MS = 1_000;
