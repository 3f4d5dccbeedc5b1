/**
 * Keeps the target cache filled and fresh. The first read of a target fetches
 * it (one script call; concurrent first reads share it); after that, reads are
 * served from the cache while every `everyMs` the targets read recently are
 * re-read in one pipelined round (one write per node), which bounds staleness
 * to `everyMs` plus a round trip. Each reply is applied as it arrives, so the
 * reply of a later write on the same connection (an admit's count) is never
 * overtaken by an older read. The re-read also covers breakers and cooldowns,
 * so a lost pub/sub message delays a change by one interval at most.
 */
import { type MaybePromise, type StateEvent } from '../store.js';
import { type BackendHealth } from './backend-health.js';
import { OFFLINE } from './deadline.js';
import { type ScriptClient } from './script-client.js';
import { type CachedTarget, type TargetCache } from './target-cache.js';

export interface CacheRefresherOptions {
  readonly scripts: ScriptClient;
  readonly cache: TargetCache;
  readonly health: BackendHealth;
  readonly now: () => number;
  /** True while this replica has latency samples Redis does not have yet: the cached average is newer. */
  readonly latencyPending: (target: string) => boolean;
  /** Tells subscribers of breaker and cooldown changes a re-read found but no message brought. */
  readonly emit: (event: StateEvent) => void;
  readonly everyMs: number;
}

export class CacheRefresher {
  readonly #options: CacheRefresherOptions;
  readonly #fetches = new Map<string, Promise<void>>();
  readonly #timer: NodeJS.Timeout;
  #refreshing = false;

  constructor(options: CacheRefresherOptions) {
    this.#options = options;
    this.#timer = setInterval(() => this.#refresh(), options.everyMs);
    this.#timer.unref();
  }

  /**
   * Cached entries in the order asked; while Redis is away, only what is cached.
   * Synchronous once every target asked for is cached (the steady state).
   */
  entries(targets: readonly string[]): MaybePromise<(CachedTarget | undefined)[]> {
    const { cache, health } = this.#options;
    const missing = health.healthy ? cache.missing(targets) : [];
    if (missing.length === 0) return cache.read(targets);
    return Promise.all(missing.map((target) => this.#fetch(target))).then(() => cache.read(targets));
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #fetch(target: string): Promise<void> {
    let pending = this.#fetches.get(target);
    if (!pending) {
      const { scripts, cache, health, now, latencyPending } = this.#options;
      pending = health
        .attempt(() => scripts.snapshot(target, now()))
        .then((snapshot) => {
          if (snapshot === OFFLINE) return;
          for (const event of cache.load(target, snapshot, { exact: false, keepLatency: latencyPending(target) })) this.#options.emit(event);
        })
        .finally(() => this.#fetches.delete(target));
      this.#fetches.set(target, pending);
    }
    return pending;
  }

  #refresh(): void {
    const { scripts, cache, health, now, latencyPending, emit } = this.#options;
    if (this.#refreshing || !health.healthy) return;
    const targets = cache.recent();
    if (targets.length === 0) return;
    this.#refreshing = true;
    const at = now();
    void health
      .attempt(() =>
        Promise.all(
          targets.map((target) =>
            scripts.snapshot(target, at).then((snapshot) => {
              for (const event of cache.load(target, snapshot, { exact: false, keepLatency: latencyPending(target) })) emit(event);
            }),
          ),
        ),
      )
      .finally(() => (this.#refreshing = false));
  }
}
