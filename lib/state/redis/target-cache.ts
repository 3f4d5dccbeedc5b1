/**
 * This replica's copy of the read-mostly state of the targets it routes to:
 * in-flight count, latency average, cooldown end and breaker. Strategies and
 * breakers read it without a round trip. It is kept current by
 *   - the replies of this replica's own writes (admit/release counts, folded latency),
 *   - pub/sub messages for breakers and cooldowns (every replica, this one included),
 *   - a periodic re-read of the targets used recently (the staleness bound).
 * Breaker entries carry the version Redis gave the transition, so news that
 * arrives late (pub/sub runs on its own connection) never overwrites newer state.
 * Each entry also remembers what subscribers were last told, so a change is
 * announced once, by whichever path brings it first: the message, or the
 * periodic read when a message was lost (a dropped subscriber connection).
 * While Redis is away the cache is the local state: writes land here directly.
 */
import { performance } from 'node:perf_hooks';
import { foldEwma, type SharedBreaker, type StateEvent } from '../store.js';
import { type SharedMessage } from './events.js';
import { type TargetSnapshot } from './script-client.js';

export interface CachedTarget {
  inFlight: number;
  latency: number | undefined;
  cooldown: number | undefined;
  breaker: SharedBreaker | undefined;
  version: number;
  /** Newest breaker version and latest cooldown end subscribers have been told of. */
  announced: { version: number; cooldown: number };
  /** Monotonic ms of the last read; targets nobody asks about stop being refreshed. */
  usedAt: number;
}

/** A target not read for this long is dropped and, if asked again, read afresh. */
const IDLE_MS = 60_000;

export class TargetCache {
  readonly #entries = new Map<string, CachedTarget>();

  /** Cached entries in the order asked (`undefined` where not cached); marks them used. */
  read(targets: readonly string[]): (CachedTarget | undefined)[] {
    const now = performance.now();
    return targets.map((target) => {
      const entry = this.#entries.get(target);
      if (entry) entry.usedAt = now;
      return entry;
    });
  }

  missing(targets: readonly string[]): string[] {
    return [...new Set(targets.filter((t) => !this.#entries.has(t)))];
  }

  /** The entry, created empty when missing: while Redis is away, local writes start from nothing known. */
  ensure(target: string): CachedTarget {
    let entry = this.#entries.get(target);
    if (!entry) {
      entry = {
        inFlight: 0,
        latency: undefined,
        cooldown: undefined,
        breaker: undefined,
        version: 0,
        announced: { version: 0, cooldown: 0 },
        usedAt: performance.now(),
      };
      this.#entries.set(target, entry);
    }
    return entry;
  }

  /**
   * Takes a fresh read. `exact` replaces everything (after an outage, when Redis
   * is the only truth); otherwise cooldowns only grow, breakers only move to newer
   * versions, and latency is kept when this replica has samples not yet written.
   * Returns the changes no message announced (none on a target's first read:
   * that is learning the state, not a change of it).
   */
  load(target: string, snapshot: TargetSnapshot, options: { exact: boolean; keepLatency: boolean }): StateEvent[] {
    const entry = this.#entries.get(target);
    if (!entry || options.exact) {
      const announced = { version: snapshot.version, cooldown: snapshot.cooldown ?? 0 };
      this.#entries.set(target, { ...snapshot, announced, usedAt: entry?.usedAt ?? performance.now() });
      return [];
    }
    entry.inFlight = snapshot.inFlight;
    if (!options.keepLatency) entry.latency = snapshot.latency;
    if (snapshot.cooldown !== undefined && (entry.cooldown === undefined || entry.cooldown < snapshot.cooldown)) entry.cooldown = snapshot.cooldown;
    if (snapshot.version >= entry.version) {
      entry.breaker = snapshot.breaker;
      entry.version = snapshot.version;
    }
    const missed: StateEvent[] = [];
    if (entry.breaker && entry.version > entry.announced.version) {
      entry.announced.version = entry.version;
      missed.push({ type: 'breaker', target, breaker: entry.breaker });
    }
    if (snapshot.cooldown !== undefined && snapshot.cooldown > entry.announced.cooldown) {
      entry.announced.cooldown = snapshot.cooldown;
      missed.push({ type: 'cooldown', target, until: snapshot.cooldown });
    }
    return missed;
  }

  setInFlight(target: string, count: number): void {
    const entry = this.#entries.get(target);
    if (entry) entry.inFlight = count;
  }

  /** Folds samples into a cached average; unknown targets wait for their first read. */
  foldLatency(target: string, samples: readonly number[], from?: number): void {
    const entry = this.#entries.get(target);
    if (!entry) return;
    let value = from ?? entry.latency;
    for (const sample of samples) value = foldEwma(value, sample);
    entry.latency = value;
  }

  raiseCooldown(target: string, until: number): boolean {
    const entry = this.#entries.get(target);
    if (!entry || (entry.cooldown !== undefined && entry.cooldown >= until)) return false;
    entry.cooldown = until;
    return true;
  }

  /** Applies a transition unless a newer one is known; `false` when it was older news. */
  applyBreaker(target: string, breaker: SharedBreaker, version: number): boolean {
    const entry = this.#entries.get(target);
    if (!entry) return true;
    if (version < entry.version) return false;
    entry.breaker = breaker;
    entry.version = version;
    return true;
  }

  /** Applies news from pub/sub; `true` when subscribers have not been told of it yet. */
  applyMessage(version: number, message: SharedMessage): boolean {
    const entry = this.#entries.get(message.target);
    if (!entry) return true;
    if (message.type === 'breaker') {
      if (!this.applyBreaker(message.target, message.breaker, version) || version <= entry.announced.version) return false;
      entry.announced.version = version;
      return true;
    }
    this.raiseCooldown(message.target, message.until);
    if (message.until <= entry.announced.cooldown) return false;
    entry.announced.cooldown = message.until;
    return true;
  }

  /** Records a change this replica announced itself (while Redis is away). */
  announcedCooldown(target: string, until: number): void {
    const entry = this.#entries.get(target);
    if (entry) entry.announced.cooldown = Math.max(entry.announced.cooldown, until);
  }

  /** Targets read recently; the others are forgotten. */
  recent(): string[] {
    const oldest = performance.now() - IDLE_MS;
    const targets: string[] = [];
    for (const [target, entry] of this.#entries) {
      if (entry.usedAt < oldest) this.#entries.delete(target);
      else targets.push(target);
    }
    return targets;
  }

  all(): string[] {
    return [...this.#entries.keys()];
  }
}
