/**
 * The Redis backend of StateStore: what replicas must agree on lives in Redis,
 * changed only by the Lua scripts (scripts.ts), and what they read on every
 * request is served from an in-process cache (target-cache.ts).
 *
 * Round trips on the request path: `admit` one (the admission script); `release`,
 * `recordOutcome`, `setCooldown`, `setBreaker`, `claimProbe` one each, off the
 * hot path or on rare transitions; `inFlight`, `latency`, `cooldowns`, `breakers`
 * none once a target has been read (the first read of a target fetches it);
 * `recordLatency` none (batched).
 *
 * When Redis fails (error, timeout, dropped connection) the store serves on local
 * state at once, from a MemoryStore and the last cached values, and comes back
 * by itself once Redis answers again and a re-sync succeeded (see `#recover`).
 */
import { pino } from 'pino';
import { MemoryStore } from '../memory-store.js';
import {
  type Admission,
  type AdmissionLimits,
  type Lease,
  mapMaybe,
  type MaybePromise,
  type SharedBreaker,
  type StateEvent,
  type StateStore,
  type StoreStatus,
  type WindowCounts,
} from '../store.js';
import { type Logger } from '../../telemetry/logger.js';
import { randomId } from '../../telemetry/request-id.js';
import { BackendHealth } from './backend-health.js';
import { CacheRefresher } from './cache-refresher.js';
import { type RedisStateConfig } from './config.js';
import { RedisLink } from './connection.js';
import { decodeMessage } from './events.js';
import { KeyLayout } from './keys.js';
import { LatencyBatcher } from './latency-batcher.js';
import { LeaseKeeper } from './lease-keeper.js';
import { LiveSet } from '../live-set.js';
import { Resync } from './resync.js';
import { defineScripts } from './scripts.js';
import { ScriptClient } from './script-client.js';
import { SlotBatcher } from './slot-batcher.js';
import { TargetCache, type CachedTarget } from './target-cache.js';
import { OFFLINE, withDeadline } from './deadline.js';

export interface RedisStoreOptions {
  /** Clock in epoch ms, used for every time the store computes or compares; tests pass a fake one. @default Date.now */
  readonly now?: () => number;
  /** Receives one line per backend transition. @default a silent logger */
  readonly logger?: Logger;
}

export class RedisStore implements StateStore {
  readonly backend = 'redis';
  readonly #config: RedisStateConfig;
  readonly #now: () => number;
  readonly #link: RedisLink;
  readonly #keys: KeyLayout;
  readonly #scripts: ScriptClient;
  readonly #health: BackendHealth;
  readonly #cache = new TargetCache();
  readonly #batcher: SlotBatcher;
  /** Held leases of targets without a cap or quota: taken and given back through the batcher. */
  readonly #unrefusable = new LiveSet<Lease>();
  readonly #leases: LeaseKeeper;
  readonly #latency: LatencyBatcher;
  readonly #resync: Resync;
  /** Local state while Redis is away; also holds the slots taken then until they are released. */
  readonly #local: MemoryStore;
  readonly #refresher: CacheRefresher;
  readonly #logger: Logger;
  readonly #listeners = new Set<(event: StateEvent) => void>();
  #closed = false;

  /** Connects (or starts degraded when Redis cannot be reached) and resolves a usable store. */
  static async open(config: RedisStateConfig, options: RedisStoreOptions = {}): Promise<RedisStore> {
    const store = new RedisStore(config, options);
    await store.#connect();
    return store;
  }

