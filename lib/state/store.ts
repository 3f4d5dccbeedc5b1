/**
 * The one interface for state that llmux replicas may share: connection slots,
 * latency averages, and (later) breakers, cooldowns and quotas. Every read and
 * write is async, because the Redis backend answers over the network; the memory
 * backend simply resolves at once. One contract suite runs against every backend.
 */

/** A held connection slot on a target. Released exactly once. */
export interface Lease {
  readonly target: string;
  readonly id: string;
}

export interface StateStore {
  readonly backend: string;
  /**
   * Atomically takes a connection slot on `target` if fewer than `limit` are in use
   * (`limit` of `Infinity` means uncapped). Resolves `undefined` when the target is full.
   */
  acquire(target: string, limit: number): Promise<Lease | undefined>;
  /** Gives a slot back. Releasing the same lease twice is a no-op. */
  release(lease: Lease): Promise<void>;
  /** Current in-flight counts, one per target, in the order asked. */
  inFlight(targets: readonly string[]): Promise<number[]>;
  /** Folds one time-to-first-byte sample (ms) into the target's moving average. */
  recordLatency(target: string, ms: number): Promise<void>;
  /** Moving averages of time to first byte (ms), `undefined` where no sample exists yet. */
  latency(targets: readonly string[]): Promise<(number | undefined)[]>;
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
