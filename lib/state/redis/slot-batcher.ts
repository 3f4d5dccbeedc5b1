/**
 * Batches the Redis writes that nothing waits for: slots of targets without a cap
 * or quota (which cannot be refused), their releases, and successful outcomes. Each
 * request used to send three scripts; now each target gets one script per window
 * (`write_batch_ms`, a few milliseconds), however many requests it served in that
 * window. Under load that is most of the Redis backend's cost per request, in Redis
 * and in ioredis. A window of 0 sends once per turn of the event loop (`setImmediate`,
 * the moment ioredis's auto-pipelining flushes): at saturation a turn already holds
 * many requests, but at a moderate load (one request per turn) only a window lets
 * several share a script. The price is that other replicas see these slots that much
 * later, which only least-connections ordering reads (caps and quotas never batch).
 *
 * A batch that cannot be sent is handed back to the store, which owes the releases
 * and counts the outcomes on local state, as it does for a single failed call.
 */
import { type Lease, type WindowCounts } from '../store.js';
import { OFFLINE } from './deadline.js';
import { type SlotBatch, type SyncResult } from './script-client.js';

/** One target's pending changes, with the leases behind them (a failed batch needs them). */
export interface PendingBatch extends SlotBatch {
  readonly removedLeases: readonly { readonly lease: Lease; readonly actualTokens: number | undefined }[];
}

export interface SlotBatcherOptions {
  /**
   * How long changes gather before they are sent; 0 sends them at the end of the
   * event-loop turn.
   */
  readonly windowMs: number;
  /** Sends one target's batch (within the store's deadline); OFFLINE when Redis could not take it. */
  send(target: string, batch: SlotBatch): Promise<SyncResult | typeof OFFLINE>;
  /** The batch is in Redis. */
  synced(target: string, result: SyncResult): void;
  /** The batch is lost with the connection; resolves the outcome window the successes counted in locally. */
  failed(target: string, batch: PendingBatch): WindowCounts | undefined;
}

class TargetBatch implements PendingBatch {
  readonly adds: string[] = [];
  readonly removes: string[] = [];
  readonly removedLeases: { lease: Lease; actualTokens: number | undefined }[] = [];
  successes = 0;
  windowMs: number | undefined;
  /** Settles the callers of `success`, all with the window after the whole batch. */
  counts: Promise<WindowCounts> | undefined;
  settleCounts: ((counts: WindowCounts) => void) | undefined;
}

const NO_COUNTS: WindowCounts = Object.freeze({ successes: 0, failures: 0 });

export class SlotBatcher {
  readonly #options: SlotBatcherOptions;
  #pending = new Map<string, TargetBatch>();
  /** Per target: slots taken minus slots given back that Redis has not confirmed yet. */
  readonly #unconfirmed = new Map<string, number>();
  #scheduled = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SlotBatcherOptions) {
    this.#options = options;
  }

  /** A slot taken on `lease.target`. */
  add(lease: Lease): void {
    this.#batch(lease.target).adds.push(lease.id);
    this.#shift(lease.target, 1);
  }

  /** A slot given back; `actualTokens` travels with it in case the batch fails and the release is owed. */
  remove(lease: Lease, actualTokens: number | undefined): void {
    const batch = this.#batch(lease.target);
    batch.removes.push(lease.id);
    batch.removedLeases.push({ lease, actualTokens });
    this.#shift(lease.target, -1);
  }

  /**
   * This replica's slots on `target` that Redis does not count yet (taken minus given
   * back, pending or on their way): the store adds them to what Redis last said, so a
   * replica's own requests count at once, as with the memory backend.
   */
  unconfirmed(target: string): number {
    return this.#unconfirmed.get(target) ?? 0;
  }

  /** A successful outcome in the target's window of `windowMs`; resolves the window after the batch. */
  success(target: string, windowMs: number): Promise<WindowCounts> {
    const batch = this.#batch(target);
    batch.successes++;
    batch.windowMs = windowMs;
    batch.counts ??= new Promise<WindowCounts>((resolve) => (batch.settleCounts = resolve));
    return batch.counts;
  }

  /** Sends everything pending now (a shutdown does, before closing the connection). */
  flush(): Promise<void> {
    this.#scheduled = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#pending;
    if (pending.size === 0) return Promise.resolve();
    this.#pending = new Map();
    return Promise.all([...pending].map(([target, batch]) => this.#send(target, batch))).then(() => undefined);
  }

  async #send(target: string, batch: TargetBatch): Promise<void> {
    const result = await this.#options.send(target, batch);
    // Redis's answer (or, offline, the local fallback) counts these from now on.
    this.#shift(target, batch.removes.length - batch.adds.length);
    if (result === OFFLINE) {
      batch.settleCounts?.(this.#options.failed(target, batch) ?? NO_COUNTS);
      return;
    }
    this.#options.synced(target, result);
    batch.settleCounts?.(result.counts ?? NO_COUNTS);
  }

  #shift(target: string, by: number): void {
    const count = (this.#unconfirmed.get(target) ?? 0) + by;
    if (count === 0) this.#unconfirmed.delete(target);
    else this.#unconfirmed.set(target, count);
  }

  #batch(target: string): TargetBatch {
    let batch = this.#pending.get(target);
    if (!batch) {
      batch = new TargetBatch();
      this.#pending.set(target, batch);
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      if (this.#options.windowMs > 0) {
        // Unref'd: the store's close() flushes whatever is pending; the timer need not hold the process.
        this.#timer = setTimeout(() => void this.flush(), this.#options.windowMs);
        this.#timer.unref();
      } else setImmediate(() => void this.flush());
    }
    return batch;
  }
}