  private constructor(config: RedisStateConfig, options: RedisStoreOptions) {
    this.#config = config;
    this.#now = options.now ?? Date.now;
    this.#local = new MemoryStore({ now: this.#now });
    this.#keys = new KeyLayout(config.prefix);
    this.#link = new RedisLink(config, this.#keys.channel);
    defineScripts(this.#link.commands);
    this.#scripts = new ScriptClient(this.#link.commands, this.#keys, config.lease_ttl_ms);
    this.#resync = new Resync({ scripts: this.#scripts, cache: this.#cache, now: this.#now, emit: (event) => this.#emit(event) });
    this.#logger = options.logger ?? pino({ level: 'silent' });
    this.#health = new BackendHealth({
      endpoint: this.#link.endpoint,
      logger: this.#logger,
      timeoutMs: config.command_timeout_ms,
      checkEveryMs: config.recovery_check_ms,
      recover: () => this.#recover(),
      emit: (event) => {
        this.#emit(event);
        // Calls made during the re-sync still went to local state; send what they changed.
        if (event.type === 'backend' && event.healthy) void this.#health.attempt(() => this.#resync.replay(this.#leases));
      },
    });
    const keep = (): Promise<unknown> => this.#health.attempt(() => this.#scripts.keepLeases(this.#leases.byTarget(), this.#now()));
    this.#leases = new LeaseKeeper(() => void keep(), Math.max(1, Math.floor(config.lease_ttl_ms / 3)));
    this.#latency = new LatencyBatcher({
      everyMs: config.latency_flush_ms,
      write: (target, samples) => this.#within(() => this.#scripts.foldLatency(target, samples)),
      written: (target, average, pending) => this.#cache.foldLatency(target, pending, average),
      failed: (error) => this.#health.down(error),
    });
    this.#refresher = new CacheRefresher({
      scripts: this.#scripts,
      cache: this.#cache,
      health: this.#health,
      now: this.#now,
      latencyPending: (target) => this.#latency.busy(target),
      emit: (event) => this.#emit(event),
      everyMs: config.cache_refresh_ms,
    });
    this.#batcher = new SlotBatcher({
      windowMs: config.write_batch_ms,
      send: (target, batch) => this.#health.attempt(() => this.#scripts.sync(target, this.#now(), batch)),
      synced: (target, result) => this.#cache.setInFlight(target, result.inFlight),
      failed: (target, batch) => {
        for (const { lease, actualTokens } of batch.removedLeases) this.#leases.owe(lease, actualTokens);
        let counts: WindowCounts | undefined;
        for (let i = 0; i < batch.successes; i++) counts = this.#local.recordOutcome(target, true, batch.windowMs ?? 0);
        return counts;
      },
    });
  }

  admit(target: string, limits: AdmissionLimits): MaybePromise<Admission> {
    const now = this.#now();
    const tokens = Math.max(0, Math.round(limits.tokens ?? 0));
    if (limits.maxConnections === Number.POSITIVE_INFINITY && limits.rpm === undefined && limits.tpm === undefined && this.#health.healthy) {
      return this.#admitUncapped(target, now, tokens);
    }
    return this.#admitShared(target, now, tokens, limits);
  }

  /**
   * A target without a cap or quota cannot refuse, so its slot is taken at once and
   * announced to Redis with the next batch instead of on the request's path (a round
   * trip there, under load, waits behind everything else the event loop has to do).
   * A batch holds a slot's release only if it also holds, or follows, its taking; if
   * the taking is lost with the connection, the release removes nothing.
   */
  #admitUncapped(target: string, now: number, tokens: number): Admission {
    const lease: Lease = { target, id: randomId(), at: now, tokens };
    this.#leases.hold(lease);
    this.#unrefusable.add(lease);
    this.#batcher.add(lease);
    return { ok: true, lease };
  }

  async #admitShared(target: string, now: number, tokens: number, limits: AdmissionLimits): Promise<Admission> {
    const result = await this.#health.attempt(() => this.#scripts.admit(target, randomId(), now, tokens, limits));
    if (result === OFFLINE) {
      // Slots still held through Redis keep counting against the cap while it is away.
      return this.#local.admit(target, { ...limits, maxConnections: limits.maxConnections - this.#leases.heldOn(target) });
    }
    if (result.admission.ok) {
      this.#leases.hold(result.admission.lease);
      this.#cache.setInFlight(target, result.count);
    }
    return result.admission;
  }

  async release(lease: Lease, actualTokens?: number): Promise<void> {
    if (!this.#leases.take(lease)) return this.#local.release(lease, actualTokens);
    // No quota to correct: the release only gives the slot back.
    if (this.#unrefusable.delete(lease)) return this.#batcher.remove(lease, actualTokens);
    const delta = actualTokens === undefined ? undefined : Math.max(0, Math.round(actualTokens)) - lease.tokens;
    const count = await this.#health.attempt(() => this.#scripts.release(lease.target, lease.id, this.#now(), lease.at, delta));
    if (count === OFFLINE) this.#leases.owe(lease, actualTokens);
    else if (count !== undefined) this.#cache.setInFlight(lease.target, count);
  }

  inFlight(targets: readonly string[]): MaybePromise<number[]> {
    // Slots taken on local state during an outage are real requests too, until released.
    const local = this.#local.inFlight(targets);
    if (!this.#health.healthy) return local.map((n, i) => n + this.#leases.heldOn(targets[i] ?? ''));
    const add = (entries: readonly (CachedTarget | undefined)[]): number[] =>
      entries.map((entry, i) => (entry?.inFlight ?? 0) + (local[i] ?? 0) + this.#batcher.unconfirmed(targets[i] ?? ''));
    return mapMaybe(this.#refresher.entries(targets), add);
  }

  recordLatency(target: string, ms: number): void {
    if (!this.#health.healthy) this.#cache.ensure(target);
    this.#cache.foldLatency(target, [ms]);
    if (this.#health.healthy) this.#latency.add(target, ms);
  }

  latency(targets: readonly string[]): MaybePromise<(number | undefined)[]> {
    const averages = (entries: readonly (CachedTarget | undefined)[]): (number | undefined)[] => entries.map((entry) => entry?.latency);
    return mapMaybe(this.#refresher.entries(targets), averages);
  }

  async setCooldown(target: string, until: number): Promise<void> {
    const inForce = await this.#health.attempt(() => this.#scripts.raiseCooldown(target, until, this.#now()));
    if (inForce !== OFFLINE) {
      // Subscribers hear of it through pub/sub, like every other replica.
      this.#cache.raiseCooldown(target, inForce);
      return;
    }
    this.#cache.ensure(target);
    if (!this.#cache.raiseCooldown(target, until)) return;
    this.#resync.cooldownChanged(target, until);
    this.#cache.announcedCooldown(target, until);
    this.#emit({ type: 'cooldown', target, until });
  }

  cooldowns(targets: readonly string[]): MaybePromise<(number | undefined)[]> {
    const inForce = (entries: readonly (CachedTarget | undefined)[]): (number | undefined)[] => {
      const now = this.#now();
      return entries.map((entry) => (entry?.cooldown !== undefined && entry.cooldown > now ? entry.cooldown : undefined));
    };
    return mapMaybe(this.#refresher.entries(targets), inForce);
  }

  async addSpend(budget: string, windowStart: number, windowMs: number, usd: number): Promise<number> {
    const total = await this.#health.attempt(() => this.#scripts.addSpend(budget, windowStart, windowMs, usd));
    return total === OFFLINE ? this.#local.addSpend(budget, windowStart, windowMs, usd) : total;
  }

  async spent(budgets: readonly string[], windowStart: number): Promise<number[]> {
    const totals = await this.#health.attempt(() => this.#scripts.spent(budgets, windowStart));
    return totals === OFFLINE ? this.#local.spent(budgets, windowStart) : totals;
  }

  recordOutcome(target: string, ok: boolean, windowMs: number): Promise<WindowCounts> {
    // A success needs no answer before the next request: it goes with the target's next batch.
    if (ok && this.#health.healthy) return this.#batcher.success(target, windowMs);
    return this.#recordOne(target, ok, windowMs);
  }

  async #recordOne(target: string, ok: boolean, windowMs: number): Promise<WindowCounts> {
    const counts = await this.#health.attempt(() => this.#scripts.outcome(target, ok, windowMs, this.#now()));
    return counts === OFFLINE ? this.#local.recordOutcome(target, ok, windowMs) : counts;
  }

  async resetOutcomes(target: string): Promise<void> {
    await this.#local.resetOutcomes(target);
    await this.#health.attempt(() => this.#scripts.resetOutcomes(target));
  }

  async setBreaker(target: string, breaker: SharedBreaker): Promise<void> {
    const version = await this.#health.attempt(() => this.#scripts.setBreaker(target, breaker));
    if (version !== OFFLINE) {
      this.#cache.applyBreaker(target, breaker, version);
      return;
    }
    await this.#local.setBreaker(target, breaker);
    const entry = this.#cache.ensure(target);
    entry.breaker = breaker;
    this.#resync.breakerChanged(target, breaker);
    this.#emit({ type: 'breaker', target, breaker });
  }

  async breakers(targets: readonly string[]): Promise<(SharedBreaker | undefined)[]> {
    return (await this.#refresher.entries(targets)).map((entry) => entry?.breaker);
  }

  async claimProbe(target: string, ttlMs: number): Promise<boolean> {
    const claimed = await this.#health.attempt(() => this.#scripts.claimProbe(target, ttlMs, this.#now()));
    return claimed === OFFLINE ? this.#local.claimProbe(target, ttlMs) : claimed;
  }

  subscribe(listener: (event: StateEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  status(): StoreStatus {
    return this.#health.status();
  }

  /** Writes pending latency samples, gives back the slots still held, and disconnects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#refresher.stop();
    if (this.#health.healthy) {
      await this.#batcher.flush();
      await this.#latency.flush();
      const now = this.#now();
      const releases = [...this.#leases.byTarget()].flatMap(([target, ids]) =>
        ids.map((id) => this.#health.attempt(() => this.#scripts.release(target, id, now, now, undefined))),
      );
      await Promise.all(releases);
    }
    this.#shutdown();
    await this.#link.quit();
  }

  /**
   * Stops the way a crash (SIGKILL) would: no write, no release; the slots this
   * replica held stay in Redis until their lease TTL ends. For crash tests, and
   * for a process that must exit at once.
   */
  abandon(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#refresher.stop();
    this.#shutdown();
    this.#link.disconnect();
  }

  async #connect(): Promise<void> {
    this.#link.watch({
      down: (error) => this.#health.down(error),
      ready: () => this.#health.check(),
      message: (channel, text) => {
        const decoded = channel === this.#keys.channel ? decodeMessage(text) : undefined;
        if (decoded && this.#cache.applyMessage(decoded.version, decoded.message)) this.#emit(decoded.message);
      },
    });
    try {
      await this.#link.connect();
    } catch (error) {
      this.#health.down(error);
    }
  }

  #within<T>(call: () => Promise<T>): Promise<T> {
    return withDeadline(call(), this.#config.command_timeout_ms);
  }

  /** Throws unless Redis answers and everything this replica did meanwhile is shared again. */
  async #recover(): Promise<void> {
    if (!this.#link.connected) throw new Error('not connected yet');
    await this.#within(() => this.#scripts.ping());
    // Messages published while the subscription was down are lost; the exact re-read below covers them.
    await this.#link.subscribe();
    await this.#within(() => this.#resync.replay(this.#leases));
    await this.#within(() => this.#scripts.keepLeases(this.#leases.byTarget(), this.#now()));
    await this.#within(() => this.#resync.reload(this.#cache.all()));
  }

  #emit(event: StateEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not stop the others, nor the pub/sub connection's handler.
        this.#logger.error({ err: error, event: event.type }, 'state event listener failed');
      }
    }
  }

  #shutdown(): void {
    this.#health.stop();
    this.#leases.abandon();
    this.#latency.discard();
    this.#listeners.clear();
  }
}
